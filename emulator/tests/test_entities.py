"""Create, read, update (full and sparse), delete and void every entity through python-quickbooks."""

import pytest
from quickbooks.exceptions import QuickbooksException, UnsupportedException
from quickbooks.objects import (Account, Attachable, Bill, BillPayment, Class, CompanyInfo,
                                CreditMemo, Customer, Department, Deposit, Employee, Invoice,
                                Item, JournalEntry, Payment, PaymentMethod, Preferences, Purchase,
                                PurchaseOrder, SalesReceipt, TaxAgency, TaxCode, TaxRate, TaxService, Term,
                                Vendor, VendorCredit)
from quickbooks.objects.companycurrency import CompanyCurrency
from quickbooks.objects.exchangerate import ExchangeRate
from quickbooks.objects.taxservice import TaxRateDetails

from .conftest import US
from .helpers import account, customer, expense_line, ref, sales_line, service_item, uk_tax_code, vendor


def roundtrip(cls, qb, payload, change):
    """Create, read back, full update, sparse update; returns the last version."""
    created = cls.from_json(payload).save(qb=qb)
    assert created.Id and created.SyncToken == "0"
    read = cls.get(created.Id, qb=qb)
    for key, value in change.items():
        setattr(read, key, value)
    updated = read.save(qb=qb)
    assert updated.SyncToken == "1"
    for key, value in change.items():
        assert getattr(updated, key) == value
    sparse = cls.from_json({"Id": updated.Id, "SyncToken": updated.SyncToken, "sparse": True})
    sparse.PrivateNote = "sparse change"
    data = qb.update_object(cls.qbo_object_name, '{"Id": "%s", "SyncToken": "%s", "sparse": true, '
                            '"PrivateNote": "sparse change"}' % (updated.Id, updated.SyncToken))
    after = cls.from_json(data[cls.qbo_object_name])
    assert after.SyncToken == "2" and after.PrivateNote == "sparse change"
    for key, value in change.items():
        assert getattr(after, key) == value, "a sparse update kept the other fields"
    return after


@pytest.mark.parametrize("cls, payload, change", [
    (Customer, {"DisplayName": "Roundtrip Customer", "PrimaryEmailAddr": {"Address": "r@example.com"}},
     {"CompanyName": "Roundtrip Ltd"}),
    (Vendor, {"DisplayName": "Roundtrip Vendor"}, {"CompanyName": "Vendor Ltd"}),
    (Employee, {"GivenName": "Rita", "FamilyName": "Round"}, {"Title": "Dr"}),
    (Term, {"Name": "Net 45", "DueDays": 45}, {"DueDays": 46}),
    (PaymentMethod, {"Name": "Wire", "Type": "NON_CREDIT_CARD"}, {"Name": "Wire transfer"}),
    (Class, {"Name": "Retail"}, {"Name": "Retail shops"}),
    (Department, {"Name": "Berlin"}, {"Name": "Berlin office"}),
    (TaxAgency, {"DisplayName": "Nevada Department of Taxation"}, {"DisplayName": "Nevada DoT"}),
])
def test_list_entities_roundtrip(qb, cls, payload, change):
    roundtrip(cls, qb, payload, change)


def test_account_and_item_roundtrip(qb):
    income = roundtrip(Account, qb, {"Name": "Consulting Income", "AccountType": "Income",
                                     "AccountSubType": "ServiceFeeIncome", "AcctNum": "4999"},
                       {"Description": "Hourly consulting"})
    assert income.Classification == "Revenue"
    item = roundtrip(Item, qb, {"Name": "Consulting", "Type": "Service", "UnitPrice": 120,
                                "IncomeAccountRef": {"value": income.Id}}, {"UnitPrice": 125})
    assert item.IncomeAccountRef.value == income.Id


def test_soft_delete_of_names_and_lists(qb):
    created = Customer.from_json({"DisplayName": "Short Lived"}).save(qb=qb)
    created.Active = False
    gone = created.save(qb=qb)
    assert gone.Active is False and gone.DisplayName == "Short Lived (deleted)"
    # QBO renames what it deactivates, so the name is free again.
    assert Customer.from_json({"DisplayName": "Short Lived"}).save(qb=qb).Id != created.Id
    with pytest.raises(UnsupportedException):
        qb.delete_object("Customer", '{"Id": "%s", "SyncToken": "1"}' % created.Id)


def test_inventory_item_needs_its_accounts(qb):
    with pytest.raises(QuickbooksException) as caught:
        Item.from_json({"Name": "Widget", "Type": "Inventory"}).save(qb=qb)
    assert caught.value.error_code == 2020
    item = Item.from_json({
        "Name": "Widget", "Type": "Inventory", "QtyOnHand": 10, "InvStartDate": "2026-01-01",
        "IncomeAccountRef": ref(account(qb, "Income")), "ExpenseAccountRef": ref(account(qb, "Cost of Goods Sold")),
        "AssetAccountRef": ref(account(qb, "Other Current Asset", "Inventory"))}).save(qb=qb)
    assert item.TrackQtyOnHand is True


def test_invoice_lifecycle_read_update_delete(qb):
    cust, item = customer(qb), service_item(qb)
    invoice = Invoice.from_json({"CustomerRef": ref(cust), "DocNumber": "T-1",
                                 "Line": [sales_line(item, 2, 50)]}).save(qb=qb)
    assert invoice.TotalAmt == 100 and invoice.Balance == 100
    invoice = Invoice.get(invoice.Id, qb=qb)
    invoice.Line = [line for line in invoice.Line if line.DetailType == "SalesItemLineDetail"]
    invoice.Line[0].Amount = 150
    invoice.Line[0].SalesItemLineDetail.Qty = 3
    updated = invoice.save(qb=qb)
    assert updated.TotalAmt == 150 and updated.SyncToken == "1"
    assert updated.Line[-1].DetailType == "SubTotalLineDetail"
    updated.delete(qb=qb)
    with pytest.raises(QuickbooksException) as caught:
        Invoice.get(updated.Id, qb=qb)
    assert caught.value.error_code == 610


def test_invoice_void_keeps_the_record_with_zero_amounts(qb):
    invoice = Invoice.from_json({"CustomerRef": ref(customer(qb)),
                                 "Line": [sales_line(service_item(qb), 1, 80)]}).save(qb=qb)
    invoice.void(qb=qb)
    voided = Invoice.get(invoice.Id, qb=qb)
    assert voided.TotalAmt == 0 and voided.Balance == 0 and voided.PrivateNote.startswith("Voided")


def test_payment_void_restores_the_invoice_balance(qb):
    cust = customer(qb)
    invoice = Invoice.from_json({"CustomerRef": ref(cust), "Line": [sales_line(service_item(qb), 1, 80)]}).save(qb=qb)
    payment = Payment.from_json({"CustomerRef": ref(cust), "TotalAmt": 80, "Line": [
        {"Amount": 80, "LinkedTxn": [{"TxnId": invoice.Id, "TxnType": "Invoice"}]}]}).save(qb=qb)
    assert Invoice.get(invoice.Id, qb=qb).Balance == 0
    payment.void(qb=qb)
    assert Payment.get(payment.Id, qb=qb).TotalAmt == 0
    assert Invoice.get(invoice.Id, qb=qb).Balance == 80


def test_sales_receipt_credit_memo_and_their_voids(qb):
    cust, item = customer(qb), service_item(qb)
    receipt = SalesReceipt.from_json({"CustomerRef": ref(cust), "Line": [sales_line(item, 1, 30)]}).save(qb=qb)
    assert receipt.TotalAmt == 30 and receipt.Balance == 0
    receipt.void(qb=qb)
    assert SalesReceipt.get(receipt.Id, qb=qb).TotalAmt == 0
    memo = CreditMemo.from_json({"CustomerRef": ref(cust), "Line": [sales_line(item, 1, 20)]}).save(qb=qb)
    assert memo.RemainingCredit == 20
    memo.delete(qb=qb)


def test_bill_bill_payment_vendor_credit(qb):
    supplier = vendor(qb)
    expense = account(qb, "Expense")
    bill = Bill.from_json({"VendorRef": ref(supplier), "Line": [expense_line(expense, 200)]}).save(qb=qb)
    assert bill.TotalAmt == 200 and bill.Balance == 200 and bill.APAccountRef.value
    bank = account(qb, "Bank")
    paid = BillPayment.from_json({"VendorRef": ref(supplier), "PayType": "Check", "TotalAmt": 150,
                                  "CheckPayment": {"BankAccountRef": ref(bank)},
                                  "Line": [{"Amount": 150, "LinkedTxn": [{"TxnId": bill.Id, "TxnType": "Bill"}]}]}
                                 ).save(qb=qb)
    assert Bill.get(bill.Id, qb=qb).Balance == 50
    paid.void(qb=qb)
    assert Bill.get(bill.Id, qb=qb).Balance == 200
    credit = VendorCredit.from_json({"VendorRef": ref(supplier), "Line": [expense_line(expense, 25)]}).save(qb=qb)
    assert credit.TotalAmt == 25
    credit.delete(qb=qb)


def test_purchase_order_purchase_journal_entry_deposit(qb):
    supplier, expense, bank = vendor(qb), account(qb, "Expense"), account(qb, "Bank")
    order = PurchaseOrder.from_json({"VendorRef": ref(supplier), "POStatus": "Open", "Line": [{
        "DetailType": "ItemBasedExpenseLineDetail", "Amount": 40,
        "ItemBasedExpenseLineDetail": {"ItemRef": ref(service_item(qb)), "Qty": 4, "UnitPrice": 10}}]}).save(qb=qb)
    assert order.TotalAmt == 40
    purchase = Purchase.from_json({"PaymentType": "Cash", "AccountRef": ref(bank),
                                   "EntityRef": dict(ref(supplier), type="Vendor"),
                                   "Line": [expense_line(expense, 12.5)]}).save(qb=qb)
    assert purchase.TotalAmt == 12.5
    entry = JournalEntry.from_json({"Line": [
        {"DetailType": "JournalEntryLineDetail", "Amount": 10,
         "JournalEntryLineDetail": {"PostingType": "Debit", "AccountRef": ref(expense)}},
        {"DetailType": "JournalEntryLineDetail", "Amount": 10,
         "JournalEntryLineDetail": {"PostingType": "Credit", "AccountRef": ref(bank)}}]}).save(qb=qb)
    assert entry.TotalAmt == 10
    deposit = Deposit.from_json({"DepositToAccountRef": ref(bank), "Line": [
        {"DetailType": "DepositLineDetail", "Amount": 99,
         "DepositLineDetail": {"AccountRef": ref(account(qb, "Income"))}}]}).save(qb=qb)
    assert deposit.TotalAmt == 99
    for txn in (order, purchase, entry, deposit):
        txn.delete(qb=qb)


def test_read_only_and_singletons(qb):
    assert TaxCode.all(qb=qb) and TaxRate.all(qb=qb)
    with pytest.raises(QuickbooksException):
        qb.create_object("TaxCode", '{"Name": "Nope"}')
    info = CompanyInfo.get(US, qb=qb)
    prefs = Preferences.get(qb=qb)
    assert info.Country == "US" and prefs.CurrencyPrefs.HomeCurrency.value == "USD"
    info.CompanyName = "Renamed Co"
    assert info.save(qb=qb).CompanyName == "Renamed Co"
    changed = qb.update_object("Preferences", '{"Id": "1", "SyncToken": "%s", "sparse": true, '
                               '"AccountingInfoPrefs": {"BookCloseDate": "2020-12-31"}}' % prefs.SyncToken)
    assert changed["Preferences"]["AccountingInfoPrefs"]["BookCloseDate"] == "2020-12-31"


def test_tax_service_creates_a_code_and_rate(qb):
    agency = TaxAgency.all(qb=qb)[0]
    service = TaxService()
    service.TaxCode = "Test City"
    detail = TaxRateDetails()
    detail.TaxRateName, detail.RateValue, detail.TaxAgencyId, detail.TaxApplicableOn = "Test rate", 2.5, agency.Id, "Sales"
    service.TaxRateDetails = [detail]
    created = service.save(qb=qb)
    code = TaxCode.get(created.TaxCodeId, qb=qb)
    assert code.Name == "Test City"
    assert TaxRate.get(created.TaxRateDetails[0].TaxRateId, qb=qb).RateValue == 2.5


def test_company_currency_and_exchange_rate_in_a_multicurrency_company(qb_uk):
    currency = CompanyCurrency.from_json({"Code": "CAD", "Name": "Canadian Dollar"}).save(qb=qb_uk)
    assert currency.Id
    rate = ExchangeRate.from_json({"SourceCurrencyCode": "CAD", "Rate": 0.58, "AsOfDate": "2026-05-01"})
    saved = rate.save(qb=qb_uk)
    assert saved.Rate == 0.58 and saved.TargetCurrencyCode == "GBP"
    found = ExchangeRate.where("SourceCurrencyCode = 'CAD'", qb=qb_uk)
    assert [r.Rate for r in found] == [0.58]


def test_attachable_note_and_upload(qb):
    invoice = Invoice.from_json({"CustomerRef": ref(customer(qb)),
                                 "Line": [sales_line(service_item(qb), 1, 10)]}).save(qb=qb)
    note = Attachable()
    note.Note = "Signed by the customer"
    note.AttachableRef = [{"EntityRef": {"type": "Invoice", "value": invoice.Id}}]
    assert note.save(qb=qb).Note == "Signed by the customer"
    upload = Attachable()
    upload.FileName, upload.ContentType = "receipt.txt", "text/plain"
    upload._FileBytes = b"paid in full"
    stored = upload.save(qb=qb)
    assert stored.FileName == "receipt.txt" and stored.Size == len(b"paid in full")
    import requests
    assert requests.get(stored.TempDownloadUri, timeout=10).content == b"paid in full"


def test_invoice_pdf_and_send(qb):
    invoice = Invoice.from_json({"CustomerRef": ref(customer(qb)),
                                 "Line": [sales_line(service_item(qb), 1, 10)]}).save(qb=qb)
    assert invoice.download_pdf(qb=qb).startswith(b"%PDF-")
    sent = invoice.send(qb=qb, send_to="billing@example.com")["Invoice"]
    assert sent["EmailStatus"] == "EmailSent" and sent["BillEmail"]["Address"] == "billing@example.com"


def test_uk_invoice_uses_vat_codes(qb_uk):
    cust = customer(qb_uk, currency="GBP")
    code = uk_tax_code(qb_uk, "20")
    invoice = Invoice.from_json({"CustomerRef": ref(cust), "GlobalTaxCalculation": "TaxExcluded",
                                 "CurrencyRef": {"value": "GBP"},
                                 "Line": [sales_line(service_item(qb_uk), 2, 50, tax_code=code.Id)]}).save(qb=qb_uk)
    assert invoice.TxnTaxDetail.TotalTax == 20 and invoice.TotalAmt == 120


def transaction_payloads(qb):
    cust, supplier, item = customer(qb), vendor(qb), service_item(qb)
    expense, bank = account(qb, "Expense"), account(qb, "Bank")
    sale = {"CustomerRef": ref(cust), "Line": [sales_line(item, 1, 40)]}
    purchase_line = [expense_line(expense, 40)]
    return [
        (Invoice, sale), (CreditMemo, sale), (SalesReceipt, sale),
        (Payment, {"CustomerRef": ref(cust), "TotalAmt": 40}),
        (Bill, {"VendorRef": ref(supplier), "Line": purchase_line}),
        (VendorCredit, {"VendorRef": ref(supplier), "Line": purchase_line}),
        (BillPayment, {"VendorRef": ref(supplier), "PayType": "Check", "TotalAmt": 40,
                       "CheckPayment": {"BankAccountRef": ref(bank)}}),
        (PurchaseOrder, {"VendorRef": ref(supplier), "Line": [{
            "DetailType": "ItemBasedExpenseLineDetail", "Amount": 40,
            "ItemBasedExpenseLineDetail": {"ItemRef": ref(item), "Qty": 1, "UnitPrice": 40}}]}),
        (Purchase, {"PaymentType": "Check", "AccountRef": ref(bank), "Line": purchase_line}),
        (JournalEntry, {"Line": [
            {"DetailType": "JournalEntryLineDetail", "Amount": 40,
             "JournalEntryLineDetail": {"PostingType": "Debit", "AccountRef": ref(expense)}},
            {"DetailType": "JournalEntryLineDetail", "Amount": 40,
             "JournalEntryLineDetail": {"PostingType": "Credit", "AccountRef": ref(bank)}}]}),
        (Deposit, {"DepositToAccountRef": ref(bank), "Line": [
            {"DetailType": "DepositLineDetail", "Amount": 40,
             "DepositLineDetail": {"AccountRef": ref(account(qb, "Income"))}}]}),
    ]


def test_every_transaction_type_roundtrips_and_deletes(qb):
    for cls, payload in transaction_payloads(qb):
        final = roundtrip(cls, qb, payload, {"DocNumber": "RT-%s" % cls.__name__[:12]})
        assert final.TotalAmt == 40, cls.__name__
        final.delete(qb=qb)
        with pytest.raises(QuickbooksException) as caught:
            cls.get(final.Id, qb=qb)
        assert caught.value.error_code == 610, cls.__name__


def test_full_update_clears_omitted_fields(qb):
    created = Customer.from_json({"DisplayName": "Full Fran", "CompanyName": "Fran Co", "Notes": "keep?"}).save(qb=qb)
    data = qb.update_object("Customer", '{"Id": "%s", "SyncToken": "0", "DisplayName": "Full Fran"}' % created.Id)
    assert "Notes" not in data["Customer"] and "CompanyName" not in data["Customer"]
