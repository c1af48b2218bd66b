#!/usr/bin/env python3
"""bin/bench burst: N simultaneous signed publishes on an idle pod (a client's Promise.all), counted by status.

Opens N keep-alive connections first, then writes every request before reading any answer, so all N are in
flight at once. Usage: burst.py HOST PORT APP_ID KEY SECRET [N] [ROUNDS]
"""
import socket
import sys
import time
from collections import Counter

from pusher_request import signed_publish


def read_status(sock):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return "closed"
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(rest) < length:
        rest += sock.recv(65536)
    return head.split(b" ")[1].decode()


def main():
    host, port, app, key, secret = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
    n = int(sys.argv[6]) if len(sys.argv) > 6 else 200
    rounds = int(sys.argv[7]) if len(sys.argv) > 7 else 3
    for r in range(rounds):
        # fresh connections each round (soketi closes every connection after its answer)
        socks = [socket.create_connection((host, port), timeout=10) for _ in range(n)]
        try:
            ts = int(time.time())
            requests = [signed_publish(app, key, secret, "burst", f"burst-{i % 32}", "x" * 100, ts) for i in range(n)]
            start = time.monotonic()
            for s, req in zip(socks, requests):
                s.sendall(req)
            statuses = Counter(read_status(s) for s in socks)
            took = (time.monotonic() - start) * 1000
            print(f"round {r + 1}: {n} simultaneous publishes -> {dict(sorted(statuses.items()))} in {took:.0f} ms")
        finally:
            for s in socks:
                s.close()
        time.sleep(1)


if __name__ == "__main__":
    main()
