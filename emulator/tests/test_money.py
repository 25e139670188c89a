"""Tax, discounts, line rules and exchange rates: the amounts QuickBooks computes, and what it keeps.

Each test names the point of issue 9 it settles; README.md gives the source of each behaviour.
"""
import json

import pytest
from quickbooks.exceptions import QuickbooksException
from quickbooks.objects import Invoice, Item, TaxCode
from quickbooks.objects.detailline import DiscountLine, DiscountLineDetail
from quickbooks.objects.tax import TxnTaxDetail

from .conftest import UK, US
from .helpers import customer, ref, sales_line, service_item, uk_tax_code


def fault_code(call):
    with pytest.raises(QuickbooksException) as caught:
        call()
    return caught.value.error_code


def uk_invoice(qb_uk, lines, **extra):
    body = {"CustomerRef": ref(customer(qb_uk, currency="GBP")), "CurrencyRef": {"value": "GBP"},
            "GlobalTaxCalculation": "TaxExcluded", "Line": lines}
    body.update(extra)
    return Invoice.from_json(body)


def item_lines(invoice):
    return [line for line in invoice.Line if line.DetailType == "SalesItemLineDetail"]


# ------------------------------------------------------------------ global tax (UK)
def test_update_sending_the_old_tax_detail_back_keeps_the_old_tax(qb_uk):
    code = uk_tax_code(qb_uk, "20")
    saved = uk_invoice(qb_uk, [sales_line(service_item(qb_uk), 1, 100, tax_code=code.Id)]).save(qb=qb_uk)
    assert saved.TxnTaxDetail.TotalTax == 20
    read = Invoice.get(saved.Id, qb=qb_uk)
    read.Line = item_lines(read)
    read.Line[0].Amount, read.Line[0].SalesItemLineDetail.UnitPrice = 200, 200
    kept = read.save(qb=qb_uk)   # the read TxnTaxDetail goes back unchanged
    assert kept.TxnTaxDetail.TotalTax == 20 and kept.TotalAmt == 220
    again = Invoice.get(saved.Id, qb=qb_uk)
    again.Line = item_lines(again)
    again.TxnTaxDetail = None    # omitted: QuickBooks computes it again
    recomputed = again.save(qb=qb_uk)
    assert recomputed.TxnTaxDetail.TotalTax == 40 and recomputed.TotalAmt == 240


def test_sparse_update_with_new_lines_and_no_tax_detail_recomputes(qb_uk):
    code = uk_tax_code(qb_uk, "20")
    saved = uk_invoice(qb_uk, [sales_line(service_item(qb_uk), 1, 100, tax_code=code.Id)]).save(qb=qb_uk)
    body = {"Id": saved.Id, "SyncToken": saved.SyncToken, "sparse": True,
            "Line": [sales_line(service_item(qb_uk), 1, 50, tax_code=code.Id)]}
    data = qb_uk.update_object("Invoice", json.dumps(body))["Invoice"]
    assert data["TxnTaxDetail"]["TotalTax"] == 10 and data["TotalAmt"] == 60


def test_client_supplied_tax_lines_per_rate_are_honoured(qb_uk):
    code = uk_tax_code(qb_uk, "20")
    rate_id = code.SalesTaxRateList.TaxRateDetail[0].TaxRateRef.value
    invoice = uk_invoice(qb_uk, [sales_line(service_item(qb_uk), 1, 97.5, tax_code=code.Id)])
    invoice.TxnTaxDetail = TxnTaxDetail.from_json({"TotalTax": 19.5, "TaxLine": [
        {"Amount": 19.5, "DetailType": "TaxLineDetail",
         "TaxLineDetail": {"TaxRateRef": {"value": rate_id}, "PercentBased": True, "TaxPercent": 20,
                           "NetAmountTaxable": 97.5}}]})
    saved = invoice.save(qb=qb_uk)
    assert saved.TxnTaxDetail.TotalTax == 19.5 and saved.TotalAmt == 117.0
    assert saved.TxnTaxDetail.TaxLine[0].Amount == 19.5
    other_rate = uk_tax_code(qb_uk, "5").SalesTaxRateList.TaxRateDetail[0].TaxRateRef.value
    wrong = uk_invoice(qb_uk, [sales_line(service_item(qb_uk), 1, 10, tax_code=code.Id)])
    wrong.TxnTaxDetail = TxnTaxDetail.from_json({"TaxLine": [
        {"Amount": 1, "DetailType": "TaxLineDetail", "TaxLineDetail": {"TaxRateRef": {"value": other_rate}}}]})
    assert fault_code(lambda: wrong.save(qb=qb_uk)) == 6000


def test_not_applicable_with_any_tax_detail_is_6170(qb_uk):
    invoice = uk_invoice(qb_uk, [sales_line(service_item(qb_uk), 1, 100)], GlobalTaxCalculation="NotApplicable")
    invoice.TxnTaxDetail = TxnTaxDetail()          # python-quickbooks sends {"TotalTax": 0, "TaxLine": []}
    assert fault_code(lambda: invoice.save(qb=qb_uk)) == 6170
    invoice.TxnTaxDetail = None
    assert invoice.save(qb=qb_uk).TotalAmt == 100


def test_omitted_global_tax_calculation_is_2020_as_intuits_reference_requires(qb_uk):
    body = {"CustomerRef": ref(customer(qb_uk, currency="GBP")),
            "Line": [sales_line(service_item(qb_uk), 1, 10, tax_code=uk_tax_code(qb_uk).Id)]}
    with pytest.raises(QuickbooksException) as caught:
        qb_uk.create_object("Invoice", json.dumps(body))
    assert caught.value.error_code == 2020 and "GlobalTaxCalculation" in caught.value.detail


# ------------------------------------------------------------------ tax-inclusive lines
def test_tax_inclusive_lines_come_back_net_with_the_gross_in_tax_inclusive_amt(qb_uk):
    code = uk_tax_code(qb_uk, "20")
    saved = uk_invoice(qb_uk, [sales_line(service_item(qb_uk), 3, 40, tax_code=code.Id)],
                       GlobalTaxCalculation="TaxInclusive").save(qb=qb_uk)
    line = item_lines(saved)[0]
    assert line.Amount == 100 and line.SalesItemLineDetail.UnitPrice == pytest.approx(33.3333333)
    assert line.SalesItemLineDetail.TaxInclusiveAmt == 120
    assert saved.TotalAmt == 120 and saved.TxnTaxDetail.TotalTax == 20
    assert saved.Line[-1].DetailType == "SubTotalLineDetail" and saved.Line[-1].Amount == 100
    # Sent back as read (net Amount, gross TaxInclusiveAmt), nothing changes.
    read = Invoice.get(saved.Id, qb=qb_uk)
    read.Line = item_lines(read)
    read.TxnTaxDetail = None
    again = read.save(qb=qb_uk)
    assert again.TotalAmt == 120 and item_lines(again)[0].Amount == 100


def test_tax_inclusive_gross_policy_keeps_amounts_as_sent(qb_uk, admin):
    admin.configure(policy={"tax_inclusive_lines": "gross"})
    code = uk_tax_code(qb_uk, "20")
    saved = uk_invoice(qb_uk, [sales_line(service_item(qb_uk), 1, 120, tax_code=code.Id)],
                       GlobalTaxCalculation="TaxInclusive").save(qb=qb_uk)
    assert item_lines(saved)[0].Amount == 120 and saved.TotalAmt == 120 and saved.TxnTaxDetail.TotalTax == 20


# ------------------------------------------------------------------ discounts
def discount(percent=None, amount=None):
    line = DiscountLine()
    line.DiscountLineDetail = DiscountLineDetail()
    if percent is not None:
        line.DiscountLineDetail.PercentBased, line.DiscountLineDetail.DiscountPercent = True, percent
    if amount is not None:
        line.Amount = amount
    return line


def test_uk_discount_reduces_the_vat_base_when_tax_applies_after_discount(qb_uk):
    code = uk_tax_code(qb_uk, "20")
    after = uk_invoice(qb_uk, [sales_line(service_item(qb_uk), 1, 100, tax_code=code.Id)],
                       ApplyTaxAfterDiscount=True)
    after.Line.append(discount(percent=10))
    saved = after.save(qb=qb_uk)
    assert saved.TxnTaxDetail.TotalTax == 18 and saved.TotalAmt == 108
    assert saved.TxnTaxDetail.TaxLine[0].TaxLineDetail.NetAmountTaxable == 90
    before = uk_invoice(qb_uk, [sales_line(service_item(qb_uk), 1, 100, tax_code=code.Id)])
    before.Line.append(discount(amount=10))
    saved = before.save(qb=qb_uk)    # ApplyTaxAfterDiscount false: tax first, then the discount
    assert saved.TxnTaxDetail.TotalTax == 20 and saved.TotalAmt == 110


def test_us_discount_reduces_the_taxable_amount_when_tax_applies_after_discount(qb):
    item = service_item(qb)
    invoice = Invoice.from_json({"CustomerRef": ref(customer(qb)), "ApplyTaxAfterDiscount": True,
                                 "Line": [sales_line(item, 1, 100, tax_code="TAX")]})
    invoice.Line.append(discount(percent=10))
    saved = invoice.save(qb=qb)
    taxable = saved.TxnTaxDetail.TaxLine[0].TaxLineDetail.NetAmountTaxable
    assert taxable == 90
    assert saved.TotalAmt == round(90 + saved.TxnTaxDetail.TotalTax, 2)


def test_discount_without_percent_or_amount_is_6090_and_needs_the_preference(qb, admin):
    invoice = Invoice.from_json({"CustomerRef": ref(customer(qb)), "Line": [sales_line(service_item(qb), 1, 50)]})
    invoice.Line.append(DiscountLine())            # python-quickbooks' bare discount line: Amount 0
    assert fault_code(lambda: invoice.save(qb=qb)) == 6090
    admin.patch(US, "Preferences", {"SalesFormsPrefs": {"AllowDiscount": False}})
    invoice.Line[-1] = discount(amount=5)
    with pytest.raises(QuickbooksException) as caught:
        invoice.save(qb=qb)
    assert caught.value.error_code == 6000 and "AllowDiscount" in caught.value.detail


# ------------------------------------------------------------------ US automated sales tax
def test_ast_replaces_a_client_tax_code_sent_alone(qb):
    tucson = [code for code in TaxCode.all(qb=qb) if code.Name == "Tucson"][0]
    cust = customer(qb)   # no DefaultTaxCodeRef: the engine's result is the company's code
    invoice = Invoice.from_json({"CustomerRef": ref(cust), "Line": [sales_line(service_item(qb), 1, 100, "TAX")],
                                 "TxnTaxDetail": {"TxnTaxCodeRef": {"value": tucson.Id}}})
    saved = invoice.save(qb=qb)
    assert saved.TxnTaxDetail.TxnTaxCodeRef.value != tucson.Id
    assert saved.TxnTaxDetail.TotalTax == 8.0     # California 7.25 % + Santa Clara 0.75 %


def test_ast_explicit_total_tax_is_honoured_and_prorated(qb):
    invoice = Invoice.from_json({"CustomerRef": ref(customer(qb)), "Line": [sales_line(service_item(qb), 1, 100, "TAX")],
                                 "TxnTaxDetail": {"TotalTax": 9.99}})
    saved = invoice.save(qb=qb)
    assert saved.TxnTaxDetail.TotalTax == 9.99 and saved.TotalAmt == 109.99
    assert round(sum(line.Amount for line in saved.TxnTaxDetail.TaxLine), 2) == 9.99


def test_ast_zero_total_tax_switch(qb, admin):
    body = {"CustomerRef": ref(customer(qb)), "Line": [sales_line(service_item(qb), 1, 100, "TAX")],
            "TxnTaxDetail": {"TotalTax": 0}}
    assert Invoice.from_json(body).save(qb=qb).TxnTaxDetail.TotalTax == 8.0   # default: 0 is no override
    admin.configure(policy={"ast_zero_total_tax": "override"})
    assert Invoice.from_json(body).save(qb=qb).TxnTaxDetail.TotalTax == 0


# ------------------------------------------------------------------ line rules
def test_line_without_item_is_documentation_by_default(qb, admin):
    no_item = {"DetailType": "SalesItemLineDetail", "Amount": 25, "Description": "Note",
               "SalesItemLineDetail": {"TaxCodeRef": {"value": "NON"}}}
    body = {"CustomerRef": ref(customer(qb)), "Line": [sales_line(service_item(qb), 1, 100), no_item]}
    assert Invoice.from_json(body).save(qb=qb).TotalAmt == 100
    admin.configure(policy={"line_without_item": "default_item"})
    saved = Invoice.from_json(body).save(qb=qb)
    default_item = Item.get("1", qb=qb)
    assert saved.TotalAmt == 125 and item_lines(saved)[1].SalesItemLineDetail.ItemRef.value == default_item.Id


def test_missing_line_amount_is_2020_not_computed(qb):
    line = sales_line(service_item(qb), 2, 10)
    del line["Amount"]
    body = {"CustomerRef": ref(customer(qb)), "Line": [line]}
    with pytest.raises(QuickbooksException) as caught:
        qb.create_object("Invoice", json.dumps(body))
    assert caught.value.error_code == 2020 and "Amount" in caught.value.detail


# ------------------------------------------------------------------ exchange rates
def test_back_dated_foreign_invoice_gets_that_days_rate(qb_uk):
    from quickbooks.objects import Customer
    from quickbooks.objects.exchangerate import ExchangeRate
    euro = Customer.from_json({"DisplayName": "Back-dated Bistro", "CurrencyRef": {"value": "EUR"}}).save(qb=qb_uk)
    code = uk_tax_code(qb_uk, "20")
    old = Invoice.from_json({"CustomerRef": ref(euro), "CurrencyRef": {"value": "EUR"}, "TxnDate": "2024-03-15",
                             "GlobalTaxCalculation": "TaxExcluded", "ExchangeRate": 0,
                             "Line": [sales_line(service_item(qb_uk), 1, 100, tax_code=code.Id)]}).save(qb=qb_uk)
    day_rate = qb_uk.get("%s/company/%s/exchangerate" % (qb_uk.api_url, UK),
                         params={"sourcecurrencycode": "EUR", "asofdate": "2024-03-15"})["ExchangeRate"]["Rate"]
    assert 0.5 < old.ExchangeRate < 1.5 and old.ExchangeRate == day_rate
    later = qb_uk.get("%s/company/%s/exchangerate" % (qb_uk.api_url, UK),
                      params={"sourcecurrencycode": "EUR", "asofdate": "2024-09-15"})["ExchangeRate"]["Rate"]
    assert later != day_rate, "a history, not one rate for every past day"
    found = ExchangeRate.where("SourceCurrencyCode = 'EUR' AND AsOfDate = '2024-03-15'", qb=qb_uk)
    assert [r.Rate for r in found] == [day_rate]
    assert old.HomeTotalAmt == round(120 * day_rate, 2)


def test_omitted_exchange_rate_switch(qb_uk, admin):
    from quickbooks.objects import Customer
    admin.configure(policy={"omitted_exchange_rate": "one"})
    euro = Customer.from_json({"DisplayName": "Par Parisien", "CurrencyRef": {"value": "EUR"}}).save(qb=qb_uk)
    body = {"CustomerRef": ref(euro), "CurrencyRef": {"value": "EUR"}, "GlobalTaxCalculation": "NotApplicable",
            "Line": [sales_line(service_item(qb_uk), 1, 100)]}
    assert json.loads(json.dumps(qb_uk.create_object("Invoice", json.dumps(body))))["Invoice"]["ExchangeRate"] == 1
