"""Failures on demand, per endpoint, so a client's retry logic can be proven.

Endpoint keys are the resource name of the request (``customer``, ``query``,
``batch``, ``cdc``, ``oauth.token`` ...) or ``*`` for every API call. Rates are
probabilities drawn from a seeded generator, so a failing run can be replayed.
"""
import random
import threading
from dataclasses import dataclass, asdict, fields


@dataclass
class FaultRule:
    error_rate: float = 0.0          # HTTP 500
    unavailable_rate: float = 0.0    # HTTP 503
    reset_rate: float = 0.0          # connection reset before the request is processed
    lost_response_rate: float = 0.0  # processed, then the connection is reset
    slow_rate: float = 0.0           # processed, answered after slow_seconds
    slow_seconds: float = 5.0
    fail_next: int = 0               # the next N calls fail with fail_status
    fail_status: int = 503


class FaultInjector:
    def __init__(self, seed=0):
        self._rules = {}
        self._lock = threading.Lock()
        self._random = random.Random(seed)

    def configure(self, endpoint, **settings):
        names = {f.name for f in fields(FaultRule)}
        unknown = set(settings) - names
        if unknown:
            raise ValueError("unknown fault settings: %s" % ", ".join(sorted(unknown)))
        with self._lock:
            rule = self._rules.get(endpoint, FaultRule())
            for key, value in settings.items():
                setattr(rule, key, type(getattr(FaultRule, key, value))(value))
            self._rules[endpoint] = rule
        return asdict(rule)

    def clear(self, seed=None):
        with self._lock:
            self._rules.clear()
            if seed is not None:
                self._random.seed(seed)

    def snapshot(self):
        with self._lock:
            return {key: asdict(rule) for key, rule in self._rules.items()}

    def decide(self, endpoint):
        """One of None, 'fail:<status>', 'error', 'unavailable', 'reset', 'lost', 'slow:<s>'."""
        with self._lock:
            if not self._rules:
                return None
            for key in (endpoint, "*"):
                rule = self._rules.get(key)
                if rule is None:
                    continue
                if rule.fail_next > 0:
                    rule.fail_next -= 1
                    return "fail:%d" % rule.fail_status
                draw = self._random.random()
                for name, rate in (("error", rule.error_rate), ("unavailable", rule.unavailable_rate),
                                   ("reset", rule.reset_rate), ("lost", rule.lost_response_rate),
                                   ("slow:%s" % rule.slow_seconds, rule.slow_rate)):
                    if draw < rate:
                        return name
                    draw -= rate
            return None
