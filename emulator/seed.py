"""Loading a company preset (``emulator/presets/<name>.py``) into a new realm.

Presets are plain data with symbolic references (``{"@ref": "Account:Checking"}``);
each record goes through the normal create rules, so seeded totals, balances
and links are computed exactly as for records created over the API.
"""
import copy
import importlib
import marshal
import threading

from .clock import qbo_timestamp
from .company import Company
from .entities import ENTITIES
from .store import Realm

PRESETS = ("us", "uk", "us_multicurrency")
US_SYSTEM_TAX_CODES = (("TAX", True, False), ("NON", False, False), ("CustomSalesTax", True, True))


def preset_module(name):
    if name not in PRESETS:
        raise ValueError("unknown preset %r (known: %s)" % (name, ", ".join(PRESETS)))
    return importlib.import_module("%s.presets.%s" % (__package__, name))


def _resolve(value, created):
    if isinstance(value, dict):
        if "@open" in value:
            # What is still open on a document at this point of the load: {"@open": "Invoice:1009",
            # "share": 0.5} is half its balance (presets/history.py pays with it).
            entity, _, name = value["@open"].partition(":")
            obj = created.get((entity, name))
            if obj is None:
                raise ValueError("preset reference to unknown %s %r" % (entity, name))
            return round(obj.get("Balance", 0.0) * value.get("share", 1.0), 2)
        if set(value) == {"@ref"}:
            entity, _, name = value["@ref"].partition(":")
            obj = created.get((entity, name))
            if obj is None:
                raise ValueError("preset reference to unknown %s %r" % (entity, name))
            label = obj.get("DisplayName") or obj.get("Name") or obj.get("DocNumber") or obj["Id"]
            return {"value": obj["Id"], "name": label}
        return {k: _resolve(v, created) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, created) for v in value]
    return value


def _unwrap_txn_ids(value):
    """LinkedTxn's TxnId is a bare Id string, not a reference."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "TxnId" and isinstance(item, dict):
                value[key] = item["value"]
            else:
                _unwrap_txn_ids(item)
    elif isinstance(value, list):
        for item in value:
            _unwrap_txn_ids(item)
    return value


def _build(clock, name):
    """A new realm with the preset's records, each created through the normal rules."""
    module = preset_module(name)
    realm_id = str(module.REALM_ID)
    realm = Realm(realm_id, name, module.UTC_OFFSET_MINUTES)
    now = qbo_timestamp(clock.now(), realm.utc_offset_minutes)
    meta = {"CreateTime": now, "LastUpdatedTime": now}
    info = copy.deepcopy(module.COMPANY_INFO)
    realm.data["CompanyInfo"][realm_id] = dict(info, Id=realm_id, SyncToken="0", MetaData=meta,
                                               domain="QBO", sparse=False)
    realm.data["Preferences"]["1"] = dict(copy.deepcopy(module.PREFERENCES), Id="1", SyncToken="0",
                                          MetaData=dict(meta), domain="QBO", sparse=False)
    if info.get("Country") == "US":
        # US companies list the line pseudo-codes as tax codes whose Id is their name
        # (Intuit's TaxCode reference sample); they come first in queries.
        for code, taxable, group in US_SYSTEM_TAX_CODES:
            realm.data["TaxCode"][code] = {"Name": code, "Description": code, "Taxable": taxable,
                                           "TaxGroup": group, "Id": code, "MetaData": dict(meta)}
    company = Company(realm, clock)
    for currency in module.CURRENCIES:
        company.create(ENTITIES["CompanyCurrency"], copy.deepcopy(currency), loading=True)
    realm.exchange_rates = [dict(rate, SyncToken="0", MetaData={"LastUpdatedTime": now})
                            for rate in copy.deepcopy(module.EXCHANGE_RATES)]
    created = {}
    for entity, payload in module.RECORDS:
        payload = _unwrap_txn_ids(_resolve(copy.deepcopy(payload), created))
        obj = company.create(ENTITIES[entity], payload, loading=True)
        for key in (payload.get("DisplayName"), payload.get("Name"), obj.get("DocNumber"),
                    obj.get("DisplayName"), obj.get("Name")):
            if key:
                created[(entity, key)] = obj
    return realm


# Each preset is built once per process, then every load restores that state: a reset of the
# two presets costs a few milliseconds however many documents they hold.
_SNAPSHOTS = {}
_SNAPSHOT_LOCK = threading.Lock()


def _snapshot(realm):
    return marshal.dumps({
        "data": {entity: dict(objects) for entity, objects in realm.data.items() if objects},
        "counters": dict(realm.counters), "doc_numbers": dict(realm.doc_numbers),
        "exchange_rates": realm.exchange_rates, "files": realm.files,
        "applied": {key: dict(payers) for key, payers in realm.applied.items()},
    })


def _stamp(value, now):
    """Every MetaData of the restored company says it was made now, as a fresh load would."""
    meta = value.get("MetaData")
    if meta is not None:
        if "CreateTime" in meta:
            meta["CreateTime"] = now
        meta["LastUpdatedTime"] = now
    elif len(value) == 1:      # a RecurringTransaction wraps its template
        inner = next(iter(value.values()))
        if isinstance(inner, dict):
            _stamp(inner, now)


def load(store, clock, name, realm_id=None, company_name=None):
    module = preset_module(name)
    with _SNAPSHOT_LOCK:
        blob = _SNAPSHOTS.get(name)
        if blob is None:
            blob = _SNAPSHOTS[name] = _snapshot(_build(clock, name))
    state = marshal.loads(blob)
    realm_id = str(realm_id or module.REALM_ID)
    realm = Realm(realm_id, name, module.UTC_OFFSET_MINUTES)
    for entity, objects in state["data"].items():
        realm.data[entity] = objects
    realm.counters.update(state["counters"])
    realm.doc_numbers.update(state["doc_numbers"])
    realm.exchange_rates = state["exchange_rates"]
    realm.files = state["files"]
    for key, payers in state["applied"].items():
        realm.applied[key] = payers
    now = qbo_timestamp(clock.now(), realm.utc_offset_minutes)
    for objects in realm.data.values():
        for obj in objects.values():
            _stamp(obj, now)
    for rate in realm.exchange_rates:
        _stamp(rate, now)
    info = next(iter(realm.data["CompanyInfo"].values()))
    info["Id"] = realm_id
    if company_name:
        info["CompanyName"] = company_name
    realm.data["CompanyInfo"] = {realm_id: info}
    with store.lock:
        store.realms[realm_id] = realm
    return realm
