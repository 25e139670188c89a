"""Two workers needing a fresh token at once spend the refresh token once.

This runs on real, separately committed cursors (not the test transaction),
as two Odoo workers would; what it commits it restores afterwards.
"""
import threading
from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields
from odoo.modules.registry import DummyRLock, Registry
from odoo.tests import TransactionCase, tagged

from ..emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, EmulatorServer
from ..emulator.testing import AdminClient, quickbooks
from .common import US_REALM, LeakWatch

SAVED_FIELDS = ["environment", "emulator_url", "state", "realm_id", "access_token", "refresh_token",
                "access_token_expires_at", "refresh_token_expires_at", "refresh_failed", "last_call_at",
                "last_error", "qbo_company_name"]


@tagged("post_install", "-at_install")
class TestQboTokenConcurrency(TransactionCase, LeakWatch):

    def setUp(self):
        super().setUp()
        self.start_leak_watch()
        self.emulator = EmulatorServer(port=0).start()
        self.addCleanup(self.emulator.stop)
        self.admin = AdminClient(self.emulator.url)
        tokens = self.admin.grant(US_REALM)
        self.first_token = tokens["access_token"]
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            params = env["ir.config_parameter"]
            saved_params = {key: params.get_param(key) for key in
                            ("account_quickbooks_online.client_id", "account_quickbooks_online.client_secret")}
            params.set_param("account_quickbooks_online.client_id", DEMO_CLIENT_ID)
            params.set_param("account_quickbooks_online.client_secret", DEMO_CLIENT_SECRET)
            connection = env["qbo.connection"].search([("company_id", "=", env.company.id)])
            saved = connection.read(SAVED_FIELDS)[0]
            connection.write({"environment": "emulator", "emulator_url": self.emulator.url, "state": "connected",
                              "realm_id": US_REALM, "access_token": tokens["access_token"],
                              "refresh_token": tokens["refresh_token"],
                              "access_token_expires_at": fields.Datetime.now() - timedelta(seconds=1)})
            self.connection_id = connection.id
        self.addCleanup(self._restore, saved, saved_params)

    def _restore(self, saved, saved_params):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            values = {key: value for key, value in saved.items() if key in SAVED_FIELDS}
            env["qbo.connection"].browse(self.connection_id).write(values)
            for key, value in saved_params.items():
                env["ir.config_parameter"].set_param(key, value or "")

    def test_two_workers_refresh_once_and_both_use_the_new_token(self):
        # The test runner holds the registry lock while tests run; let the workers look the
        # registry up as HTTP workers do in production (Odoo's test mode does the same swap).
        saved_lock, Registry._lock = Registry._lock, DummyRLock()
        self.addCleanup(setattr, Registry, "_lock", saved_lock)
        barrier = threading.Barrier(2)
        tokens, errors = [], []

        def worker():
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    connection = env["qbo.connection"].browse(self.connection_id)
                    barrier.wait(timeout=30)
                    tokens.append(connection._qbo_access_token())
            except Exception as error:   # reported below, with the thread's own failure
                errors.append(error)

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        self.assertFalse(errors)
        self.assertEqual(len(tokens), 2)
        self.assertEqual(tokens[0], tokens[1], "both workers use the one new token")
        self.assertNotEqual(tokens[0], self.first_token)
        self.assertEqual(self.admin.counters("_oauth").get("POST bearer"), 1, "exactly one token request")
        from quickbooks.objects import CompanyInfo
        info = CompanyInfo.get(US_REALM, qb=quickbooks(self.emulator.url, US_REALM, tokens[1]))
        self.assertEqual(info.Country, "US")
        issued = self.secrets_issued(self.emulator)
        self.assertFalse(self.leaked_secrets(issued))
