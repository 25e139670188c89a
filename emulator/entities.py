"""What the emulator knows about each QBO entity: endpoint, kind, rules.

Kinds decide the write semantics QBO applies:
- ``name``: customers, vendors, employees; DisplayName unique across all three,
  soft-deleted with ``Active=false``;
- ``list``: accounts, items, terms, ...; soft-deleted with ``Active=false``;
- ``txn``: transactions; hard delete with ``operation=delete``, dated, numbered;
- ``readonly``: readable and queryable, never written through the API;
- ``singleton``: CompanyInfo and Preferences, one per company.
"""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class EntityType:
    name: str
    kind: str
    required: tuple = ()
    # Reference fields checked for existence (2500) and activity (610).
    refs: dict = field(default_factory=dict)
    void_style: str = ""          # "void" (operation=void) or "update" (include=void)
    unique_name: str = ""         # field that must be unique within the entity
    id_space: str = ""            # entities sharing an Id sequence
    sales: bool = False           # sales document: lines carry sales tax codes
    doc_prefix: str = ""          # auto DocNumber start
    cdc: bool = True
    webhook: bool = True
    json_name: str = ""           # the JSON key when it is not the entity name (CreditCardPaymentTxn)
    closed_books: bool = True     # refused on or before the closing date (6210)

    @property
    def endpoint(self):
        return self.name.lower()

    @property
    def key(self):
        """The key the entity's JSON is wrapped in, in answers and queries."""
        return self.json_name or self.name


def _t(name, required, refs=None, **kw):
    return EntityType(name, "txn", tuple(required), refs or {}, id_space="txn", **kw)


def _l(name, required, refs=None, **kw):
    return EntityType(name, "list", tuple(required), refs or {}, **kw)


_NAME_REFS = {"SalesTermRef": "Term", "ParentRef": "Customer", "PaymentMethodRef": "PaymentMethod",
              "DefaultTaxCodeRef": "TaxCode", "ARAccountRef": "Account"}

ENTITIES = {e.name: e for e in [
    EntityType("Customer", "name", refs=_NAME_REFS, id_space="name"),
    EntityType("Vendor", "name", refs={"TermRef": "Term", "APAccountRef": "Account"}, id_space="name"),
    EntityType("Employee", "name", id_space="name"),
    _l("Account", ["Name"], {"ParentRef": "Account", "TaxCodeRef": "TaxCode"}, unique_name="Name"),
    _l("Item", ["Name", "Type"], {"IncomeAccountRef": "Account", "ExpenseAccountRef": "Account",
                                   "AssetAccountRef": "Account", "ParentRef": "Item",
                                   "SalesTaxCodeRef": "TaxCode", "PurchaseTaxCodeRef": "TaxCode"},
       unique_name="Name"),
    _l("Term", ["Name"], unique_name="Name"),
    _l("PaymentMethod", ["Name"], {"DepositToAccountRef": "Account"}, unique_name="Name"),
    _l("Class", ["Name"], {"ParentRef": "Class"}, unique_name="Name"),
    _l("Department", ["Name"], {"ParentRef": "Department"}, unique_name="Name"),
    _l("TaxAgency", ["DisplayName"], unique_name="DisplayName", cdc=False),
    _l("CompanyCurrency", ["Code"], unique_name="Code"),
    EntityType("TaxCode", "readonly", cdc=False, webhook=False),
    EntityType("TaxRate", "readonly", refs={"AgencyRef": "TaxAgency"}, cdc=False, webhook=False),
    EntityType("CompanyInfo", "singleton", webhook=False),
    EntityType("Preferences", "singleton"),
    EntityType("ExchangeRate", "singleton", cdc=False, webhook=False),
    _t("Invoice", ["CustomerRef", "Line"], {"CustomerRef": "Customer", "SalesTermRef": "Term",
                                             "ClassRef": "Class", "DepartmentRef": "Department",
                                             "ARAccountRef": "Account", "DepositToAccountRef": "Account"},
       void_style="void", sales=True, doc_prefix="1001"),
    _t("CreditMemo", ["CustomerRef", "Line"], {"CustomerRef": "Customer", "ClassRef": "Class",
                                                "DepartmentRef": "Department"},
       sales=True, doc_prefix="5001"),
    _t("SalesReceipt", ["CustomerRef", "Line"], {"CustomerRef": "Customer", "PaymentMethodRef": "PaymentMethod",
                                                  "DepositToAccountRef": "Account", "ClassRef": "Class",
                                                  "DepartmentRef": "Department"},
       void_style="update", sales=True, doc_prefix="7001"),
    _t("Payment", ["CustomerRef", "TotalAmt"], {"CustomerRef": "Customer", "PaymentMethodRef": "PaymentMethod",
                                                 "DepositToAccountRef": "Account", "ARAccountRef": "Account"},
       void_style="update"),
    _t("Bill", ["VendorRef", "Line"], {"VendorRef": "Vendor", "APAccountRef": "Account",
                                        "SalesTermRef": "Term", "DepartmentRef": "Department"}),
    _t("BillPayment", ["VendorRef", "PayType", "TotalAmt"], {"VendorRef": "Vendor", "APAccountRef": "Account"},
       void_style="update"),
    _t("VendorCredit", ["VendorRef", "Line"], {"VendorRef": "Vendor", "APAccountRef": "Account"}),
    _t("PurchaseOrder", ["VendorRef", "Line"], {"VendorRef": "Vendor", "APAccountRef": "Account",
                                                 "ShipTo": "Customer"}, doc_prefix="1001"),
    _t("Purchase", ["PaymentType", "AccountRef", "Line"], {"AccountRef": "Account",
                                                            "PaymentMethodRef": "PaymentMethod",
                                                            "DepartmentRef": "Department"}),
    _t("JournalEntry", ["Line"], {"DepartmentRef": "Department"}),
    _t("Deposit", ["DepositToAccountRef", "Line"], {"DepositToAccountRef": "Account",
                                                     "DepartmentRef": "Department"}),
    EntityType("Attachable", "txn", id_space="attachable", cdc=True),
    _t("RefundReceipt", ["DepositToAccountRef", "Line"], {
        "CustomerRef": "Customer", "DepositToAccountRef": "Account", "PaymentMethodRef": "PaymentMethod",
        "ClassRef": "Class", "DepartmentRef": "Department"}, sales=True, doc_prefix="8001"),
    _t("Estimate", ["CustomerRef", "Line"], {"CustomerRef": "Customer", "SalesTermRef": "Term",
                                              "ClassRef": "Class", "DepartmentRef": "Department"},
       sales=True, doc_prefix="1001", closed_books=False),
    _t("Transfer", ["FromAccountRef", "ToAccountRef", "Amount"], {"FromAccountRef": "Account",
                                                                   "ToAccountRef": "Account"}),
    _t("CreditCardPayment", ["CreditCardAccountRef", "BankAccountRef", "Amount"], {
        "CreditCardAccountRef": "Account", "BankAccountRef": "Account", "VendorRef": "Vendor"},
       json_name="CreditCardPaymentTxn", webhook=False),
    EntityType("TimeActivity", "txn", ("NameOf",), {
        "EmployeeRef": "Employee", "VendorRef": "Vendor", "CustomerRef": "Customer", "ItemRef": "Item",
        "ClassRef": "Class", "DepartmentRef": "Department"}, closed_books=False),
    # A schedule wrapping one transaction template: {"Invoice": {..., "RecurringInfo": {...}}}.
    EntityType("RecurringTransaction", "recurring", cdc=False, webhook=False),
]}

BY_ENDPOINT = {e.endpoint: e for e in ENTITIES.values()}
# Names a client may use for an entity besides its own (query FROM, batch keys).
BY_ENDPOINT["creditcardpaymenttxn"] = ENTITIES["CreditCardPayment"]
# The transactions a RecurringTransaction can schedule (Intuit's RecurringTransaction reference).
RECURRING_TYPES = ("Bill", "Purchase", "CreditMemo", "Deposit", "Estimate", "Invoice", "JournalEntry",
                   "RefundReceipt", "SalesReceipt", "Transfer", "VendorCredit", "PurchaseOrder")

# Intuit: CDC does not cover these.
CDC_UNSUPPORTED = {"JournalCode", "TaxAgency", "TimeActivity", "TaxCode", "TaxRate"}

NAME_ENTITIES = ("Customer", "Vendor", "Employee")

# Line detail types and the references their detail objects carry.
LINE_DETAIL_REFS = {
    "SalesItemLineDetail": {"ItemRef": "Item", "ClassRef": "Class", "ItemAccountRef": "Account"},
    "ItemBasedExpenseLineDetail": {"ItemRef": "Item", "CustomerRef": "Customer", "ClassRef": "Class"},
    "AccountBasedExpenseLineDetail": {"AccountRef": "Account", "CustomerRef": "Customer", "ClassRef": "Class"},
    "JournalEntryLineDetail": {"AccountRef": "Account", "ClassRef": "Class", "DepartmentRef": "Department"},
    "DepositLineDetail": {"AccountRef": "Account", "PaymentMethodRef": "PaymentMethod", "Entity": ""},
    "DiscountLineDetail": {"DiscountAccountRef": "Account"},
    "GroupLineDetail": {"GroupItemRef": "Item"},
}


def by_name(name):
    """Case-insensitive lookup; QBO names entities case-insensitively in queries."""
    entity = ENTITIES.get(name)
    if entity:
        return entity
    lowered = name.lower()
    return BY_ENDPOINT.get(lowered)
