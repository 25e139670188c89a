"""Query language over HTTP, the batch endpoint, and Change Data Capture."""
import json

import pytest
import requests
from quickbooks.batch import batch_create
from quickbooks.cdc import change_data_capture
from quickbooks.exceptions import QuickbooksException, ValidationException
from quickbooks.objects import Customer, Invoice, Item, TaxCode, Vendor

from emulator.clock import qbo_timestamp
from emulator.testing import quickbooks

from .conftest import US
from .helpers import ref, sales_line, service_item, customer


def make_customers(qb, admin, count, prefix="Bulk"):
    admin.configure(limits={"batch_per_minute": 1000, "requests_per_minute": 100000})
    objects = [Customer.from_json({"DisplayName": "%s %05d" % (prefix, n)}) for n in range(count)]
    result = batch_create(objects, qb=qb)
    assert not result.faults
    return result.successes


def test_paging_over_2500_records(qb, admin):
    make_customers(qb, admin, 2500)
    total = Customer.count("DisplayName LIKE 'Bulk%'", qb=qb)
    assert total == 2500
    seen = []
    for start in range(1, total + 1, 1000):
        page = Customer.where("DisplayName LIKE 'Bulk%'", order_by="DisplayName", start_position=start,
                              max_results=1000, qb=qb)
        seen += [c.DisplayName for c in page]
    assert len(seen) == 2500 and len(set(seen)) == 2500 and seen == sorted(seen)


def test_default_and_maximum_page_sizes(qb, admin):
    make_customers(qb, admin, 150, prefix="Page")
    assert len(Customer.where("DisplayName LIKE 'Page%'", qb=qb)) == 100
    with pytest.raises(ValidationException) as caught:
        Customer.where("Active = true", max_results=1001, qb=qb)
    assert caught.value.error_code == 4001 and "Max allowed value is 1000" in caught.value.detail


def test_query_forms_escapes_and_empty_results(server, qb, admin):
    Customer.from_json({"DisplayName": "O'Brien Plumbing"}).save(qb=qb)
    assert Customer.filter(DisplayName="O'Brien Plumbing", qb=qb)[0].DisplayName == "O'Brien Plumbing"
    assert Customer.filter(DisplayName="o'brien plumbing", qb=qb), "values compare case-insensitively"
    assert Customer.filter(DisplayName="Nobody At All", qb=qb) == []
    raw = qb.query("select * from customer where DisplayName = 'Nobody'")
    assert raw["QueryResponse"] == {}
    token = admin.grant(US)["access_token"]
    answer = requests.get(server.url + "v3/company/%s/query" % US, params={
        "query": "SELECT * FROM Customer WHERE DisplayName = 'O\\'Brien Plumbing'", "minorversion": 75},
        headers={"Authorization": "Bearer " + token, "Accept": "application/json"}, timeout=10).json()
    assert answer["QueryResponse"]["Customer"][0]["DisplayName"] == "O'Brien Plumbing"
    assert [i.Name for i in Item.choose(["Design", "Hours"], field="Name", qb=qb)]
    with pytest.raises(ValidationException) as caught:
        qb.query("SELECT * FROM Customer WHERE Active = true OR Taxable = true")
    assert caught.value.error_code == 4000


def test_batch_mixes_successes_and_faults(qb, admin):
    Customer.from_json({"DisplayName": "Batch Taken"}).save(qb=qb)
    good = [Customer.from_json({"DisplayName": "Batch Fresh %d" % n}) for n in range(3)]
    clash = Customer.from_json({"DisplayName": "Batch Taken"})
    bad_ref = Invoice.from_json({"CustomerRef": {"value": "424242"}, "Line": [sales_line(service_item(qb), 1, 5)]})
    result = batch_create(good + [clash], qb=qb)
    assert len(result.successes) == 3 and len(result.faults) == 1
    assert result.faults[0].Error[0].code == "6240"
    result = batch_create([bad_ref], qb=qb)
    assert result.faults[0].Error[0].code == "2500"
    assert Customer.count("DisplayName LIKE 'Batch Fresh%'", qb=qb) == 3


def test_batch_with_queries_updates_and_deletes(qb):
    cust = customer(qb)
    invoice = Invoice.from_json({"CustomerRef": ref(cust), "Line": [sales_line(service_item(qb), 1, 5)]}).save(qb=qb)
    body = {"BatchItemRequest": [
        {"bId": "q1", "Query": "SELECT * FROM Customer WHERE Id = '%s'" % cust.Id},
        {"bId": "u1", "operation": "update", "Customer": {"Id": cust.Id, "SyncToken": cust.SyncToken,
                                                          "sparse": True, "Notes": "batched"}},
        {"bId": "d1", "operation": "delete", "Invoice": {"Id": invoice.Id, "SyncToken": invoice.SyncToken}},
        {"bId": "s1", "operation": "update", "Customer": {"Id": cust.Id, "SyncToken": "0", "sparse": True}},
    ]}
    answer = qb.batch_operation(json.dumps(body))["BatchItemResponse"]
    by_id = {item["bId"]: item for item in answer}
    assert by_id["q1"]["QueryResponse"]["Customer"][0]["Id"] == cust.Id
    assert by_id["u1"]["Customer"]["Notes"] == "batched"
    assert by_id["d1"]["Invoice"]["status"] == "Deleted"
    assert by_id["s1"]["Fault"]["Error"][0]["code"] == "5010"


def test_batch_size_is_limited_to_30(qb):
    body = {"BatchItemRequest": [{"bId": str(n), "operation": "create", "Customer": {"DisplayName": "X%d" % n}}
                                 for n in range(31)]}
    with pytest.raises(QuickbooksException) as caught:
        qb.batch_operation(json.dumps(body))
    assert caught.value.error_code == 1040


def later(server, admin, days):
    """Move the clock past the seed data; return a changedSince just before the new now,
    and a client with tokens issued at the new time."""
    now = admin.clock(advance=days * 86400)["now"]
    tokens = admin.grant(US)
    return qbo_timestamp(now - 60, -480), quickbooks(server.url, US, tokens["access_token"])


def test_cdc_reports_changes_and_deletes(server, admin):
    since, qb = later(server, admin, 1)
    cust = Customer.from_json({"DisplayName": "CDC Carla"}).save(qb=qb)
    invoice = Invoice.from_json({"CustomerRef": ref(cust), "Line": [sales_line(service_item(qb), 1, 5)]}).save(qb=qb)
    invoice.delete(qb=qb)
    changes = change_data_capture([Customer, Invoice], since, qb=qb)
    assert [c.Id for c in changes.Customer] == [cust.Id]
    deleted = changes.Invoice[0]
    assert deleted.Id == invoice.Id and deleted.status == "Deleted"


def test_cdc_no_change_shape_window_and_unsupported(server, admin):
    since, qb = later(server, admin, 1)
    changes = qb.change_data_capture("Vendor", since)
    assert changes["CDCResponse"] == [{"QueryResponse": [{}]}]
    too_old = qbo_timestamp(admin.clock()["now"] - 31 * 86400, -480)
    with pytest.raises(QuickbooksException) as caught:
        qb.change_data_capture("Vendor", too_old)
    assert caught.value.error_code == 4001
    with pytest.raises(QuickbooksException):
        change_data_capture([TaxCode], since, qb=qb)


def test_cdc_returns_at_most_1000_objects(server, admin):
    since, qb = later(server, admin, 1)
    make_customers(qb, admin, 1200, prefix="Capped")
    Vendor.from_json({"DisplayName": "Capped Vendor"}).save(qb=qb)
    answer = qb.change_data_capture("Customer,Vendor", since)
    groups = answer["CDCResponse"][0]["QueryResponse"]
    assert sum(len(group.get("Customer", group.get("Vendor", []))) for group in groups) == 1000
