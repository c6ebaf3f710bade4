/*
 * Takes MSG_MORE off every send() and sendto() of the process it is preloaded into: HAProxy then writes a response
 * body the way a Java channel must, each write pushed to the peer at once, instead of holding a partial segment for
 * the next write (benchmarks/RESULTS.md, "What keeps HAProxy in the fast rate at 64 KiB").
 *
 *   gcc -O2 -shared -fPIC -o /tmp/no_msg_more.so benchmarks/load/probes/no_msg_more.c -ldl
 *   LD_PRELOAD=/tmp/no_msg_more.so taskset -c 1 haproxy -f haproxy.cfg
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <sys/socket.h>

static ssize_t (*next_sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);

ssize_t sendto(int fd, const void *buf, size_t len, int flags, const struct sockaddr *to, socklen_t tolen) {
    if (next_sendto == NULL) {
        next_sendto = (ssize_t (*)(int, const void *, size_t, int, const struct sockaddr *, socklen_t))
                dlsym(RTLD_NEXT, "sendto");
    }
    return next_sendto(fd, buf, len, flags & ~MSG_MORE, to, tolen);
}

ssize_t send(int fd, const void *buf, size_t len, int flags) {
    return sendto(fd, buf, len, flags, NULL, 0);
}
