"""Sample companies closer to Intuit's: months of trading, a multicurrency US company, a cheap reset."""
from quickbooks.objects import Bill, Invoice, Payment, Preferences
from quickbooks.objects.companycurrency import CompanyCurrency
from quickbooks.objects.exchangerate import ExchangeRate

from emulator.testing import quickbooks

from .conftest import UK, US

TODAY = "2026-11-30"   # the sample books run to the end of November 2026
US_MULTI = "9341452727711003"


def states(invoices):
    found = set()
    for invoice in invoices:
        if invoice.Balance == 0:
            found.add("paid")
        elif invoice.Balance < invoice.TotalAmt:
            found.add("partial")
        elif invoice.DueDate < TODAY:
            found.add("overdue")
    return found


def test_us_and_uk_have_months_of_paid_partial_and_overdue_documents(qb, qb_uk):
    for client in (qb, qb_uk):
        invoices = Invoice.all(max_results=1000, qb=client)
        assert len(invoices) >= 30 and Payment.count(qb=client) >= 20 and Bill.count(qb=client) >= 20
        assert states(invoices) == {"paid", "partial", "overdue"}
        assert len({invoice.TxnDate[:7] for invoice in invoices}) >= 6, "several months"
        bills = Bill.all(max_results=1000, qb=client)
        assert {b.Balance == 0 for b in bills} == {True, False}


def test_us_multicurrency_company_with_cad_eur_and_rate_history(server, admin):
    summary = admin.call("POST", "realms", {"preset": "us_multicurrency"})
    assert (summary["country"], summary["home_currency"], summary["multicurrency"]) == ("US", "USD", True)
    tokens = admin.grant(US_MULTI)
    qb = quickbooks(server.url, US_MULTI, tokens["access_token"])
    assert Preferences.get(qb=qb).CurrencyPrefs.MultiCurrencyEnabled is True
    assert sorted(c.Code for c in CompanyCurrency.all(qb=qb)) == ["CAD", "EUR"]
    history = ExchangeRate.where("SourceCurrencyCode = 'CAD'", max_results=1000, qb=qb)
    assert len(history) >= 20 and len({r.Rate for r in history}) > 10
    foreign = [i for i in Invoice.all(max_results=1000, qb=qb) if i.CurrencyRef.value != "USD"]
    assert {i.CurrencyRef.value for i in foreign} == {"CAD", "EUR"}
    for invoice in foreign:
        stored = [r.Rate for r in history if r.AsOfDate <= invoice.TxnDate] if invoice.CurrencyRef.value == "CAD" \
            else None
        if stored:
            assert invoice.ExchangeRate == stored[-1], "the stored rate of the invoice's date"
        assert invoice.HomeTotalAmt == round(invoice.TotalAmt * invoice.ExchangeRate, 2)
    assert len(Invoice.all(max_results=1000, qb=qb)) >= 30


def test_reset_restores_each_preset_untouched(server, qb, admin):
    first = Invoice.all(max_results=1, qb=qb)[0]
    before = (first.SyncToken, getattr(first, "PrivateNote", None), first.TotalAmt)
    first.PrivateNote = "changed"
    first.Line = [line for line in first.Line if line.DetailType != "SubTotalLineDetail"]
    first.save(qb=qb)
    admin.reset()
    again = Invoice.get(first.Id, qb=quickbooks(server.url, US, admin.grant(US)["access_token"]))
    assert (again.SyncToken, getattr(again, "PrivateNote", None), again.TotalAmt) == before
    copy = admin.call("POST", "realms", {"preset": "uk", "realm_id": "777", "company_name": "Copy Ltd"})
    assert copy["company_name"] == "Copy Ltd"
    assert admin.dump(UK)["data"]["CompanyInfo"][UK]["CompanyName"] == "Kensington Garden Designs Ltd"
    assert admin.dump("777")["data"]["CompanyInfo"]["777"]["Id"] == "777"
