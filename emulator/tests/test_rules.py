"""QBO's business rules as faults with Intuit's codes, and the fields QBO computes."""
import pytest
from quickbooks.exceptions import ObjectNotFoundException, QuickbooksException, ValidationException
from quickbooks.objects import Bill, BillPayment, CreditMemo, Customer, Employee, Invoice, Payment, Vendor

from .helpers import account, customer, expense_line, ref, sales_line, service_item, uk_tax_code


def fault_code(call):
    with pytest.raises(QuickbooksException) as caught:
        call()
    return caught.value.error_code


def invoice(qb, cust=None, lines=None, **extra):
    payload = {"CustomerRef": ref(cust or customer(qb)),
               "Line": lines or [sales_line(service_item(qb), 1, 100)]}
    payload.update(extra)
    return Invoice.from_json(payload)


def test_stale_sync_token_is_5010(qb):
    created = Customer.from_json({"DisplayName": "Stale Stan"}).save(qb=qb)
    first = Customer.get(created.Id, qb=qb)
    second = Customer.get(created.Id, qb=qb)
    first.CompanyName = "First"
    first.save(qb=qb)
    second.CompanyName = "Second"
    assert fault_code(lambda: second.save(qb=qb)) == 5010
    # Saving the same python-quickbooks instance twice is the classic way to get it.
    assert fault_code(lambda: first.save(qb=qb)) == 5010


def test_display_name_is_unique_across_customers_vendors_employees(qb):
    Customer.from_json({"DisplayName": "Shared Name"}).save(qb=qb)
    assert fault_code(lambda: Vendor.from_json({"DisplayName": "Shared Name"}).save(qb=qb)) == 6240
    assert fault_code(lambda: Employee.from_json({"DisplayName": "shared name"}).save(qb=qb)) == 6240
    assert fault_code(lambda: Customer.from_json({"DisplayName": "SHARED NAME"}).save(qb=qb)) == 6240


def test_duplicate_doc_number_is_6140_unless_allowed(qb):
    invoice(qb, DocNumber="D-77").save(qb=qb)
    assert fault_code(lambda: invoice(qb, DocNumber="D-77").save(qb=qb)) == 6140
    allowed = invoice(qb, DocNumber="D-77").save(qb=qb, params={"include": "allowduplicatedocnum"})
    assert allowed.DocNumber == "D-77"


def test_duplicate_doc_numbers_pass_when_the_preference_allows(qb, admin):
    admin.patch("9341452727711001", "Preferences",
                {"OtherPrefs": {"NameValue": [{"Name": "WarnDuplicateDocNumber", "Value": "false"}]}})
    invoice(qb, DocNumber="D-78").save(qb=qb)
    assert invoice(qb, DocNumber="D-78").save(qb=qb).DocNumber == "D-78"


def test_doc_number_is_assigned_when_custom_numbers_are_off(qb, admin):
    admin.patch("9341452727711001", "Preferences", {"SalesFormsPrefs": {"CustomTxnNumbers": False}})
    first = invoice(qb).save(qb=qb)
    second = invoice(qb).save(qb=qb)
    assert first.DocNumber and int(second.DocNumber) == int(first.DocNumber) + 1


def test_missing_required_fields_are_2020(qb):
    with pytest.raises(ValidationException) as caught:
        Invoice.from_json({"Line": [sales_line(service_item(qb), 1, 1)]}).save(qb=qb)
    assert caught.value.error_code == 2020 and "CustomerRef" in caught.value.detail
    assert fault_code(lambda: Invoice.from_json({"CustomerRef": ref(customer(qb))}).save(qb=qb)) == 2020
    assert fault_code(lambda: Customer.from_json({}).save(qb=qb)) == 2020


def test_unknown_reference_is_2500_and_inactive_is_610(qb):
    assert fault_code(lambda: Invoice.from_json({"CustomerRef": {"value": "99999"},
                                                 "Line": [sales_line(service_item(qb), 1, 1)]}).save(qb=qb)) == 2500
    sleeper = Customer.from_json({"DisplayName": "Dormant Dora"}).save(qb=qb)
    sleeper.Active = False
    sleeper.save(qb=qb)
    with pytest.raises(ObjectNotFoundException) as caught:
        invoice(qb, cust=sleeper).save(qb=qb)
    assert caught.value.error_code == 610


def test_closed_books_are_6210(qb, admin):
    admin.patch("9341452727711001", "Preferences", {"AccountingInfoPrefs": {"BookCloseDate": "2025-12-31"}})
    assert fault_code(lambda: invoice(qb, TxnDate="2025-12-31").save(qb=qb)) == 6210
    assert invoice(qb, TxnDate="2026-01-01").save(qb=qb).Id


def test_closed_books_refuse_changes_to_old_documents(qb, admin):
    old = invoice(qb, TxnDate="2025-06-30").save(qb=qb)
    admin.patch("9341452727711001", "Preferences", {"AccountingInfoPrefs": {"BookCloseDate": "2025-12-31"}})
    assert fault_code(lambda: old.delete(qb=qb)) == 6210


def test_us_lines_take_only_tax_or_non(qb):
    bad = invoice(qb, lines=[sales_line(service_item(qb), 1, 10, tax_code="5")])
    with pytest.raises(QuickbooksException) as caught:
        bad.save(qb=qb)
    assert caught.value.error_code == 6100 and "TAX or NON" in caught.value.detail


def test_us_automated_sales_tax_applies_to_taxable_lines(qb):
    item = service_item(qb)
    saved = invoice(qb, lines=[sales_line(item, 1, 100, tax_code="TAX"),
                               sales_line(item, 1, 50, tax_code="NON")]).save(qb=qb)
    tax = saved.TxnTaxDetail.TotalTax
    assert tax > 0 and saved.TotalAmt == round(150 + tax, 2)
    assert saved.TxnTaxDetail.TaxLine[0].TaxLineDetail.NetAmountTaxable == 100


def test_amount_must_equal_qty_times_price(qb):
    bad = invoice(qb, lines=[sales_line(service_item(qb), 3, 10, amount=31)])
    assert fault_code(lambda: bad.save(qb=qb)) == 6070


def test_non_us_needs_a_real_tax_code_on_each_line(qb_uk):
    cust = customer(qb_uk, currency="GBP")
    item = service_item(qb_uk)
    no_code = {"CustomerRef": ref(cust), "GlobalTaxCalculation": "TaxExcluded",
               "Line": [{"DetailType": "SalesItemLineDetail", "Amount": 10,
                         "SalesItemLineDetail": {"ItemRef": ref(item), "Qty": 1, "UnitPrice": 10}}]}
    assert fault_code(lambda: qb_uk.create_object("Invoice", __import__("json").dumps(no_code))) == 6000
    unknown = dict(no_code, Line=[sales_line(item, 1, 10, tax_code="9999")])
    assert fault_code(lambda: Invoice.from_json(unknown).save(qb=qb_uk)) == 2500
    us_style = dict(no_code, Line=[sales_line(item, 1, 10, tax_code="TAX")])
    assert fault_code(lambda: Invoice.from_json(us_style).save(qb=qb_uk)) == 2500


def test_non_us_needs_global_tax_calculation(qb_uk):
    code = uk_tax_code(qb_uk)
    body = {"CustomerRef": ref(customer(qb_uk, currency="GBP")),
            "Line": [sales_line(service_item(qb_uk), 1, 10, tax_code=code.Id)]}
    with pytest.raises(QuickbooksException) as caught:
        qb_uk.create_object("Invoice", __import__("json").dumps(body))
    assert caught.value.error_code == 2020 and "GlobalTaxCalculation" in caught.value.detail


def test_tax_inclusive_and_not_applicable(qb_uk):
    cust, item, code = customer(qb_uk, currency="GBP"), service_item(qb_uk), uk_tax_code(qb_uk)
    inclusive = Invoice.from_json({"CustomerRef": ref(cust), "GlobalTaxCalculation": "TaxInclusive",
                                   "Line": [sales_line(item, 1, 120, tax_code=code.Id)]}).save(qb=qb_uk)
    assert inclusive.TotalAmt == 120 and inclusive.TxnTaxDetail.TotalTax == 20
    exempt = Invoice.from_json({"CustomerRef": ref(cust), "GlobalTaxCalculation": "NotApplicable",
                                "Line": [sales_line(item, 1, 120)]}).save(qb=qb_uk)
    assert exempt.TotalAmt == 120


def test_multicurrency_one_currency_per_customer(qb_uk):
    euro = Customer.from_json({"DisplayName": "Euro Client", "CurrencyRef": {"value": "EUR"}}).save(qb=qb_uk)
    assert euro.CurrencyRef.value == "EUR"
    euro.CurrencyRef = {"value": "USD"}
    euro_again = Customer.get(euro.Id, qb=qb_uk)
    euro_again.CurrencyRef.value = "USD"
    assert fault_code(lambda: euro_again.save(qb=qb_uk)) == 6000
    assert fault_code(lambda: Customer.from_json({"DisplayName": "Yen Client",
                                                  "CurrencyRef": {"value": "JPY"}}).save(qb=qb_uk)) == 2500


def test_multicurrency_transactions_need_a_matching_currency(qb_uk):
    euro = Customer.from_json({"DisplayName": "Euro Buyer", "CurrencyRef": {"value": "EUR"}}).save(qb=qb_uk)
    code, item = uk_tax_code(qb_uk), service_item(qb_uk)
    body = {"CustomerRef": ref(euro), "GlobalTaxCalculation": "TaxExcluded",
            "Line": [sales_line(item, 1, 100, tax_code=code.Id)]}
    missing = __import__("json").dumps(body)
    assert fault_code(lambda: qb_uk.create_object("Invoice", missing)) == 2020
    wrong = Invoice.from_json(dict(body, CurrencyRef={"value": "USD"}))
    assert fault_code(lambda: wrong.save(qb=qb_uk)) == 6000
    saved = Invoice.from_json(dict(body, CurrencyRef={"value": "EUR"}, ExchangeRate=0.9)).save(qb=qb_uk)
    assert saved.TotalAmt == 120 and saved.HomeTotalAmt == 108
    stored_rate = Invoice.from_json(dict(body, CurrencyRef={"value": "EUR"}, ExchangeRate=0)).save(qb=qb_uk)
    assert stored_rate.ExchangeRate > 0 and stored_rate.HomeTotalAmt == round(120 * stored_rate.ExchangeRate, 2)


def test_multicurrency_off_refuses_foreign_currency(qb):
    assert fault_code(lambda: Customer.from_json({"DisplayName": "Loonie",
                                                  "CurrencyRef": {"value": "CAD"}}).save(qb=qb)) == 6000


def test_payments_lower_invoice_balances_and_link_both_ways(qb):
    cust = Customer.from_json({"DisplayName": "Paying Paula"}).save(qb=qb)
    first = invoice(qb, cust=cust).save(qb=qb)
    second = invoice(qb, cust=cust, lines=[sales_line(service_item(qb), 2, 25)]).save(qb=qb)
    assert Customer.get(cust.Id, qb=qb).Balance == 150
    payment = Payment.from_json({"CustomerRef": ref(cust), "TotalAmt": 130, "Line": [
        {"Amount": 100, "LinkedTxn": [{"TxnId": first.Id, "TxnType": "Invoice"}]},
        {"Amount": 20, "LinkedTxn": [{"TxnId": second.Id, "TxnType": "Invoice"}]}]}).save(qb=qb)
    assert payment.UnappliedAmt == 10
    first, second = Invoice.get(first.Id, qb=qb), Invoice.get(second.Id, qb=qb)
    assert (first.Balance, second.Balance) == (0, 30)
    assert [(link.TxnId, link.TxnType) for link in first.LinkedTxn] == [(payment.Id, "Payment")]
    assert first.SyncToken == "1"
    assert Customer.get(cust.Id, qb=qb).Balance == 20   # 30 open less 10 unapplied
    payment.delete(qb=qb)
    assert Invoice.get(first.Id, qb=qb).Balance == 100
    assert Customer.get(cust.Id, qb=qb).Balance == 150


def test_credit_memo_applied_in_a_payment(qb):
    cust = Customer.from_json({"DisplayName": "Credit Carl"}).save(qb=qb)
    bill_to = invoice(qb, cust=cust).save(qb=qb)
    memo = CreditMemo.from_json({"CustomerRef": ref(cust), "Line": [sales_line(service_item(qb), 1, 30)]}).save(qb=qb)
    assert Customer.get(cust.Id, qb=qb).Balance == 70
    Payment.from_json({"CustomerRef": ref(cust), "TotalAmt": 70, "Line": [
        {"Amount": 100, "LinkedTxn": [{"TxnId": bill_to.Id, "TxnType": "Invoice"}]},
        {"Amount": 30, "LinkedTxn": [{"TxnId": memo.Id, "TxnType": "CreditMemo"}]}]}).save(qb=qb)
    assert Invoice.get(bill_to.Id, qb=qb).Balance == 0
    assert CreditMemo.get(memo.Id, qb=qb).RemainingCredit == 0
    assert Customer.get(cust.Id, qb=qb).Balance == 0


def test_overpaying_an_invoice_is_refused(qb):
    target = invoice(qb).save(qb=qb)
    over = Payment.from_json({"CustomerRef": target.CustomerRef.to_dict() if hasattr(target.CustomerRef, "to_dict")
                              else {"value": target.CustomerRef.value}, "TotalAmt": 500,
                              "Line": [{"Amount": 500, "LinkedTxn": [{"TxnId": target.Id, "TxnType": "Invoice"}]}]})
    assert fault_code(lambda: over.save(qb=qb)) == 6000


def test_paid_invoice_cannot_be_deleted_before_its_payment(qb):
    cust = customer(qb)
    target = invoice(qb, cust=cust).save(qb=qb)
    Payment.from_json({"CustomerRef": ref(cust), "TotalAmt": 100, "Line": [
        {"Amount": 100, "LinkedTxn": [{"TxnId": target.Id, "TxnType": "Invoice"}]}]}).save(qb=qb)
    assert fault_code(lambda: Invoice.get(target.Id, qb=qb).delete(qb=qb)) == 6000


def test_bill_payments_lower_bill_and_vendor_balances(qb):
    supplier = Vendor.from_json({"DisplayName": "Balance Supplies"}).save(qb=qb)
    bill = Bill.from_json({"VendorRef": ref(supplier), "Line": [expense_line(account(qb, "Expense"), 300)]}).save(qb=qb)
    assert Vendor.get(supplier.Id, qb=qb).Balance == 300
    BillPayment.from_json({"VendorRef": ref(supplier), "PayType": "Check", "TotalAmt": 120,
                           "CheckPayment": {"BankAccountRef": ref(account(qb, "Bank"))},
                           "Line": [{"Amount": 120, "LinkedTxn": [{"TxnId": bill.Id, "TxnType": "Bill"}]}]}
                          ).save(qb=qb)
    bill = Bill.get(bill.Id, qb=qb)
    assert bill.Balance == 180 and bill.LinkedTxn[0].TxnType == "BillPayment"
    assert Vendor.get(supplier.Id, qb=qb).Balance == 180


def test_metadata_times_and_sync_tokens(qb):
    created = Customer.from_json({"DisplayName": "Meta Mia"}).save(qb=qb)
    assert created.MetaData["CreateTime"] == created.MetaData["LastUpdatedTime"]
    assert created.MetaData["CreateTime"].endswith(("-08:00", "-07:00"))
    created.CompanyName = "Meta Inc"
    again = created.save(qb=qb)
    assert again.SyncToken == "1" and again.MetaData["CreateTime"] == created.MetaData["CreateTime"]


def test_sub_customers_roll_up_balances(qb):
    parent = Customer.from_json({"DisplayName": "Parent Pat"}).save(qb=qb)
    child = Customer.from_json({"DisplayName": "Child Job", "ParentRef": ref(parent)}).save(qb=qb)
    assert child.Job is True and child.FullyQualifiedName == "Parent Pat:Child Job"
    invoice(qb, cust=child).save(qb=qb)
    assert Customer.get(parent.Id, qb=qb).BalanceWithJobs == 100
    assert Customer.get(parent.Id, qb=qb).Balance == 0


def test_names_with_colons_and_bad_emails_are_refused(qb):
    assert fault_code(lambda: Customer.from_json({"DisplayName": "A:B"}).save(qb=qb)) == 2040
    assert fault_code(lambda: Customer.from_json({"DisplayName": "Mail", "PrimaryEmailAddr":
                                                  {"Address": "not-an-email"}}).save(qb=qb)) == 2040


def test_unbalanced_journal_entry_is_refused(qb):
    from quickbooks.objects import JournalEntry
    expense, bank = account(qb, "Expense"), account(qb, "Bank")
    entry = JournalEntry.from_json({"Line": [
        {"DetailType": "JournalEntryLineDetail", "Amount": 10,
         "JournalEntryLineDetail": {"PostingType": "Debit", "AccountRef": ref(expense)}},
        {"DetailType": "JournalEntryLineDetail", "Amount": 9,
         "JournalEntryLineDetail": {"PostingType": "Credit", "AccountRef": ref(bank)}}]})
    assert fault_code(lambda: entry.save(qb=qb)) == 6000
