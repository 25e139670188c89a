"""Clients for one QuickBooks company: intuitlib for OAuth, python-quickbooks for the API.

Both libraries send requests without a timeout and python-quickbooks keeps a
static token in an OAuth2Session; the subclasses here add a timeout to every
request, remember the HTTP status and intuit_tid of the last answer, and carry
the Bearer token in a plain session that the caller rebuilds after a refresh.
"""
import json
from dataclasses import dataclass

import requests
from intuitlib.client import AuthClient
from quickbooks import QuickBooks

DEFAULT_TIMEOUT = 30
MINOR_VERSION = 75
PRODUCTION_API = "https://quickbooks.api.intuit.com/v3"
SANDBOX_API = "https://sandbox-quickbooks.api.intuit.com/v3"


@dataclass(frozen=True)
class Endpoints:
    """Where one environment's OAuth discovery, API and web app live."""

    discovery: str      # intuitlib's `environment` argument
    api_base: str       # python-quickbooks' api_url_v3
    app_base: str       # the QuickBooks web app, for "View in QuickBooks"


def endpoints_for(environment, emulator_url=""):
    if environment == "production":
        return Endpoints("production", PRODUCTION_API, "https://qbo.intuit.com/app/")
    if environment == "sandbox":
        return Endpoints("sandbox", SANDBOX_API, "https://app.sandbox.qbo.intuit.com/app/")
    if environment == "emulator":
        if not emulator_url:
            raise ValueError("the emulator environment needs the emulator's URL")
        base = emulator_url.rstrip("/") + "/"
        return Endpoints(base + ".well-known/openid_configuration", base + "v3", base + "app/")
    raise ValueError("unknown QuickBooks environment %r" % environment)


class _TimedAuthClient(AuthClient):
    """intuitlib's client (a requests.Session) with a timeout on every call."""

    def __init__(self, *args, timeout=DEFAULT_TIMEOUT, **kwargs):
        self.timeout = timeout   # set first: the parent constructor already fetches discovery
        super().__init__(*args, **kwargs)

    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", self.timeout)
        return super().request(method, url, **kwargs)


def auth_client(endpoints, client_id, client_secret, redirect_uri, timeout=DEFAULT_TIMEOUT, **tokens):
    """An intuitlib AuthClient; its constructor fetches the discovery document."""
    return _TimedAuthClient(client_id, client_secret, redirect_uri, endpoints.discovery,
                            timeout=timeout, **tokens)


class ApiSession(requests.Session):
    """The session python-quickbooks sends through: Bearer token, timeout, last answer kept."""

    def __init__(self, access_token, timeout=DEFAULT_TIMEOUT):
        super().__init__()
        self.access_token = access_token   # python-quickbooks reads this attribute
        self.timeout = timeout
        self.last_status = None
        self.last_intuit_tid = ""

    def request(self, method, url, **kwargs):
        kwargs.setdefault("timeout", self.timeout)
        self.last_status, self.last_intuit_tid = None, ""
        response = super().request(method, url, **kwargs)
        self.last_status = response.status_code
        self.last_intuit_tid = response.headers.get("intuit_tid", "")
        return response


def api_client(endpoints, realm_id, access_token, timeout=DEFAULT_TIMEOUT):
    """A python-quickbooks client for one realm, without the library's hidden token refresh."""
    qb = QuickBooks(company_id=str(realm_id), minorversion=MINOR_VERSION)
    qb.session = ApiSession(access_token, timeout)
    qb.api_url_v3 = endpoints.api_base
    return qb


class Answer(dict):
    """A QuickBooks JSON answer that remembers Intuit's transaction id, for support requests."""

    def __init__(self, data, intuit_tid=""):
        super().__init__(data or {})
        self.intuit_tid = intuit_tid or ""


def send(endpoints, realm_id, access_token, method, path, params=None, body=None, request_id=None,
         timeout=DEFAULT_TIMEOUT, content_type="application/json", file_bytes=None):
    """One call to ``/v3/company/<realm>/<path>``: the answer, or a classified QboError.

    python-quickbooks builds the request (minor version, request id, the
    multipart body of an upload) and reads Intuit's Fault bodies; every
    failure comes back with Intuit's code, detail, HTTP status and intuit_tid.
    """
    from .errors import classify_api_error
    qb = api_client(endpoints, realm_id, access_token, timeout)
    url = "%s/company/%s/%s" % (endpoints.api_base, realm_id, path)
    if body is not None and not isinstance(body, str):
        body = json.dumps(body)
    try:
        data = qb.make_request(method, url, request_body=body, content_type=content_type, params=dict(params or {}),
                               file_bytes=file_bytes, request_id=request_id)
    except Exception as error:
        raise classify_api_error(error, qb.session.last_status, qb.session.last_intuit_tid) from error
    return Answer(data, qb.session.last_intuit_tid)
