"""Two Odoo workers draining one outbox at once never send a job twice.

Like two cron workers in production, each thread has its own cursor and commits
its claims and results; the test removes what it committed afterwards.
"""
import contextlib
import threading
from datetime import timedelta

from odoo import SUPERUSER_ID, api, fields
from odoo.modules.registry import DummyRLock, Registry
from odoo.tests import TransactionCase, tagged

from ..emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, EmulatorServer
from ..emulator.testing import AdminClient
from .common import US_REALM, LeakWatch

PARTNERS = 300
PARAMS = {"account_quickbooks_online.client_id": DEMO_CLIENT_ID,
          "account_quickbooks_online.client_secret": DEMO_CLIENT_SECRET,
          "account_quickbooks_online.limit_batch_per_window": "10000",
          "account_quickbooks_online.limit_request_per_window": "100000"}
CONNECTION_FIELDS = ["environment", "emulator_url", "state", "realm_id", "access_token", "refresh_token",
                     "access_token_expires_at", "last_call_at", "last_error", "push_partners"]


@tagged("post_install", "-at_install")
class TestQboOutboxWorkers(TransactionCase, LeakWatch):

    def setUp(self):
        super().setUp()
        self.start_leak_watch()
        self.emulator = EmulatorServer(port=0).start()
        self.addCleanup(self.emulator.stop)
        self.admin = AdminClient(self.emulator.url)
        self.admin.configure(limits={"batch_per_minute": 10000, "requests_per_minute": 100000})
        tokens = self.admin.grant(US_REALM)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            params = env["ir.config_parameter"]
            saved_params = {key: params.get_param(key) for key in PARAMS}
            for key, value in PARAMS.items():
                params.set_param(key, value)
            connection = env["qbo.connection"].search([("company_id", "=", env.company.id)])
            saved = connection.read(CONNECTION_FIELDS)[0]
            connection.write({"environment": "emulator", "emulator_url": self.emulator.url, "state": "connected",
                              "realm_id": US_REALM, "access_token": tokens["access_token"],
                              "refresh_token": tokens["refresh_token"], "push_partners": True,
                              "access_token_expires_at": fields.Datetime.now() + timedelta(hours=1)})
            partners = env["res.partner"].create([{"name": "Worker %04d" % n, "customer_rank": 1}
                                                  for n in range(PARTNERS)])
            self.connection_id, self.partner_ids = connection.id, partners.ids
        self.addCleanup(self._restore, saved, saved_params)

    def _restore(self, saved, saved_params):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            domain = [("res_model", "=", "res.partner"), ("res_id", "in", self.partner_ids)]
            env["qbo.sync.job"].search(domain).unlink()
            env["qbo.binding"].search(domain).unlink()
            env["res.partner"].browse(self.partner_ids).with_context(qbo_no_export=True).unlink()
            env["qbo.connection"].browse(self.connection_id).write(
                {key: value for key, value in saved.items() if key in CONNECTION_FIELDS})
            for key, value in saved_params.items():
                env["ir.config_parameter"].set_param(key, value or "")
            cr.execute("DELETE FROM qbo_rate_bucket WHERE realm_id = %s", [US_REALM])

    def test_two_workers_share_the_outbox_without_sending_a_job_twice(self):
        saved_lock, Registry._lock = Registry._lock, DummyRLock()
        self.addCleanup(setattr, Registry, "_lock", saved_lock)
        barrier = threading.Barrier(2)
        handled, errors = [], []

        def worker():
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    connection = env["qbo.connection"].browse(self.connection_id)
                    barrier.wait(timeout=30)
                    handled.append(env["qbo.sync.job"]._qbo_process(connection, commit=True))
            except Exception as error:   # reported below
                errors.append(error)

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        self.assertFalse(errors)
        self.assertEqual(len(handled), 2)
        self.assertEqual(sum(handled), PARTNERS, "every job handled once, by one worker or the other")
        counters = self.admin.counters(US_REALM)
        self.assertEqual(counters["POST batch"], PARTNERS // 30, "each batch sent exactly once")
        self.assertFalse(counters.get("replayed"))
        customers = [c for c in self.admin.dump(US_REALM)["data"]["Customer"].values()
                     if c["DisplayName"].startswith("Worker ")]
        self.assertEqual(len(customers), PARTNERS)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            jobs = env["qbo.sync.job"].search([("res_model", "=", "res.partner"), ("res_id", "in", self.partner_ids)])
            self.assertEqual(len(jobs), PARTNERS)
            self.assertEqual(set(jobs.mapped("state")), {"done"})
            self.assertEqual(len(set(jobs.mapped("batch_key"))), PARTNERS // 30)


@tagged("post_install", "-at_install")
class TestQboConcurrentSlots(TransactionCase):
    """Intuit allows 10 calls in flight per company; the slots are shared by every worker's connection."""

    def test_no_more_calls_in_flight_than_the_limit(self):
        saved_lock, Registry._lock = Registry._lock, DummyRLock()
        self.addCleanup(setattr, Registry, "_lock", saved_lock)
        self.env["ir.config_parameter"].set_param("account_quickbooks_online.limit_concurrent", "3")
        buckets = self.env["qbo.rate.bucket"]
        with contextlib.ExitStack() as held:
            slots = {held.enter_context(buckets._qbo_slot("realm-slots")) for _ in range(3)}
            self.assertEqual(slots, {0, 1, 2})
            with self.assertRaises(TimeoutError), buckets._qbo_slot("realm-slots", max_wait=0.2):
                pass
            with buckets._qbo_slot("another-realm", max_wait=0.2) as slot:
                self.assertEqual(slot, 0, "another company has slots of its own")
        with buckets._qbo_slot("realm-slots", max_wait=0.2) as slot:
            self.assertEqual(slot, 0, "a finished call frees its slot")
