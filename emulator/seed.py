"""Loading a company preset (``emulator/presets/<name>.py``) into a new realm.

Presets are plain data with symbolic references (``{"@ref": "Account:Checking"}``);
each record goes through the normal create rules, so seeded totals, balances
and links are computed exactly as for records created over the API.
"""
import copy
import importlib

from .clock import qbo_timestamp
from .company import Company
from .entities import ENTITIES
from .store import Realm

PRESETS = ("us", "uk")
US_SYSTEM_TAX_CODES = (("TAX", True, False), ("NON", False, False), ("CustomSalesTax", True, True))


def preset_module(name):
    if name not in PRESETS:
        raise ValueError("unknown preset %r (known: %s)" % (name, ", ".join(PRESETS)))
    return importlib.import_module("%s.presets.%s" % (__package__, name))


def _resolve(value, created):
    if isinstance(value, dict):
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


def load(store, clock, name, realm_id=None, company_name=None):
    module = preset_module(name)
    realm_id = str(realm_id or module.REALM_ID)
    realm = Realm(realm_id, name, module.UTC_OFFSET_MINUTES)
    now = qbo_timestamp(clock.now(), realm.utc_offset_minutes)
    meta = {"CreateTime": now, "LastUpdatedTime": now}
    info = copy.deepcopy(module.COMPANY_INFO)
    if company_name:
        info["CompanyName"] = company_name
    realm.data["CompanyInfo"][realm_id] = dict(info, Id=realm_id, SyncToken="0", MetaData=meta,
                                               domain="QBO", sparse=False)
    realm.data["Preferences"]["1"] = dict(copy.deepcopy(module.PREFERENCES), Id="1", SyncToken="0",
                                          MetaData=dict(meta), domain="QBO", sparse=False)
    if info.get("Country") == "US":
        # US companies list the line pseudo-codes as tax codes whose Id is their name
        # (Intuit's TaxCode reference sample); they come first in queries.
        for name, taxable, group in US_SYSTEM_TAX_CODES:
            realm.data["TaxCode"][name] = {"Name": name, "Description": name, "Taxable": taxable,
                                           "TaxGroup": group, "Id": name, "MetaData": dict(meta)}
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
    with store.lock:
        store.realms[realm_id] = realm
    return realm
