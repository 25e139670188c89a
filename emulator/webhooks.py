"""Outbound webhooks: Intuit's notification server, emulated.

Entity changes are published (non-blocking) and delivered by one daemon worker
thread to the receiver configured in :class:`WebhookSettings`, in either the
legacy ``eventNotifications`` format or the CloudEvents format, signed with the
verifier token (header ``intuit-signature``).

Delivery follows Intuit's documented behaviour:

* events are batched (``batch_delay``) and delivered in order; one POST may
  carry several realms (legacy: one ``eventNotification`` per realm);
* success is an HTTP 200 within ``timeout`` seconds; anything else is retried
  after ``retry_schedule`` (the last value repeats) up to ``max_attempts``,
  then the batch is dropped and logged;
* while a batch is failing, later events wait behind it;
* a retry re-sends the very same body bytes, so CloudEvents ``id`` values (on
  which receivers deduplicate) and the signature are unchanged.

``time_scale`` divides every delay so tests can run a retry schedule quickly.
"""
import base64
import collections
import datetime
import hashlib
import hmac
import json
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Callable, Optional

import requests

from .clock import parse_timestamp, qbo_timestamp

_logger = logging.getLogger("emulator.webhooks")

FORMATS = ("legacy", "cloudevents")
OPERATIONS = ("Create", "Update", "Delete", "Merge", "Void", "Emailed")
CLOUDEVENT_VERBS = {
    "Create": "created",
    "Update": "updated",
    "Delete": "deleted",
    "Merge": "merged",
    "Void": "voided",
    "Emailed": "emailed",
}
# Stable per emulator, shaped like Intuit's "intuit.<base64 hash>=" source.
CLOUDEVENT_SOURCE = "intuit." + base64.b64encode(
    hashlib.sha256(b"intuit.emulator").digest()).decode("ascii")

MAX_BATCH = 1000          # events in one POST
MAX_PENDING = 100000      # beyond this, new events are dropped (receiver down for long)
MAX_LOG = 1000            # delivery attempts kept for the admin API
STOP_JOIN_SECONDS = 1.0


@dataclass
class WebhookSettings:
    url: Optional[str] = None           # receiver URL; None = webhooks off
    verifier_token: str = ""            # HMAC key
    format: str = "legacy"              # "legacy" or "cloudevents"
    timeout: float = 3.0                # a reply slower than this counts as failed
    retry_schedule: tuple = (10, 20, 30, 300, 1200, 7200, 14400, 21600)
    time_scale: float = 1.0             # every delay (and batch_delay) is divided by this
    max_attempts: int = 10              # then the batch is dropped and logged as failed
    batch_delay: float = 0.2            # gather events this long before a POST


def sign(body, verifier_token):
    """base64(HMAC-SHA256(key=verifier token, msg=body bytes)), as ``intuit-signature``."""
    digest = hmac.new((verifier_token or "").encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_signature(body, signature, verifier_token):
    """True if ``signature`` is the ``intuit-signature`` of ``body`` under ``verifier_token``."""
    if not signature or body is None:
        return False
    if isinstance(body, str):
        body = body.encode("utf-8")
    expected = sign(body, verifier_token)
    try:
        return hmac.compare_digest(expected.encode("ascii"), signature.strip().encode("ascii"))
    except (UnicodeEncodeError, AttributeError):
        return False


def _cloudevent_time(epoch):
    moment = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def legacy_body(events):
    """The legacy payload: one eventNotification per realm, in order of first appearance."""
    by_realm = collections.OrderedDict()
    for event in events:
        entity = {
            "name": event["entity"],
            "id": event["id"],
            "operation": event["operation"],
            "lastUpdated": event["last_updated"],
        }
        if event.get("deleted_id") is not None:
            entity["deletedId"] = event["deleted_id"]
        by_realm.setdefault(event["realm"], []).append(entity)
    return {"eventNotifications": [
        {"realmId": realm, "dataChangeEvent": {"entities": entities}}
        for realm, entities in by_realm.items()
    ]}


def cloudevents_body(events):
    """The CloudEvents payload: a JSON array, one event per change, any realms."""
    body = []
    for event in events:
        verb = CLOUDEVENT_VERBS.get(event["operation"], event["operation"].lower())
        data = {}
        if event.get("deleted_id") is not None:
            data["deletedId"] = event["deleted_id"]
        body.append({
            "specversion": "1.0",
            "id": event["event_id"],
            "source": CLOUDEVENT_SOURCE,
            "type": "qbo.%s.%s.v1" % (event["entity"].lower(), verb),
            "datacontenttype": "application/json",
            "time": _cloudevent_time(event["epoch"]),
            "intuitentityid": event["id"],
            "intuitaccountid": event["realm"],
            "data": data,
        })
    return body


class _Batch:
    def __init__(self, events, fmt, created_epoch):
        self.events = events
        self.format = fmt
        self.id = str(uuid.uuid4())
        self.created_time = qbo_timestamp(created_epoch)
        payload = cloudevents_body(events) if fmt == "cloudevents" else legacy_body(events)
        # Serialized once: every retry sends these exact bytes.
        self.body = json.dumps(payload, separators=(",", ":")).encode("utf-8")
        self.content_type = ("application/cloudevents+json" if fmt == "cloudevents"
                             else "application/json; charset=utf-8")
        self.realms = list(collections.OrderedDict.fromkeys(e["realm"] for e in events))

    def headers(self, verifier_token):
        return {
            "Content-Type": self.content_type,
            "intuit-signature": sign(self.body, verifier_token),
            "intuit-created-time": self.created_time,
            "intuit-t-id": self.id,
            "intuit-notification-schema-version": "0.1",
            "User-Agent": "intuit_notification_server/0.1",
        }


class WebhookDispatcher:
    """Queues entity-change events and delivers them from one daemon thread."""

    def __init__(self, settings_provider: Callable[[], WebhookSettings], clock=None):
        self._provider = settings_provider
        self._clock = clock                  # anything with .now() -> epoch; default real time
        self._cond = threading.Condition()
        self._pending = collections.deque()
        self._inflight = False
        self._log = collections.deque(maxlen=MAX_LOG)
        self._generation = 0                 # bumped by reset(): abandons the batch in hand
        self._stopped = False
        self._thread = None

    # -- public API --------------------------------------------------------
    def publish(self, realm_id, entity, entity_id, operation, last_updated, deleted_id=None):
        """Queue one change event. Never blocks on delivery, never raises."""
        try:
            epoch = self._now()
            event = {
                "realm": str(realm_id),
                "entity": str(entity),
                "id": str(entity_id),
                "operation": str(operation),
                "last_updated": str(last_updated),
                "deleted_id": None if deleted_id is None else str(deleted_id),
                "event_id": str(uuid.uuid4()),
                "epoch": self._event_epoch(last_updated, epoch),
                "queued": time.monotonic(),
            }
            if event["operation"] not in OPERATIONS:
                _logger.warning("webhook event with unknown operation %r for %s %s",
                                event["operation"], event["entity"], event["id"])
            with self._cond:
                if self._stopped:
                    _logger.debug("webhook dispatcher stopped; event %s %s %s ignored",
                                  event["entity"], event["id"], event["operation"])
                    return
                if len(self._pending) >= MAX_PENDING:
                    _logger.warning("webhook queue full (%d events); event %s %s %s dropped",
                                    MAX_PENDING, event["entity"], event["id"], event["operation"])
                    return
                self._pending.append(event)
                self._ensure_thread()
                self._cond.notify_all()
            _logger.debug("webhook event queued: realm %s %s %s %s", event["realm"],
                          event["entity"], event["id"], event["operation"])
        except Exception:  # pragma: no cover - publish must never hurt the caller
            _logger.exception("webhook publish failed")

    def flush(self, timeout=10.0):
        """Wait until nothing is pending (delivered or dropped). True if drained."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending or self._inflight:
                if self._stopped and not (self._thread and self._thread.is_alive()):
                    return False
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(min(remaining, 0.1))
            return True

    def deliveries(self):
        """Every delivery attempt, oldest first (the last MAX_LOG of them)."""
        with self._cond:
            return [dict(entry) for entry in self._log]

    def pending(self):
        """Events waiting, including those of the batch being delivered."""
        with self._cond:
            return len(self._pending) + (1 if self._inflight else 0)

    def stop(self):
        """Stop the worker; it exits promptly (an HTTP call in flight is bounded by timeout)."""
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(STOP_JOIN_SECONDS)

    def reset(self):
        """Forget pending events, the batch being retried, and the log."""
        with self._cond:
            self._pending.clear()
            self._log.clear()
            self._generation += 1
            self._cond.notify_all()

    # -- internals ---------------------------------------------------------
    def _now(self):
        return self._clock.now() if self._clock is not None else time.time()

    @staticmethod
    def _event_epoch(last_updated, fallback):
        try:
            return parse_timestamp(str(last_updated))
        except (ValueError, TypeError):
            return fallback

    def _ensure_thread(self):
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="qbo-emulator-webhooks",
                                            daemon=True)
            self._thread.start()

    def _settings(self):
        try:
            settings = self._provider()
        except Exception:
            _logger.warning("webhook settings provider failed; webhooks treated as off",
                            exc_info=True)
            return None
        return settings

    @staticmethod
    def _scale(settings):
        try:
            scale = float(settings.time_scale)
        except (TypeError, ValueError, AttributeError):
            scale = 1.0
        return scale if scale > 0 else 1.0

    def _wait(self, seconds, generation):
        """Sleep up to ``seconds``; False if stopped or reset meanwhile. Caller holds no lock."""
        deadline = time.monotonic() + max(0.0, seconds)
        with self._cond:
            while True:
                if self._stopped or self._generation != generation:
                    return False
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return True
                self._cond.wait(remaining)

    def _run(self):
        while True:
            try:
                if not self._run_once():
                    return
            except Exception:  # pragma: no cover - keep the worker alive
                _logger.exception("webhook worker error")
                with self._cond:
                    self._inflight = False
                    self._cond.notify_all()
                time.sleep(0.05)

    def _run_once(self):
        """Deliver (or drop) one batch. False when the worker must exit."""
        with self._cond:
            while not self._stopped and not self._pending:
                self._cond.wait()
            if self._stopped:
                return False
            generation = self._generation
            oldest = self._pending[0]["queued"]

        settings = self._settings()
        if settings is not None and settings.url:
            delay = float(settings.batch_delay or 0) / self._scale(settings)
            if not self._wait(oldest + delay - time.monotonic(), generation):
                return not self._stopped

        with self._cond:
            if self._stopped:
                return False
            if self._generation != generation or not self._pending:
                return True
            events = [self._pending.popleft()
                      for _ in range(min(MAX_BATCH, len(self._pending)))]
            self._inflight = True
        try:
            self._deliver(events, generation)
        finally:
            with self._cond:
                self._inflight = False
                self._cond.notify_all()
        return not self._stopped

    def _deliver(self, events, generation):
        settings = self._settings()
        if settings is None or not settings.url:
            _logger.debug("webhooks off; %d event(s) discarded", len(events))
            return
        fmt = settings.format if settings.format in FORMATS else "legacy"
        if fmt != settings.format:
            _logger.warning("unknown webhook format %r; using legacy", settings.format)
        batch = _Batch(events, fmt, self._now())
        attempt = 0
        while True:
            attempt += 1
            if attempt > 1:
                settings = self._settings()
                if settings is None or not settings.url:
                    _logger.info("webhooks turned off; batch %s (%d event(s)) discarded",
                                 batch.id, len(events))
                    return
            max_attempts = max(1, int(settings.max_attempts or 1))
            entry = self._attempt(batch, attempt, settings)
            if entry["status"] == 200 and entry["error"] is None:
                entry["outcome"] = "delivered"
            elif attempt >= max_attempts:
                entry["outcome"] = "dropped"
            else:
                entry["outcome"] = "retry"
            with self._cond:
                if self._generation != generation:
                    return              # reset() meanwhile: forget this batch and its log
                self._log.append(entry)
            if entry["outcome"] == "delivered":
                _logger.info("webhook batch %s delivered to %s (attempt %d, %d event(s))",
                             batch.id, settings.url, attempt, len(events))
                return
            if entry["outcome"] == "dropped":
                _logger.warning("webhook batch %s dropped after %d attempt(s) (%d event(s)); "
                                "last error: %s", batch.id, attempt, len(events), entry["error"])
                return
            schedule = tuple(settings.retry_schedule or ()) or (0,)
            delay = float(schedule[min(attempt - 1, len(schedule) - 1)]) / self._scale(settings)
            _logger.info("webhook batch %s attempt %d failed (%s); retry in %.3f s",
                         batch.id, attempt, entry["error"], delay)
            if not self._wait(delay, generation):
                return

    def _attempt(self, batch, attempt, settings):
        timeout = float(settings.timeout)
        started_at = self._now()
        started = time.monotonic()
        status = None
        error = None
        try:
            response = requests.post(settings.url, data=batch.body,
                                     headers=batch.headers(settings.verifier_token),
                                     timeout=timeout)
            status = response.status_code
            elapsed = time.monotonic() - started
            if status != 200:
                error = "HTTP %d" % status
            elif elapsed > timeout:
                error = "reply after %.3f s, timeout %.3f s" % (elapsed, timeout)
        except requests.Timeout as exc:
            error = "timeout after %.3f s: %s" % (timeout, type(exc).__name__)
        except requests.RequestException as exc:
            error = "%s: %s" % (type(exc).__name__, exc)
        except Exception as exc:  # a bad URL, etc.: never kill the worker
            error = "%s: %s" % (type(exc).__name__, exc)
        elapsed = time.monotonic() - started
        return {
            "id": batch.id,
            "attempt": attempt,
            "status": status,
            "error": error,
            "elapsed_ms": round(elapsed * 1000.0, 1),
            "format": batch.format,
            "events": len(batch.events),
            "at": started_at,
            "url": settings.url,
            "realms": list(batch.realms),
        }
