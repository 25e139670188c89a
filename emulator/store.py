"""In-memory state of the emulated Intuit: companies (realms), OAuth grants, apps.

Everything lives in plain dicts so the whole state serialises to one JSON file
(``--state-file``) and a test can dump a realm to compare with what Odoo holds.
"""
import collections
import json
import os
import threading


class Realm:
    """One QuickBooks company: its entities, tombstones and counters."""

    def __init__(self, realm_id, preset="", utc_offset_minutes=0):
        self.realm_id = realm_id
        self.preset = preset
        self.utc_offset_minutes = utc_offset_minutes
        self.data = collections.defaultdict(dict)        # entity -> {Id: object}
        self.tombstones = collections.defaultdict(dict)  # entity -> {Id: (epoch, iso)}
        self.counters = collections.defaultdict(int)     # id space -> last Id
        self.doc_numbers = collections.defaultdict(int)  # entity -> last auto DocNumber
        self.exchange_rates = []                        # ExchangeRate objects
        self.applied = collections.defaultdict(dict)     # (entity, Id) -> {(payer, Id): amount}
        self.files = {}                                  # Attachable Id -> base64 content
        self.replies = collections.OrderedDict()         # requestid -> (status, ctype, body)
        self.lock = threading.RLock()                    # writes to one company are serialised

    def next_id(self, space):
        self.counters[space] += 1
        return str(self.counters[space])

    def to_json(self):
        return {
            "realm_id": self.realm_id, "preset": self.preset,
            "utc_offset_minutes": self.utc_offset_minutes,
            "data": self.data, "tombstones": self.tombstones,
            "counters": self.counters, "doc_numbers": self.doc_numbers,
            "exchange_rates": self.exchange_rates, "files": self.files,
            "applied": [[k[0], k[1], [[p[0], p[1], a] for p, a in v.items()]]
                        for k, v in self.applied.items()],
        }

    @classmethod
    def from_json(cls, blob):
        realm = cls(blob["realm_id"], blob.get("preset", ""), blob.get("utc_offset_minutes", 0))
        for entity, objects in blob.get("data", {}).items():
            realm.data[entity].update(objects)
        for entity, stones in blob.get("tombstones", {}).items():
            realm.tombstones[entity].update({k: tuple(v) for k, v in stones.items()})
        realm.counters.update(blob.get("counters", {}))
        realm.doc_numbers.update(blob.get("doc_numbers", {}))
        realm.exchange_rates = blob.get("exchange_rates", [])
        realm.files = blob.get("files", {})
        for entity, obj_id, payers in blob.get("applied", []):
            realm.applied[(entity, obj_id)] = {(payer, payer_id): amount
                                               for payer, payer_id, amount in payers}
        return realm


class OAuthState:
    """Apps, demo users, authorization codes, grants and tokens."""

    def __init__(self):
        self.clients = {}        # client_id -> {"secret", "redirect_uris": [...] or []}
        self.users = {}          # email -> {"password", "given_name", "family_name", "realms": [...]}
        self.codes = {}          # code -> {...}
        self.grants = {}         # grant_id -> {"client_id", "realm_id", "user", "scopes", "created", "revoked"}
        self.refresh_tokens = {}  # token -> {"grant_id", "expires", "superseded"}
        self.access_tokens = {}   # token -> {"grant_id", "expires"}

    def to_json(self):
        return {k: getattr(self, k) for k in
                ("clients", "users", "codes", "grants", "refresh_tokens", "access_tokens")}

    @classmethod
    def from_json(cls, blob):
        state = cls()
        for key, value in blob.items():
            getattr(state, key).update(value)
        return state


class Store:
    def __init__(self):
        self.realms = {}
        self.oauth = OAuthState()
        self.lock = threading.RLock()

    def realm(self, realm_id):
        return self.realms.get(str(realm_id))

    def save(self, path):
        with self.lock:
            blob = {"realms": [r.to_json() for r in self.realms.values()],
                    "oauth": self.oauth.to_json()}
            text = json.dumps(blob, default=list)
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)

    def load(self, path):
        with open(path, encoding="utf-8") as handle:
            blob = json.load(handle)
        with self.lock:
            self.realms = {r["realm_id"]: Realm.from_json(r) for r in blob.get("realms", [])}
            self.oauth = OAuthState.from_json(blob.get("oauth", {}))
