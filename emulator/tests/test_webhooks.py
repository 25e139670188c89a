"""Webhook delivery against a real HTTP receiver on loopback."""
import json
import logging
import threading
import time

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from emulator import webhooks
from emulator.webhooks import (CLOUDEVENT_SOURCE, WebhookDispatcher, WebhookSettings,
                               verify_signature)

TOKEN = "s3cret-verifier-token"


class Receiver:
    """Records every request; fails or stalls the first N on demand."""

    def __init__(self):
        self.requests = []          # (monotonic time received, body bytes, headers dict, answered status)
        self.fail_first = 0         # answer 500 to the first N requests
        self.sleep_first = 0        # sleep before answering the first N requests
        self.sleep_seconds = 0.0
        self.fail_always = False
        self.lock = threading.Lock()
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = "http://127.0.0.1:%d/webhooks" % self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.02}, daemon=True)
        self.thread.start()

    def app(self, environ, start_response):
        request = Request(environ)
        body = request.get_data()
        with self.lock:
            index = len(self.requests)
            status = 500 if (self.fail_always or index < self.fail_first) else 200
            sleep = self.sleep_seconds if index < self.sleep_first else 0.0
            self.requests.append((time.monotonic(), body, dict(request.headers), status))
        if sleep:
            time.sleep(sleep)
        return Response("ok" if status == 200 else "boom", status=status)(environ, start_response)

    @property
    def bodies(self):
        with self.lock:
            return [body for _, body, _, _ in self.requests]

    def json_bodies(self):
        return [json.loads(body) for body in self.bodies]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Holder:
    def __init__(self, settings):
        self.settings = settings

    def __call__(self):
        return self.settings


@pytest.fixture
def receiver():
    rec = Receiver()
    yield rec
    rec.close()


def fast_settings(url, **overrides):
    values = dict(url=url, verifier_token=TOKEN, timeout=0.3, time_scale=1000.0,
                  retry_schedule=(10, 20, 30), max_attempts=5, batch_delay=50)  # 50 ms batching
    values.update(overrides)
    return WebhookSettings(**values)


@pytest.fixture
def make_dispatcher():
    made = []

    def factory(settings):
        holder = settings if callable(settings) else Holder(settings)
        dispatcher = WebhookDispatcher(holder)
        made.append(dispatcher)
        return dispatcher

    yield factory
    for dispatcher in made:
        dispatcher.stop()


def wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()


def test_defaults_match_intuit():
    settings = WebhookSettings()
    assert settings.url is None
    assert settings.format == "legacy"
    assert settings.timeout == 3.0
    assert settings.retry_schedule == (10, 20, 30, 300, 1200, 7200, 14400, 21600)
    assert settings.max_attempts == 10


def test_legacy_shape_grouped_per_realm(receiver, make_dispatcher):
    dispatcher = make_dispatcher(fast_settings(receiver.url))
    dispatcher.publish("111", "Customer", "1", "Create", "2015-10-05T14:42:19-0700")
    dispatcher.publish("222", "Invoice", "7", "Void", "2015-10-05T14:43:00-0700")
    dispatcher.publish("111", "Customer", "2", "Merge", "2015-10-05T14:44:00-0700", deleted_id="3")
    assert dispatcher.flush(5)

    assert len(receiver.requests) == 1
    _, body, headers, _ = receiver.requests[0]
    assert json.loads(body) == {"eventNotifications": [
        {"realmId": "111", "dataChangeEvent": {"entities": [
            {"name": "Customer", "id": "1", "operation": "Create",
             "lastUpdated": "2015-10-05T14:42:19-0700"},
            {"name": "Customer", "id": "2", "operation": "Merge",
             "lastUpdated": "2015-10-05T14:44:00-0700", "deletedId": "3"},
        ]}},
        {"realmId": "222", "dataChangeEvent": {"entities": [
            {"name": "Invoice", "id": "7", "operation": "Void",
             "lastUpdated": "2015-10-05T14:43:00-0700"},
        ]}},
    ]}
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    assert headers["Intuit-Notification-Schema-Version"] == "0.1"
    assert headers["User-Agent"] == "intuit_notification_server/0.1"
    assert headers["Intuit-T-Id"]
    assert headers["Intuit-Created-Time"][:4].isdigit() and "T" in headers["Intuit-Created-Time"]


def test_cloudevents_shape_and_type_names(receiver, make_dispatcher):
    dispatcher = make_dispatcher(fast_settings(receiver.url, format="cloudevents"))
    operations = [("Customer", "Create"), ("Customer", "Update"), ("Vendor", "Delete"),
                  ("Customer", "Merge"), ("Invoice", "Void"), ("Invoice", "Emailed"),
                  ("JournalEntry", "Create")]
    for number, (entity, operation) in enumerate(operations, start=1):
        realm = "310687" if number % 2 else "999"
        dispatcher.publish(realm, entity, str(number), operation,
                           "2025-09-10T14:31:25.179-07:00",
                           deleted_id="42" if operation == "Merge" else None)
    assert dispatcher.flush(5)

    assert len(receiver.requests) == 1
    _, body, headers, _ = receiver.requests[0]
    assert headers["Content-Type"] == "application/cloudevents+json"
    events = json.loads(body)
    assert isinstance(events, list) and len(events) == len(operations)
    assert [e["type"] for e in events] == [
        "qbo.customer.created.v1", "qbo.customer.updated.v1", "qbo.vendor.deleted.v1",
        "qbo.customer.merged.v1", "qbo.invoice.voided.v1", "qbo.invoice.emailed.v1",
        "qbo.journalentry.created.v1"]
    assert {e["intuitaccountid"] for e in events} == {"310687", "999"}   # several realms, one POST
    first = events[0]
    assert first["specversion"] == "1.0"
    assert first["datacontenttype"] == "application/json"
    assert first["intuitentityid"] == "1"
    assert first["intuitaccountid"] == "310687"
    assert first["data"] == {}
    assert first["source"] == CLOUDEVENT_SOURCE
    assert first["source"].startswith("intuit.") and first["source"].endswith("=")
    assert first["time"] == "2025-09-10T21:31:25.179000Z"   # UTC, RFC 3339 with Z
    assert len({e["id"] for e in events}) == len(events)
    assert len(first["id"]) == 36
    assert events[3]["data"] == {"deletedId": "42"}


def test_signature_verifies_with_token_only(receiver, make_dispatcher):
    dispatcher = make_dispatcher(fast_settings(receiver.url))
    dispatcher.publish("111", "Customer", "1", "Create", "2015-10-05T14:42:19-0700")
    assert dispatcher.flush(5)
    _, body, headers, _ = receiver.requests[0]
    signature = headers["Intuit-Signature"]
    assert verify_signature(body, signature, TOKEN)
    assert not verify_signature(body, signature, "wrong-token")
    assert not verify_signature(body + b" ", signature, TOKEN)
    assert not verify_signature(body, "", TOKEN)
    assert not verify_signature(body, "not base64 ÿ", TOKEN)


def test_retry_after_500_resends_same_bytes_and_ids(receiver, make_dispatcher):
    receiver.fail_first = 2
    dispatcher = make_dispatcher(fast_settings(receiver.url, format="cloudevents"))
    dispatcher.publish("111", "Customer", "1", "Create", "2015-10-05T14:42:19-0700")
    dispatcher.publish("111", "Customer", "2", "Update", "2015-10-05T14:42:20-0700")
    assert dispatcher.flush(5)

    assert [status for *_, status in receiver.requests] == [500, 500, 200]
    bodies = receiver.bodies
    assert bodies[0] == bodies[1] == bodies[2]
    signatures = {headers["Intuit-Signature"] for _, _, headers, _ in receiver.requests}
    assert len(signatures) == 1
    ids = [[e["id"] for e in json.loads(body)] for body in bodies]
    assert ids[0] == ids[1] == ids[2]
    log = dispatcher.deliveries()
    assert [(e["attempt"], e["status"], e["outcome"]) for e in log] == [
        (1, 500, "retry"), (2, 500, "retry"), (3, 200, "delivered")]
    assert len({e["id"] for e in log}) == 1          # one batch, three attempts


def test_retry_waits_per_schedule(receiver, make_dispatcher):
    receiver.fail_first = 2
    # 10 s then 20 s, scaled by 100: 0.1 s then 0.2 s
    dispatcher = make_dispatcher(fast_settings(receiver.url, time_scale=100.0,
                                               retry_schedule=(10, 20), batch_delay=0))
    dispatcher.publish("111", "Customer", "1", "Create", "2015-10-05T14:42:19-0700")
    assert dispatcher.flush(5)
    times = [t for t, *_ in receiver.requests]
    assert len(times) == 3
    assert 0.09 <= times[1] - times[0] < 0.5
    assert 0.19 <= times[2] - times[1] < 0.6


def test_last_schedule_value_repeats(receiver, make_dispatcher):
    receiver.fail_first = 4
    dispatcher = make_dispatcher(fast_settings(receiver.url, time_scale=100.0,
                                               retry_schedule=(1, 10), batch_delay=0))
    dispatcher.publish("111", "Customer", "1", "Create", "2015-10-05T14:42:19-0700")
    assert dispatcher.flush(5)
    times = [t for t, *_ in receiver.requests]
    gaps = [b - a for a, b in zip(times, times[1:])]
    assert len(gaps) == 4
    assert gaps[0] < 0.09
    assert all(0.09 <= gap < 0.5 for gap in gaps[1:])


def test_slow_reply_counts_as_failed_and_is_retried(receiver, make_dispatcher):
    receiver.sleep_first = 1
    receiver.sleep_seconds = 0.6
    dispatcher = make_dispatcher(fast_settings(receiver.url, timeout=0.3))
    dispatcher.publish("111", "Customer", "1", "Create", "2015-10-05T14:42:19-0700")
    assert dispatcher.flush(5)
    assert len(receiver.requests) == 2
    assert receiver.bodies[0] == receiver.bodies[1]
    first, second = dispatcher.deliveries()
    assert first["status"] is None and "timeout" in first["error"]
    assert first["outcome"] == "retry"
    assert first["elapsed_ms"] >= 250    # it waited for the whole timeout
    assert second["status"] == 200 and second["error"] is None


def test_200_after_timeout_budget_counts_as_failed(monkeypatch, make_dispatcher):
    calls = []

    class SlowOk:
        status_code = 200

    def fake_post(url, data=None, headers=None, timeout=None):
        calls.append((url, data, headers, timeout))
        if len(calls) == 1:
            time.sleep(0.15)          # a trickling reply: 200, but too late overall
        return SlowOk()

    monkeypatch.setattr(webhooks.requests, "post", fake_post)
    dispatcher = make_dispatcher(fast_settings("http://receiver.invalid/hook", timeout=0.1))
    dispatcher.publish("111", "Customer", "1", "Create", "2015-10-05T14:42:19-0700")
    assert dispatcher.flush(5)
    assert len(calls) == 2
    assert calls[0][3] == 0.1 and calls[0][1] == calls[1][1]
    first, second = dispatcher.deliveries()
    assert first["status"] == 200 and first["outcome"] == "retry" and "timeout" in first["error"]
    assert second["outcome"] == "delivered"


def test_later_event_waits_for_failing_one(receiver, make_dispatcher):
    receiver.fail_first = 2
    dispatcher = make_dispatcher(fast_settings(receiver.url, time_scale=100.0,
                                               retry_schedule=(10,), batch_delay=0))
    dispatcher.publish("111", "Customer", "1", "Create", "2015-10-05T14:42:19-0700")
    assert wait_for(lambda: len(receiver.requests) >= 1)
    dispatcher.publish("111", "Customer", "2", "Create", "2015-10-05T14:42:20-0700")
    assert dispatcher.flush(5)

    ids = [[e["id"] for e in body["eventNotifications"][0]["dataChangeEvent"]["entities"]]
           for body in receiver.json_bodies()]
    statuses = [status for *_, status in receiver.requests]
    assert ids == [["1"], ["1"], ["1"], ["2"]]
    assert statuses == [500, 500, 200, 200]


def test_max_attempts_drops_and_logs(receiver, make_dispatcher, caplog):
    receiver.fail_always = True
    dispatcher = make_dispatcher(fast_settings(receiver.url, max_attempts=3))
    with caplog.at_level(logging.DEBUG, logger="emulator.webhooks"):
        dispatcher.publish("111", "Customer", "1", "Create", "2015-10-05T14:42:19-0700")
        assert dispatcher.flush(5)
        # the queue moves on after a drop
        receiver.fail_always = False
        dispatcher.publish("111", "Customer", "2", "Create", "2015-10-05T14:42:20-0700")
        assert dispatcher.flush(5)

    assert len(receiver.requests) == 4
    log = dispatcher.deliveries()
    assert [(e["attempt"], e["status"], e["outcome"]) for e in log] == [
        (1, 500, "retry"), (2, 500, "retry"), (3, 500, "dropped"), (1, 200, "delivered")]
    dropped = [r for r in caplog.records
               if r.name == "emulator.webhooks" and r.levelno == logging.WARNING]
    assert dropped and "dropped" in dropped[0].getMessage()
    assert all(TOKEN not in r.getMessage() for r in caplog.records)


def test_deliveries_log_content(receiver, make_dispatcher):
    receiver.fail_first = 1
    dispatcher = make_dispatcher(fast_settings(receiver.url, format="cloudevents"))
    before = time.time()
    dispatcher.publish("111", "Customer", "1", "Create", "2015-10-05T14:42:19-0700")
    dispatcher.publish("222", "Customer", "5", "Update", "2015-10-05T14:42:19-0700")
    assert dispatcher.flush(5)
    log = dispatcher.deliveries()
    assert len(log) == 2
    for number, entry in enumerate(log, start=1):
        assert set(entry) >= {"id", "attempt", "status", "error", "elapsed_ms", "format",
                              "events", "at"}
        assert entry["attempt"] == number
        assert entry["format"] == "cloudevents"
        assert entry["events"] == 2
        assert before - 1 <= entry["at"] <= time.time() + 1
        assert isinstance(entry["elapsed_ms"], float) and entry["elapsed_ms"] >= 0
        assert entry["realms"] == ["111", "222"]
        assert entry["url"] == receiver.url
    assert log[0]["status"] == 500 and log[0]["error"] == "HTTP 500"
    assert log[1]["status"] == 200 and log[1]["error"] is None
    assert log[0]["id"] == log[1]["id"] == receiver.requests[0][2]["Intuit-T-Id"]
    # a copy: callers cannot corrupt the log
    log[0]["status"] = 999
    assert dispatcher.deliveries()[0]["status"] == 500


def test_settings_change_takes_effect_live(receiver, make_dispatcher):
    holder = Holder(fast_settings(None))
    dispatcher = make_dispatcher(holder)
    dispatcher.publish("111", "Customer", "1", "Create", "2015-10-05T14:42:19-0700")
    assert dispatcher.flush(5)
    assert receiver.requests == []

    holder.settings = fast_settings(receiver.url, format="cloudevents",
                                    verifier_token="new-token")
    dispatcher.publish("111", "Customer", "2", "Create", "2015-10-05T14:42:20-0700")
    assert dispatcher.flush(5)
    assert len(receiver.requests) == 1
    _, body, headers, _ = receiver.requests[0]
    assert isinstance(json.loads(body), list)
    assert json.loads(body)[0]["intuitentityid"] == "2"
    assert verify_signature(body, headers["Intuit-Signature"], "new-token")
    assert not verify_signature(body, headers["Intuit-Signature"], TOKEN)

    holder.settings = fast_settings(receiver.url, format="legacy")
    dispatcher.publish("111", "Customer", "3", "Update", "2015-10-05T14:42:21-0700")
    assert dispatcher.flush(5)
    assert "eventNotifications" in receiver.json_bodies()[1]


def test_url_none_sends_nothing(receiver, make_dispatcher):
    dispatcher = make_dispatcher(WebhookSettings())
    for number in range(5):
        dispatcher.publish("111", "Customer", str(number), "Create", "2015-10-05T14:42:19-0700")
    assert dispatcher.flush(5)
    time.sleep(0.1)
    assert receiver.requests == []
    assert dispatcher.deliveries() == []


def test_turning_off_during_retries_discards_batch(receiver, make_dispatcher):
    receiver.fail_always = True
    holder = Holder(fast_settings(receiver.url, time_scale=10.0, retry_schedule=(1,),
                                  batch_delay=0))
    dispatcher = make_dispatcher(holder)
    dispatcher.publish("111", "Customer", "1", "Create", "2015-10-05T14:42:19-0700")
    assert wait_for(lambda: len(receiver.requests) >= 1)
    holder.settings = WebhookSettings()
    assert dispatcher.flush(5)
    assert len(receiver.requests) == 1


def test_publish_never_raises_and_is_non_blocking(make_dispatcher):
    def broken_provider():
        raise RuntimeError("settings unavailable")

    dispatcher = make_dispatcher(broken_provider)
    dispatcher.publish("111", "Customer", "1", "Create", "not a timestamp")
    dispatcher.publish(111, "Customer", 1, "Frobnicate", None)
    assert dispatcher.flush(5)


def test_connection_refused_is_retried(make_dispatcher):
    rec = Receiver()
    url = rec.url
    rec.close()                      # nothing listens there any more
    dispatcher = make_dispatcher(fast_settings(url, max_attempts=2))
    dispatcher.publish("111", "Customer", "1", "Create", "2015-10-05T14:42:19-0700")
    assert dispatcher.flush(5)
    log = dispatcher.deliveries()
    assert [(e["status"], e["outcome"]) for e in log] == [(None, "retry"), (None, "dropped")]
    assert log[0]["error"]


def test_flush_times_out_while_retrying(receiver, make_dispatcher):
    receiver.fail_always = True
    dispatcher = make_dispatcher(fast_settings(receiver.url, time_scale=1.0,
                                               retry_schedule=(30,), batch_delay=0))
    dispatcher.publish("111", "Customer", "1", "Create", "2015-10-05T14:42:19-0700")
    assert dispatcher.flush(0.3) is False


def test_reset_forgets_pending_and_log(receiver, make_dispatcher):
    receiver.fail_always = True
    dispatcher = make_dispatcher(fast_settings(receiver.url, time_scale=1.0,
                                               retry_schedule=(30,), batch_delay=0))
    dispatcher.publish("111", "Customer", "1", "Create", "2015-10-05T14:42:19-0700")
    assert wait_for(lambda: dispatcher.deliveries())
    dispatcher.publish("111", "Customer", "2", "Create", "2015-10-05T14:42:20-0700")
    dispatcher.reset()
    assert dispatcher.flush(2)
    assert dispatcher.deliveries() == []
    count = len(receiver.requests)
    time.sleep(0.1)
    assert len(receiver.requests) == count == 1

    receiver.fail_always = False
    dispatcher.publish("111", "Customer", "3", "Create", "2015-10-05T14:42:21-0700")
    assert dispatcher.flush(5)
    assert receiver.json_bodies()[-1]["eventNotifications"][0]["dataChangeEvent"][
        "entities"][0]["id"] == "3"


def test_stop_is_prompt_during_retry_wait(receiver, make_dispatcher):
    receiver.fail_always = True
    dispatcher = make_dispatcher(fast_settings(receiver.url, time_scale=1.0,
                                               retry_schedule=(3600,), batch_delay=0))
    dispatcher.publish("111", "Customer", "1", "Create", "2015-10-05T14:42:19-0700")
    assert wait_for(lambda: dispatcher.deliveries())
    thread = dispatcher._thread
    assert thread.daemon
    dispatcher.stop()
    assert not thread.is_alive()   # stop() woke it from a one-hour wait
    dispatcher.publish("111", "Customer", "2", "Create", "2015-10-05T14:42:20-0700")   # ignored
    assert len(receiver.requests) == 1


def test_verify_signature_helper():
    body = b'{"eventNotifications":[]}'
    signature = webhooks.sign(body, "token")
    assert verify_signature(body, signature, "token")
    assert verify_signature(body.decode(), signature, "token")
    assert not verify_signature(body, signature, "Token")
