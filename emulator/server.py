"""The emulated Intuit as one WSGI application, and a threaded HTTP server for it."""
import collections
import logging
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from . import api as api_module, seed
from .admin import Admin
from .clock import Clock
from .company import Company
from .entities import ENTITIES
from .faultinject import FaultInjector
from .limits import Latency, Limits, Throttle
from .oauth import OAuthServer
from .policy import Policy
from .store import Store
from .webhooks import WebhookDispatcher, WebhookSettings

_logger = logging.getLogger("emulator.http")

DEMO_CLIENT_ID = "emulator-client-id"
DEMO_CLIENT_SECRET = "emulator-client-secret"
DEMO_USER = "demo@example.com"
DEMO_PASSWORD = "demo"


@dataclass
class Settings:
    host: str = "127.0.0.1"
    port: int = 8765
    presets: tuple = ("us", "uk")
    state_file: str = ""
    seed: int = 0
    replay_capacity: int = 100000
    policy: Policy = field(default_factory=Policy)
    limits: Limits = field(default_factory=Limits)
    latency: Latency = field(default_factory=Latency)
    webhook: WebhookSettings = field(default_factory=WebhookSettings)


class Emulator:
    """State, rules, OAuth, limits, faults and webhooks behind one WSGI callable."""

    def __init__(self, settings=None):
        self.settings = settings or Settings()
        self.clock = Clock()
        self.store = Store()
        self.limits = self.settings.limits
        self.throttle = Throttle(self.limits)
        self.faults = FaultInjector(self.settings.seed)
        self.oauth = OAuthServer(self.store, self.clock, self.settings.policy)
        self.webhooks = WebhookDispatcher(lambda: self.settings.webhook, clock=self.clock)
        self.replay_capacity = self.settings.replay_capacity
        self.api = api_module.Api(self)
        self.admin = Admin(self)
        self._companies = {}
        self._counters = collections.defaultdict(collections.Counter)
        self._counter_lock = threading.Lock()
        self.latencies = collections.deque(maxlen=20000)
        self.base_url = "http://%s:%s/" % (self.settings.host, self.settings.port)
        self.reset(self.settings.presets)

    # ------------------------------------------------------------ state
    def reset(self, presets=None):
        self.clock.reset()
        with self.store.lock:
            self.store.realms.clear()
            self.store.oauth.__init__()
            self._companies.clear()
            self.register_client(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, name="Odoo (demo)")
            for name in presets or ():
                self.load_preset(name)
        self.throttle.reset()
        self.reset_counters()
        self.webhooks.reset()

    def load_preset(self, name, realm_id=None, company_name=None):
        realm = seed.load(self.store, self.clock, name, realm_id, company_name)
        self._companies.pop(realm.realm_id, None)
        user = self.store.oauth.users.get(DEMO_USER)
        if user is None:
            self.register_user(DEMO_USER, DEMO_PASSWORD, [realm.realm_id])
        elif realm.realm_id not in user["realms"]:
            user["realms"].append(realm.realm_id)
        return realm

    def register_client(self, client_id, secret, redirect_uris=(), name=""):
        self.store.oauth.clients[client_id] = {"secret": secret, "redirect_uris": list(redirect_uris),
                                               "name": name or client_id}

    def register_user(self, email, password, realms, given_name="Demo", family_name="User"):
        self.store.oauth.users[email.lower()] = {
            "email": email.lower(), "password": password, "realms": list(realms),
            "given_name": given_name, "family_name": family_name}

    def company(self, realm):
        company = self._companies.get(realm.realm_id)
        if company is None or company.realm is not realm:
            company = Company(realm, self.clock, self._publish, self.settings.policy)
            self._companies[realm.realm_id] = company
        return company

    def _publish(self, realm_id, entity, entity_id, operation, last_updated):
        etype = ENTITIES.get(entity)
        if etype is not None and etype.webhook and self.settings.webhook.url:
            self.webhooks.publish(realm_id, entity, entity_id, operation, last_updated)

    def load_state(self, path):
        self.store.load(path)
        self._companies.clear()

    # ------------------------------------------------------------ counters
    def count(self, realm_id, key):
        with self._counter_lock:
            self._counters[realm_id][key] += 1
            self._counters[realm_id]["total"] += 1

    def counters(self, realm_id=None):
        with self._counter_lock:
            if realm_id:
                return dict(self._counters.get(realm_id, {}))
            return {realm: dict(counter) for realm, counter in self._counters.items()}

    def reset_counters(self):
        with self._counter_lock:
            self._counters.clear()
        self.latencies.clear()

    def public_url(self):
        return self.base_url

    # ------------------------------------------------------------ WSGI
    def dispatch(self, request):
        path = request.path
        if path.startswith("/v3/company/"):
            realm_id, _, rest = path[len("/v3/company/"):].partition("/")
            return self.api.handle(request, realm_id, rest)
        if path.startswith("/_emulator/"):
            return self.admin.handle(request, path[len("/_emulator/"):])
        oauth = self.oauth
        if path.startswith("/.well-known/openid_"):
            return oauth.discovery(request)
        if path == "/oauth2/v1/tokens/bearer" and request.method == "POST":
            return self._oauth_call(request, oauth.token)
        if path == "/oauth2/v1/tokens/revoke" and request.method == "POST":
            return self._oauth_call(request, oauth.revoke)
        if path == "/connect/oauth2":
            return oauth.authorize(request)
        if path == "/op/v1/jwks":
            return oauth.jwks(request)
        if path.endswith("/v1/openid_connect/userinfo"):
            return oauth.userinfo(request)
        if path == "/":
            return self.admin.index(request)
        if path.startswith("/app/"):
            return self.admin.app_page(request, path[len("/app/"):])
        return Response("Not found", status=404)

    def _oauth_call(self, request, handler):
        self.count("_oauth", "%s %s" % (request.method, request.path.rsplit("/", 1)[-1]))
        fate = self.faults.decide("oauth.token" if request.path.endswith("bearer") else "oauth.revoke")
        if fate in ("error", "unavailable") or (fate or "").startswith("fail:"):
            status = 500 if fate == "error" else 503 if fate == "unavailable" else int(fate[5:])
            return Response('{"error":"server_error"}', status=status, mimetype="application/json")
        if fate == "reset":
            api_module.set_connection_fate("reset")
            return Response("", status=500)
        with self.store.lock:
            response = handler(request)
        if self.settings.latency.enabled:
            api_module.add_injected_delay(self.settings.latency.oauth_ms / 1000.0)
        if fate == "lost":
            api_module.set_connection_fate("reset")
        elif fate and fate.startswith("slow:"):
            time.sleep(float(fate[5:]))
        return response

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        api_module.set_connection_fate(None)
        api_module.take_injected_delay()
        request = Request(environ)
        # Read the whole body first: werkzeug drains unread input after answering with a
        # blocking read, which would hang a request the fault injector resets unanswered.
        request.get_data()
        response = self.dispatch(request)
        response.get_data()  # render now, so the latency covers the whole answer
        elapsed = (time.perf_counter() - started - api_module.take_injected_delay()) * 1000.0
        self.latencies.append(elapsed)
        environ["emulator.latency_ms"] = elapsed
        return response(environ, start_response)


class _FateWriter:
    """Passes the answer to the socket unless the request's fate is a reset.

    The answer must go out as soon as it is written: werkzeug drains the
    request socket for 10 ms after every answer, and holding the bytes until
    then would add that to every call.
    """

    def __init__(self, real):
        self.real = real

    def write(self, data):
        if api_module.connection_fate() == "reset":
            return len(data)
        return self.real.write(data)

    def flush(self):
        if api_module.connection_fate() != "reset":
            self.real.flush()


class _RequestHandler(WSGIRequestHandler):
    """Lets fault injection drop a connection without answering."""

    def run_wsgi(self):
        real, self.wfile = self.wfile, _FateWriter(self.wfile)
        try:
            super().run_wsgi()
        finally:
            self.wfile = real
        if api_module.connection_fate() == "reset":
            self.close_connection = True
            # Linger 0 makes the close a TCP reset, as a dropped proxy connection looks.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    def log_request(self, code="-", size="-"):
        if _logger.isEnabledFor(logging.INFO):
            latency = getattr(self, "environ", {}).get("emulator.latency_ms")
            _logger.info("%s %s %s %s", self.command, self.path.split("?", 1)[0], code,
                         "%.2f ms" % latency if latency is not None else "-")

    def log_error(self, *args):
        _logger.debug("http error: " + args[0], *args[1:])

    def log_message(self, format, *args):
        _logger.debug(format, *args)


class EmulatorServer:
    """Runs an Emulator on a loopback port in a background thread.

    ``EmulatorServer(port=0)`` picks a free port, which is what tests use.
    """

    def __init__(self, settings=None, **overrides):
        settings = settings or Settings()
        for key, value in overrides.items():
            setattr(settings, key, value)
        self.emulator = Emulator(settings)
        self._server = make_server(settings.host, settings.port, self._app, threaded=True,
                                   request_handler=_RequestHandler)
        self._server.daemon_threads = True
        self.port = self._server.server_port
        self.url = "http://%s:%d/" % (settings.host, self.port)
        self.emulator.base_url = self.url
        self._thread = None

    def _app(self, environ, start_response):
        return self.emulator(environ, start_response)

    @property
    def api_url(self):
        """The value for python-quickbooks' ``api_url_v3``."""
        return self.url + "v3"

    @property
    def discovery_url(self):
        """The value for intuitlib's ``environment``."""
        return self.url + ".well-known/openid_configuration"

    def start(self):
        self._thread = threading.Thread(target=self._server.serve_forever, name="qbo-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
        self.emulator.webhooks.stop()
        if self.emulator.settings.state_file:
            self.emulator.store.save(self.emulator.settings.state_file)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
