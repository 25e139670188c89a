"""requestid replay, Intuit's throttles, injected failures, webhook delivery."""
import json
import threading
import uuid

import pytest
import requests
from quickbooks.exceptions import QuickbooksException, ValidationException
from quickbooks.objects import Customer
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from emulator.webhooks import verify_signature

from .conftest import US


def names(qb, prefix):
    return Customer.count("DisplayName LIKE '%s%%'" % prefix, qb=qb)


# ------------------------------------------------------------------ requestid
def test_repeated_requestid_returns_the_first_answer_and_creates_nothing(qb, admin):
    request_id = str(uuid.uuid4())
    first = Customer.from_json({"DisplayName": "Once Only"}).save(qb=qb, request_id=request_id)
    again = Customer.from_json({"DisplayName": "Once Only"}).save(qb=qb, request_id=request_id)
    assert again.Id == first.Id and again.SyncToken == first.SyncToken
    assert names(qb, "Once Only") == 1
    assert admin.counters(US)["replayed"] == 1


def test_a_fault_is_replayed_too(qb):
    Customer.from_json({"DisplayName": "Taken Tom"}).save(qb=qb)
    request_id = str(uuid.uuid4())
    for _ in range(2):
        with pytest.raises(QuickbooksException) as caught:
            Customer.from_json({"DisplayName": "Taken Tom"}).save(qb=qb, request_id=request_id)
        assert caught.value.error_code == 6240


def test_requestid_is_per_realm_and_limited_in_length(qb, qb_uk):
    request_id = str(uuid.uuid4())
    us = Customer.from_json({"DisplayName": "Two Realms"}).save(qb=qb, request_id=request_id)
    uk = Customer.from_json({"DisplayName": "Two Realms"}).save(qb=qb_uk, request_id=request_id)
    assert us.Id and uk.Id and names(qb_uk, "Two Realms") == 1
    with pytest.raises(ValidationException) as caught:
        Customer.from_json({"DisplayName": "Long Id"}).save(qb=qb, request_id="x" * 51)
    assert caught.value.error_code == 2050


def test_lost_response_then_retry_with_the_same_requestid(qb, admin):
    admin.faults(customer={"lost_response_rate": 1.0})
    request_id = str(uuid.uuid4())
    with pytest.raises(requests.exceptions.ConnectionError):
        Customer.from_json({"DisplayName": "Lost Reply"}).save(qb=qb, request_id=request_id)
    admin.clear_faults()
    saved = Customer.from_json({"DisplayName": "Lost Reply"}).save(qb=qb, request_id=request_id)
    assert saved.Id and names(qb, "Lost Reply") == 1


def test_batch_requestid_replays_the_whole_batch(qb, admin):
    body = json.dumps({"BatchItemRequest": [
        {"bId": "b%d" % n, "operation": "create", "Customer": {"DisplayName": "Batch Replay %d" % n}}
        for n in range(5)]})
    request_id = str(uuid.uuid4())
    url = "%s/company/%s/batch" % (qb.api_url, US)
    first = qb.post(url, body, request_id=request_id)
    second = qb.post(url, body, request_id=request_id)
    assert first == second and names(qb, "Batch Replay") == 5


# ------------------------------------------------------------------ throttling
def test_requests_per_minute_gives_429_with_3001(qb, admin):
    admin.configure(limits={"requests_per_minute": 5, "time_scale": 60})
    statuses = []
    for _ in range(7):
        try:
            Customer.count(qb=qb)
            statuses.append(200)
        except QuickbooksException as error:
            statuses.append(error.error_code)
            assert "429" in error.message and "3001" in error.message
    assert statuses.count(200) == 5 and statuses.count(10000) == 2
    assert admin.counters(US)["throttled"] == 2


def test_intuits_default_limits_500_requests_and_40_batches_a_minute(server, admin):
    token = admin.grant(US)["access_token"]
    session = requests.Session()
    headers = {"Authorization": "Bearer " + token, "Content-Type": "application/text"}
    url = server.url + "v3/company/%s/" % US
    batch = json.dumps({"BatchItemRequest": [{"bId": "1", "Query": "SELECT COUNT(*) FROM Term"}]})
    batch_statuses = [session.post(url + "batch", data=batch, headers=dict(headers, **{
        "Content-Type": "application/json"}), timeout=10).status_code for _ in range(41)]
    assert batch_statuses.count(200) == 40 and batch_statuses[-1] == 429
    statuses = [session.post(url + "query", data="SELECT COUNT(*) FROM Term", headers=headers,
                             timeout=10).status_code for _ in range(461)]
    assert statuses.count(200) == 460 and statuses[-1] == 429, "500 a minute, 40 of them batches"
    body = session.post(url + "query", data="SELECT COUNT(*) FROM Term", headers=headers, timeout=10).json()
    assert body["fault"]["error"][0]["code"] == "3001"


def test_throttle_window_passes(qb, admin):
    admin.configure(limits={"requests_per_minute": 3, "time_scale": 600})   # a "minute" of 0.1 s
    for _ in range(3):
        Customer.count(qb=qb)
    with pytest.raises(QuickbooksException):
        Customer.count(qb=qb)
    threading.Event().wait(0.15)
    assert Customer.count(qb=qb) > 0


@pytest.mark.parametrize("shape, expect", [("Fault", ValidationException), ("xml", QuickbooksException)])
def test_throttle_body_shapes(qb, admin, shape, expect):
    admin.configure(limits={"requests_per_minute": 1, "time_scale": 60, "throttle_shape": shape})
    Customer.count(qb=qb)
    with pytest.raises(expect) as caught:
        Customer.count(qb=qb)
    if shape == "Fault":
        assert caught.value.error_code == 3001
    else:
        assert "ThrottleExceeded" in caught.value.message


def test_batch_calls_per_minute(qb, admin):
    admin.configure(limits={"batch_per_minute": 2, "time_scale": 60})
    body = json.dumps({"BatchItemRequest": [{"bId": "1", "Query": "SELECT COUNT(*) FROM Customer"}]})
    qb.batch_operation(body)
    qb.batch_operation(body)
    with pytest.raises(QuickbooksException) as caught:
        qb.batch_operation(body)
    assert "429" in caught.value.message
    Customer.count(qb=qb)   # plain requests still pass


def test_concurrent_requests_per_realm(server, qb, admin):
    admin.configure(limits={"concurrent": 2})
    admin.faults(query={"slow_rate": 1.0, "slow_seconds": 0.5})
    token = admin.grant(US)["access_token"]
    statuses = []

    def call():
        answer = requests.post(server.url + "v3/company/%s/query" % US, data="SELECT COUNT(*) FROM Customer",
                               headers={"Authorization": "Bearer " + token, "Content-Type": "application/text"},
                               timeout=10)
        statuses.append(answer.status_code)

    threads = [threading.Thread(target=call) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 200, 429, 429]


# ------------------------------------------------------------------ fault injection
def test_fail_next_n_calls(qb, admin):
    admin.faults(**{"*": {"fail_next": 2, "fail_status": 503}})
    for _ in range(2):
        with pytest.raises(QuickbooksException) as caught:
            Customer.count(qb=qb)
        assert "503" in caught.value.message
    assert Customer.count(qb=qb) > 0


def test_error_rates_are_drawn_per_call(qb, admin):
    admin.clear_faults(seed=7)
    admin.faults(query={"error_rate": 0.3, "unavailable_rate": 0.2})
    outcomes = {"ok": 0, "500": 0, "503": 0}
    for _ in range(200):
        try:
            Customer.count(qb=qb)
            outcomes["ok"] += 1
        except QuickbooksException as error:
            outcomes["500" if "'500'" in error.message else "503"] += 1
    assert 30 < outcomes["500"] < 90 and 15 < outcomes["503"] < 65 and outcomes["ok"] > 60


def test_connection_reset_before_processing_creates_nothing(qb, admin):
    admin.faults(customer={"reset_rate": 1.0})
    with pytest.raises(requests.exceptions.ConnectionError):
        Customer.from_json({"DisplayName": "Never Made"}).save(qb=qb)
    admin.clear_faults()
    assert names(qb, "Never Made") == 0


def test_slow_answer_times_out_the_client_but_the_write_happened(server, qb, admin):
    admin.faults(customer={"slow_rate": 1.0, "slow_seconds": 1.0})
    token = admin.grant(US)["access_token"]
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.post(server.url + "v3/company/%s/customer" % US, json={"DisplayName": "Slow Sam"},
                      headers={"Authorization": "Bearer " + token}, timeout=0.3)
    admin.clear_faults()
    assert names(qb, "Slow Sam") == 1


def test_oauth_token_endpoint_faults(server, admin):
    from intuitlib.exceptions import AuthClientError
    from emulator.testing import auth_client
    tokens = admin.grant(US)
    admin.faults(**{"oauth.token": {"fail_next": 1, "fail_status": 503}})
    client = auth_client(server.url, refresh_token=tokens["refresh_token"])
    with pytest.raises(AuthClientError) as caught:
        client.refresh()
    assert caught.value.status_code == 503
    client.refresh()
    assert client.access_token != tokens["access_token"]
    assert client.refresh_token == tokens["refresh_token"], "inside a day Intuit returns the same value"


# ------------------------------------------------------------------ webhooks
class Receiver:
    def __init__(self, verifier, fail_first=0):
        self.verifier, self.fail_first, self.calls = verifier, fail_first, []
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = "http://127.0.0.1:%d/qbo/webhook" % self.server.server_port

    def app(self, environ, start_response):
        request = Request(environ)
        body = request.get_data()
        valid = verify_signature(body, request.headers.get("intuit-signature", ""), self.verifier)
        self.calls.append((body, valid))
        status = 500 if len(self.calls) <= self.fail_first else 200
        return Response("", status=status)(environ, start_response)

    def close(self):
        self.server.shutdown()


@pytest.mark.parametrize("fmt", ["legacy", "cloudevents"])
def test_webhooks_are_signed_and_retried(qb, admin, fmt):
    receiver = Receiver("verifier-123", fail_first=1)
    try:
        admin.configure(webhook={"url": receiver.url, "verifier_token": "verifier-123", "format": fmt,
                                 "time_scale": 1000, "batch_delay": 0.05})
        created = Customer.from_json({"DisplayName": "Hooked Harry"}).save(qb=qb)
        assert admin.call("POST", "webhooks", {"timeout": 10})["drained"]
        assert len(receiver.calls) == 2 and all(valid for _, valid in receiver.calls)
        assert receiver.calls[0][0] == receiver.calls[1][0], "a retry re-sends the same event"
        payload = json.loads(receiver.calls[1][0])
        if fmt == "legacy":
            entity = payload["eventNotifications"][0]["dataChangeEvent"]["entities"][0]
            assert (entity["name"], entity["id"], entity["operation"]) == ("Customer", created.Id, "Create")
            assert payload["eventNotifications"][0]["realmId"] == US
        else:
            assert payload[0]["type"] == "qbo.customer.created.v1"
            assert payload[0]["intuitentityid"] == created.Id and payload[0]["intuitaccountid"] == US
        assert not verify_signature(receiver.calls[1][0], "AAAA", "verifier-123")
    finally:
        receiver.close()
