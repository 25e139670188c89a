"""Attachments byte for byte, batch items that cannot see each other, and the US tax code list."""
import json

import pytest
import requests
from quickbooks.batch import batch_create
from quickbooks.exceptions import QuickbooksException
from quickbooks.objects import Attachable, Customer, Invoice, Payment, TaxCode

from .conftest import US
from .helpers import customer, ref, sales_line, service_item

# A small PDF with binary bytes (not UTF-8) and CRLF line ends: what a real file part carries.
PDF = (b"%PDF-1.4\r\n%\xe2\xe3\xcf\xd3\r\n1 0 obj\r\n<< /Type /Catalog /Pages 2 0 R >>\r\nendobj\r\n"
       b"2 0 obj\r\n<< /Type /Pages /Kids [] /Count 0 >>\r\nendobj\r\nxref\r\n0 3\r\n"
       b"trailer\r\n<< /Size 3 /Root 1 0 R >>\r\n\xff\xfe\x00\x80\r\n%%EOF\r\n")


def fault_code(call):
    with pytest.raises(QuickbooksException) as caught:
        call()
    return caught.value.error_code


def headers(qb):
    return {"Authorization": "Bearer %s" % qb.auth_client.access_token, "Accept": "application/json"}


def new_invoice(qb):
    return Invoice.from_json({"CustomerRef": ref(customer(qb)),
                              "Line": [sales_line(service_item(qb), 1, 10)]}).save(qb=qb)


# ------------------------------------------------------------------ attachments
def test_raw_binary_file_part_is_stored_byte_for_byte(server, qb):
    invoice = new_invoice(qb)
    meta = {"FileName": "signed.pdf", "ContentType": "application/pdf",
            "AttachableRef": [{"EntityRef": {"type": "Invoice", "value": invoice.Id}}]}
    answer = requests.post("%sv3/company/%s/upload" % (server.url, US), headers=headers(qb), files={
        "file_metadata_01": (None, json.dumps(meta), "application/json"),
        "file_content_01": ("signed.pdf", PDF, "application/pdf")}, timeout=10).json()
    stored = answer["AttachableResponse"][0]["Attachable"]
    assert stored["Size"] == len(PDF)
    url = requests.get("%sv3/company/%s/download/%s" % (server.url, US, stored["Id"]), headers=headers(qb),
                       timeout=10).text
    assert requests.get(url, timeout=10).content == PDF
    found = Attachable.where("AttachableRef.EntityRef.Value = '%s'" % invoice.Id, qb=qb)
    assert [a.Id for a in found] == [stored["Id"]]


def test_python_quickbooks_base64_upload_round_trips(server, qb):
    invoice = new_invoice(qb)
    upload = Attachable()
    upload.FileName, upload.ContentType = "signed.pdf", "application/pdf"
    upload.AttachableRef = [{"EntityRef": {"type": "Invoice", "value": invoice.Id}}]
    upload._FileBytes = PDF
    stored = upload.save(qb=qb)
    assert stored.Size == len(PDF)     # python-quickbooks sends it base64, with LF line ends
    assert requests.get(stored.TempDownloadUri, timeout=10).content == PDF


def test_attachable_refs_must_name_an_existing_object_of_a_known_type(qb):
    missing = Attachable.from_json({"Note": "x", "AttachableRef": [{"EntityRef": {"type": "Invoice",
                                                                                  "value": "99999"}}]})
    assert fault_code(lambda: missing.save(qb=qb)) == 610
    invoice = new_invoice(qb)
    unknown = Attachable.from_json({"Note": "x", "AttachableRef": [{"EntityRef": {"type": "invoice",
                                                                                  "value": invoice.Id}}]})
    assert fault_code(lambda: unknown.save(qb=qb)) == 6050
    on_customer = Attachable.from_json({"Note": "x", "AttachableRef": [
        {"EntityRef": {"type": "Customer", "value": customer(qb).Id}}]})
    assert on_customer.save(qb=qb).Id


# ------------------------------------------------------------------ batch
def test_batch_items_cannot_use_what_another_item_creates(qb):
    """Intuit: items run in order but independently; an item cannot rely on another's new object."""
    cust = customer(qb)
    invoice_body = {"CustomerRef": ref(cust), "Line": [sales_line(service_item(qb), 1, 10)]}
    answer = qb.batch_operation(json.dumps({"BatchItemRequest": [
        {"bId": "i", "operation": "create", "Invoice": invoice_body},
        {"bId": "q", "Query": "select * from Invoice MAXRESULTS 1000"},
    ]}))["BatchItemResponse"]
    created_id = answer[0]["Invoice"]["Id"]
    assert created_id not in [i["Id"] for i in answer[1]["QueryResponse"].get("Invoice", [])]
    next_id = str(int(created_id) + 1)      # the Id the next created transaction gets
    answer = qb.batch_operation(json.dumps({"BatchItemRequest": [
        {"bId": "c", "operation": "create", "Customer": {"DisplayName": "Batch Betty"}},
        {"bId": "i", "operation": "create", "Invoice": invoice_body},
        {"bId": "p", "operation": "create", "Payment": {"CustomerRef": ref(cust), "TotalAmt": 10, "Line": [
            {"Amount": 10, "LinkedTxn": [{"TxnId": next_id, "TxnType": "Invoice"}]}]}},
        {"bId": "u", "operation": "update", "Invoice": {"Id": next_id, "SyncToken": "0", "sparse": True,
                                                        "PrivateNote": "x"}},
    ]}))["BatchItemResponse"]
    betty = answer[0]["Customer"]["Id"]
    assert answer[1]["Invoice"]["Id"] == next_id
    assert answer[2]["Fault"]["Error"][0]["code"] == "610"
    assert answer[3]["Fault"]["Error"][0]["code"] == "610"
    late = qb.batch_operation(json.dumps({"BatchItemRequest": [
        {"bId": "c", "operation": "create", "Customer": {"DisplayName": "Batch Bob"}},
        {"bId": "i", "operation": "create", "Invoice": dict(invoice_body, CustomerRef={"value": betty})},
    ]}))["BatchItemResponse"]
    assert late[1]["Invoice"]["Id"], "an object made by an earlier batch is visible"
    # After the batch the invoice is there for everyone.
    assert Invoice.get(next_id, qb=qb).Balance == 10


def test_batch_answers_show_each_object_as_its_item_left_it(qb):
    cust = customer(qb)
    invoice = Invoice.from_json({"CustomerRef": ref(cust), "Line": [sales_line(service_item(qb), 1, 10)]}
                                ).save(qb=qb)
    answer = qb.batch_operation(json.dumps({"BatchItemRequest": [
        {"bId": "u", "operation": "update", "Invoice": {"Id": invoice.Id, "SyncToken": invoice.SyncToken,
                                                        "sparse": True, "PrivateNote": "before payment"}},
        {"bId": "p", "operation": "create", "Payment": {"CustomerRef": ref(cust), "TotalAmt": 5, "Line": [
            {"Amount": 5, "LinkedTxn": [{"TxnId": invoice.Id, "TxnType": "Invoice"}]}]}},
    ]}))["BatchItemResponse"]
    updated = answer[0]["Invoice"]
    assert updated["SyncToken"] == "1" and updated["Balance"] == 10, "the payment's effect is not shown here"
    after = Invoice.get(invoice.Id, qb=qb)
    assert after.SyncToken == "2" and after.Balance == 5


def test_python_quickbooks_batch_create_still_works(qb):
    result = batch_create([Customer.from_json({"DisplayName": "Batch %d" % n}) for n in range(3)], qb=qb)
    assert len(result.successes) == 3 and not result.faults


# ------------------------------------------------------------------ US tax codes
def test_us_tax_code_list_starts_with_tax_non_and_custom_sales_tax(qb):
    codes = TaxCode.all(qb=qb)
    assert [(c.Id, c.Name) for c in codes[:3]] == [("TAX", "TAX"), ("NON", "NON"),
                                                    ("CustomSalesTax", "CustomSalesTax")]
    assert all(c.Id.isdigit() for c in codes[3:]) and len(codes) > 3
    small = TaxCode.query("SELECT * FROM TaxCode MAXRESULTS 1", qb=qb)
    assert [c.Id for c in small] == ["TAX", "NON", "CustomSalesTax", codes[3].Id]
    assert TaxCode.get("TAX", qb=qb).Taxable is True
    assert [c.Id for c in TaxCode.where("Name != 'NON'", qb=qb)][:2] == ["TAX", "CustomSalesTax"]


def test_uk_tax_codes_have_no_us_line_codes(qb_uk):
    assert all(c.Id.isdigit() for c in TaxCode.all(qb=qb_uk))


def test_custom_sales_tax_cannot_be_a_transaction_tax_code(qb):
    body = {"CustomerRef": ref(customer(qb)), "Line": [sales_line(service_item(qb), 1, 10, "TAX")],
            "TxnTaxDetail": {"TxnTaxCodeRef": {"value": "CustomSalesTax"}}}
    assert fault_code(lambda: Invoice.from_json(body).save(qb=qb)) == 6160


def test_a_payment_in_the_same_batch_as_a_known_invoice_works(qb):
    cust = customer(qb)
    invoice = new_invoice(qb)
    answer = qb.batch_operation(json.dumps({"BatchItemRequest": [
        {"bId": "p", "operation": "create", "Payment": {"CustomerRef": ref(cust), "TotalAmt": 10, "Line": [
            {"Amount": 10, "LinkedTxn": [{"TxnId": invoice.Id, "TxnType": "Invoice"}]}]}}]}))
    assert answer["BatchItemResponse"][0]["Payment"]["Id"]
    assert Payment.get(answer["BatchItemResponse"][0]["Payment"]["Id"], qb=qb).TotalAmt == 10
