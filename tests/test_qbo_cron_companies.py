"""Crons serve every company: one company's failure never stops the others, and the queue is shared fairly."""
import contextlib
from unittest.mock import patch

from odoo.tests import tagged

from .common import UK_REALM, US_REALM, QboSyncCase

THIRD_REALM = "9341452727711003"


@tagged("post_install", "-at_install")
class TestQboCronCompanies(QboSyncCase):

    def setUp(self):
        super().setUp()
        self.uk = self.connect_company("UK Garden Designs", UK_REALM, preset="uk")
        self.third = self.connect_company("Third Company", THIRD_REALM)
        # Partners without a company would go to every company: each test queues what it sends itself.
        (self.connection | self.uk | self.third).write({"push_partners": False})
        self.patch_commits()

    def failing_for(self, connection, method_owner, method_name):
        """Make ``method_name`` raise a programming error for ``connection`` only, as a bug would.

        The connection is the method's record or its first argument."""
        original = getattr(method_owner, method_name)

        def broken(model, *args, **kwargs):
            if model == connection or args and args[0] == connection:
                raise RuntimeError("a bug in one company's data")
            return original(model, *args, **kwargs)
        patcher = patch.object(method_owner, method_name, broken)
        patcher.start()
        self.addCleanup(patcher.stop)

    @contextlib.contextmanager
    def expected_traceback(self, module):
        """The injected bug is logged with its traceback, as a real one must be; captured here rather than
        printed in the test log as if something had gone wrong."""
        with self.assertLogs("odoo.addons.account_quickbooks_online.models." + module, "WARNING") as logs:
            yield
        self.assertTrue(any(record.exc_info for record in logs.records))

    def test_reading_lists_goes_on_for_the_other_companies_when_one_fails(self):
        self.failing_for(self.connection, type(self.env["qbo.list.item"]), "_qbo_update_lists")
        with self.expected_traceback("qbo_connection"):
            self.env["qbo.connection"]._cron_qbo_update_lists()
        self.assertTrue(self.uk.qbo_lists_updated_at)
        self.assertTrue(self.third.qbo_lists_updated_at)
        self.connection.invalidate_recordset()
        self.assertFalse(self.connection.qbo_lists_updated_at)
        self.assertIn("a bug in one company's data", self.connection.last_error)
        self.assertFalse(self.uk.last_error)

    def test_refreshing_tokens_goes_on_for_the_other_companies_when_one_fails(self):
        self.env["qbo.connection.token"].search([]).write({"access_token_expires_at": False})
        self.failing_for(self.uk, type(self.env["qbo.connection"]), "_qbo_refresh")
        before = self.token_requests()
        with self.expected_traceback("qbo_connection"):
            self.env["qbo.connection"]._cron_qbo_refresh_tokens()
        self.assertEqual(self.token_requests(), before + 2, "the US and the third company refreshed")
        self.assertIn("a bug in one company's data", self.uk.last_error)

    def test_the_queue_goes_on_for_the_other_companies_when_one_fails(self):
        self.Job._qbo_enqueue(self.connection, self.customers(3, prefix="Mine"), "Customer")
        for connection in (self.uk, self.third):
            self.Job._qbo_enqueue(connection, self.customers(2, prefix=connection.company_id.name), "Customer")
        self.failing_for(self.uk, type(self.Job), "_qbo_send")
        with self.expected_traceback("qbo_sync_job_processor"):
            self.Job._cron_qbo_process_jobs()
        jobs = self.Job.search([])
        self.assertEqual(set(jobs.filtered(lambda j: j.connection_id != self.uk).mapped("state")), {"done"})
        self.assertIn("a bug in one company's data", self.uk.last_error)
        self.assertEqual(len(self.qbo_customers("Mine")), 3)
        third = self.emulator_admin.dump(THIRD_REALM)["data"]["Customer"].values()
        self.assertEqual(len([c for c in third if c["DisplayName"].startswith("Third Company")]), 2)

    def test_a_throttled_or_paused_company_never_delays_the_others(self):
        for connection in (self.connection, self.uk, self.third):
            self.Job._qbo_enqueue(connection, self.customers(65, prefix="Fair %s" % connection.id), "Customer")
        # The US company is out of rate for five minutes; the UK company is paused after an outage.
        self.env["qbo.rate.bucket"]._qbo_pause(US_REALM, seconds=300)
        self.env["qbo.connection.health"]._qbo_update(self.uk, lambda streak: {
            "failure_streak": 5, "paused_until": "2999-01-01 00:00:00"})
        self.emulator_admin.clear_counters()
        self.Job._cron_qbo_process_jobs()
        by_state = {connection: set(self.Job.search([("connection_id", "=", connection.id)]).mapped("state"))
                    for connection in (self.connection, self.uk, self.third)}
        self.assertEqual(by_state[self.third], {"done"}, "the third company was served in full")
        self.assertEqual(by_state[self.connection], {"pending"})
        self.assertEqual(by_state[self.uk], {"pending"})
        self.assertEqual(set(self.Job.search([("connection_id", "!=", self.third.id)]).mapped("attempts")), {0},
                         "waiting for a pause costs no attempt")
        self.assertEqual(self.emulator_admin.counters(THIRD_REALM)["POST batch"], 3)
        self.assertFalse(self.emulator_admin.counters(US_REALM).get("POST batch"))
        self.assertFalse(self.emulator_admin.counters(UK_REALM).get("POST batch"))

    def test_companies_are_served_a_batch_each_in_turn(self):
        sent = []
        original = type(self.Job)._qbo_send

        def recording(model, connection, batch):
            sent.append(connection.id)
            return original(model, connection, batch)
        for connection in (self.connection, self.uk, self.third):
            self.Job._qbo_enqueue(connection, self.customers(90, prefix="Turn %s" % connection.id), "Customer")
        with patch.object(type(self.Job), "_qbo_send", recording):
            self.Job._cron_qbo_process_jobs()
        order = sorted([self.connection.id, self.uk.id, self.third.id])
        self.assertEqual(sent, order * 3, "one batch each, in turn, until every queue is empty")
