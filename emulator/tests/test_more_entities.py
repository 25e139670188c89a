"""RefundReceipt, Estimate, Transfer, CreditCardPayment, TimeActivity and RecurringTransaction
through python-quickbooks: create, read, update, delete, query, and the account balances they move."""
import json

import pytest
from quickbooks.exceptions import QuickbooksException
from quickbooks.objects import (Account, Employee, Estimate, Invoice, RefundReceipt, TimeActivity,
                                Transfer)
from quickbooks.objects.creditcardpayment_entity import CreditCardPayment
from quickbooks.objects.recurringtransaction import RecurringTransaction

from .helpers import account, customer, ref, sales_line, service_item, uk_tax_code


def fault_code(call):
    with pytest.raises(QuickbooksException) as caught:
        call()
    return caught.value.error_code


def balance(qb, acct):
    return Account.get(acct.Id, qb=qb).CurrentBalance


def crud(cls, qb, payload, change):
    """Create, read, full update, query, delete; returns the updated object."""
    created = cls.from_json(payload).save(qb=qb)
    assert created.Id and created.SyncToken == "0"
    read = cls.get(created.Id, qb=qb)
    for key, value in change.items():
        setattr(read, key, value)
    updated = read.save(qb=qb)
    assert updated.SyncToken == "1" and all(getattr(updated, k) == v for k, v in change.items())
    assert created.Id in [obj.Id for obj in cls.where("Id = '%s'" % created.Id, qb=qb)]
    return updated


def test_refund_receipt_moves_money_out_of_its_account(qb):
    bank = account(qb, "Bank", "Checking")
    before = balance(qb, bank)
    refund = crud(RefundReceipt, qb, {"CustomerRef": ref(customer(qb)), "DepositToAccountRef": ref(bank),
                                      "Line": [sales_line(service_item(qb), 1, 40)]}, {"PrivateNote": "Refunded"})
    assert refund.TotalAmt == 40 and refund.Balance == 0
    assert balance(qb, bank) == round(before - 40, 2)
    refund.delete(qb=qb)
    assert balance(qb, bank) == before
    income = account(qb, "Income")
    wrong = RefundReceipt.from_json({"DepositToAccountRef": ref(income), "Line": [sales_line(service_item(qb), 1, 5)]})
    assert fault_code(lambda: wrong.save(qb=qb)) == 6430


def test_estimate_is_a_sales_form_with_its_own_numbers(qb):
    estimate = crud(Estimate, qb, {"CustomerRef": ref(customer(qb)), "DocNumber": "E-1",
                                   "Line": [sales_line(service_item(qb), 2, 30)]}, {"TxnStatus": "Accepted"})
    assert estimate.TotalAmt == 60 and not getattr(estimate, "Balance", None)
    # Estimates keep their own numbers: an invoice may use "E-1".
    Invoice.from_json({"CustomerRef": ref(customer(qb)), "DocNumber": "E-1",
                       "Line": [sales_line(service_item(qb), 1, 1)]}).save(qb=qb)
    estimate.delete(qb=qb)


def test_transfer_moves_balances_between_accounts(qb):
    checking, savings = account(qb, "Bank", "Checking"), account(qb, "Bank", "Savings")
    before = (balance(qb, checking), balance(qb, savings))
    transfer = crud(Transfer, qb, {"FromAccountRef": ref(checking), "ToAccountRef": ref(savings), "Amount": 250},
                    {"Amount": 300})
    assert (balance(qb, checking), balance(qb, savings)) == (round(before[0] - 300, 2), round(before[1] + 300, 2))
    transfer.delete(qb=qb)
    assert (balance(qb, checking), balance(qb, savings)) == before
    same = Transfer.from_json({"FromAccountRef": ref(checking), "ToAccountRef": ref(checking), "Amount": 1})
    assert fault_code(lambda: same.save(qb=qb)) == 6000
    assert fault_code(lambda: qb.create_object("Transfer", json.dumps(
        {"FromAccountRef": ref(checking), "ToAccountRef": ref(savings)}))) == 2020


def test_credit_card_payment_pays_the_card_from_the_bank(qb):
    card, bank = account(qb, "Credit Card"), account(qb, "Bank", "Checking")
    before = (balance(qb, card), balance(qb, bank))
    payment = CreditCardPayment.from_json({"CreditCardAccountRef": ref(card), "BankAccountRef": ref(bank),
                                           "Amount": 120, "TxnDate": "2026-06-01"}).save(qb=qb)
    assert payment.Id and payment.Amount == 120
    assert (balance(qb, card), balance(qb, bank)) == (round(before[0] - 120, 2), round(before[1] - 120, 2))
    read = CreditCardPayment.get(payment.Id, qb=qb)     # JSON key CreditCardPaymentTxn
    assert read.Amount == 120
    assert payment.Id in [p.Id for p in CreditCardPayment.all(qb=qb)]
    read.Amount = 100
    assert read.save(qb=qb).Amount == 100
    assert balance(qb, card) == round(before[0] - 100, 2)
    CreditCardPayment.get(payment.Id, qb=qb).delete(qb=qb)
    assert (balance(qb, card), balance(qb, bank)) == before
    swapped = CreditCardPayment.from_json({"CreditCardAccountRef": ref(bank), "BankAccountRef": ref(card),
                                           "Amount": 1})
    assert fault_code(lambda: swapped.save(qb=qb)) == 6430


def test_time_activity_needs_who_and_how_long(qb):
    worker = Employee.all(qb=qb)[0]
    entry = crud(TimeActivity, qb, {"NameOf": "Employee", "EmployeeRef": ref(worker), "Hours": 3, "Minutes": 30,
                                    "TxnDate": "2026-05-04", "Description": "Pruning"}, {"Hours": 4})
    assert entry.Hours == 4
    entry.delete(qb=qb)
    assert fault_code(lambda: TimeActivity.from_json({"NameOf": "Employee", "Hours": 1}).save(qb=qb)) == 2020
    assert fault_code(lambda: TimeActivity.from_json({"NameOf": "Employee", "EmployeeRef": ref(worker)})
                      .save(qb=qb)) == 2020
    billable = TimeActivity.from_json({"NameOf": "Employee", "EmployeeRef": ref(worker), "Hours": 1,
                                       "BillableStatus": "Billable"})
    assert fault_code(lambda: billable.save(qb=qb)) == 2020


def test_recurring_transaction_wraps_a_template(qb):
    invoices = Invoice.count(qb=qb)
    template = RecurringTransaction.from_json({"Invoice": {
        "CustomerRef": ref(customer(qb)), "Line": [sales_line(service_item(qb), 1, 75)],
        "RecurringInfo": {"Name": "Monthly upkeep", "RecurType": "Automated", "Active": True,
                          "ScheduleInfo": {"IntervalType": "Monthly", "NumInterval": 1, "DayOfMonth": 1,
                                           "StartDate": "2026-12-01"}}}})
    created = template.save(qb=qb)
    invoice = created.Invoice
    assert invoice.Id and invoice.TotalAmt == 75 and invoice.RecurringInfo.Name == "Monthly upkeep"
    read = RecurringTransaction.get(invoice.Id, qb=qb)
    assert read.Invoice.Id == invoice.Id
    listed = RecurringTransaction.all(qb=qb)
    assert [r.Invoice.Id for r in listed if hasattr(r, "Invoice")] == [invoice.Id]
    read.Invoice.RecurringInfo.Name = "Monthly upkeep (2027)"
    updated = read.save(qb=qb)
    assert updated.Invoice.SyncToken == "1" and updated.Invoice.RecurringInfo.Name == "Monthly upkeep (2027)"
    assert Invoice.count(qb=qb) == invoices, "a template posts nothing"
    assert fault_code(lambda: RecurringTransaction.from_json({"Invoice": {
        "CustomerRef": ref(customer(qb)), "Line": [sales_line(service_item(qb), 1, 5)]}}).save(qb=qb)) == 2020
    answer = qb.delete_object("RecurringTransaction", json.dumps(
        {"Invoice": {"Id": invoice.Id, "SyncToken": updated.Invoice.SyncToken}}))
    assert answer["RecurringTransaction"]["status"] == "Deleted"
    assert fault_code(lambda: RecurringTransaction.get(invoice.Id, qb=qb)) == 610


def test_uk_refund_receipt_takes_vat(qb_uk):
    bank = account(qb_uk, "Bank", "Checking")
    refund = RefundReceipt.from_json({"CustomerRef": ref(customer(qb_uk, currency="GBP")),
                                      "DepositToAccountRef": ref(bank), "GlobalTaxCalculation": "TaxExcluded",
                                      "Line": [sales_line(service_item(qb_uk), 1, 50,
                                                          tax_code=uk_tax_code(qb_uk, "20").Id)]}).save(qb=qb_uk)
    assert refund.TotalAmt == 60 and refund.TxnTaxDetail.TotalTax == 10
