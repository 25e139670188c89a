"""Helpers for code that drives the emulator: tests, benchmarks, the demo.

python-quickbooks and intuitlib are imported lazily so the emulator itself
needs only werkzeug.
"""
import os

import requests

from .server import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET

TIMEOUT = 30


class AdminClient:
    """The ``/_emulator/`` API over HTTP."""

    def __init__(self, base_url):
        self.base_url = base_url.rstrip("/") + "/_emulator/"
        self.session = requests.Session()

    def call(self, method, path, payload=None):
        response = self.session.request(method, self.base_url + path.lstrip("/"), json=payload,
                                        timeout=TIMEOUT)
        response.raise_for_status()
        return response.json()

    def reset(self, presets=("us", "uk")):
        return self.call("POST", "reset", {"presets": list(presets)})

    def configure(self, **sections):
        return self.call("POST", "config", sections)

    def faults(self, **endpoints):
        return self.call("POST", "faults", endpoints)

    def clear_faults(self, seed=None):
        return self.call("DELETE", "faults", {"seed": seed} if seed is not None else {})

    def counters(self, realm_id=None):
        return self.call("GET", "counters/%s" % realm_id if realm_id else "counters")

    def clear_counters(self):
        return self.call("DELETE", "counters")

    def grant(self, realm_id, client_id=DEMO_CLIENT_ID, scopes=None):
        payload = {"client_id": client_id, "realm_id": str(realm_id)}
        if scopes:
            payload["scopes"] = list(scopes)
        return self.call("POST", "tokens", payload)

    def dump(self, realm_id):
        return self.call("GET", "realms/%s/dump" % realm_id)

    def patch(self, realm_id, entity, fields, obj_id=None):
        return self.call("POST", "realms/%s/patch" % realm_id, {"entity": entity, "fields": fields, "id": obj_id})

    def clock(self, now=None, advance=None, reset=False):
        payload = {}
        if now is not None:
            payload["now"] = now
        if advance is not None:
            payload["advance"] = advance
        if reset:
            payload["reset"] = True
        return self.call("POST", "clock", payload)


def auth_client(base_url, client_id=DEMO_CLIENT_ID, client_secret=DEMO_CLIENT_SECRET,
                redirect_uri="http://127.0.0.1/callback", **tokens):
    """An intuitlib AuthClient whose discovery document is the emulator's."""
    from intuitlib.client import AuthClient
    return AuthClient(client_id, client_secret, redirect_uri,
                      base_url.rstrip("/") + "/.well-known/openid_configuration", **tokens)


def quickbooks(base_url, realm_id, access_token, refresh_token="", client=None, minorversion=75):
    """A python-quickbooks client talking to the emulator, unmodified but for its base URL."""
    from quickbooks import QuickBooks
    # requests-oauthlib refuses plain http unless told it is a local test server.
    os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
    client = client or auth_client(base_url, access_token=access_token, refresh_token=refresh_token)
    qb = QuickBooks(auth_client=client, refresh_token=refresh_token or client.refresh_token,
                    company_id=str(realm_id), minorversion=minorversion)
    qb.api_url_v3 = base_url.rstrip("/") + "/v3"
    return qb
