"""Months of trading for a preset company, generated in code rather than typed out.

Intuit's sample companies come with a year of documents: invoices paid, part
paid, open and overdue, the payments that settle them, bills and bill
payments. ``trading`` builds such a history from a preset's own customers,
items, vendors and accounts. It is deterministic (the same records on every
load) and payments name what they settle symbolically (``{"@open":
"Invoice:1009", "share": 0.5}`` is half of that invoice's balance when the
payment is loaded), so totals computed by the emulator's own tax rules always
match.
"""
import datetime

CUTOFF = datetime.date(2026, 11, 28)   # nothing is paid after this date in the sample books


def _date(year, month, day):
    return datetime.date(year, month, min(day, 28))


def _open(entity, number, share=1.0):
    return {"@open": "%s:%s" % (entity, number), "share": share}


def trading(*, first_invoice, invoices, customers, sale_lines, invoice, payment,
            bills, vendors, bill_lines, bill, bill_payment, year=2026, first_bill_number=5001):
    """Records (entity, payload) for ``invoices`` invoices and ``bills`` bills over January-November.

    The callables build each record in the preset's own shape:
    ``sale_lines(k)``, ``invoice(k, number, customer, date, due, lines)``,
    ``payment(k, customer, date, number, amount)``, ``bill_lines(k)``,
    ``bill(k, number, vendor, date, due, lines)`` and
    ``bill_payment(k, vendor, date, number, amount)`` (dates as ISO strings,
    ``amount`` a symbolic ``@open`` value).

    Invoice k is paid in full (k % 4 in 0, 3), half paid (k % 4 == 1) or left
    open (k % 4 == 2, overdue once its due date has passed); bill k is paid
    (k % 3 == 0), half paid (k % 3 == 1) or open.
    """
    sales, money_in, purchases, money_out = [], [], [], []
    for k in range(invoices):
        month = 1 + (k * 11) // invoices
        issued = _date(year, month, 3 + (k * 7) % 24)
        due = issued + datetime.timedelta(days=30)
        number = str(first_invoice + k)
        customer = customers[k % len(customers)]
        sales.append(invoice(k, number, customer, issued.isoformat(), due.isoformat(), sale_lines(k)))
        paid_on = issued + datetime.timedelta(days=10 + k % 15)
        share = {0: 1.0, 1: 0.5, 3: 1.0}.get(k % 4)
        if share and paid_on <= CUTOFF:
            money_in.append(payment(k, customer, paid_on.isoformat(), number, _open("Invoice", number, share)))
    for k in range(bills):
        month = 1 + (k * 11) // bills
        issued = _date(year, month, 5 + (k * 5) % 22)
        due = issued + datetime.timedelta(days=30)
        number = "B-%d" % (first_bill_number + k)
        vendor = vendors[k % len(vendors)]
        purchases.append(bill(k, number, vendor, issued.isoformat(), due.isoformat(), bill_lines(k)))
        paid_on = issued + datetime.timedelta(days=14 + k % 10)
        share = {0: 1.0, 1: 0.5}.get(k % 3)
        if share and paid_on <= CUTOFF:
            money_out.append(bill_payment(k, vendor, paid_on.isoformat(), number, _open("Bill", number, share)))
    return sales + money_in + purchases + money_out
