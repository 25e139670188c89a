#!/usr/bin/env python3
"""Emulator benchmark: server time of a simple read, a query page and a batch.

Prints figures; asserts nothing. Server time is measured inside the emulator
from the moment the request reaches the WSGI app until the answer is rendered.
"""
import logging
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")

from emulator import EmulatorServer  # noqa: E402
from emulator.testing import AdminClient, quickbooks  # noqa: E402

US = "9341452727711001"
READS = 2000


def measure(admin, label, calls, action):
    admin.clear_counters()
    client_times = []
    for _ in range(calls):
        started = time.perf_counter()
        action()
        client_times.append((time.perf_counter() - started) * 1000)
    stats = admin.call("GET", "stats")
    print("%-34s %6d calls  server median %6.3f ms  p90 %6.3f ms  | round trip median %6.3f ms"
          % (label, stats["requests"], stats["median_ms"], stats["p90_ms"], statistics.median(client_times)))
    return stats


def main():
    logging.getLogger("emulator.http").setLevel(logging.WARNING)
    from quickbooks.objects import Customer
    with EmulatorServer(port=0) as server:
        admin = AdminClient(server.url)
        admin.configure(limits={"enabled": False})
        tokens = admin.grant(US)
        qb = quickbooks(server.url, US, tokens["access_token"], tokens["refresh_token"])
        one = Customer.all(qb=qb)[0]
        print("QuickBooks Online emulator benchmark (%s, python-quickbooks over loopback HTTP)" % server.url)
        read = measure(admin, "simple read (GET customer/{id})", READS, lambda: Customer.get(one.Id, qb=qb))
        measure(admin, "query (100 customers)", 300, lambda: Customer.all(max_results=100, qb=qb))
        from quickbooks.batch import batch_create
        counter = iter(range(10 ** 9))
        measure(admin, "batch create (30 customers)", 100, lambda: batch_create(
            [Customer.from_json({"DisplayName": "Bench %d" % next(counter)}) for _ in range(30)], qb=qb))
        print("Median server time of a simple read: %.3f ms (target < 2 ms)" % read["median_ms"])
        # What a person would wait for against Intuit: the emulator's QuickBooks-like delays switched on.
        admin.configure(latency={"enabled": True})
        print("With QuickBooks-like delays (emulator --latency: %s):" % ", ".join(
            "%s %s" % (key, value) for key, value in sorted(admin.call("GET", "config")["latency"].items())
            if key != "enabled"))
        for label, calls, action in (
                ("  simple read, wall time", 20, lambda: Customer.get(one.Id, qb=qb)),
                ("  batch create of 30, wall time", 5, lambda: batch_create(
                    [Customer.from_json({"DisplayName": "Bench %d" % next(counter)}) for _ in range(30)], qb=qb))):
            walls = []
            for _ in range(calls):
                started = time.perf_counter()
                action()
                walls.append((time.perf_counter() - started) * 1000)
            print("%-34s %6d calls  median %8.1f ms" % (label, calls, statistics.median(walls)))


if __name__ == "__main__":
    main()
