"""Document rules: numbers across types, voiding and deleting paid invoices, custom fields, invoice links."""
import pytest
import requests
from quickbooks.exceptions import QuickbooksException
from quickbooks.objects import CreditMemo, Customer, Invoice, Payment, Preferences, Purchase, SalesReceipt

from .helpers import account, customer, expense_line, ref, sales_line, service_item, uk_tax_code


def fault(call):
    with pytest.raises(QuickbooksException) as caught:
        call()
    return caught.value


def sale(cls, qb, **extra):
    body = {"CustomerRef": ref(customer(qb)), "Line": [sales_line(service_item(qb), 1, 100)]}
    body.update(extra)
    return cls.from_json(body)


# ------------------------------------------------------------------ DocNumber across types
@pytest.mark.parametrize("first, second", [(Invoice, CreditMemo), (Invoice, SalesReceipt), (CreditMemo, Invoice),
                                           (SalesReceipt, Invoice)])
def test_doc_numbers_are_unique_across_sales_forms(qb, first, second):
    created = sale(first, qb, DocNumber="X-500").save(qb=qb)
    error = fault(lambda: sale(second, qb, DocNumber="X-500").save(qb=qb))
    assert error.error_code == 6140
    assert "TxnType=%s with TxnId=%s" % (first.__name__, created.Id) in error.detail
    assert sale(second, qb, DocNumber="X-500").save(
        qb=qb, params={"include": "allowduplicatedocnum"}).DocNumber == "X-500"


# ------------------------------------------------------------------ paid invoices
def paid_invoice(qb, paid=60):
    cust = Customer.from_json({"DisplayName": "Voiding Vera %d" % paid}).save(qb=qb)
    invoice = sale(Invoice, qb, CustomerRef=ref(cust)).save(qb=qb)
    payment = Payment.from_json({"CustomerRef": ref(cust), "TotalAmt": paid, "Line": [
        {"Amount": paid, "LinkedTxn": [{"TxnId": invoice.Id, "TxnType": "Invoice"}]}]}).save(qb=qb)
    return cust, Invoice.get(invoice.Id, qb=qb), payment


def test_voiding_a_paid_invoice_unapplies_its_payments_by_default(qb):
    cust, invoice, payment = paid_invoice(qb)
    assert Customer.get(cust.Id, qb=qb).Balance == 40
    invoice.void(qb=qb)
    voided = Invoice.get(invoice.Id, qb=qb)
    assert voided.TotalAmt == 0 and voided.Balance == 0 and voided.LinkedTxn == []
    after = Payment.get(payment.Id, qb=qb)
    assert after.UnappliedAmt == 60 and after.Line == [] and int(after.SyncToken) == int(payment.SyncToken) + 1
    assert Customer.get(cust.Id, qb=qb).Balance == -60, "the payment is now the customer's credit"


def test_voiding_a_paid_invoice_is_refused_under_the_refuse_policy(qb, admin):
    admin.configure(policy={"paid_invoice_void": "refuse"})
    _, invoice, _ = paid_invoice(qb)
    error = fault(lambda: invoice.void(qb=qb))
    assert error.error_code == 6000 and "payments applied" in error.detail


def test_deleting_a_paid_invoice_is_refused_by_default_and_unapplies_under_the_policy(qb, admin):
    cust, invoice, payment = paid_invoice(qb)
    assert fault(lambda: invoice.delete(qb=qb)).error_code == 6000
    admin.configure(policy={"paid_invoice_delete": "unapply"})
    invoice.delete(qb=qb)
    assert Payment.get(payment.Id, qb=qb).UnappliedAmt == 60
    assert Customer.get(cust.Id, qb=qb).Balance == -60


# ------------------------------------------------------------------ paying a credit out
def refund_expense(qb, cust, amount, payment_type="Cash"):
    """Money paid out to a customer: an Expense (Purchase) from the bank on Accounts Receivable."""
    return Purchase.from_json({
        "PaymentType": payment_type, "AccountRef": ref(account(qb, "Bank")),
        "EntityRef": {"type": "Customer", "value": cust.Id},
        "Line": [expense_line(account(qb, "Accounts Receivable"), amount)]}).save(qb=qb)


def test_a_credit_memo_is_paid_out_by_a_payment_linking_it_to_an_expense(qb):
    cust = Customer.from_json({"DisplayName": "Refunded Rita"}).save(qb=qb)
    memo = sale(CreditMemo, qb, CustomerRef=ref(cust)).save(qb=qb)
    expense = refund_expense(qb, cust, 100)
    payment = Payment.from_json({"CustomerRef": ref(cust), "TotalAmt": 0, "Line": [
        {"Amount": 100, "LinkedTxn": [{"TxnId": expense.Id, "TxnType": "Expense"}]},
        {"Amount": 100, "LinkedTxn": [{"TxnId": memo.Id, "TxnType": "CreditMemo"}]}]}).save(qb=qb)
    assert payment.UnappliedAmt == 0
    assert CreditMemo.get(memo.Id, qb=qb).RemainingCredit == 0
    linked = Purchase.get(expense.Id, qb=qb).LinkedTxn
    assert [(link.TxnId, link.TxnType) for link in linked] == [(payment.Id, "Payment")]
    error = fault(lambda: Purchase.get(expense.Id, qb=qb).delete(qb=qb))
    assert error.error_code == 6000 and "payments applied" in error.detail
    payment = Payment.get(payment.Id, qb=qb)
    payment.Line = []
    payment.save(qb=qb)
    assert not getattr(Purchase.get(expense.Id, qb=qb), "LinkedTxn", None)
    assert CreditMemo.get(memo.Id, qb=qb).RemainingCredit == 100


def test_an_expense_is_used_once_and_only_by_its_customer(qb):
    cust = Customer.from_json({"DisplayName": "Refunded Rob"}).save(qb=qb)
    other = Customer.from_json({"DisplayName": "Someone Else"}).save(qb=qb)
    memo = sale(CreditMemo, qb, CustomerRef=ref(cust)).save(qb=qb)
    expense = refund_expense(qb, cust, 60)

    def pay(customer_, amount, txn_type="Expense", txn_id=None):
        return Payment.from_json({"CustomerRef": ref(customer_), "TotalAmt": 0, "Line": [
            {"Amount": amount, "LinkedTxn": [{"TxnId": txn_id or expense.Id, "TxnType": txn_type}]},
            {"Amount": amount, "LinkedTxn": [{"TxnId": memo.Id, "TxnType": "CreditMemo"}]}]}).save(qb=qb)
    assert "more than its open balance 60.00" in fault(lambda: pay(cust, 80)).detail
    assert "belongs to another customer" in fault(lambda: pay(other, 10)).detail
    check = refund_expense(qb, cust, 20, payment_type="Check")
    assert fault(lambda: pay(cust, 20, txn_id=check.Id)).error_code == 620
    assert fault(lambda: pay(cust, 20, txn_type="Check", txn_id=check.Id)).error_code == 620
    pay(cust, 60)
    assert CreditMemo.get(memo.Id, qb=qb).RemainingCredit == 40


# ------------------------------------------------------------------ custom fields
def test_custom_fields_must_be_enabled_definitions(qb):
    ok = sale(Invoice, qb, CustomField=[{"DefinitionId": "1", "StringValue": "Crew 7", "Type": "StringType"}])
    saved = ok.save(qb=qb)
    assert saved.CustomField[0].Name == "Crew #" and saved.CustomField[0].StringValue == "Crew 7"
    disabled = sale(Invoice, qb, CustomField=[{"DefinitionId": "2", "StringValue": "x", "Type": "StringType"}])
    assert fault(lambda: disabled.save(qb=qb)).error_code == 3000
    unknown = sale(Invoice, qb, CustomField=[{"DefinitionId": "9", "StringValue": "x", "Type": "StringType"}])
    assert fault(lambda: unknown.save(qb=qb)).error_code == 3000


def test_uk_company_has_custom_field_definitions(qb_uk):
    prefs = Preferences.get(qb=qb_uk).SalesFormsPrefs.CustomField
    labels = [f["StringValue"] for group in prefs for f in group["CustomField"] if f["Type"] == "StringType"]
    assert labels == ["Site ref", "Customer PO"]
    body = {"CustomerRef": ref(customer(qb_uk, currency="GBP")), "GlobalTaxCalculation": "TaxExcluded",
            "CustomField": [{"DefinitionId": "2", "StringValue": "PO-88", "Type": "StringType"}],
            "Line": [sales_line(service_item(qb_uk), 1, 10, tax_code=uk_tax_code(qb_uk).Id)]}
    assert Invoice.from_json(body).save(qb=qb_uk).CustomField[0].Name == "Customer PO"


# ------------------------------------------------------------------ invoice link
def test_invoice_link_needs_online_payment_and_a_bill_email(qb, server):
    online = sale(Invoice, qb, AllowOnlineCreditCardPayment=True, BillEmail={"Address": "pay@example.com"})
    saved = online.save(qb=qb)
    linked = Invoice.get(saved.Id, qb=qb, params={"include": "invoiceLink"})
    assert linked.InvoiceLink.startswith(server.url)
    assert requests.get(linked.InvoiceLink, timeout=10).status_code == 200
    assert not getattr(Invoice.get(saved.Id, qb=qb), "InvoiceLink", None), "only when asked for"
    no_email = sale(Invoice, qb, AllowOnlineCreditCardPayment=True).save(qb=qb)
    assert not getattr(Invoice.get(no_email.Id, qb=qb, params={"include": "invoiceLink"}), "InvoiceLink", None)
    offline = sale(Invoice, qb, BillEmail={"Address": "pay@example.com"}).save(qb=qb)
    assert not getattr(Invoice.get(offline.Id, qb=qb, params={"include": "invoiceLink"}), "InvoiceLink", None)
