"""``/_emulator/...``: the control panel tests and benchmarks drive.

Nothing here exists at Intuit; it is kept under its own path so no client
code can mistake it for the Accounting API.
"""
import base64
import dataclasses
import html
import json

from werkzeug.wrappers import Response

from .clock import parse_timestamp
from .entities import by_name


def _json(payload, status=200):
    return Response(json.dumps(payload, default=list), status=status, mimetype="application/json")


class Admin:
    def __init__(self, emulator):
        self.emu = emulator

    def handle(self, request, path):
        try:
            body = json.loads(request.get_data(as_text=True) or "{}") if request.method != "GET" else {}
        except ValueError:
            return _json({"error": "the body must be JSON"}, 400)
        parts = [p for p in path.split("/") if p]
        route = (request.method, parts[0] if parts else "")
        handler = {
            ("POST", "reset"): self.reset, ("GET", "realms"): self.realms, ("POST", "realms"): self.add_realm,
            ("GET", "config"): self.config, ("POST", "config"): self.set_config,
            ("GET", "faults"): self.get_faults, ("POST", "faults"): self.set_faults,
            ("DELETE", "faults"): self.clear_faults,
            ("GET", "counters"): self.counters, ("DELETE", "counters"): self.clear_counters,
            ("GET", "clock"): self.get_clock, ("POST", "clock"): self.set_clock,
            ("POST", "clients"): self.add_client, ("POST", "users"): self.add_user,
            ("POST", "tokens"): self.grant_tokens,
            ("GET", "webhooks"): self.webhook_log, ("POST", "webhooks"): self.flush_webhooks,
            ("GET", "stats"): self.stats, ("POST", "save"): self.save,
            ("GET", "files"): self.file,
        }.get(route)
        if handler is None:
            return _json({"error": "no such admin route: %s /_emulator/%s" % (request.method, path)}, 404)
        try:
            return handler(request, body, parts[1:])
        except (KeyError, ValueError, TypeError) as error:
            return _json({"error": "%s: %s" % (type(error).__name__, error)}, 400)

    # ------------------------------------------------------------ state
    def reset(self, request, body, rest):
        self.emu.reset(body.get("presets", list(self.emu.settings.presets)))
        return self.realms(request, body, [])

    def realms(self, request, body, rest):
        if rest:
            realm = self.emu.store.realm(rest[0])
            if realm is None:
                return _json({"error": "no realm %s" % rest[0]}, 404)
            if len(rest) > 1 and rest[1] == "dump":
                return _json(realm.to_json())
            return _json(self._realm_summary(realm))
        return _json({"realms": [self._realm_summary(r) for r in self.emu.store.realms.values()]})

    def _realm_summary(self, realm):
        company = self.emu.company(realm)
        return {"realm_id": realm.realm_id, "preset": realm.preset,
                "company_name": company.info.get("CompanyName"), "country": company.info.get("Country"),
                "home_currency": company.home_currency, "multicurrency": company.multicurrency,
                "counts": {name: len(objs) for name, objs in realm.data.items() if objs}}

    def add_realm(self, request, body, rest):
        if rest and len(rest) > 1 and rest[1] == "patch":
            return self.patch(rest[0], body)
        realm = self.emu.load_preset(body["preset"], body.get("realm_id"), body.get("company_name"))
        return _json(self._realm_summary(realm))

    def patch(self, realm_id, body):
        """Change a record behind the API's back, e.g. turn on multicurrency."""
        realm = self.emu.store.realm(realm_id)
        etype = by_name(body["entity"])
        with realm.lock:
            objects = realm.data[etype.name]
            obj = objects.get(str(body.get("id", ""))) or (next(iter(objects.values())) if etype.kind ==
                                                           "singleton" else None)
            if obj is None:
                return _json({"error": "no %s %s" % (etype.name, body.get("id"))}, 404)
            _merge(obj, body["fields"])
        return _json(obj)

    def save(self, request, body, rest):
        path = body.get("path") or self.emu.settings.state_file
        if not path:
            return _json({"error": "no state file configured"}, 400)
        self.emu.store.save(path)
        return _json({"saved": path})

    # ------------------------------------------------------------ settings
    def config(self, request, body, rest):
        settings = self.emu.settings
        return _json({"limits": dataclasses.asdict(settings.limits),
                      "policy": dataclasses.asdict(settings.policy),
                      "latency": dataclasses.asdict(settings.latency),
                      "webhook": dict(dataclasses.asdict(settings.webhook), verifier_token="***"),
                      "replay_capacity": self.emu.replay_capacity})

    def set_config(self, request, body, rest):
        settings = self.emu.settings
        for key, value in body.get("policy", {}).items():
            settings.policy.set(key, value)
        for section, target in (("limits", settings.limits), ("webhook", settings.webhook),
                                ("latency", settings.latency)):
            for key, value in body.get(section, {}).items():
                if not hasattr(target, key):
                    raise KeyError("%s.%s" % (section, key))
                setattr(target, key, tuple(value) if isinstance(value, list) else value)
        if "replay_capacity" in body:
            self.emu.replay_capacity = int(body["replay_capacity"])
        return self.config(request, {}, [])

    def get_faults(self, request, body, rest):
        return _json(self.emu.faults.snapshot())

    def set_faults(self, request, body, rest):
        result = {endpoint: self.emu.faults.configure(endpoint, **settings) for endpoint, settings in body.items()}
        return _json(result)

    def clear_faults(self, request, body, rest):
        self.emu.faults.clear(body.get("seed"))
        return _json({})

    def counters(self, request, body, rest):
        return _json(self.emu.counters(rest[0] if rest else None))

    def clear_counters(self, request, body, rest):
        self.emu.reset_counters()
        return _json({})

    def get_clock(self, request, body, rest):
        return _json({"now": self.emu.clock.now()})

    def set_clock(self, request, body, rest):
        if "now" in body:
            now = body["now"]
            self.emu.clock.set(parse_timestamp(now) if isinstance(now, str) else float(now))
        if "advance" in body:
            self.emu.clock.advance(float(body["advance"]))
        if body.get("reset"):
            self.emu.clock.reset()
        return self.get_clock(request, body, rest)

    def add_client(self, request, body, rest):
        self.emu.register_client(body["client_id"], body["client_secret"], body.get("redirect_uris", ()),
                                 body.get("name", ""))
        return _json({"client_id": body["client_id"]})

    def add_user(self, request, body, rest):
        self.emu.register_user(body["email"], body["password"], body.get("realms", []))
        return _json({"email": body["email"].lower()})

    def grant_tokens(self, request, body, rest):
        """Skip the consent page: issue tokens for (client, realm) directly."""
        oauth = self.emu.oauth
        if body["client_id"] not in self.emu.store.oauth.clients:
            raise KeyError("client %s" % body["client_id"])
        if self.emu.store.realm(body["realm_id"]) is None:
            raise KeyError("realm %s" % body["realm_id"])
        with self.emu.store.lock:
            grant = oauth.create_grant(body["client_id"], str(body["realm_id"]),
                                       body.get("user", "demo@example.com"),
                                       body.get("scopes", ["com.intuit.quickbooks.accounting"]))
            return _json(oauth.issue(grant))

    def webhook_log(self, request, body, rest):
        return _json({"deliveries": self.emu.webhooks.deliveries()})

    def flush_webhooks(self, request, body, rest):
        return _json({"drained": self.emu.webhooks.flush(float(body.get("timeout", 10)))})

    def stats(self, request, body, rest):
        samples = sorted(self.emu.latencies)
        if not samples:
            return _json({"requests": 0})
        pick = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))]
        return _json({"requests": len(samples), "median_ms": pick(0.5), "p90_ms": pick(0.9),
                      "p99_ms": pick(0.99), "max_ms": samples[-1]})

    def file(self, request, body, rest):
        realm = self.emu.store.realm(rest[0])
        raw = realm.files.get(rest[1]) if realm else None
        if raw is None:
            return Response("Not found", status=404)
        attachable = realm.data["Attachable"].get(rest[1], {})
        return Response(base64.b64decode(raw), mimetype=attachable.get("ContentType", "application/octet-stream"))

    # ------------------------------------------------------------ pages
    def index(self, request):
        rows = "".join(
            "<tr><td>%s</td><td>%s</td><td><code>%s</code></td><td>%s</td></tr>" % (
                html.escape(s["company_name"] or ""), html.escape(s["country"] or ""), s["realm_id"],
                ", ".join("%s %d" % kv for kv in sorted(s["counts"].items())))
            for s in (self._realm_summary(r) for r in self.emu.store.realms.values()))
        page = INDEX % {"rows": rows, "discovery": html.escape(self.emu.base_url) +
                        ".well-known/openid_configuration", "api": html.escape(self.emu.base_url) + "v3"}
        return Response(page, mimetype="text/html")

    def app_page(self, request, entity):
        """What "View in QuickBooks" opens: the record as the emulator holds it."""
        realm = self.emu.store.realm(request.args.get("realm", ""))
        etype = by_name(APP_PAGES.get(entity, entity))
        obj_id = next((request.args[key] for key in ("txnId", "nameId", "itemId", "accountId", "id")
                       if request.args.get(key)), None)
        obj = realm.data[etype.name].get(obj_id) if realm and etype else None
        if obj is None:
            return Response("Not found", status=404)
        page = INDEX_HEAD % {"title": "%s %s" % (etype.name, obj_id)} + \
            "<pre>%s</pre></main></body></html>" % html.escape(json.dumps(obj, indent=2))
        return Response(page, mimetype="text/html")


# The QuickBooks web app's page names (as in https://qbo.intuit.com/app/customerdetail?nameId=1).
APP_PAGES = {"customerdetail": "Customer", "vendordetail": "Vendor", "employeedetail": "Employee",
             "item": "Item", "register": "Account", "recvpayment": "Payment", "expense": "Purchase",
             "journal": "JournalEntry"}


def _merge(target, changes):
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = value


INDEX_HEAD = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>%(title)s</title>
<style>body{font-family:Helvetica,Arial,sans-serif;margin:0;color:#393a3d}header{background:#2ca01c;color:#fff;
padding:14px 28px;font-size:20px;font-weight:bold}main{padding:20px 28px}td,th{padding:4px 10px;text-align:left;
border-bottom:1px solid #e3e5e8}</style></head><body><header>QuickBooks Online emulator</header><main>
<h1>%(title)s</h1>"""
INDEX = INDEX_HEAD % {"title": "Companies"} + """<table><tr><th>Company</th><th>Country</th><th>Realm</th>
<th>Records</th></tr>%(rows)s</table><p>OAuth discovery: <code>%(discovery)s</code><br>
Accounting API base: <code>%(api)s</code><br>Admin API: <code>/_emulator/</code></p></main></body></html>"""
