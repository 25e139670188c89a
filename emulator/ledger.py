"""Amounts QBO computes on transactions: line amounts, tax, totals, currency.

Amounts are rounded to cents the way QBO stores them. Tax follows the two QBO
models: US (lines say TAX/NON, one transaction tax code, or the automated
sales tax engine), and non-US "global" tax (a real TaxCode on every line and
``GlobalTaxCalculation`` on the transaction).
"""
from . import faults

SALES_LINE = "SalesItemLineDetail"
EXPENSE_LINES = ("AccountBasedExpenseLineDetail", "ItemBasedExpenseLineDetail")
KNOWN_LINES = {"SalesItemLineDetail", "DiscountLineDetail", "DescriptionOnly", "GroupLineDetail",
               "SubTotalLineDetail", "AccountBasedExpenseLineDetail", "ItemBasedExpenseLineDetail",
               "JournalEntryLineDetail", "DepositLineDetail", "TDSLineDetail", "PaymentLineDetail"}
US_LINE_CODES = ("TAX", "NON")


def money(value):
    return round(float(value) + 0.0, 2)


def number(value, element):
    try:
        return float(value)
    except (TypeError, ValueError):
        raise faults.QBOFault(2010, "Request has invalid or unsupported property",
                              "Property %s has an invalid value: %r" % (element, value), element=element)


def line_kind(line, allowed):
    """The line's DetailType, refused with 2170 unless it is one of ``allowed``."""
    kind = line.get("DetailType")
    if kind not in allowed:
        raise faults.QBOFault(2170, "Invalid Enumeration", "Invalid DetailType: %s" % kind,
                              element="Line.DetailType")
    return kind


def line_amount(line, detail_key):
    """The line's Amount, checked against Qty x UnitPrice when both are given.

    python-quickbooks sends Qty 0 and UnitPrice 0 by default, so the check
    applies only when both are non-zero (see emulator/README.md).
    """
    detail = line.get(detail_key) or {}
    qty = detail.get("Qty")
    price = detail.get("UnitPrice")
    amount = line.get("Amount")
    if amount is None:
        if qty and price:
            return money(number(qty, "Qty") * number(price, "UnitPrice"))
        raise faults.required_param("Line.Amount")
    amount = money(number(amount, "Amount"))
    if qty and price:
        expected = money(number(qty, "Qty") * number(price, "UnitPrice"))
        if abs(expected - amount) > 0.005:
            raise faults.amount_mismatch(amount)
    return amount


def number_lines(lines, previous=None):
    """Give each line an Id and LineNum, keeping the Ids of lines sent back."""
    used = {str(line.get("Id")) for line in lines if line.get("Id")}
    taken = [int(i) for i in used if i.isdigit()]
    next_id = max(taken + [0])
    for position, line in enumerate(lines, start=1):
        if not line.get("Id"):
            next_id += 1
            line["Id"] = str(next_id)
        line["LineNum"] = position


class TaxContext:
    """What the tax rules need to know of the company."""

    def __init__(self, us, ast, tax_codes, tax_rates):
        self.us = us
        self.ast = ast
        self.tax_codes = tax_codes
        self.tax_rates = tax_rates

    def rates_of(self, code_id, purchase=False):
        code = self.tax_codes.get(str(code_id))
        if not code:
            return []
        key = "PurchaseTaxRateList" if purchase else "SalesTaxRateList"
        result = []
        for detail in (code.get(key) or {}).get("TaxRateDetail", []):
            rate = self.tax_rates.get(str(detail.get("TaxRateRef", {}).get("value")))
            if rate:
                result.append(rate)
        return result


def _tax_lines(bases):
    """TxnTaxDetail.TaxLine entries for {rate Id: (rate object, taxable base)}."""
    lines, total = [], 0.0
    for rate, base in bases.values():
        percent = float(rate.get("RateValue", 0))
        amount = money(base * percent / 100.0)
        total += amount
        lines.append({"Amount": amount, "DetailType": "TaxLineDetail", "TaxLineDetail": {
            "TaxRateRef": {"value": rate["Id"], "name": rate.get("Name", "")},
            "PercentBased": True, "TaxPercent": percent, "NetAmountTaxable": money(base)}})
    return lines, money(total)


def sales_totals(obj, tax, default_tax_code=None):
    """Lines, SubTotal line, TxnTaxDetail and TotalAmt of a sales document."""
    lines = [line for line in obj.get("Line", []) if line.get("DetailType") != "SubTotalLineDetail"]
    subtotal, discount, taxable, bases = 0.0, 0.0, 0.0, {}
    calc = obj.get("GlobalTaxCalculation")
    for line in lines:
        kind = line_kind(line, KNOWN_LINES)
        if kind == SALES_LINE:
            amount = line_amount(line, SALES_LINE)
            line["Amount"] = amount
            subtotal += amount
            detail = line.setdefault(SALES_LINE, {})
            code = (detail.get("TaxCodeRef") or {}).get("value")
            if tax.us:
                code = code or "NON"
                if code not in US_LINE_CODES:
                    raise faults.invalid_line_tax_code(code)
                detail["TaxCodeRef"] = {"value": code}
                if code == "TAX":
                    taxable += amount
            elif calc != "NotApplicable":
                _global_line_tax(line, detail, code, tax, bases, calc, purchase=False)
        elif kind == "DiscountLineDetail":
            detail = line.get("DiscountLineDetail") or {}
            if detail.get("PercentBased") and detail.get("DiscountPercent") is not None:
                line["Amount"] = money(subtotal * float(detail["DiscountPercent"]) / 100.0)
            discount += money(line.get("Amount") or 0)
        elif kind == "GroupLineDetail":
            subtotal += money(line.get("Amount") or 0)
        elif kind == "DescriptionOnly":
            line["Amount"] = money(line.get("Amount") or 0)
    subtotal = money(subtotal)
    if tax.us:
        detail = _us_tax(obj, tax, taxable, default_tax_code)
    else:
        detail = _global_tax_detail(obj, bases, calc)
    total_tax = detail.get("TotalTax", 0.0) if detail else 0.0
    if detail:
        obj["TxnTaxDetail"] = detail
    else:
        obj.pop("TxnTaxDetail", None)
    inclusive = (not tax.us) and calc == "TaxInclusive"
    obj["TotalAmt"] = money(subtotal - discount + (0 if inclusive else total_tax))
    lines.append({"Amount": subtotal, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}})
    obj["Line"] = lines
    number_lines([line for line in lines if line["DetailType"] != "SubTotalLineDetail"])
    lines[-1].pop("Id", None)


def _us_tax(obj, tax, taxable, default_tax_code):
    detail = obj.get("TxnTaxDetail") or {}
    code_id = (detail.get("TxnTaxCodeRef") or {}).get("value")
    if not code_id and tax.ast:
        code_id = default_tax_code
    explicit = detail.get("TotalTax")
    if not code_id and not explicit:
        return {"TotalTax": 0.0} if taxable else None
    bases = {}
    for rate in tax.rates_of(code_id) if code_id else []:
        bases[rate["Id"]] = (rate, taxable)
    lines, total = _tax_lines(bases)
    if explicit not in (None, "", 0, 0.0) and money(explicit) != total:
        # Intuit honours an explicit amount and prorates it over the rates.
        total = money(explicit)
        if lines:
            share = total / max(sum(line["Amount"] for line in lines), 0.01)
            for line in lines:
                line["Amount"] = money(line["Amount"] * share)
    result = {"TotalTax": total, "TaxLine": lines}
    if code_id:
        code = tax.tax_codes.get(str(code_id), {})
        result["TxnTaxCodeRef"] = {"value": str(code_id), "name": code.get("Name", "")}
    return result


def _global_line_tax(line, detail, code, tax, bases, calc, purchase):
    if not code:
        raise faults.business_validation(
            "Make sure all your transactions have a VAT/GST rate before you save.")
    if str(code) not in tax.tax_codes:
        raise faults.invalid_reference("TaxCode", code, element="TaxCodeRef")
    amount = line["Amount"]
    rates = tax.rates_of(code, purchase=purchase)
    if calc == "TaxInclusive":
        percent = sum(float(r.get("RateValue", 0)) for r in rates)
        amount = amount / (1 + percent / 100.0)
    for rate in rates:
        previous = bases.get(rate["Id"], (rate, 0.0))[1]
        bases[rate["Id"]] = (rate, previous + amount)
    detail["TaxCodeRef"] = {"value": str(code)}


def _global_tax_detail(obj, bases, calc):
    if calc == "NotApplicable":
        if obj.get("TxnTaxDetail", {}).get("TaxLine"):
            raise faults.QBOFault(6170, "TxnTaxDetail not allowed",
                                  "TxnTaxDetail is not allowed when GlobalTaxCalculation is NotApplicable")
        return None
    lines, total = _tax_lines(bases)
    return {"TotalTax": total, "TaxLine": lines}


def expense_totals(obj, tax):
    """Bills, purchases, vendor credits and purchase orders."""
    lines, total, bases = obj.get("Line", []), 0.0, {}
    calc = obj.get("GlobalTaxCalculation")
    for line in lines:
        kind = line_kind(line, EXPENSE_LINES)
        line["Amount"] = line_amount(line, kind)
        total += line["Amount"]
        detail = line.setdefault(kind, {})
        code = (detail.get("TaxCodeRef") or {}).get("value")
        if tax.us:
            if code and code not in US_LINE_CODES and code not in tax.tax_codes:
                raise faults.invalid_line_tax_code(code)
        elif calc != "NotApplicable":
            _global_line_tax(line, detail, code, tax, bases, calc, purchase=True)
    number_lines(lines)
    detail = None if tax.us else _global_tax_detail(obj, bases, calc)
    total_tax = detail["TotalTax"] if detail else 0.0
    if detail:
        obj["TxnTaxDetail"] = detail
    inclusive = (not tax.us) and calc == "TaxInclusive"
    obj["TotalAmt"] = money(total + (0 if inclusive else total_tax))


def journal_totals(obj):
    debit = credit = 0.0
    for line in obj.get("Line", []):
        detail = line.get("JournalEntryLineDetail")
        if line.get("DetailType") != "JournalEntryLineDetail" or not detail:
            raise faults.required_param("Line.JournalEntryLineDetail")
        posting = detail.get("PostingType")
        if posting not in ("Debit", "Credit"):
            raise faults.QBOFault(2260, "Missing PostingType",
                                  "Journal entry lines need PostingType Debit or Credit",
                                  element="PostingType")
        if not detail.get("AccountRef"):
            raise faults.required_param("Line.JournalEntryLineDetail.AccountRef")
        amount = money(number(line.get("Amount", 0), "Amount"))
        if amount < 0:
            raise faults.QBOFault(2290, "Invalid amount", "Amount cannot be negative", element="Amount")
        line["Amount"] = amount
        if posting == "Debit":
            debit += amount
        else:
            credit += amount
    if money(debit) != money(credit):
        raise faults.business_validation("You must balance debits and credits.")
    number_lines(obj.get("Line", []))
    obj["TotalAmt"] = money(debit)


def deposit_totals(obj):
    total = 0.0
    for line in obj.get("Line", []):
        line["Amount"] = money(number(line.get("Amount", 0), "Amount"))
        total += line["Amount"]
    number_lines(obj.get("Line", []))
    obj["TotalAmt"] = money(total)
