"""Shared set-up: the QuickBooks emulator in-process over real HTTP, and a log watch.

Every test class starts its own emulator on a free loopback port, points the
company's connection at it, and checks when it ends that no token or secret
the emulator issued appeared in any log record captured meanwhile.
"""
import contextlib
import logging
import os
import urllib.parse
from datetime import timedelta
from unittest.mock import patch

import requests

from odoo import SUPERUSER_ID, api, fields
from odoo.modules.registry import DummyRLock, Registry
from odoo.tests import HttpCase, TransactionCase, new_test_user

from ..emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_PASSWORD, DEMO_USER, EmulatorServer
from ..emulator.testing import AdminClient

US_REALM = "9341452727711001"
UK_REALM = "9341452727711002"
TIMEOUT = 30


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.messages = []

    def emit(self, record):
        try:
            self.messages.append(record.getMessage())
        except Exception:   # a record that cannot format is no leak
            self.messages.append(str(record.msg))


class LeakWatch:
    """Mixin: capture every log record of the class, then look for secrets in them."""

    @classmethod
    def start_leak_watch(cls):
        cls.log_capture = _Capture()
        logging.getLogger().addHandler(cls.log_capture)
        addon_logger = logging.getLogger("odoo.addons.account_quickbooks_online")
        previous = addon_logger.level
        addon_logger.setLevel(logging.DEBUG)
        cls.addClassCleanup(addon_logger.setLevel, previous)
        cls.addClassCleanup(logging.getLogger().removeHandler, cls.log_capture)

    @classmethod
    def secrets_issued(cls, emulator):
        state = emulator.emulator.store.oauth
        return set(state.access_tokens) | set(state.refresh_tokens) | {DEMO_CLIENT_SECRET}

    @classmethod
    def leaked_secrets(cls, secrets):
        return sorted({"%s... in %r" % (secret[:6], message[:120]) for message in cls.log_capture.messages
                       for secret in secrets if secret in message})


class QboHttpCase(HttpCase, LeakWatch):
    """An emulator, the app's credentials, a US company connection pointed at the emulator."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
        logging.getLogger("emulator.http").setLevel(logging.WARNING)
        cls.start_leak_watch()
        cls.emulator = EmulatorServer(port=0).start()
        cls.addClassCleanup(cls.emulator.stop)
        cls.emulator_admin = AdminClient(cls.emulator.url)
        params = cls.env["ir.config_parameter"].sudo()
        params.set_param("account_quickbooks_online.client_id", DEMO_CLIENT_ID)
        params.set_param("account_quickbooks_online.client_secret", DEMO_CLIENT_SECRET)
        cls.company = cls.env.company
        cls.company.write({"country_id": cls.env.ref("base.us").id})
        cls.connection = cls.env["qbo.connection"].search([("company_id", "=", cls.company.id)])
        cls.connection.write({"environment": "emulator", "emulator_url": cls.emulator.url})
        cls.manager = new_test_user(cls.env, "qbo_manager", groups="base.group_user,account.group_account_manager",
                                    company_id=cls.company.id, company_ids=[cls.company.id])
        cls.plain_user = new_test_user(cls.env, "qbo_user", groups="base.group_user,account.group_account_invoice",
                                       company_id=cls.company.id, company_ids=[cls.company.id])

        cls.issued = set()

    def setUp(self):
        super().setUp()
        self.emulator_admin.reset()
        self.emulator_admin.clear_faults()
        # Remember what this test's emulator issued before the next reset forgets it.
        self.addCleanup(lambda: self.issued.update(self.secrets_issued(self.emulator)))

    @classmethod
    def tearDownClass(cls):
        leaked = cls.leaked_secrets(cls.issued | cls.secrets_issued(cls.emulator))
        super().tearDownClass()
        if leaked:
            raise AssertionError("%s: tokens or secrets were logged: %s" % (cls.__name__, leaked))

    # ------------------------------------------------------------------ the dance
    def consent(self, connection, user, realm_id=US_REALM, action="approve", mode="tab"):
        """Click Connect as ``user``, sign in at the emulator and approve; return the callback URL.

        ``mode`` is where the browser went to Intuit: "tab" (no pop-up: the callback redirects to the
        form) or "popup" (the callback page refreshes the opener and closes).
        """
        result = connection.with_user(user).action_qbo_connect()
        self.assertEqual((result["type"], result["tag"]), ("ir.actions.client", "qbo_oauth_connect"))
        url = result["params"]["%s_url" % mode]
        self.assertTrue(url.startswith(self.emulator.url + "connect/oauth2?"))
        form = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
        form.update(email=DEMO_USER, password=DEMO_PASSWORD, realm_id=realm_id, action=action)
        answer = requests.post(self.emulator.url + "connect/oauth2", data=form, allow_redirects=False,
                               timeout=TIMEOUT)
        self.assertEqual(answer.status_code, 302)
        return answer.headers["Location"]

    def callback(self, location, login="qbo_manager"):
        """Follow Intuit's redirect into Odoo as ``login``; return the response (no redirects followed)."""
        self.authenticate(login, login)
        path = location[len(self.base_url()):] if location.startswith(self.base_url()) else location
        return self.url_open(path, allow_redirects=False, timeout=TIMEOUT)

    def connect(self, connection=None, realm_id=US_REALM):
        connection = connection or self.connection
        response = self.callback(self.consent(connection, self.manager, realm_id))
        self.assertEqual(response.status_code, 303, response.text[:500])
        connection.invalidate_recordset()
        self.assertEqual(connection.state, "connected")
        return connection

    def connect_with_tokens(self, connection=None, realm_id=US_REALM, **values):
        """Connected to ``realm_id`` with fresh tokens and without the consent dance, for what comes after."""
        connection = connection or self.connection
        tokens = self.emulator_admin.grant(realm_id)
        connection.sudo().write(dict({
            "state": "connected", "realm_id": realm_id, "access_token": tokens["access_token"],
            "refresh_token": tokens["refresh_token"],
            "access_token_expires_at": fields.Datetime.now() + timedelta(hours=1)}, **values))
        return connection

    def token_requests(self, grant_type=None):
        return self.emulator_admin.counters("_oauth").get("POST bearer", 0)


class QboSyncCase(QboHttpCase):
    """A connected US company whose pushes are not paced: for tests about what is sent, not how fast."""

    def setUp(self):
        super().setUp()
        self.connect_with_tokens()
        self.Job = self.env["qbo.sync.job"]
        self.Binding = self.env["qbo.binding"]
        self.emulator_admin.configure(limits={"batch_per_minute": 10000, "requests_per_minute": 100000})
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("account_quickbooks_online.limit_batch_per_window", "10000")
        params.set_param("account_quickbooks_online.limit_request_per_window", "100000")

    def patch_commits(self):
        """The cron processor commits per batch on a real cursor; here everything stays in the test's transaction."""
        for name in ("commit", "rollback"):
            patcher = patch.object(self.env.cr, name, lambda: None)
            patcher.start()
            self.addCleanup(patcher.stop)

    def connect_company(self, name, realm_id, preset="us"):
        """Another company, connected to ``realm_id`` (loaded from ``preset`` when the emulator lacks it)."""
        if realm_id not in (US_REALM, UK_REALM):
            self.emulator_admin.call("POST", "realms", {"preset": preset, "realm_id": realm_id})
        company = self.env["res.company"].create({"name": name, "country_id": self.env.ref("base.us").id})
        connection = self.env["qbo.connection"].search([("company_id", "=", company.id)])
        return self.connect_with_tokens(connection, realm_id, environment="emulator",
                                        emulator_url=self.emulator.url)

    def customers(self, count, prefix="Outbox", **values):
        return self.env["res.partner"].create([dict({"name": "%s %05d" % (prefix, n), "customer_rank": 1,
                                                     "email": "c%d@example.com" % n}, **values)
                                               for n in range(count)])

    def qbo_objects(self, entity, prefix):
        data = self.emulator_admin.dump(US_REALM)["data"][entity].values()
        return [obj for obj in data if obj.get("DisplayName", obj.get("Name", "")).startswith(prefix)]

    def qbo_customers(self, prefix):
        return self.qbo_objects("Customer", prefix)

    def jobs_of(self, records, entity=None):
        domain = [("res_model", "=", records._name), ("res_id", "in", records.ids)]
        return self.Job.search(domain + ([("qbo_entity", "=", entity)] if entity else []), order="id")

    def binding_of(self, record, entity="Customer"):
        return self.Binding.search([("res_model", "=", record._name), ("res_id", "=", record.id),
                                    ("qbo_entity", "=", entity)])

    def process(self):
        return self.Job._qbo_process(self.connection)

    @contextlib.contextmanager
    def answer_lost_once(self):
        """The first batch Intuit answers dies before Odoo applies it (a killed worker, a dead request).

        Yields the sizes of the batches that reached the apply step.
        """
        Job = type(self.Job)
        original, batches = Job._qbo_apply, []

        def lose_first(job_model, connection, batch, answer, sent):
            batches.append(len(batch))
            if len(batches) == 1:
                raise ConnectionError("the worker died after QuickBooks answered")
            return original(job_model, connection, batch, answer, sent)
        with patch.object(Job, "_qbo_apply", lose_first):
            yield batches

    def drain(self, rounds=60):
        """Process until the queue is empty, letting every backoff pass at once; return the rounds used."""
        for attempt in range(rounds):
            self.process()
            waiting = self.Job.search([("connection_id", "=", self.connection.id),
                                       ("state", "in", ("pending", "running"))])
            if not waiting:
                return attempt + 1
            waiting.write({"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})
        raise AssertionError("the queue did not drain in %d rounds" % rounds)


class QboRealCursorsCase(TransactionCase, LeakWatch):
    """Tests run as several Odoo workers would: on real cursors that commit, not the test transaction.

    ``connect_committed`` points the company's connection at a fresh emulator and
    commits that; everything it changed is put back when the test ends. Threads
    look the registry up as HTTP workers do (Odoo's test runner holds its lock).
    """

    CONNECTION_FIELDS = ["environment", "emulator_url", "state", "realm_id", "access_token", "refresh_token",
                         "access_token_expires_at", "refresh_token_expires_at", "refresh_failed",
                         "qbo_company_name", "push_partners"]

    def setUp(self):
        super().setUp()
        self.start_leak_watch()
        self.emulator = EmulatorServer(port=0).start()
        self.addCleanup(self.emulator.stop)
        self.admin = AdminClient(self.emulator.url)
        saved_lock, Registry._lock = Registry._lock, DummyRLock()
        self.addCleanup(setattr, Registry, "_lock", saved_lock)

    @contextlib.contextmanager
    def committed_env(self):
        with self.registry.cursor() as cr:
            yield api.Environment(cr, SUPERUSER_ID, {})

    def connect_committed(self, tokens, params=None, **values):
        """Commit a connection to the emulator with ``tokens``; return its id."""
        params = dict({"account_quickbooks_online.client_id": DEMO_CLIENT_ID,
                       "account_quickbooks_online.client_secret": DEMO_CLIENT_SECRET}, **(params or {}))
        with self.committed_env() as env:
            config = env["ir.config_parameter"]
            saved_params = {key: config.get_param(key) for key in params}
            for key, value in params.items():
                config.set_param(key, value)
            connection = env["qbo.connection"].search([("company_id", "=", env.company.id)])
            saved = connection.read(self.CONNECTION_FIELDS)[0]
            connection.write(dict({"environment": "emulator", "emulator_url": self.emulator.url,
                                   "state": "connected", "realm_id": US_REALM,
                                   "access_token": tokens["access_token"], "refresh_token": tokens["refresh_token"],
                                   "access_token_expires_at": fields.Datetime.now() + timedelta(hours=1)},
                                  **values))
            connection_id = connection.id
        self.addCleanup(self._restore_connection, connection_id, saved, saved_params)
        return connection_id

    def _restore_connection(self, connection_id, saved, saved_params):
        with self.committed_env() as env:
            env["qbo.connection"].browse(connection_id).write(
                {key: value for key, value in saved.items() if key in self.CONNECTION_FIELDS})
            for key, value in saved_params.items():
                env["ir.config_parameter"].set_param(key, value or "")
            env.cr.execute("DELETE FROM qbo_rate_bucket WHERE realm_id = %s", [US_REALM])
            # A fresh health row, as every connection has one (see QboConnectionHealth.init).
            env.cr.execute("DELETE FROM qbo_connection_health WHERE connection_id = %s", [connection_id])
            env.cr.execute("""INSERT INTO qbo_connection_health (connection_id, company_id, failure_streak,
                                                                create_date, write_date)
                              SELECT id, company_id, 0, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
                                FROM qbo_connection WHERE id = %s""", [connection_id])
