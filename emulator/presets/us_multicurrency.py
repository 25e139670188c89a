"""US company with multicurrency on: the US sample company plus Canadian and euro customers and suppliers.

Everything of ``us`` (automated sales tax, a year of trading), and on top:
``CurrencyPrefs.MultiCurrencyEnabled``, CAD and EUR as company currencies with
a monthly rate history since January 2025, receivable, payable and bank
accounts in each, two customers and a supplier per currency and their
invoices, payments, bills and bill payments (foreign documents take the
stored rate of their date, as QuickBooks does when ExchangeRate is omitted).
Not loaded by default: ``POST /_emulator/realms {"preset": "us_multicurrency"}``
or ``--preset us_multicurrency``.
"""
import copy
import datetime

from .. import ledger
from . import us
from .us import _addr, _bill, _customer, _expense, _ref, _sale, _vendor

REALM_ID = "9341452727711003"
UTC_OFFSET_MINUTES = us.UTC_OFFSET_MINUTES

_CAD = {"value": "CAD", "name": "Canadian Dollar"}
_EUR = {"value": "EUR", "name": "Euro"}

COMPANY_INFO = dict(copy.deepcopy(us.COMPANY_INFO), CompanyName="Craig's Design and Landscaping International",
                    LegalName="Craig's Design and Landscaping International LLC")

PREFERENCES = copy.deepcopy(us.PREFERENCES)
PREFERENCES["CurrencyPrefs"] = {"MultiCurrencyEnabled": True, "HomeCurrency": {"value": "USD"}}

CURRENCIES = [{"Code": "CAD", "Name": "Canadian Dollar", "Active": True},
              {"Code": "EUR", "Name": "Euro", "Active": True}]


def _history(first=datetime.date(2025, 1, 1), last=datetime.date(2026, 11, 1)):
    """Month-start rates since January 2025, from the emulator's market series."""
    rates, day = [], first
    while day <= last:
        for code in ("CAD", "EUR"):
            rates.append({"SourceCurrencyCode": code, "TargetCurrencyCode": "USD", "AsOfDate": day.isoformat(),
                          "Rate": ledger.market_rate(code, "USD", day.isoformat())})
        day = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return rates


EXCHANGE_RATES = _history()


def _foreign_account(name, type_, subtype, num, currency):
    return ("Account", {"Name": name, "AccountType": type_, "AccountSubType": subtype, "AcctNum": num,
                        "Active": True, "CurrencyRef": currency})


_ACCOUNTS = [
    _foreign_account("Checking CAD", "Bank", "Checking", "1011", _CAD),
    _foreign_account("Checking EUR", "Bank", "Checking", "1012", _EUR),
    _foreign_account("Accounts Receivable CAD", "Accounts Receivable", "AccountsReceivable", "1101", _CAD),
    _foreign_account("Accounts Receivable EUR", "Accounts Receivable", "AccountsReceivable", "1102", _EUR),
    _foreign_account("Accounts Payable CAD", "Accounts Payable", "AccountsPayable", "2001", _CAD),
    _foreign_account("Accounts Payable EUR", "Accounts Payable", "AccountsPayable", "2002", _EUR),
]

_CUSTOMERS = [
    _customer("Maple Leaf Gardens", "Maple Leaf Gardens Ltd", "Claire", "Tremblay", "claire@mapleleaf.example.ca",
              "+1 416 555 0199", _addr("40 Bay St.", "Toronto", "ON", "M5J 2X2", "CA"), Taxable=False,
              CurrencyRef=_CAD, SalesTermRef=_ref("Term", "Net 30")),
    _customer("Vancouver Green Roofs", "Vancouver Green Roofs Inc", "Ethan", "Wong", "ethan@greenroofs.example.ca",
              "+1 604 555 0142", _addr("1055 W Georgia St.", "Vancouver", "BC", "V6E 3P3", "CA"), Taxable=False,
              CurrencyRef=_CAD, SalesTermRef=_ref("Term", "Net 30")),
    _customer("Berliner Gartenbau", "Berliner Gartenbau GmbH", "Lena", "Vogel", "lena@gartenbau.example.de",
              "+49 30 5550 0101", _addr("Unter den Linden 10", "Berlin", "BE", "10117", "DE"), Taxable=False,
              CurrencyRef=_EUR, SalesTermRef=_ref("Term", "Net 30")),
    _customer("Jardins de Provence", "Jardins de Provence SARL", "Louis", "Martin", "louis@provence.example.fr",
              "+33 4 90 55 50 10", _addr("12 Cours Mirabeau", "Aix-en-Provence", "PAC", "13100", "FR"),
              Taxable=False, CurrencyRef=_EUR, SalesTermRef=_ref("Term", "Net 30")),
]

_VENDORS = [
    _vendor("Northern Nursery Supply", "Northern Nursery Supply Ltd", email="orders@northern.example.ca",
            bill=_addr("77 King St W", "Toronto", "ON", "M5K 1A1", "CA"), CurrencyRef=_CAD),
    _vendor("Hortus Bulbs", "Hortus Bulbs BV", email="export@hortus.example.nl",
            bill=_addr("Heereweg 200", "Lisse", "ZH", "2161 CA", "NL"), CurrencyRef=_EUR),
]

_CUSTOMER_CURRENCY = {"Maple Leaf Gardens": _CAD, "Vancouver Green Roofs": _CAD,
                      "Berliner Gartenbau": _EUR, "Jardins de Provence": _EUR}
_BANK = {"CAD": "Checking CAD", "EUR": "Checking EUR"}
_PAYABLE = {"CAD": "Accounts Payable CAD", "EUR": "Accounts Payable EUR"}


def _foreign_invoice(number, customer, date, due, lines):
    currency = _CUSTOMER_CURRENCY[customer]
    return ("Invoice", {"DocNumber": number, "CustomerRef": _ref("Customer", customer), "TxnDate": date,
                        "DueDate": due, "CurrencyRef": currency, "SalesTermRef": _ref("Term", "Net 30"),
                        "ARAccountRef": _ref("Account", "Accounts Receivable %s" % currency["value"]),
                        "Line": lines})


def _foreign_payment(customer, date, number, amount):
    currency = _CUSTOMER_CURRENCY[customer]
    return ("Payment", {"CustomerRef": _ref("Customer", customer), "TxnDate": date, "TotalAmt": amount,
                        "CurrencyRef": currency, "DepositToAccountRef": _ref("Account", _BANK[currency["value"]]),
                        "Line": [{"Amount": amount, "LinkedTxn": [{"TxnId": _ref("Invoice", number),
                                                                   "TxnType": "Invoice"}]}]})


def _foreign_bill(number, vendor, currency, date, due, amount, description):
    return _bill(number, vendor, date, due, [_expense("Job Materials Purchased", amount, description)],
                 term="Net 30", CurrencyRef=currency,
                 APAccountRef=_ref("Account", _PAYABLE[currency["value"]]))


def _foreign_bill_payment(number, vendor, currency, date, bill, amount):
    return ("BillPayment", {
        "DocNumber": number, "VendorRef": _ref("Vendor", vendor), "TxnDate": date, "PayType": "Check",
        "TotalAmt": amount, "CurrencyRef": currency, "APAccountRef": _ref("Account", _PAYABLE[currency["value"]]),
        "CheckPayment": {"BankAccountRef": _ref("Account", _BANK[currency["value"]]), "PrintStatus": "NotSet"},
        "Line": [{"Amount": amount, "LinkedTxn": [{"TxnId": _ref("Bill", bill), "TxnType": "Bill"}]}]})


def _open(entity, number, share=1.0):
    return {"@open": "%s:%s" % (entity, number), "share": share}


_FOREIGN = [
    _foreign_invoice("2001", "Maple Leaf Gardens", "2026-02-10", "2026-03-12",
                     [_sale("Design", 12, 75, description="Rooftop garden concept")]),
    _foreign_invoice("2002", "Berliner Gartenbau", "2026-03-18", "2026-04-17",
                     [_sale("Design", 20, 75, description="Courtyard planting plan")]),
    _foreign_invoice("2003", "Vancouver Green Roofs", "2026-05-06", "2026-06-05",
                     [_sale("Installation", 16, 50), _sale("Soil", 40, 10)]),
    _foreign_invoice("2004", "Jardins de Provence", "2026-07-14", "2026-08-13",
                     [_sale("Design", 8, 75, description="Lavender terrace design")]),
    _foreign_invoice("2005", "Maple Leaf Gardens", "2026-09-02", "2026-10-02",
                     [_sale("Gardening", 24, 30, description="Seasonal maintenance")]),
    _foreign_invoice("2006", "Berliner Gartenbau", "2026-10-20", "2026-11-19",
                     [_sale("Trimming", 10, 35), _sale("Pest Control", 3, 35)]),
    _foreign_payment("Maple Leaf Gardens", "2026-03-05", "2001", _open("Invoice", "2001")),
    _foreign_payment("Berliner Gartenbau", "2026-04-20", "2002", _open("Invoice", "2002", 0.5)),
    _foreign_payment("Vancouver Green Roofs", "2026-06-01", "2003", _open("Invoice", "2003")),
    _foreign_payment("Jardins de Provence", "2026-08-30", "2004", _open("Invoice", "2004")),
    _foreign_bill("NNS-4410", "Northern Nursery Supply", _CAD, "2026-04-02", "2026-05-02", 1850.00,
                  "Native perennials, 40 flats"),
    _foreign_bill("HB-2026-31", "Hortus Bulbs", _EUR, "2026-08-11", "2026-09-10", 920.00, "Tulip bulbs, 12 crates"),
    _foreign_bill_payment("CAD-101", "Northern Nursery Supply", _CAD, "2026-04-28", "NNS-4410",
                          _open("Bill", "NNS-4410")),
]

_N_ACCOUNTS = len(us._ACCOUNTS)
RECORDS = (list(us.RECORDS[:_N_ACCOUNTS]) + _ACCOUNTS + list(us.RECORDS[_N_ACCOUNTS:])
           + _CUSTOMERS + _VENDORS + _FOREIGN)
