#!/usr/bin/env python3
"""Connection flood against a running gateway: idle connections plus slowloris ones, a normal client meanwhile.

Not a test: a documented manual run (README "Hostile input"). Opens IDLE connections that never send a byte and
SLOWLORIS connections that send a request line and then one header line every INTERVAL seconds, while one
keep-alive client publishes every 50 ms (its latency before and during the flood). Reports when the server
closed each kind (and what the slowloris ones were answered) and the gateway's VmRSS, sampled every second.

Usage: slowloris.py PID [PORT] [IDLE] [SLOWLORIS] [INTERVAL] [SECONDS]
  e.g. bin/spillway & ulimit -n 20000; bench/slowloris.py $(pgrep -n -f target/spillway.jar) 8080 10000 1000 5 90
Credentials: APP_ID / APP_KEY / APP_SECRET (1001 / app-key / app-secret, as config/application.yaml).
"""
import asyncio
import os
import statistics
import sys
import time
from collections import Counter

from pusher_request import signed_publish

APP, KEY, SECRET = (os.environ.get(k, d) for k, d in
                    (("APP_ID", "1001"), ("APP_KEY", "app-key"), ("APP_SECRET", "app-secret")))


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def publish_request(seq):
    return signed_publish(APP, KEY, SECRET, "flood", "flood", str(seq))


async def read_response(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    await reader.readexactly(length)
    return int(head.split(b" ")[1])


class Publisher:
    """One keep-alive client (as a server SDK would be), publishing every 50 ms; reconnects if closed."""

    def __init__(self, port):
        self.port, self.samples, self.statuses, self.phase = port, {}, Counter(), "before"

    async def run(self, stop):
        reader = writer = None
        seq = 0
        while not stop.is_set():
            seq += 1
            start = time.perf_counter()
            try:
                if writer is None:
                    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", self.port), 5)
                writer.write(publish_request(seq))
                status = await asyncio.wait_for(read_response(reader), 5)
            except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError) as e:
                status, writer = type(e).__name__, None
            self.samples.setdefault(self.phase, []).append((time.perf_counter() - start) * 1000)
            self.statuses[(self.phase, status)] += 1
            await asyncio.sleep(0.05)


async def idle(port, gate, opened, closed):
    async with gate:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError as e:
            closed.append(("connect failed " + type(e).__name__, 0))
            return
    start = time.monotonic()
    opened.append(start)
    try:
        await reader.read(1)  # EOF (or a reset) when the server closes it
    except OSError:
        pass
    closed.append(("closed", time.monotonic() - start))
    writer.close()


async def slowloris(port, gate, interval, results):
    async with gate:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError as e:
            results.append(("connect failed " + type(e).__name__, 0, 0))
            return
    start = time.monotonic()
    writer.write(f"POST /apps/{APP}/events HTTP/1.1\r\nHost: x\r\n".encode())
    answer, lines = b"", 0
    while True:
        try:
            data = await asyncio.wait_for(reader.read(4096), interval)
        except asyncio.TimeoutError:
            lines += 1
            writer.write(f"X-Trickle-{lines}: x\r\n".encode())
            continue
        except OSError:
            data = b""
        if not data:
            break
        answer += data
    status = answer.split(b" ")[1].decode() if answer.startswith(b"HTTP/1.1 ") else "none"
    results.append((status, time.monotonic() - start, lines))
    writer.close()


def spread(values):
    if not values:
        return "none"
    values = sorted(values)
    return f"min {values[0]:.1f} s, median {statistics.median(values):.1f} s, max {values[-1]:.1f} s"


def latency(samples):
    if not samples:
        return "no samples"
    q = statistics.quantiles(samples, n=100, method="inclusive")
    return f"n={len(samples)} p50 {q[49]:.1f} ms p99 {q[98]:.1f} ms max {max(samples):.1f} ms"


async def main():
    pid = int(sys.argv[1])
    args = [int(a) for a in sys.argv[2:]]
    port, n_idle, n_slow, interval, seconds = args + [8080, 10000, 1000, 5, 90][len(args):]
    t0 = time.monotonic()
    rss = []

    async def sample(stop):
        while not stop.is_set():
            rss.append((time.monotonic() - t0, rss_mb(pid)))
            await asyncio.sleep(1)

    stop = asyncio.Event()
    publisher = Publisher(port)
    background = [asyncio.create_task(publisher.run(stop)), asyncio.create_task(sample(stop))]
    await asyncio.sleep(10)  # the client alone
    rss_before = rss[-1][1]
    publisher.phase = "flood"
    gate = asyncio.Semaphore(256)  # connects in flight: within the listener's accept backlog
    opened, idle_closed, slow_results = [], [], []
    flood_start = time.monotonic() - t0
    tasks = [asyncio.create_task(idle(port, gate, opened, idle_closed)) for _ in range(n_idle)]
    tasks += [asyncio.create_task(slowloris(port, gate, interval, slow_results)) for _ in range(n_slow)]
    while len(opened) < n_idle and time.monotonic() - t0 < flood_start + 60:
        await asyncio.sleep(0.2)
    all_open = time.monotonic() - t0
    done, pending = await asyncio.wait(tasks, timeout=seconds)
    flood_end = time.monotonic() - t0
    publisher.phase = "after"
    await asyncio.sleep(10)
    stop.set()
    await asyncio.gather(*background)
    for task in pending:
        task.cancel()

    during = [mb for t, mb in rss if flood_start <= t <= flood_end]
    print(f"gateway pid {pid}, port {port}: {n_idle} idle + {n_slow} slowloris (a header line every {interval} s)")
    print(f"  idle connections open {len(opened)} after {all_open - flood_start:.1f} s;"
          f" closed by the server {sum(1 for s, _ in idle_closed if s == 'closed')}"
          f" ({spread([t for s, t in idle_closed if s == 'closed'])} after connecting);"
          f" still open at the end {len(opened) - sum(1 for s, _ in idle_closed if s == 'closed')}")
    print(f"  slowloris answered {dict(Counter(s for s, _, _ in slow_results))},"
          f" closed {spread([t for _, t, _ in slow_results])} after the request line"
          f" ({spread([n for _, _, n in slow_results]).replace(' s', '')} header lines sent);"
          f" still open at the end {n_slow - len(slow_results)}")
    for phase in ("before", "flood", "after"):
        print(f"  publisher {phase}: {latency(publisher.samples.get(phase, []))};"
              f" {dict((s, c) for (p, s), c in publisher.statuses.items() if p == phase)}")
    print(f"  VmRSS before {rss_before:.0f} MB, during max {max(during, default=float('nan')):.0f} MB,"
          f" at the end {rss[-1][1]:.0f} MB")
    print("  VmRSS every 5 s (s since start: MB): "
          + ", ".join(f"{t:.0f}: {mb:.0f}" for t, mb in rss[::5]))


if __name__ == "__main__":
    asyncio.run(main())
