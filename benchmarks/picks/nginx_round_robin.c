/*
 * nginx's own round-robin pick and report, for the machine a Sluice pick is measured on: what the C code costs
 * here is the floor that Balancer pick + report targets are read against (benchmarks/RESULTS.md, "A pick's
 * time, part by part").
 *
 * The algorithm is nginx 1.22's ngx_http_upstream_get_round_robin_peer, get_peer and free_round_robin_peer for
 * an upstream without a zone, as ../shared/reference/nginx-upstream-notes.md sets it out: smooth weighted round
 * robin over the peers in configuration order with nginx's eligibility test (tried bit, down, max_fails within
 * fail_timeout, max_conns), then conns++, and on report conns-- with the failure accounting. The peer record has
 * the fields nginx keeps per peer, so that a pass touches memory as nginx's does; get and free are not inlined
 * into the loop, as nginx reaches them through pc->get and pc->free.
 *
 *   gcc -O2 -o /tmp/nginx_round_robin benchmarks/picks/nginx_round_robin.c
 *   taskset -c 1 /tmp/nginx_round_robin [peers]
 *
 * Prints the CPU time of the thread per pick and report for 12 rounds of 10 million; read the lowest of the last.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define BITS (8 * sizeof(uintptr_t))

typedef struct peer {
    void *sockaddr;
    int socklen;
    char name[16];
    char server[16];
    long current_weight;
    long effective_weight;
    long weight;
    unsigned conns;
    unsigned max_conns;
    unsigned fails;
    time_t accessed;
    time_t checked;
    unsigned max_fails;
    time_t fail_timeout;
    unsigned down;
    void *ssl_session;
    struct peer *next;
} peer_t;

typedef struct {
    peer_t *peer;
    unsigned number;
    unsigned single;
} peers_t;

typedef struct {
    peers_t *peers;
    peer_t *current;
    uintptr_t *tried;
    uintptr_t data;
} request_t;

static time_t cached_now = 1000; /* ngx_time(): a cached second, never a clock read per pick */

static int eligible(const peer_t *p, const request_t *r, unsigned i, time_t now) {
    if (r->tried[i / BITS] & ((uintptr_t) 1 << i % BITS)) {
        return 0;
    }
    if (p->down) {
        return 0;
    }
    if (p->max_fails && p->fails >= p->max_fails && now - p->checked <= p->fail_timeout) {
        return 0;
    }
    return !(p->max_conns && p->conns >= p->max_conns);
}

__attribute__((noinline)) static peer_t *get_peer(request_t *r) {
    time_t now = cached_now;
    peer_t *best = NULL;
    unsigned best_index = 0;
    long total = 0;
    unsigned i = 0;
    for (peer_t *p = r->peers->peer; p; p = p->next, i++) {
        if (!eligible(p, r, i, now)) {
            continue;
        }
        p->current_weight += p->effective_weight;
        total += p->effective_weight;
        if (p->effective_weight < p->weight) {
            p->effective_weight++;
        }
        if (best == NULL || p->current_weight > best->current_weight) {
            best = p;
            best_index = i;
        }
    }
    if (best == NULL) {
        return NULL;
    }
    r->current = best;
    r->tried[best_index / BITS] |= (uintptr_t) 1 << best_index % BITS;
    best->current_weight -= total;
    if (now - best->checked > best->fail_timeout) {
        best->checked = now;
    }
    return best;
}

__attribute__((noinline)) static peer_t *get(request_t *r) {
    peer_t *p;
    if (r->peers->single) {
        p = r->peers->peer;
        if (p->down || (p->max_conns && p->conns >= p->max_conns)) {
            return NULL;
        }
        r->current = p;
    } else if ((p = get_peer(r)) == NULL) {
        return NULL;
    }
    p->conns++;
    return p;
}

__attribute__((noinline)) static void report(request_t *r, unsigned *tries, int failed) {
    peer_t *p = r->current;
    time_t now = cached_now;
    if (r->peers->single) {
        p->conns--;
        *tries = 0;
        return;
    }
    if (failed) {
        p->fails++;
        p->accessed = now;
        p->checked = now;
        if (p->max_fails) {
            p->effective_weight -= p->weight / p->max_fails;
        }
        if (p->effective_weight < 0) {
            p->effective_weight = 0;
        }
    } else if (p->accessed < p->checked) {
        p->fails = 0;
    }
    p->conns--;
    if (*tries) {
        (*tries)--;
    }
}

int main(int argc, char **argv) {
    unsigned n = argc > 1 ? (unsigned) atoi(argv[1]) : 8;
    if (n < 2 || n > BITS) {
        fprintf(stderr, "peers: 2 to %zu\n", BITS);
        return 2;
    }
    peer_t *peer = calloc(n, sizeof(peer_t));
    for (unsigned i = 0; i < n; i++) {
        peer[i].weight = peer[i].effective_weight = 1;
        peer[i].max_fails = 1;
        peer[i].fail_timeout = 10;
        peer[i].next = i + 1 < n ? &peer[i + 1] : NULL;
    }
    peers_t peers = {peer, n, 0};
    request_t r = {&peers, NULL, NULL, 0};
    r.tried = &r.data;
    unsigned long picked = 0;
    for (int round = 0; round < 12; round++) {
        struct timespec a, b;
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &a);
        for (int k = 0; k < 10000000; k++) {
            unsigned tries = n;
            r.data = 0;
            peer_t *p = get(&r);
            picked += p->conns;
            report(&r, &tries, 0);
        }
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &b);
        printf("round %2d: %.2f ns per pick and report\n", round,
               ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / 1e7);
    }
    printf("(%lu picks)\n", picked);
    return 0;
}
