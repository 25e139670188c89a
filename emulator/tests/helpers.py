"""Small builders the emulator tests share: look up seeded records, make documents."""
from quickbooks.objects import Account, Customer, Item, Vendor, TaxCode


def account(qb, account_type, subtype=None):
    where = "AccountType = '%s'" % account_type
    if subtype:
        where += " AND AccountSubType = '%s'" % subtype
    found = Account.where(where + " AND Active = true", qb=qb)
    assert found, "the preset has no %s account" % account_type
    return found[0]


def customer(qb, currency=None):
    where = "Active = true AND Job = false"
    found = [c for c in Customer.where(where, qb=qb)
             if currency is None or c.CurrencyRef.value == currency]
    assert found, "the preset has no customer in %s" % currency
    return found[0]


def vendor(qb, currency=None):
    found = [v for v in Vendor.where("Active = true", qb=qb)
             if currency is None or v.CurrencyRef.value == currency]
    assert found
    return found[0]


def service_item(qb):
    return Item.where("Type = 'Service' AND Active = true", qb=qb)[0]


def ref(obj):
    return {"value": obj.Id, "name": getattr(obj, "DisplayName", None) or getattr(obj, "Name", "")}


def sales_line(item, qty, price, tax_code="NON", amount=None):
    return {"DetailType": "SalesItemLineDetail",
            "Amount": round(qty * price, 2) if amount is None else amount,
            "SalesItemLineDetail": {"ItemRef": ref(item), "Qty": qty, "UnitPrice": price,
                                    "TaxCodeRef": {"value": tax_code}}}


def expense_line(acct, amount, tax_code=None):
    detail = {"AccountRef": ref(acct)}
    if tax_code:
        detail["TaxCodeRef"] = {"value": tax_code}
    return {"DetailType": "AccountBasedExpenseLineDetail", "Amount": amount,
            "AccountBasedExpenseLineDetail": detail}


def uk_tax_code(qb, name_start="20"):
    return [t for t in TaxCode.all(qb=qb) if t.Name.startswith(name_start)][0]
