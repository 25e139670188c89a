"""Intuit's throttles, per realm: requests per minute, concurrency, batches per minute.

A rejected request is not counted against the window (Intuit does not say;
counting it would let a client that retries too early lock itself out).
``time_scale`` shrinks the minute so a test can run "one minute" in one second.
"""
import collections
import os
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Limits:
    requests_per_minute: int = 500
    concurrent: int = 10
    batch_per_minute: int = 40
    batch_max_items: int = 30
    time_scale: float = 1.0
    throttle_shape: str = "fault"     # "fault" (lowercase JSON), "Fault" (JSON) or "xml"
    enabled: bool = True

    @property
    def window(self):
        return 60.0 / self.time_scale


class Throttle:
    def __init__(self, limits):
        self.limits = limits
        self._lock = threading.Lock()
        self._requests = collections.defaultdict(collections.deque)
        self._batches = collections.defaultdict(collections.deque)
        self._in_flight = collections.defaultdict(int)

    def _trim(self, stamps, now):
        edge = now - self.limits.window
        while stamps and stamps[0] <= edge:
            stamps.popleft()

    def enter(self, realm_id, is_batch):
        """Admit a request, or return the name of the limit it breaks."""
        limits = self.limits
        if not limits.enabled:
            return None
        now = time.monotonic()
        with self._lock:
            requests = self._requests[realm_id]
            self._trim(requests, now)
            if len(requests) >= limits.requests_per_minute:
                return "requests_per_minute"
            if self._in_flight[realm_id] >= limits.concurrent:
                return "concurrent"
            if is_batch:
                batches = self._batches[realm_id]
                self._trim(batches, now)
                if len(batches) >= limits.batch_per_minute:
                    return "batch_per_minute"
                batches.append(now)
            requests.append(now)
            self._in_flight[realm_id] += 1
        return None

    def leave(self, realm_id):
        with self._lock:
            self._in_flight[realm_id] -= 1

    def reset(self):
        with self._lock:
            self._requests.clear()
            self._batches.clear()
            self._in_flight.clear()


def _latency_from_env():
    return os.environ.get("QBO_EMULATOR_LATENCY", "").strip().lower() in ("1", "true", "yes", "on")


@dataclass
class Latency:
    """QuickBooks-like server time added to every answer, so a benchmark shows the wall time a user sees.

    Off by default (the emulator answers in well under a millisecond); turn it on with
    ``--latency``, ``QBO_EMULATOR_LATENCY=1`` or ``POST /_emulator/config {"latency": {"enabled": true}}``.
    The figures are the emulator's choice (no published Intuit numbers): a call, plus per batch item,
    more for reports and the token endpoint. The added time holds the call's concurrency slot and is
    left out of ``GET /_emulator/stats``, which keeps measuring the emulator's own work.
    """
    enabled: bool = field(default_factory=_latency_from_env)
    call_ms: float = 250.0
    batch_item_ms: float = 60.0
    report_ms: float = 1200.0
    oauth_ms: float = 300.0
