"""N TLS clients that each make one keep-alive request through the proxy, then hold their connections open:
prints "ready" when all N are idle, and keeps them for HOLD seconds or until killed. For the idle cell of run.sh."""
import socket
import ssl
import sys
import time


def request(port, context):
    conn = context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=30), server_hostname="localhost")
    conn.sendall(b"GET /small HTTP/1.1\r\nHost: localhost\r\n\r\n")
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            raise SystemExit("the proxy closed a connection before its response")
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))
    while len(body) < length:
        body += conn.recv(4096)
    return conn


def main():
    count, port, hold = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    held = [request(port, context) for _ in range(count)]
    print("ready", len(held), flush=True)
    time.sleep(hold)


if __name__ == "__main__":
    main()
