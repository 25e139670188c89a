"""The emulator as a program: admin API, presets, persistence, logging, command line."""
import json
import logging
import os
import signal
import subprocess
import sys

import requests
from quickbooks.objects import Customer

from emulator import EmulatorServer, Settings
from emulator.testing import AdminClient, quickbooks

from .conftest import UK, US

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_presets_are_full_companies(admin):
    realms = {r["realm_id"]: r for r in admin.call("GET", "realms")["realms"]}
    us, uk = realms[US], realms[UK]
    assert (us["country"], us["home_currency"], us["multicurrency"]) == ("US", "USD", False)
    assert (uk["country"], uk["home_currency"], uk["multicurrency"]) == ("GB", "GBP", True)
    for summary in (us, uk):
        counts = summary["counts"]
        assert counts["Account"] >= 40 and counts["Customer"] >= 10 and counts["Vendor"] >= 10
        assert counts["Item"] >= 8 and counts["Term"] and counts["PaymentMethod"] and counts["TaxCode"]
        assert counts["Invoice"] >= 3 and counts["Bill"] and counts["Payment"]


def test_load_a_second_copy_of_a_preset_and_dump_it(server, admin):
    added = admin.call("POST", "realms", {"preset": "us", "realm_id": "123", "company_name": "Copy Co"})
    assert added["company_name"] == "Copy Co"
    tokens = admin.grant("123")
    qb = quickbooks(server.url, "123", tokens["access_token"])
    Customer.from_json({"DisplayName": "Only In Copy"}).save(qb=qb)
    dump = admin.dump("123")
    assert any(c["DisplayName"] == "Only In Copy" for c in dump["data"]["Customer"].values())
    assert not any(c["DisplayName"] == "Only In Copy" for c in admin.dump(US)["data"]["Customer"].values())


def test_counters_per_realm_and_endpoint(qb, admin):
    admin.clear_counters()
    Customer.count(qb=qb)
    Customer.get(Customer.all(qb=qb)[0].Id, qb=qb)
    counters = admin.counters(US)
    assert counters["POST query"] == 2 and counters["GET customer"] == 1 and counters["total"] == 3


def test_a_log_line_per_request_that_tests_can_silence(qb, caplog):
    logger = logging.getLogger("emulator.http")
    with caplog.at_level(logging.INFO, logger="emulator.http"):
        Customer.count(qb=qb)
    lines = [r.getMessage() for r in caplog.records if r.name == "emulator.http"]
    assert any(line.startswith("POST /v3/company/%s/query 200 " % US) and line.endswith(" ms")
               for line in lines)
    caplog.clear()
    logger.setLevel(logging.WARNING)
    Customer.count(qb=qb)
    assert not [r for r in caplog.records if r.name == "emulator.http"]


def test_state_file_keeps_data_between_runs(tmp_path):
    path = str(tmp_path / "state.json")
    first = EmulatorServer(Settings(port=0, presets=("us",), state_file=path)).start()
    tokens = AdminClient(first.url).grant(US)
    Customer.from_json({"DisplayName": "Persisted Pete"}).save(
        qb=quickbooks(first.url, US, tokens["access_token"]))
    first.stop()
    second = EmulatorServer(Settings(port=0, presets=()))
    second.emulator.load_state(path)
    second.start()
    try:
        # Tokens survive too, as they do at Intuit.
        qb = quickbooks(second.url, US, tokens["access_token"])
        assert Customer.filter(DisplayName="Persisted Pete", qb=qb)
    finally:
        second.stop()


def test_command_line_help_lists_the_options():
    output = subprocess.run([sys.executable, "-m", "emulator", "--help"], cwd=ROOT, capture_output=True,
                            text=True, timeout=60, check=True).stdout
    for option in ("--port", "--preset", "--state-file", "--access-token-ttl", "--refresh-token-ttl",
                   "--requests-per-minute", "--concurrent", "--batch-per-minute", "--time-scale",
                   "--throttle-shape", "--webhook-url", "--webhook-format", "--log-level"):
        assert option in output


def test_python_dash_m_emulator_serves_and_saves(tmp_path):
    state = str(tmp_path / "cli-state.json")
    process = subprocess.Popen([sys.executable, "-m", "emulator", "--port", "0", "--preset", "us",
                                "--state-file", state, "--log-level", "WARNING"],
                               cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        url = process.stdout.readline().split(" on ", 1)[1].strip()
        document = requests.get(url + ".well-known/openid_configuration", timeout=10).json()
        assert document["token_endpoint"] == url + "oauth2/v1/tokens/bearer"
        assert "Companies" in requests.get(url, timeout=10).text
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    with open(state) as handle:
        assert json.load(handle)["realms"][0]["realm_id"] == US


def test_view_in_quickbooks_pages_answer_intuit_paths(server):
    for path in ("app/customerdetail?nameId=1", "app/Customer?id=1", "app/vendordetail?nameId=%s"):
        if "%s" in path:
            vendor_id = next(iter(AdminClient(server.url).dump(US)["data"]["Vendor"]))
            path = path % vendor_id
        page = requests.get("%s%s&realm=%s" % (server.url, path, US), timeout=10)
        assert page.status_code == 200, path
    assert "Amy&#x27;s Bird Sanctuary" in requests.get(
        "%sapp/customerdetail?nameId=1&realm=%s" % (server.url, US), timeout=10).text
    missing = requests.get("%sapp/customerdetail?nameId=99999&realm=%s" % (server.url, US), timeout=10)
    assert missing.status_code == 404


def test_latency_option_waits_like_intuit_and_stays_out_of_server_time(server, admin, qb, monkeypatch):
    """The latency option: a call waits call_ms, a batch also batch_item_ms per item (no wall clock read)."""
    from quickbooks.objects import Customer
    from emulator import api
    waits = []
    monkeypatch.setattr(api.time, "sleep", waits.append)
    assert admin.call("GET", "config")["latency"]["enabled"] is False
    Customer.all(qb=qb)
    assert waits == []
    admin.configure(latency={"enabled": True, "call_ms": 200, "batch_item_ms": 50})
    try:
        Customer.all(qb=qb)
        qb.batch_operation('{"BatchItemRequest": [{"bId": "1", "Query": "select * from Term"},'
                           '{"bId": "2", "Query": "select * from Class"}]}')
    finally:
        admin.configure(latency={"enabled": False})
    assert waits == [0.2, 0.3]
