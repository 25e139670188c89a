"""Amounts QBO computes on transactions: line amounts, tax, totals, currency.

Amounts are rounded to cents the way QBO stores them. Tax follows the two QBO
models: US (lines say TAX/NON, one transaction tax code, or the automated
sales tax engine), and non-US "global" tax (a real TaxCode on every line and
``GlobalTaxCalculation`` on the transaction).
"""
import datetime
import math

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

    ``Amount`` is required on item lines (Intuit's reference): a line without
    it is refused with 2020, never computed. python-quickbooks sends Qty 0 and
    UnitPrice 0 by default, so the 6070 check applies only when both are
    non-zero (see emulator/README.md).
    """
    detail = line.get(detail_key) or {}
    qty = detail.get("Qty")
    price = detail.get("UnitPrice")
    amount = line.get("Amount")
    if amount is None:
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


class LineRules:
    """What the company and the emulator's policy decide for the lines of one document."""

    __slots__ = ("line_without_item", "default_item", "inclusive_lines", "allow_discount",
                 "ast_zero_override")

    def __init__(self, line_without_item="documentation", default_item=None, inclusive_lines="net",
                 allow_discount=True, ast_zero_override=False):
        self.line_without_item = line_without_item
        self.default_item = default_item
        self.inclusive_lines = inclusive_lines
        self.allow_discount = allow_discount
        self.ast_zero_override = ast_zero_override


DEFAULT_RULES = LineRules()


class _Entry:
    """One counted line: its net amount, gross (tax-inclusive) amount, rates and discount share."""

    __slots__ = ("net", "gross", "rates", "rate_tax", "taxable", "discount")

    def __init__(self, amount):
        self.net = self.gross = amount
        self.rates = ()
        self.rate_tax = None      # {rate Id: tax inside the gross amount} on tax-inclusive lines
        self.taxable = False      # US: line code TAX
        self.discount = 0.0       # the share of transaction discounts, in the line's own terms


def _percent(rate):
    return float(rate.get("RateValue", 0) or 0)


def _global_line_code(detail, code, tax, purchase):
    """The rates of a line's (required, real) TaxCode; also normalises its TaxCodeRef."""
    if not code:
        raise faults.business_validation(
            "Make sure all your transactions have a VAT/GST rate before you save.")
    if str(code) not in tax.tax_codes:
        raise faults.invalid_reference("TaxCode", code, element="TaxCodeRef")
    detail["TaxCodeRef"] = {"value": str(code)}
    return tax.rates_of(code, purchase=purchase)


def _inclusive_line(line, detail, entry, rules):
    """A TaxInclusive line: gross from TaxInclusiveAmt (else Amount), net and tax split per rate.

    As in Intuit's published samples, the line comes back with Amount and
    UnitPrice net of tax and TaxInclusiveAmt carrying the gross (policy
    ``tax_inclusive_lines`` "net"); "gross" keeps Amount as sent.
    """
    sent = detail.get("TaxInclusiveAmt")
    gross = money(number(sent, "TaxInclusiveAmt")) if sent not in (None, "", 0, 0.0) else entry.net
    percent = sum(_percent(rate) for rate in entry.rates)
    net = money(gross / (1 + percent / 100.0)) if percent else gross
    inside = money(gross - net)
    entry.rate_tax, left = {}, inside
    for position, rate in enumerate(entry.rates):
        share = left if position == len(entry.rates) - 1 else money(inside * _percent(rate) / percent)
        left = money(left - share)
        entry.rate_tax[rate["Id"]] = share
    entry.gross, entry.net = gross, net
    if rules.inclusive_lines == "net":
        line["Amount"] = net
        detail["TaxInclusiveAmt"] = gross
        qty = detail.get("Qty")
        if qty:
            detail["UnitPrice"] = round(net / number(qty, "Qty"), 7)


def _tax_line(rate, amount, base):
    return {"Amount": money(amount), "DetailType": "TaxLineDetail", "TaxLineDetail": {
        "TaxRateRef": {"value": rate["Id"], "name": rate.get("Name", "")},
        "PercentBased": True, "TaxPercent": _percent(rate), "NetAmountTaxable": money(base)}}


def _tax_lines(bases):
    """TxnTaxDetail.TaxLine entries for {rate Id: (rate object, taxable base)}."""
    lines, total = [], 0.0
    for rate, base in bases.values():
        amount = money(base * _percent(rate) / 100.0)
        total += amount
        lines.append(_tax_line(rate, amount, base))
    return lines, money(total)


def _global_tax(obj, entries, calc, tax, inclusive):
    """TxnTaxDetail of a non-US document: computed per rate, or the client's TaxLines honoured."""
    supplied = obj.get("TxnTaxDetail")
    if calc == "NotApplicable":
        if supplied is not None:
            raise faults.QBOFault(6170, "TxnTaxDetail not allowed",
                                  "TxnTaxDetail is not allowed when GlobalTaxCalculation is NotApplicable",
                                  element="TxnTaxDetail")
        return None
    bases, inside, order = {}, {}, []
    for entry in entries:
        factor = 1 - (entry.discount / entry.gross if inclusive and entry.gross else
                      entry.discount / entry.net if entry.net else 0.0)
        for rate in entry.rates:
            if rate["Id"] not in bases:
                order.append(rate)
                bases[rate["Id"]] = 0.0
                inside[rate["Id"]] = 0.0
            bases[rate["Id"]] += entry.net * factor
            if entry.rate_tax is not None:
                inside[rate["Id"]] += entry.rate_tax[rate["Id"]] * factor
    computed = {}
    for rate in order:
        base = bases[rate["Id"]]
        amount = inside[rate["Id"]] if inclusive else base * _percent(rate) / 100.0
        computed[rate["Id"]] = _tax_line(rate, amount, base)
    given = [line for line in (supplied or {}).get("TaxLine") or [] if isinstance(line, dict)]
    if given:
        # Intuit: QuickBooks computes TxnTaxDetail "or you may supply it" (Finance.xsd); an update
        # that sends the old detail back keeps the old tax (python-quickbooks users, php-sdk#422).
        seen = set()
        for line in given:
            ref = ((line.get("TaxLineDetail") or {}).get("TaxRateRef") or {}).get("value")
            if ref is None or str(ref) not in tax.tax_rates:
                raise faults.invalid_reference("TaxRate", ref, element="TxnTaxDetail.TaxLine.TaxRateRef")
            ref = str(ref)
            if ref not in computed:
                raise faults.business_validation(
                    "TaxRate %s is not a rate of the tax codes on the lines." % ref)
            if ref in seen:
                raise faults.business_validation("TaxRate %s appears twice in TxnTaxDetail." % ref)
            seen.add(ref)
            amount = money(number(line.get("Amount", 0), "TxnTaxDetail.TaxLine.Amount"))
            sent_base = (line.get("TaxLineDetail") or {}).get("NetAmountTaxable")
            base = number(sent_base, "NetAmountTaxable") if sent_base not in (None, "", 0, 0.0) else bases[ref]
            rate = tax.tax_rates[ref]
            computed[ref] = _tax_line(rate, amount, base)
    lines = [computed[rate["Id"]] for rate in order]
    return {"TotalTax": money(sum(line["Amount"] for line in lines)), "TaxLine": lines}


def _discount(line, entries, inclusive, after_discount, rules):
    """A whole-transaction discount on the lines above it; prorated over them for tax."""
    if not rules.allow_discount:
        raise faults.business_validation(
            "Discounts are turned off: turn on SalesFormsPrefs.AllowDiscount to use a discount line.")
    detail = line.get("DiscountLineDetail") or {}
    base = sum(entry.gross if inclusive else entry.net for entry in entries)
    percent = detail.get("DiscountPercent")
    if percent not in (None, "") and detail.get("PercentBased", True) is not False:
        amount = money(base * number(percent, "DiscountPercent") / 100.0)
    elif line.get("Amount") not in (None, "", 0, 0.0):
        amount = money(number(line["Amount"], "Amount"))
    else:
        raise faults.QBOFault(6090, "Discount line missing a percent or an amount",
                              "A discount line needs DiscountLineDetail.DiscountPercent (PercentBased) "
                              "or an Amount.", element="Line.DiscountLineDetail")
    line["Amount"] = amount
    if after_discount and base:
        for entry in entries:
            entry.discount += (entry.gross if inclusive else entry.net) * amount / base
    return amount


def sales_totals(obj, tax, default_tax_code=None, rules=DEFAULT_RULES):
    """Lines, SubTotal line, TxnTaxDetail and TotalAmt of a sales document."""
    lines = [line for line in obj.get("Line", []) if line.get("DetailType") != "SubTotalLineDetail"]
    calc = None if tax.us else obj.get("GlobalTaxCalculation")
    inclusive = calc == "TaxInclusive"
    after_discount = bool(obj.get("ApplyTaxAfterDiscount"))
    entries, discount, others = [], 0.0, 0.0
    for line in lines:
        kind = line_kind(line, KNOWN_LINES)
        if kind == SALES_LINE:
            detail = line.setdefault(SALES_LINE, {})
            amount = line_amount(line, SALES_LINE)
            line["Amount"] = amount
            if not detail.get("ItemRef"):
                if rules.line_without_item == "default_item" and rules.default_item:
                    detail["ItemRef"] = dict(rules.default_item)
                else:
                    continue   # Intuit's schema: a line without ItemRef is documentation
            entry = _Entry(amount)
            code = (detail.get("TaxCodeRef") or {}).get("value")
            if tax.us:
                code = code or "NON"
                if code not in US_LINE_CODES:
                    raise faults.invalid_line_tax_code(code)
                detail["TaxCodeRef"] = {"value": code}
                entry.taxable = code == "TAX"
            elif calc != "NotApplicable":
                entry.rates = _global_line_code(detail, code, tax, purchase=False)
                if inclusive:
                    _inclusive_line(line, detail, entry, rules)
            entries.append(entry)
        elif kind == "DiscountLineDetail":
            discount += _discount(line, entries, inclusive, after_discount, rules)
        elif kind == "GroupLineDetail":
            others += money(line.get("Amount") or 0)
        elif kind == "DescriptionOnly":
            line["Amount"] = money(line.get("Amount") or 0)
    net = money(sum(entry.net for entry in entries) + others)
    gross = money(sum(entry.gross for entry in entries) + others)
    if tax.us:
        taxable = sum(entry.net - entry.discount for entry in entries if entry.taxable)
        detail = _us_tax(obj, tax, money(taxable), default_tax_code, rules)
    else:
        detail = _global_tax(obj, entries, calc, tax, inclusive)
    total_tax = detail.get("TotalTax", 0.0) if detail else 0.0
    if detail:
        obj["TxnTaxDetail"] = detail
    else:
        obj.pop("TxnTaxDetail", None)
    if inclusive:
        obj["TotalAmt"] = money(gross - discount)
        subtotal = net if rules.inclusive_lines == "net" else gross
    else:
        obj["TotalAmt"] = money(net - discount + total_tax)
        subtotal = net
    lines.append({"Amount": subtotal, "DetailType": "SubTotalLineDetail", "SubTotalLineDetail": {}})
    obj["Line"] = lines
    number_lines([line for line in lines if line["DetailType"] != "SubTotalLineDetail"])
    lines[-1].pop("Id", None)


def _us_tax(obj, tax, taxable, default_tax_code, rules=DEFAULT_RULES):
    """US: the transaction's tax code (or, under automated sales tax, the engine's) and its rates.

    Under automated sales tax a client's TxnTaxCodeRef alone is replaced by the
    engine's result; only an explicit TotalTax overrides it, and that amount
    is honoured and prorated over the rates (Intuit blog 2017-12-11; php-sdk#199).
    """
    detail = obj.get("TxnTaxDetail") or {}
    client_code = (detail.get("TxnTaxCodeRef") or {}).get("value")
    if client_code == "CustomSalesTax":
        raise faults.QBOFault(6160, "Invalid TaxCodeRef",
                              "TaxCode CustomSalesTax is reserved for the old sales tax model and cannot be "
                              "used as TxnTaxCodeRef.", element="TxnTaxDetail.TxnTaxCodeRef")
    explicit = detail.get("TotalTax")
    explicit = None if explicit in (None, "") else money(number(explicit, "TxnTaxDetail.TotalTax"))
    override = explicit is not None and (explicit != 0 or rules.ast_zero_override)
    if tax.ast:
        code_id = client_code if override and client_code else default_tax_code
    else:
        code_id = client_code
    if not code_id and not override:
        return {"TotalTax": 0.0} if taxable else None
    bases = {}
    for rate in tax.rates_of(code_id) if code_id else []:
        bases[rate["Id"]] = (rate, taxable)
    lines, total = _tax_lines(bases)
    if override and explicit != total:
        # Intuit honours an explicit amount and prorates it over the rates.
        total = explicit
        computed = sum(line["Amount"] for line in lines)
        left = total
        for position, line in enumerate(lines):
            if position == len(lines) - 1:
                line["Amount"] = money(left)
            else:
                line["Amount"] = money(line["Amount"] * total / computed) if computed else \
                    money(total / len(lines))
                left = money(left - line["Amount"])
    result = {"TotalTax": total, "TaxLine": lines}
    if code_id:
        code = tax.tax_codes.get(str(code_id), {})
        result["TxnTaxCodeRef"] = {"value": str(code_id), "name": code.get("Name", "")}
    return result


def expense_totals(obj, tax, rules=DEFAULT_RULES):
    """Bills, purchases, vendor credits and purchase orders."""
    lines, entries = obj.get("Line", []), []
    calc = None if tax.us else obj.get("GlobalTaxCalculation")
    inclusive = calc == "TaxInclusive"
    for line in lines:
        kind = line_kind(line, EXPENSE_LINES)
        line["Amount"] = line_amount(line, kind)
        detail = line.setdefault(kind, {})
        entry = _Entry(line["Amount"])
        code = (detail.get("TaxCodeRef") or {}).get("value")
        if tax.us:
            if code and code not in US_LINE_CODES and code not in tax.tax_codes:
                raise faults.invalid_line_tax_code(code)
        elif calc != "NotApplicable":
            entry.rates = _global_line_code(detail, code, tax, purchase=True)
            if inclusive:
                _inclusive_line(line, detail, entry, rules)
        entries.append(entry)
    number_lines(lines)
    detail = None if tax.us else _global_tax(obj, entries, calc, tax, inclusive)
    total_tax = detail["TotalTax"] if detail else 0.0
    if detail:
        obj["TxnTaxDetail"] = detail
    if inclusive:
        obj["TotalAmt"] = money(sum(entry.gross for entry in entries))
    else:
        obj["TotalAmt"] = money(sum(entry.net for entry in entries) + total_tax)


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


# US dollars per unit, roughly: the level of the emulator's market history of each currency.
_USD_VALUE = {"USD": 1.0, "EUR": 1.08, "GBP": 1.27, "CAD": 0.73, "AUD": 0.66, "NZD": 0.60, "CHF": 1.12,
              "JPY": 0.0067, "INR": 0.012, "MXN": 0.058, "ZAR": 0.055, "SGD": 0.74, "HKD": 0.128}
_EPOCH = datetime.date(2000, 1, 1)


def _usd_value(code, days):
    phase = sum((i + 1) * ord(ch) for i, ch in enumerate(code))
    wave = (0.04 * math.sin(2 * math.pi * (days + 7 * phase) / 365.25)
            + 0.015 * math.sin(2 * math.pi * (days + phase) / 30.4))
    return _USD_VALUE.get(code, 1.0) * (1 + wave)


def market_rate(code, home, date, anchor=None):
    """A deterministic daily "market" rate (home units per ``code`` unit) for any past date.

    With ``anchor`` (date, rate) the series is scaled to pass through it, so it
    joins the first rate the company stores.
    """
    def raw(day):
        days = (datetime.date.fromisoformat(day[:10]) - _EPOCH).days
        return _usd_value(code, days) / _usd_value(home, days)
    value = raw(date)
    if anchor:
        value *= float(anchor[1]) / raw(anchor[0])
    return round(value, 6)
