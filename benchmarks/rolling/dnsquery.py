#!/usr/bin/env python3
"""Prints the A records of NAME as SERVER:PORT answers them, sorted, one line, space-separated (empty if none).

Usage: dnsquery.py SERVER PORT NAME [EXPECTED SECONDS]. Exit status 0 on an answer (even an empty one), 1 on no
answer within 1 s. With EXPECTED (addresses, space-separated) it asks again every 10 ms until the answer is that set,
for SECONDS at most (exit status 1 then, the last answer printed). The rolling-deploy benchmark uses it to wait until
dnsmasq serves a new membership before going on; one process, so that the wait is not made of interpreter start-ups.
"""
import random
import socket
import struct
import sys
import time


def query(server, port, name):
    qid = random.randrange(65536)
    question = b"".join(bytes([len(p)]) + p.encode() for p in name.rstrip(".").split(".")) + b"\0"
    packet = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + question + struct.pack("!HH", 1, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1.0)
    try:
        s.sendto(packet, (server, port))
        data, _ = s.recvfrom(4096)
    finally:
        s.close()
    rid, _flags, qd, an, _ns, _ar = struct.unpack("!HHHHHH", data[:12])
    if rid != qid:
        raise OSError("wrong answer id")
    pos = 12
    for _ in range(qd):  # skip the question section
        pos = skip_name(data, pos) + 4
    addresses = []
    for _ in range(an):
        pos = skip_name(data, pos)
        rtype, _rclass, _ttl, rdlen = struct.unpack("!HHIH", data[pos:pos + 10])
        pos += 10
        if rtype == 1 and rdlen == 4:
            addresses.append(socket.inet_ntoa(data[pos:pos + 4]))
        pos += rdlen
    return sorted(addresses, key=lambda a: tuple(int(x) for x in a.split(".")))


def skip_name(data, pos):
    while True:
        length = data[pos]
        if length == 0:
            return pos + 1
        if length & 0xC0 == 0xC0:  # a compression pointer ends the name
            return pos + 2
        pos += 1 + length


def main():
    server, port, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if len(sys.argv) < 5:
        try:
            print(" ".join(query(server, port, name)))
        except OSError:
            sys.exit(1)
        return
    expected, deadline = sys.argv[4].split(), time.monotonic() + float(sys.argv[5])
    got = None
    while time.monotonic() < deadline:
        try:
            got = query(server, port, name)
        except OSError:
            got = None
        if got == sorted(expected, key=lambda a: tuple(int(x) for x in a.split("."))):
            print(" ".join(got))
            return
        time.sleep(0.01)
    print("?" if got is None else " ".join(got))
    sys.exit(1)


if __name__ == "__main__":
    main()
