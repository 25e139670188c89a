"""One emulated QuickBooks company: the rules QBO applies to every write.

Each write validates completely before it changes anything, so a fault never
leaves half a change behind; the realm's lock serialises writes the way QBO's
database does.
"""
import copy
import threading

from . import faults, ledger
from .clock import qbo_timestamp, qbo_date
from .entities import ENTITIES, NAME_ENTITIES, LINE_DETAIL_REFS, RECURRING_TYPES
from .policy import Policy

READ_ONLY = {"Id", "SyncToken", "MetaData", "sparse", "domain", "status", "Balance", "HomeBalance",
             "HomeTotalAmt", "UnappliedAmt", "RemainingCredit", "FullyQualifiedName", "Level",
             "BalanceWithJobs", "CurrentBalance", "CurrentBalanceWithSubAccounts", "Classification",
             "DeliveryInfo", "TempDownloadUri", "Size"}
# On these the caller states the total; elsewhere QBO computes it.
TOTAL_IS_INPUT = {"Payment", "BillPayment"}
PAYERS = {"Payment": {"Invoice": 1, "CreditMemo": -1, "Purchase": 1},
          "BillPayment": {"Bill": 1, "VendorCredit": -1}}
# The entity each LinkedTxn.TxnType of a payer's line names. "Expense" is a Purchase paid by cash or card with an
# Accounts Receivable line for the customer: how QuickBooks pays out a customer's credit (Intuit, "Manage linked
# transactions"; Check and CreditCardCredit links are made in the QuickBooks UI only).
LINK_ENTITIES = {"Payment": {"Invoice": "Invoice", "CreditMemo": "CreditMemo", "Expense": "Purchase"},
                 "BillPayment": {"Bill": "Bill", "VendorCredit": "VendorCredit"}}
UI_ONLY_LINKS = ("Check", "CreditCardCredit")
PARTY_REF = {"Invoice": "CustomerRef", "CreditMemo": "CustomerRef", "Payment": "CustomerRef",
             "SalesReceipt": "CustomerRef", "Bill": "VendorRef", "VendorCredit": "VendorRef",
             "BillPayment": "VendorRef", "PurchaseOrder": "VendorRef", "RefundReceipt": "CustomerRef",
             "Estimate": "CustomerRef"}
NAME_PARTS = ("Title", "GivenName", "MiddleName", "FamilyName", "Suffix")
# Sales forms share one number space: a credit memo or sales receipt cannot reuse an invoice's
# DocNumber, nor the reverse (Clio KB "QuickBooks Online Error Code 6140"; transactions.md §1.2).
_SALES_FORMS = ("Invoice", "CreditMemo", "SalesReceipt", "RefundReceipt")
DOC_NUMBER_SPACE = {name: _SALES_FORMS for name in _SALES_FORMS}
# Where each form family keeps its three custom field definitions in Preferences.
_SALES_CUSTOM = ("SalesFormsPrefs", "CustomField", "SalesFormsPrefs.UseSalesCustom%d",
                 "SalesFormsPrefs.SalesCustomName%d")
CUSTOM_FIELD_PREFS = {name: _SALES_CUSTOM for name in _SALES_FORMS + ("Estimate",)}
CUSTOM_FIELD_PREFS["PurchaseOrder"] = ("VendorAndPurchasesPrefs", "POCustomField",
                                       "PurchasePrefs.UsePurchaseCustom%d", "PurchasePrefs.PurchaseCustomName%d")
# Documents payments apply to, and whether voiding or deleting them follows the paid-invoice policy.
PAID_DOCUMENTS = ("Invoice", "CreditMemo", "Bill", "VendorCredit")
DELETED_SUFFIX = " (deleted)"


def clean(value):
    """Drop the empty values python-quickbooks sends for unset fields."""
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            item = clean(item)
            if item is None or item == "" or item == {}:
                continue
            result[key] = item
        if "value" in value and "value" not in result:
            return None  # a reference without a value is no reference
        return result
    if isinstance(value, list):
        return [clean(item) for item in value if clean(item) not in (None, "", {})]
    return value


class Company:
    def __init__(self, realm, clock, publish=None, policy=None):
        self.realm = realm
        self.clock = clock
        self.publish = publish or (lambda *args: None)
        self.policy = policy or Policy()
        self._names = None
        # Inside a batch: the objects earlier items created, which later items cannot see
        # (Intuit: batch items run in order but independently). Per thread: a batch never
        # hides anything from another request.
        self._batch = threading.local()

    # ----------------------------------------------------------- company facts
    @property
    def data(self):
        return self.realm.data

    @property
    def preferences(self):
        return self.data["Preferences"].get("1", {})

    @property
    def info(self):
        return next(iter(self.data["CompanyInfo"].values()), {})

    @property
    def us(self):
        return self.info.get("Country", "US") == "US"

    @property
    def multicurrency(self):
        return bool(self.preferences.get("CurrencyPrefs", {}).get("MultiCurrencyEnabled"))

    @property
    def home_currency(self):
        return self.preferences.get("CurrencyPrefs", {}).get("HomeCurrency", {}).get("value", "USD")

    def _pref_flag(self, name, default):
        for pair in self.preferences.get("OtherPrefs", {}).get("NameValue", []):
            if pair.get("Name") == name:
                return str(pair.get("Value")).lower() == "true"
        return default

    def now_iso(self):
        return qbo_timestamp(self.clock.now(), self.realm.utc_offset_minutes)

    def today(self):
        return qbo_date(self.clock.now(), self.realm.utc_offset_minutes)

    def tax_context(self):
        prefs = self.preferences.get("TaxPrefs", {})
        return ledger.TaxContext(self.us, bool(prefs.get("PartnerTaxEnabled")),
                                 self.data["TaxCode"], self.data["TaxRate"])

    # ------------------------------------------------------------- name index
    def _name_key(self, etype, obj):
        if etype.name in NAME_ENTITIES:
            return ("name", (obj.get("DisplayName") or "").lower())
        if etype.unique_name:
            return (etype.name, (obj.get(etype.unique_name) or "").lower())
        return None

    def _name_index(self):
        if self._names is None:
            self._names = {}
            for name, etype in ENTITIES.items():
                for obj in self.data[name].values():
                    key = self._name_key(etype, obj)
                    if key and key[1]:
                        self._names[key] = (name, obj["Id"])
        return self._names

    def _check_unique(self, etype, obj, own_id=None):
        key = self._name_key(etype, obj)
        if not key or not key[1]:
            return
        holder = self._name_index().get(key)
        if holder and holder != (etype.name, own_id):
            raise faults.duplicate_name()

    @property
    def hidden(self):
        return getattr(self._batch, "hidden", None)

    @hidden.setter
    def hidden(self, value):
        self._batch.hidden = value

    def _visible(self, entity, obj_id):
        return not self.hidden or (entity, str(obj_id)) not in self.hidden

    # --------------------------------------------------------------- reading
    def get(self, etype, obj_id):
        obj = self.data[etype.name].get(str(obj_id))
        if obj is None:
            raise faults.object_not_found(etype.name, obj_id)
        return obj

    # --------------------------------------------------------------- writing
    def create(self, etype, payload, params=None, loading=False):
        if etype.kind in ("readonly", "singleton") and not loading:
            raise faults.unsupported_operation("Create on %s" % etype.name)
        obj = {k: v for k, v in clean(payload).items() if k not in READ_ONLY}
        if etype.name not in TOTAL_IS_INPUT:
            obj.pop("TotalAmt", None)
        with self.realm.lock:
            effects = self._prepare(etype, obj, None, params or {})
            obj_id = self.realm.next_id(etype.id_space or etype.name)
            obj["Id"] = obj_id
            obj["SyncToken"] = "0"
            now = self.now_iso()
            obj["MetaData"] = {"CreateTime": now, "LastUpdatedTime": now}
            obj["domain"] = "QBO"
            obj["sparse"] = False
            self._commit(etype, None, obj, effects)
            self.publish(self.realm.realm_id, etype.name, obj_id, "Create", now)
            return obj

    def update(self, etype, payload, params=None, sparse=None):
        if etype.kind == "readonly":
            raise faults.unsupported_operation("Update on %s" % etype.name)
        payload = clean(payload)
        with self.realm.lock:
            current = self._current(etype, payload)
            sparse = payload.get("sparse") if sparse is None else sparse
            changes = {k: v for k, v in payload.items() if k not in READ_ONLY}
            if etype.name not in TOTAL_IS_INPUT:
                changes.pop("TotalAmt", None)
            if sparse or etype.kind == "singleton":
                obj = copy.deepcopy(current)
                obj.update(changes)
                if "Line" in changes and "TxnTaxDetail" not in changes:
                    # New lines without a tax detail: QuickBooks computes the tax again.
                    obj.pop("TxnTaxDetail", None)
            else:
                obj = changes
            for key in ("Id", "MetaData"):
                obj[key] = current[key]
            self._check_closed(etype, current)
            effects = self._prepare(etype, obj, current, params or {})
            return self._store_update(etype, current, obj, effects, "Update")

    def delete(self, etype, payload):
        if etype.kind != "txn":
            raise faults.unsupported_operation("Delete on %s" % etype.name)
        with self.realm.lock:
            current = self._removable(etype, payload, self.policy.paid_invoice_delete)
            if etype.name in PAYERS:
                self._apply(etype, current, None)
            self._shift_party(etype, current, None)
            if etype.name in ACCOUNT_MOVES:
                self._shift_accounts(etype, current, None)
            del self.data[etype.name][current["Id"]]
            self._forget(etype, current)
            now = self.now_iso()
            self.realm.tombstones[etype.name][current["Id"]] = (self.clock.now(), now)
            if etype.name == "Attachable":
                self.realm.files.pop(current["Id"], None)
            self.publish(self.realm.realm_id, etype.name, current["Id"], "Delete", now)
            return {"status": "Deleted", "domain": "QBO", "Id": current["Id"]}

    def void(self, etype, payload):
        if not etype.void_style:
            raise faults.unsupported_operation("Void on %s" % etype.name)
        with self.realm.lock:
            current = self._removable(etype, payload, self.policy.paid_invoice_void)
            obj = copy.deepcopy(current)
            if etype.name in PAID_DOCUMENTS:
                obj["LinkedTxn"] = []     # Intuit: each Invoice.LinkedTxn link is cleared
            for line in obj.get("Line", []):
                line["Amount"] = 0.0
                line.pop("LinkedTxn", None)
                for detail in line.values():
                    if isinstance(detail, dict) and "Qty" in detail:
                        detail["Qty"] = 0
            for key in ("TotalAmt", "Balance", "HomeTotalAmt", "HomeBalance", "UnappliedAmt"):
                if key in obj:
                    obj[key] = 0.0
            if "TxnTaxDetail" in obj:
                obj["TxnTaxDetail"] = {"TotalTax": 0.0}
            note = current.get("PrivateNote")
            obj["PrivateNote"] = "Voided" + (" - " + note if note else "")
            effects = {}
            if etype.name in PAYERS:
                obj["Line"] = []          # a voided payment pays nothing
                effects = {"links": []}
            return self._store_update(etype, current, obj, effects, "Void")

    # ------------------------------------------------------------ recurring templates
    def recurring(self, body, operation=""):
        """Create, update or delete a RecurringTransaction: ``{"Invoice": {..., "RecurringInfo": ...}}``.

        The template is validated as its transaction type (references, required
        fields, totals) but posts nothing: no balances, numbers or closed books.
        """
        kinds = [key for key in body if key in RECURRING_TYPES] if isinstance(body, dict) else []
        if len(kinds) != 1:
            raise faults.required_param("RecurringTransaction.<%s>" % "|".join(RECURRING_TYPES))
        kind = kinds[0]
        etype, store = ENTITIES[kind], self.data["RecurringTransaction"]
        payload = clean(body[kind]) or {}
        with self.realm.lock:
            current = None
            if operation == "delete" or payload.get("Id") not in (None, "", "0", 0):
                obj_id = str(payload.get("Id") or "")
                wrapper = store.get(obj_id)
                if not obj_id or wrapper is None or kind not in wrapper or not self._visible(
                        "RecurringTransaction", obj_id):
                    raise faults.object_not_found("RecurringTransaction", obj_id)
                current = wrapper[kind]
                if str(payload.get("SyncToken")) != str(current["SyncToken"]):
                    raise faults.stale_object()
            if operation == "delete":
                del store[current["Id"]]
                return {"status": "Deleted", "domain": "QBO", kind: {"Id": current["Id"]}}
            obj = {k: v for k, v in payload.items() if k not in READ_ONLY and k != "TotalAmt"}
            if payload.get("sparse") and current is not None:
                obj = dict(copy.deepcopy(current), **obj)
            info = obj.get("RecurringInfo") or {}
            if not info:
                raise faults.required_param("RecurringInfo")
            if not info.get("Name"):
                raise faults.required_param("RecurringInfo.Name")
            recur_type = info.get("RecurType") or "Automated"
            if recur_type not in ("Automated", "Reminded", "UnScheduled"):
                raise faults.QBOFault(2170, "Invalid Enumeration", "Invalid RecurType: %s" % recur_type,
                                      element="RecurringInfo.RecurType")
            if recur_type != "UnScheduled" and not (info.get("ScheduleInfo") or {}).get("IntervalType"):
                raise faults.required_param("RecurringInfo.ScheduleInfo.IntervalType")
            info["RecurType"] = recur_type
            info.setdefault("Active", True)
            for other_id, other in store.items():
                other_info = next(iter(other.values())).get("RecurringInfo", {})
                if other_info.get("Name", "").lower() == info["Name"].lower() and \
                        (current is None or other_id != current["Id"]):
                    raise faults.duplicate_name()
            for field in etype.required:
                if obj.get(field) in (None, [], ""):
                    raise faults.required_param(field)
            self._check_refs(etype, obj)
            dated = "TxnDate" in obj
            obj.setdefault("TxnDate", self.today())
            self._check_currency(etype, obj)
            self._compute(etype, obj, None)
            if not dated:
                obj.pop("TxnDate", None)
            now = self.now_iso()
            if current is None:
                obj["Id"] = self.realm.next_id("RecurringTransaction")
                obj["SyncToken"] = "0"
                obj["MetaData"] = {"CreateTime": now, "LastUpdatedTime": now}
            else:
                obj["Id"] = current["Id"]
                obj["SyncToken"] = str(int(current["SyncToken"]) + 1)
                obj["MetaData"] = dict(current["MetaData"], LastUpdatedTime=now)
            obj["domain"], obj["sparse"] = "QBO", False
            store[obj["Id"]] = {kind: obj}
            return store[obj["Id"]]

    def send(self, etype, obj_id, send_to=None):
        with self.realm.lock:
            current = self.get(etype, obj_id)
            obj = copy.deepcopy(current)
            address = send_to or (current.get("BillEmail") or current.get("POEmail") or {}).get("Address")
            if not address:
                raise faults.business_validation("Please supply an email address to send to.")
            obj["EmailStatus"] = "EmailSent"
            obj["DeliveryInfo"] = {"DeliveryType": "Email", "DeliveryTime": self.now_iso()}
            if send_to:
                obj["BillEmail"] = {"Address": send_to}
            return self._store_update(etype, current, obj, {}, "Emailed")

    # ------------------------------------------------------------ internals
    def _removable(self, etype, payload, paid_policy="refuse"):
        """The current version of a transaction about to be deleted or voided.

        A document with payments applied is refused, or (policy "unapply") its
        payments are unapplied first, as Intuit documents for a void.
        """
        current = self._current(etype, clean(payload))
        self._check_closed(etype, current)
        if self.realm.applied.get((etype.name, current["Id"])):
            if paid_policy == "unapply" and etype.name in PAID_DOCUMENTS:
                self._unapply_document(etype, current)
            else:
                self._refuse_if_paid(etype, current)
        return current

    def _unapply_document(self, doc_etype, doc):
        """Clear every payment's link to ``doc``: each keeps its money as UnappliedAmt.

        Intuit, "Manage linked transactions": on a void the Payment is reset to its
        unapplied state, its Line.LinkedTxn to the invoice cleared. The document
        itself is refreshed by the caller's write.
        """
        payers = self.realm.applied.pop((doc_etype.name, doc["Id"]), {})
        for payer_type, payer_id in sorted(payers):
            payer = self.data[payer_type].get(payer_id)
            if payer is None:
                continue
            payer_etype = ENTITIES[payer_type]
            self._shift_party(payer_etype, payer, None)
            kept = []
            for line in payer.get("Line", []):
                links = line.get("LinkedTxn") or []
                left = [link for link in links if not (self._link_entity(payer_type, link) == doc_etype.name
                                                       and str(link.get("TxnId")) == doc["Id"])]
                if links and not left:
                    continue
                line["LinkedTxn"] = left
                kept.append(line)
            payer["Line"] = kept
            applied = sum(PAYERS[payer_type].get(doc_type, 1) * payments[(payer_type, payer_id)]
                          for (doc_type, _doc_id), payments in self.realm.applied.items()
                          if (payer_type, payer_id) in payments)
            payer["UnappliedAmt"] = ledger.money(payer.get("TotalAmt", 0.0) - applied)
            payer["SyncToken"] = str(int(payer["SyncToken"]) + 1)
            now = self.now_iso()
            payer["MetaData"]["LastUpdatedTime"] = now
            self._home_amounts(payer)
            self._shift_party(payer_etype, None, payer)
            self.publish(self.realm.realm_id, payer_type, payer_id, "Update", now)

    def _current(self, etype, payload):
        obj_id = payload.get("Id")
        if obj_id in (None, ""):
            raise faults.required_param("Id")
        if etype.kind == "singleton":
            current = next(iter(self.data[etype.name].values()), None)
        else:
            current = self.data[etype.name].get(str(obj_id))
        if current is None or not self._visible(etype.name, obj_id):
            raise faults.object_not_found(etype.name, obj_id)
        token = payload.get("SyncToken")
        if token is None or str(token) != str(current.get("SyncToken")):
            raise faults.stale_object()
        return current

    def _store_update(self, etype, current, obj, effects, operation):
        obj["SyncToken"] = str(int(current["SyncToken"]) + 1)
        now = self.now_iso()
        obj["MetaData"] = dict(current["MetaData"], LastUpdatedTime=now)
        obj["domain"] = "QBO"
        obj["sparse"] = False
        self._commit(etype, current, obj, effects)
        self.publish(self.realm.realm_id, etype.name, obj["Id"], operation, now)
        return obj

    def _commit(self, etype, current, obj, effects):
        if etype.name in ACCOUNT_MOVES:
            self._shift_accounts(etype, current, obj)
        if current is not None:
            self._forget(etype, current)
        if etype.name in PAYERS:
            self._shift_party(etype, current, None)
            self.data[etype.name][obj["Id"]] = obj
            self._apply(etype, obj, effects.get("links", []))
            self._refresh_doc(etype, obj)
            self._shift_party(etype, None, obj)
        else:
            self._shift_party(etype, current, None)
            self.data[etype.name][obj["Id"]] = obj
            if etype.kind == "txn":
                self._refresh_doc(etype, obj)
            self._shift_party(etype, None, obj)
        self._remember(etype, obj)

    def _remember(self, etype, obj):
        key = self._name_key(etype, obj)
        if key and key[1]:
            self._name_index()[key] = (etype.name, obj["Id"])

    def _forget(self, etype, obj):
        key = self._name_key(etype, obj)
        if key and self._name_index().get(key) == (etype.name, obj["Id"]):
            del self._names[key]

    # ------------------------------------------------------------ validation
    def _prepare(self, etype, obj, current, params):
        """Validate and complete ``obj``; return what the commit must also do."""
        effects = {}
        if etype.kind == "name":
            self._prepare_name(etype, obj, current)
        elif etype.name == "Account":
            self._prepare_account(obj, current)
        elif etype.name == "Item":
            self._prepare_item(obj, current)
        elif etype.kind == "list":
            for field in etype.required:
                if not obj.get(field):
                    raise faults.required_param(field)
            self._deleted_suffix(etype, obj, current)
            obj.setdefault("Active", True)
        if etype.kind in ("name", "list"):
            self._check_unique(etype, obj, current and current["Id"])
        self._check_refs(etype, obj)
        if etype.name == "Attachable":
            self._check_attachable_refs(obj)
        if etype.kind == "txn" and etype.name != "Attachable":
            for field in etype.required:
                if obj.get(field) in (None, [], ""):
                    raise faults.required_param(field)
            obj.setdefault("TxnDate", self.today())
            self._check_closed(etype, obj)
            if etype.name == "TimeActivity":
                self._prepare_time_activity(obj)
                return effects
            self._check_currency(etype, obj)
            self._check_doc_number(etype, obj, current, params)
            self._check_custom_fields(etype, obj)
            if etype.name == "Invoice":
                self._online_payment(obj)
            effects = self._compute(etype, obj, current)
            self._home_amounts(obj)
        return effects

    def _prepare_name(self, etype, obj, current):
        if not obj.get("DisplayName"):
            parts = [obj.get(p) for p in NAME_PARTS[1:4] if obj.get(p)]
            name = " ".join(parts) or obj.get("CompanyName")
            if not name:
                if not any(obj.get(p) for p in NAME_PARTS):
                    raise faults.required_param("DisplayName")
                name = " ".join(obj.get(p) for p in NAME_PARTS if obj.get(p))
            obj["DisplayName"] = name
        name = obj["DisplayName"]
        if any(ch in name for ch in ":\t\n"):
            raise faults.QBOFault(2040, "Invalid String", "DisplayName cannot contain a colon (:), "
                                  "tab or newline: %s" % name, element="DisplayName")
        if len(name) > 500:
            raise faults.QBOFault(2050, "Invalid String Length",
                                  "String length is either shorter or longer than supported by specification. "
                                  "Min:0 Max:500 supplied length:%d" % len(name), element="DisplayName")
        email = (obj.get("PrimaryEmailAddr") or {}).get("Address")
        if email and ("@" not in email or "." not in email.split("@")[-1]):
            raise faults.QBOFault(2040, "Invalid String",
                                  "Email Address does not conform to the syntax rules of RFC 822: %s" % email,
                                  element="PrimaryEmailAddr")
        obj.setdefault("PrintOnCheckName", name)
        if etype.name in ("Customer", "Vendor"):
            self._party_currency(etype, obj, current)
            obj.setdefault("Balance", current.get("Balance", 0.0) if current else 0.0)
        if etype.name == "Customer":
            if obj.get("ParentRef"):
                obj["Job"] = True
                parent = self.data["Customer"].get(str(obj["ParentRef"].get("value")))
                level = (parent or {}).get("Level", 0) + 1
                if level > 4:
                    raise faults.QBOFault(6180, "Sub level limit", "Sub-customers can be nested 4 levels deep")
                obj["Level"] = level
                obj["FullyQualifiedName"] = "%s:%s" % ((parent or {}).get("FullyQualifiedName", ""), name)
            else:
                obj["Job"] = False
                obj["FullyQualifiedName"] = name
            obj.setdefault("BalanceWithJobs", obj["Balance"])
            obj.setdefault("Taxable", False)
        else:
            obj["FullyQualifiedName"] = obj["DisplayName"]
        self._deleted_suffix(etype, obj, current)
        obj.setdefault("Active", True)

    def _deleted_suffix(self, etype, obj, current):
        """QBO renames what it makes inactive, freeing the name for a new record."""
        field = "DisplayName" if etype.name in NAME_ENTITIES else etype.unique_name
        if not field or not obj.get(field):
            return
        was_active = current.get("Active", True) if current else True
        if obj.get("Active", True) is False and was_active:
            base, suffix, n = obj[field], DELETED_SUFFIX, 1
            while self._name_index().get(self._name_key(etype, {field: base + suffix})):
                n += 1
                suffix = " (deleted-%d)" % n
            obj[field] = base + suffix
        elif obj.get("Active", True) and not was_active and " (deleted" in obj[field]:
            obj[field] = obj[field][:obj[field].rindex(" (deleted")]
        if field == "DisplayName" and etype.name != "Customer":
            obj["FullyQualifiedName"] = obj[field]

    def _party_currency(self, etype, obj, current):
        home = self.home_currency
        code = (obj.get("CurrencyRef") or {}).get("value") or (
            current and current.get("CurrencyRef", {}).get("value")) or home
        if current and code != current.get("CurrencyRef", {}).get("value", home):
            raise faults.business_validation(
                "You can't change the currency of a %s after it is created." % etype.name.lower())
        if code != home:
            if not self.multicurrency:
                raise faults.business_validation(
                    "Multicurrency is not turned on: %s is not the home currency %s." % (code, home))
            self._check_currency_code(code)
        obj["CurrencyRef"] = {"value": code, "name": self._currency_name(code)}

    def _check_currency_code(self, code):
        if code == self.home_currency:
            return
        for currency in self.data["CompanyCurrency"].values():
            if currency.get("Code") == code:
                if currency.get("Active") is False:
                    raise faults.inactive_reference("Currency", code, "CurrencyRef")
                return
        raise faults.invalid_reference("Currency", code, "CurrencyRef")

    def _currency_name(self, code):
        for currency in self.data["CompanyCurrency"].values():
            if currency.get("Code") == code:
                return currency.get("Name", code)
        return {"USD": "United States Dollar", "GBP": "British Pound Sterling",
                "EUR": "Euro", "CAD": "Canadian Dollar"}.get(code, code)

    def _prepare_account(self, obj, current):
        if not obj.get("Name"):
            raise faults.required_param("Name")
        if not obj.get("AccountType") and not obj.get("AccountSubType"):
            raise faults.required_param("AccountType")
        if any(ch in obj["Name"] for ch in ':"'):
            raise faults.QBOFault(2040, "Invalid String",
                                  "Account name cannot contain a colon (:) or a double quote (\")",
                                  element="Name")
        limit = 20 if self.info.get("Country") in ("AU", "CA") else 7
        if len(obj.get("AcctNum") or "") > limit:
            raise faults.QBOFault(2050, "Invalid String Length",
                                  "String length is either shorter or longer than supported by specification. "
                                  "Min:0 Max:%d supplied length:%d" % (limit, len(obj["AcctNum"])),
                                  element="AcctNum")
        if not obj.get("AccountType"):
            obj["AccountType"] = ACCOUNT_TYPE_OF_SUBTYPE.get(obj["AccountSubType"], "Expense")
        if obj["AccountType"] not in CLASSIFICATION:
            raise faults.QBOFault(6010, "Invalid Account.AccountType && Account.SubType",
                                  "Invalid AccountType: %s" % obj["AccountType"], element="AccountType")
        obj["Classification"] = CLASSIFICATION[obj["AccountType"]]
        currency = (obj.get("CurrencyRef") or {}).get("value") or self.home_currency
        if currency != self.home_currency:
            if obj["AccountType"] not in FOREIGN_CURRENCY_ACCOUNTS:
                raise faults.business_validation(
                    "Only bank, credit card, receivable and payable accounts can have a foreign currency.")
            self._check_currency_code(currency)
        obj["CurrencyRef"] = {"value": currency, "name": self._currency_name(currency)}
        self._deleted_suffix(ENTITIES["Account"], obj, current)
        parent = self.data["Account"].get(str((obj.get("ParentRef") or {}).get("value")))
        obj["SubAccount"] = bool(parent)
        obj["FullyQualifiedName"] = (parent["FullyQualifiedName"] + ":" if parent else "") + obj["Name"]
        obj.setdefault("Active", True)
        obj.setdefault("CurrentBalance", current.get("CurrentBalance", 0.0) if current else 0.0)
        obj.setdefault("CurrentBalanceWithSubAccounts", obj["CurrentBalance"])

    def _prepare_item(self, obj, current):
        for field in ("Name", "Type"):
            if not obj.get(field):
                raise faults.required_param(field)
        kind = obj["Type"]
        if kind not in ("Inventory", "Service", "NonInventory", "Category", "Group"):
            raise faults.QBOFault(2170, "Invalid Enumeration", "Invalid Item Type: %s" % kind, element="Type")
        if current and current.get("Type") == "Inventory" and kind != "Inventory":
            raise faults.business_validation("You can't change the type of an inventory item.")
        if kind == "Inventory":
            for field in ("IncomeAccountRef", "ExpenseAccountRef", "AssetAccountRef", "InvStartDate"):
                if not obj.get(field):
                    raise faults.required_param(field)
            if obj.get("QtyOnHand") is None:
                raise faults.required_param("QtyOnHand")
            obj["TrackQtyOnHand"] = True
        elif kind in ("Service", "NonInventory"):
            if not obj.get("IncomeAccountRef") and not obj.get("ExpenseAccountRef"):
                raise faults.required_param("IncomeAccountRef")
        self._deleted_suffix(ENTITIES["Item"], obj, current)
        parent = self.data["Item"].get(str((obj.get("ParentRef") or {}).get("value")))
        obj["SubItem"] = bool(parent)
        obj["FullyQualifiedName"] = (parent["FullyQualifiedName"] + ":" if parent else "") + obj["Name"]
        obj.setdefault("Active", True)

    def _check_refs(self, etype, obj):
        for field, target in etype.refs.items():
            if obj.get(field):
                self._resolve(target, obj[field], field)
        if etype.name == "Purchase" and obj.get("EntityRef"):
            ref = obj["EntityRef"]
            self._resolve(ref.get("type") or "Vendor", ref, "EntityRef")
        for line in obj.get("Line", []) if isinstance(obj.get("Line"), list) else []:
            for detail_key, refs in LINE_DETAIL_REFS.items():
                detail = line.get(detail_key)
                if not isinstance(detail, dict):
                    continue
                for field, target in refs.items():
                    if target and detail.get(field):
                        self._resolve(target, detail[field], field)
                entity = detail.get("Entity")
                if isinstance(entity, dict) and entity.get("EntityRef"):
                    self._resolve(entity.get("Type") or "Customer", entity["EntityRef"], "Entity")

    def _check_attachable_refs(self, obj):
        """AttachableRef entries name an existing object of a type attachments go on."""
        for entry in obj.get("AttachableRef") or []:
            ref = (entry or {}).get("EntityRef") or {}
            kind, value = ref.get("type"), ref.get("value")
            target = ENTITIES.get(kind or "")
            if target is None or not (target.kind in ("txn", "name") or target.name == "Item") or \
                    target.name == "Attachable":
                raise faults.QBOFault(6050, "Invalid EntityRef type",
                                      "Attachments cannot be linked to an object of type %s." % kind,
                                      element="AttachableRef.EntityRef.type")
            if not value:
                raise faults.required_param("AttachableRef.EntityRef.value")
            if str(value) not in self.data[target.name] or not self._visible(target.name, value):
                raise faults.object_not_found(target.name, value)
            ref["value"] = str(value)

    def _resolve(self, target, ref, element):
        if not isinstance(ref, dict) or not ref.get("value"):
            raise faults.invalid_reference(target, ref, element)
        found = self.data[target].get(str(ref["value"]))
        if found is None or not self._visible(target, ref["value"]):
            raise faults.invalid_reference(target, ref["value"], element)
        if found.get("Active") is False:
            raise faults.inactive_reference(target, ref["value"], element)
        name = found.get("DisplayName") or found.get("FullyQualifiedName") or found.get("Name")
        if name:
            ref["name"] = name
        return found

    def _check_closed(self, etype, obj):
        if etype.kind != "txn" or etype.name == "Attachable" or not etype.closed_books:
            return
        close = self.preferences.get("AccountingInfoPrefs", {}).get("BookCloseDate")
        if close and obj.get("TxnDate") and obj["TxnDate"][:10] <= close:
            raise faults.period_closed()

    def _check_currency(self, etype, obj):
        home = self.home_currency
        party = None
        ref_field = PARTY_REF.get(etype.name)
        if ref_field and obj.get(ref_field):
            party = self.data["Customer" if ref_field == "CustomerRef" else "Vendor"].get(
                str(obj[ref_field]["value"]))
        party_currency = (party or {}).get("CurrencyRef", {}).get("value", home)
        code = (obj.get("CurrencyRef") or {}).get("value")
        if not self.multicurrency:
            if code and code != home:
                raise faults.business_validation(
                    "Multicurrency is not turned on: %s is not the home currency %s." % (code, home))
            obj["CurrencyRef"] = {"value": home, "name": self._currency_name(home)}
            obj.pop("ExchangeRate", None)
            return
        if not code:
            if party_currency != home:
                raise faults.required_param("CurrencyRef")
            code = home
        self._check_currency_code(code)
        if party and code != party_currency:
            raise faults.business_validation(
                "The transaction currency %s must match the currency %s of %s."
                % (code, party_currency, party.get("DisplayName")))
        obj["CurrencyRef"] = {"value": code, "name": self._currency_name(code)}
        if code == home:
            obj["ExchangeRate"] = 1
        elif not obj.get("ExchangeRate"):
            if self.policy.omitted_exchange_rate == "one":
                obj["ExchangeRate"] = 1
            else:
                obj["ExchangeRate"] = self.stored_rate(code, obj["TxnDate"][:10])

    def stored_rate(self, code, date):
        """The rate QuickBooks holds for ``code`` on ``date``: home units per foreign unit.

        A stored rate (preset, or set through the API) applies from its date on;
        before a currency's first stored rate the emulator's market history
        answers, a deterministic daily series that joins that first rate, so a
        back-dated transaction gets its own day's rate as in QuickBooks.
        """
        best = first = None
        for rate in self.realm.exchange_rates:
            if rate.get("SourceCurrencyCode") != code:
                continue
            if rate.get("AsOfDate", "") <= date and (best is None or rate["AsOfDate"] > best["AsOfDate"]):
                best = rate
            if first is None or rate["AsOfDate"] < first["AsOfDate"]:
                first = rate
        if best is not None:
            return best["Rate"]
        return ledger.market_rate(code, self.home_currency, date,
                                  anchor=(first["AsOfDate"], first["Rate"]) if first else None)

    def _check_doc_number(self, etype, obj, current, params):
        number = obj.get("DocNumber")
        custom = self.preferences.get("SalesFormsPrefs", {}).get("CustomTxnNumbers", True)
        if etype.doc_prefix and not custom and not current:
            number = obj["DocNumber"] = self._next_doc_number(etype)
        if not number:
            return
        if len(number) > 21:
            raise faults.QBOFault(2050, "Invalid String Length",
                                  "String length is either shorter or longer than supported by specification. "
                                  "Min:0 Max:21 supplied length:%d" % len(number), element="DocNumber")
        allowed = "allowduplicatedocnum" in (params.get("include") or "").lower()
        if allowed or not self._pref_flag("WarnDuplicateDocNumber", True):
            return
        for name in DOC_NUMBER_SPACE.get(etype.name, (etype.name,)):
            for other in self.data[name].values():
                if other.get("DocNumber") == number and not (
                        current and name == etype.name and other["Id"] == current["Id"]):
                    raise faults.duplicate_doc_number(number, name, other["Id"])

    def custom_field_definitions(self, entity):
        """{DefinitionId: label} of the enabled custom fields of ``entity``'s forms.

        QuickBooks keeps three per form family in Preferences: ``SalesFormsPrefs.CustomField``
        (UseSalesCustomN / SalesCustomNameN) and ``VendorAndPurchasesPrefs.POCustomField``;
        DefinitionId N is slot N.
        """
        spec = CUSTOM_FIELD_PREFS.get(entity)
        if spec is None:
            return {}
        section, key, use, label = spec
        values = {}
        for group in self.preferences.get(section, {}).get(key, []) or []:
            for field in group.get("CustomField", []) or []:
                values[field.get("Name")] = field.get("BooleanValue", field.get("StringValue"))
        return {str(n): values.get(label % n) or "" for n in (1, 2, 3) if values.get(use % n) is True}

    def _check_custom_fields(self, etype, obj):
        entries = obj.get("CustomField")
        if not entries:
            return
        definitions = self.custom_field_definitions(etype.name)
        for entry in entries:
            definition = str((entry or {}).get("DefinitionId") or "")
            if definition not in definitions:
                raise faults.QBOFault(
                    3000, "Invalid custom field",
                    "CustomField DefinitionId %s is not an enabled custom field of %s; see Preferences."
                    % (definition or "(none)", etype.name), element="CustomField")
            entry["Name"] = definitions[definition]
            entry["Type"] = "StringType"

    def _online_payment(self, obj):
        """AllowOnline*Payment need the company's online payments (SalesFormsPrefs.ETransactionPaymentEnabled)."""
        if not self.preferences.get("SalesFormsPrefs", {}).get("ETransactionPaymentEnabled"):
            for key in ("AllowOnlineCreditCardPayment", "AllowOnlineACHPayment"):
                if key in obj:
                    obj[key] = False

    def invoice_link(self, obj):
        """Whether QuickBooks gives this invoice an InvoiceLink: online payment on and a BillEmail."""
        online = self.preferences.get("SalesFormsPrefs", {}).get("ETransactionPaymentEnabled") and (
            obj.get("AllowOnlineCreditCardPayment") or obj.get("AllowOnlineACHPayment"))
        return bool(online and (obj.get("BillEmail") or {}).get("Address"))

    def _next_doc_number(self, etype):
        counter = self.realm.doc_numbers
        if not counter[etype.name]:
            counter[etype.name] = int(etype.doc_prefix) - 1
        taken = {o.get("DocNumber") for name in DOC_NUMBER_SPACE.get(etype.name, (etype.name,))
                 for o in self.data[name].values()}
        while True:
            counter[etype.name] += 1
            if str(counter[etype.name]) not in taken:
                return str(counter[etype.name])

    # ------------------------------------------------------------ amounts
    def _compute(self, etype, obj, current):
        tax = self.tax_context()
        name = etype.name
        if not tax.us and name in ("Invoice", "CreditMemo", "SalesReceipt", "Bill", "Purchase",
                                   "VendorCredit", "PurchaseOrder") and not obj.get("GlobalTaxCalculation"):
            raise faults.required_param("GlobalTaxCalculation")
        if tax.us:
            obj.pop("GlobalTaxCalculation", None)
        rules = self._line_rules()
        if name == "RefundReceipt":
            self._account_of_type(obj, "DepositToAccountRef", ("Bank", "Other Current Asset"))
        if name == "Estimate":
            obj.setdefault("TxnStatus", "Pending")
        if etype.sales:
            customer = self.data["Customer"].get(str((obj.get("CustomerRef") or {}).get("value")), {})
            default_code = (customer.get("DefaultTaxCodeRef") or {}).get("value") or self._ast_code()
            ledger.sales_totals(obj, tax, default_code, rules)
        elif name in ("Bill", "Purchase", "VendorCredit", "PurchaseOrder"):
            ledger.expense_totals(obj, tax, rules)
            if name == "Purchase" and obj.get("PaymentType") not in ("Cash", "Check", "CreditCard"):
                raise faults.QBOFault(2170, "Invalid Enumeration",
                                      "Invalid PaymentType: %s" % obj.get("PaymentType"), element="PaymentType")
            if name in ("Bill", "VendorCredit", "PurchaseOrder") and not obj.get("APAccountRef"):
                obj["APAccountRef"] = self._account_ref("AccountsPayable", "Accounts Payable")
        elif name in ("Transfer", "CreditCardPayment"):
            self._prepare_money_move(name, obj)
        elif name == "JournalEntry":
            ledger.journal_totals(obj)
        elif name == "Deposit":
            ledger.deposit_totals(obj)
        elif name in PAYERS:
            return {"links": self._payment_links(etype, obj, current)}
        return {}

    def _account_of_type(self, obj, field, types):
        account = self.data["Account"].get(str((obj.get(field) or {}).get("value")), {})
        if account.get("AccountType") not in types:
            raise faults.QBOFault(6430, "Invalid account type",
                                  "%s must be a %s account, not %s." % (field, " or ".join(types),
                                                                       account.get("AccountType")),
                                  element=field)
        return account

    def _prepare_money_move(self, name, obj):
        """Transfer and CreditCardPayment: an Amount moved between two balance sheet accounts."""
        amount = ledger.money(ledger.number(obj.get("Amount"), "Amount"))
        if amount <= 0:
            raise faults.QBOFault(2290, "Invalid amount", "Amount must be more than zero", element="Amount")
        obj["Amount"] = amount
        if name == "Transfer":
            if str(obj["FromAccountRef"]["value"]) == str(obj["ToAccountRef"]["value"]):
                raise faults.business_validation("You can't transfer money to the same account.")
            for field in ("FromAccountRef", "ToAccountRef"):
                account = self.data["Account"][str(obj[field]["value"])]
                if account.get("Classification") not in ("Asset", "Liability", "Equity"):
                    raise faults.QBOFault(6430, "Invalid account type",
                                          "%s must be a balance sheet account." % field, element=field)
        else:
            self._account_of_type(obj, "CreditCardAccountRef", ("Credit Card",))
            self._account_of_type(obj, "BankAccountRef", ("Bank",))

    def _prepare_time_activity(self, obj):
        """TimeActivity: who (NameOf and its ref), how long (Hours/Minutes or Start/EndTime), billing."""
        name_of = obj.get("NameOf")
        if name_of not in ("Employee", "Vendor"):
            raise faults.QBOFault(2170, "Invalid Enumeration", "Invalid NameOf: %s" % name_of, element="NameOf")
        if not obj.get(name_of + "Ref"):
            raise faults.required_param(name_of + "Ref")
        timed = obj.get("StartTime") and obj.get("EndTime")
        if not timed and obj.get("Hours") in (None, "") and obj.get("Minutes") in (None, ""):
            raise faults.required_param("Hours")
        if obj.get("BillableStatus") == "Billable":
            for field in ("CustomerRef", "HourlyRate"):
                if obj.get(field) in (None, ""):
                    raise faults.required_param(field)

    def _line_rules(self):
        sales_prefs = self.preferences.get("SalesFormsPrefs", {})
        policy = self.policy
        default_item = None
        if policy.line_without_item == "default_item":
            default_item = self._default_item()
        return ledger.LineRules(line_without_item=policy.line_without_item, default_item=default_item,
                                inclusive_lines=policy.tax_inclusive_lines,
                                allow_discount=sales_prefs.get("AllowDiscount", True) is not False,
                                ast_zero_override=policy.ast_zero_total_tax == "override")

    def _default_item(self):
        """The company's default sales item: OtherPrefs SalesFormsPrefs.DefaultItem, else "Services"."""
        wanted = None
        for pair in self.preferences.get("OtherPrefs", {}).get("NameValue", []):
            if pair.get("Name") == "SalesFormsPrefs.DefaultItem":
                wanted = str(pair.get("Value"))
        item = self.data["Item"].get(wanted) if wanted else None
        if item is None:
            item = next((i for i in self.data["Item"].values() if i.get("Name") == "Services"), None)
        if item is None:
            item = next((i for i in self.data["Item"].values() if i.get("Type") == "Service"), None)
        return {"value": item["Id"], "name": item.get("Name", "")} if item else None

    def _ast_code(self):
        for code in self.data["TaxCode"].values():
            if code.get("Active", True) and (code.get("SalesTaxRateList") or {}).get("TaxRateDetail"):
                return code["Id"]
        return None

    def _account_ref(self, subtype, account_type):
        for account in self.data["Account"].values():
            if account.get("AccountSubType") == subtype and account.get("Active", True) and \
                    account.get("CurrencyRef", {}).get("value", self.home_currency) == self.home_currency:
                return {"value": account["Id"], "name": account["Name"]}
        for account in self.data["Account"].values():
            if account.get("AccountType") == account_type:
                return {"value": account["Id"], "name": account["Name"]}
        return None

    def _payment_links(self, etype, obj, current):
        """Validate the documents a payment applies to; return [(entity, Id, amount)]."""
        total = ledger.money(ledger.number(obj.get("TotalAmt"), "TotalAmt"))
        if total < 0:
            raise faults.QBOFault(2290, "Invalid amount", "TotalAmt cannot be negative", element="TotalAmt")
        obj["TotalAmt"] = total
        if etype.name == "BillPayment":
            kind = obj.get("PayType")
            if kind == "Check" and not (obj.get("CheckPayment") or {}).get("BankAccountRef"):
                raise faults.required_param("CheckPayment.BankAccountRef")
            if kind == "CreditCard" and not (obj.get("CreditCardPayment") or {}).get("CCAccountRef"):
                raise faults.required_param("CreditCardPayment.CCAccountRef")
            if kind not in ("Check", "CreditCard"):
                raise faults.QBOFault(2170, "Invalid Enumeration", "Invalid PayType: %s" % kind, element="PayType")
            for key, field in (("CheckPayment", "BankAccountRef"), ("CreditCardPayment", "CCAccountRef")):
                if (obj.get(key) or {}).get(field):
                    self._resolve("Account", obj[key][field], field)
        else:
            if not obj.get("DepositToAccountRef"):
                obj["DepositToAccountRef"] = self._account_ref("UndepositedFunds", "Other Current Asset")
        party_field = PARTY_REF[etype.name]
        party_id = str(obj[party_field]["value"])
        own = (etype.name, current["Id"]) if current else None
        links, applied = [], 0.0
        for line in obj.get("Line", []):
            amount = ledger.money(ledger.number(line.get("Amount", 0), "Line.Amount"))
            line["Amount"] = amount
            for link in line.get("LinkedTxn", []):
                link_type = link.get("TxnType")
                doc_type = self._link_entity(etype.name, link)
                if doc_type is None:
                    detail = "%s cannot be linked to a %s" % (link_type, etype.name)
                    if link_type in UI_ONLY_LINKS:
                        detail += " through the API (link it in QuickBooks)"
                    raise faults.QBOFault(620, "Transaction cannot be linked", detail)
                sign = PAYERS[etype.name][doc_type]
                doc = self.data[doc_type].get(str(link.get("TxnId")))
                if doc is None or not self._visible(doc_type, link.get("TxnId")):
                    raise faults.object_not_found(link_type, link.get("TxnId"))
                if doc_type == "Purchase":
                    self._check_expense_link(doc)
                if self._doc_party(doc_type, doc) != party_id:
                    raise faults.business_validation(
                        "%s %s belongs to another %s." % (link_type, doc["Id"], party_field[:-3].lower()))
                open_amount = self._open_amount(doc_type, doc, exclude=own)
                if amount > open_amount + 0.005:
                    raise faults.business_validation(
                        "The amount %.2f applied to %s %s is more than its open balance %.2f."
                        % (amount, link_type, doc["Id"], open_amount))
                links.append((doc_type, doc["Id"], amount))
                applied += sign * amount
        if applied > total + 0.005:
            raise faults.business_validation(
                "The payment amount %.2f is less than the %.2f applied to documents." % (total, applied))
        obj["UnappliedAmt"] = ledger.money(total - applied)
        return links

    def _open_amount(self, doc_type, doc, exclude=None):
        paid = sum(a for payer, a in self.realm.applied.get((doc_type, doc["Id"]), {}).items()
                   if payer != exclude)
        total = self._receivable_amount(doc) if doc_type == "Purchase" else doc.get("TotalAmt", 0.0)
        return ledger.money(total - paid)

    @staticmethod
    def _link_entity(payer_type, link):
        """The entity a payer's LinkedTxn names (an "Expense" is a Purchase), or None if it cannot link it."""
        return LINK_ENTITIES[payer_type].get(link.get("TxnType"))

    def _doc_party(self, doc_type, doc):
        if doc_type == "Purchase":
            return str((doc.get("EntityRef") or {}).get("value"))
        return str(doc[PARTY_REF[doc_type]]["value"])

    def _receivable_amount(self, purchase):
        """What an expense charges its customer: its lines on an Accounts Receivable account."""
        total = 0.0
        for line in purchase.get("Line", []):
            detail = line.get("AccountBasedExpenseLineDetail") or {}
            account = self.data["Account"].get(str((detail.get("AccountRef") or {}).get("value")), {})
            if account.get("AccountType") == "Accounts Receivable":
                total += line.get("Amount", 0.0)
        return ledger.money(total)

    def _check_expense_link(self, purchase):
        """A payment can use an Expense (cash or card Purchase, not a credit) to a customer on Accounts Receivable:
        Intuit's way of paying a customer's credit out. Checks are linked in the QuickBooks UI only."""
        if purchase.get("PaymentType") == "Check" or purchase.get("Credit"):
            raise faults.QBOFault(620, "Transaction cannot be linked",
                                  "Purchase %s is a check or a credit card credit: link it in QuickBooks."
                                  % purchase["Id"])
        if (purchase.get("EntityRef") or {}).get("type", "Customer") != "Customer":
            raise faults.QBOFault(620, "Transaction cannot be linked",
                                  "Expense %s is not paid to a customer." % purchase["Id"])
        if self._receivable_amount(purchase) <= 0:
            raise faults.QBOFault(620, "Transaction cannot be linked",
                                  "Expense %s has no Accounts Receivable line." % purchase["Id"])

    def _apply(self, etype, payer, links):
        """Move the payer's applications to ``links`` and refresh what they touch."""
        key = (etype.name, payer["Id"])
        touched = set()
        for doc_key, payments in list(self.realm.applied.items()):
            if key in payments:
                del payments[key]
                touched.add(doc_key)
        for doc_type, doc_id, amount in links or []:
            self.realm.applied[(doc_type, doc_id)][key] = \
                self.realm.applied[(doc_type, doc_id)].get(key, 0.0) + amount
            touched.add((doc_type, doc_id))
        for doc_type, doc_id in touched:
            doc = self.data[doc_type].get(doc_id)
            if doc is None:
                continue
            doc_etype = ENTITIES[doc_type]
            self._shift_party(doc_etype, doc, None)
            self._refresh_doc(doc_etype, doc)
            doc["SyncToken"] = str(int(doc["SyncToken"]) + 1)
            now = self.now_iso()
            doc["MetaData"]["LastUpdatedTime"] = now
            self._shift_party(doc_etype, None, doc)
            self.publish(self.realm.realm_id, doc_type, doc_id, "Update", now)

    def _refresh_doc(self, etype, obj):
        """Balance and LinkedTxn of a document from the payments applied to it."""
        name = etype.name
        payments = self.realm.applied.get((name, obj["Id"]), {})
        if name in ("Invoice", "Bill", "CreditMemo", "VendorCredit"):
            paid = sum(payments.values())
            balance = ledger.money(obj.get("TotalAmt", 0.0) - paid)
            obj["Balance"] = balance
            if name == "CreditMemo":
                obj["RemainingCredit"] = balance
            others = [link for link in obj.get("LinkedTxn", []) if link.get("TxnType") not in PAYERS]
            obj["LinkedTxn"] = others + [{"TxnId": payer_id, "TxnType": payer}
                                         for payer, payer_id in sorted(payments)]
        elif name == "SalesReceipt":
            obj["Balance"] = 0.0          # paid on the spot
        elif name == "RefundReceipt":
            obj["Balance"] = 0.0          # refunded on the spot
        elif name == "Purchase":
            obj.pop("Balance", None)      # QBO keeps no balance on expenses; payments that use one link to it
            others = [link for link in obj.get("LinkedTxn", []) if link.get("TxnType") not in PAYERS]
            links = others + [{"TxnId": payer_id, "TxnType": payer} for payer, payer_id in sorted(payments)]
            if links:
                obj["LinkedTxn"] = links
            else:
                obj.pop("LinkedTxn", None)
        elif name in ("Deposit", "JournalEntry", "PurchaseOrder", "Estimate", "Transfer",
                      "CreditCardPayment"):
            obj.pop("Balance", None)      # QBO keeps no balance on these
        elif name in PAYERS:
            for line in obj.get("Line", []):
                for link in line.get("LinkedTxn", []):
                    link["TxnId"] = str(link["TxnId"])
        if name in ("Invoice", "CreditMemo", "Bill", "VendorCredit") or name in PAYERS:
            self._home_amounts(obj)

    def _home_amounts(self, obj):
        rate = obj.get("ExchangeRate")
        if not self.multicurrency or not rate:
            return
        rate = float(rate)
        if "TotalAmt" in obj:
            obj["HomeTotalAmt"] = ledger.money(obj["TotalAmt"] * rate)
        if "Balance" in obj:
            obj["HomeBalance"] = ledger.money(obj["Balance"] * rate)

    def _refuse_if_paid(self, etype, obj):
        if self.realm.applied.get((etype.name, obj["Id"])):
            # No code is published for this refusal (transactions.md §14(3); LanternOps/breeze#5180
            # reports only that QuickBooks refused): 6000, Intuit's business-validation code.
            raise faults.business_validation(
                "This transaction has payments applied to it. Remove the payments first.")

    def _shift_accounts(self, etype, old, new):
        """Move Account.CurrentBalance for the transactions that carry money between accounts.

        A debit raises an asset's balance and lowers a liability's (QuickBooks shows a credit
        card's balance as what is owed).
        """
        for obj, sign in ((old, -1), (new, 1)):
            if obj is None:
                continue
            for field, debit in ACCOUNT_MOVES[etype.name](obj):
                account = self.data["Account"].get(str((obj.get(field) or {}).get("value")))
                if account is None:
                    continue
                delta = sign * debit if account.get("Classification") in ("Asset", "Expense") else -sign * debit
                account["CurrentBalance"] = ledger.money(account.get("CurrentBalance", 0.0) + delta)
                while account is not None:
                    account["CurrentBalanceWithSubAccounts"] = ledger.money(
                        account.get("CurrentBalanceWithSubAccounts", 0.0) + delta)
                    account = self.data["Account"].get(str((account.get("ParentRef") or {}).get("value")))

    def _shift_party(self, etype, old, new):
        """Keep customer and vendor balances equal to their open documents."""
        for obj, sign in ((old, -1), (new, 1)):
            if obj is None or etype.name not in PARTY_REF or etype.name == "PurchaseOrder":
                continue
            contribution = {
                "Invoice": obj.get("Balance", 0.0), "Bill": obj.get("Balance", 0.0),
                "CreditMemo": -obj.get("Balance", 0.0), "VendorCredit": -obj.get("Balance", 0.0),
                "Payment": -obj.get("UnappliedAmt", 0.0), "BillPayment": -obj.get("UnappliedAmt", 0.0),
            }.get(etype.name, 0.0)
            if not contribution:
                continue
            party_entity = "Customer" if PARTY_REF[etype.name] == "CustomerRef" else "Vendor"
            party = self.data[party_entity].get(str(obj[PARTY_REF[etype.name]]["value"]))
            if party is not None:
                party["Balance"] = ledger.money(party.get("Balance", 0.0) + sign * contribution)
            # Sub-customers roll up: every ancestor's BalanceWithJobs moves too.
            while party is not None:
                if party_entity == "Customer":
                    party["BalanceWithJobs"] = ledger.money(party.get("BalanceWithJobs", 0.0)
                                                            + sign * contribution)
                    party = self.data["Customer"].get(str((party.get("ParentRef") or {}).get("value")))
                else:
                    party = None


# (account field, debit) pairs of the transactions that move account balances.
ACCOUNT_MOVES = {
    "Transfer": lambda o: (("ToAccountRef", o.get("Amount", 0.0)), ("FromAccountRef", -o.get("Amount", 0.0))),
    "CreditCardPayment": lambda o: (("CreditCardAccountRef", o.get("Amount", 0.0)),
                                    ("BankAccountRef", -o.get("Amount", 0.0))),
    "RefundReceipt": lambda o: (("DepositToAccountRef", -o.get("TotalAmt", 0.0)),),
}

CLASSIFICATION = {
    "Bank": "Asset", "Other Current Asset": "Asset", "Fixed Asset": "Asset", "Other Asset": "Asset",
    "Accounts Receivable": "Asset", "Equity": "Equity", "Expense": "Expense",
    "Other Expense": "Expense", "Cost of Goods Sold": "Expense", "Accounts Payable": "Liability",
    "Credit Card": "Liability", "Long Term Liability": "Liability", "Other Current Liability": "Liability",
    "Income": "Revenue", "Other Income": "Revenue",
}
FOREIGN_CURRENCY_ACCOUNTS = {"Bank", "Credit Card", "Accounts Receivable", "Accounts Payable"}
ACCOUNT_TYPE_OF_SUBTYPE = {
    "Checking": "Bank", "Savings": "Bank", "CashOnHand": "Bank", "MoneyMarket": "Bank",
    "AccountsReceivable": "Accounts Receivable", "AccountsPayable": "Accounts Payable",
    "UndepositedFunds": "Other Current Asset", "Inventory": "Other Current Asset",
    "CreditCard": "Credit Card", "SalesTaxPayable": "Other Current Liability",
    "GlobalTaxPayable": "Other Current Liability", "ServiceFeeIncome": "Income",
    "SalesOfProductIncome": "Income", "SuppliesMaterialsCogs": "Cost of Goods Sold",
    "OpeningBalanceEquity": "Equity", "RetainedEarnings": "Equity",
}
