"""A passing fault at Intuit never ends a job as Failed within minutes: Intuit's outages last hours."""
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import US_REALM, QboSyncCase


@tagged("post_install", "-at_install")
class TestQboSyncOutage(QboSyncCase):

    def make_due(self):
        """Let every backoff and company pause pass, as hours of waiting would."""
        waiting = self.Job.search([("state", "in", ("pending", "running"))])
        waiting.write({"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})
        self.env["qbo.connection.health"]._qbo_update(self.connection, lambda streak: {"paused_until": None})

    def test_an_outage_longer_than_six_attempts_fails_nothing_and_the_change_goes_when_it_ends(self):
        partner = self.customers(1, prefix="Outage")
        self.emulator_admin.faults(batch={"unavailable_rate": 1.0})
        for _round in range(9):
            self.make_due()
            self.process()
        job = self.jobs_of(partner)
        self.assertEqual(job.state, "running", job.error_message)
        self.assertEqual(job.attempts, 9)
        self.assertIn("HTTP 503", job.error_message)
        self.assertGreater(job.retry_until, fields.Datetime.now() + timedelta(hours=23),
                           "retried for a day from the first fault")
        self.assertGreater(job.next_attempt_at, fields.Datetime.now() + timedelta(minutes=14),
                           "the backoff grew towards half an hour")
        self.assertLessEqual(job.next_attempt_at, fields.Datetime.now() + timedelta(minutes=30, seconds=5))
        self.emulator_admin.clear_faults()
        self.make_due()
        self.process()
        self.assertEqual(job.state, "done")
        self.assertEqual(len(self.qbo_customers("Outage")), 1, "one customer, whatever the number of resends")

    def test_after_a_day_of_faults_the_job_fails_and_says_so(self):
        partner = self.customers(1, prefix="Day long")
        self.emulator_admin.faults(batch={"unavailable_rate": 1.0})
        self.process()
        job = self.jobs_of(partner)
        job.write({"retry_until": fields.Datetime.now() - timedelta(seconds=1)})
        self.make_due()
        self.process()
        self.assertEqual(job.state, "failed")
        self.assertIn("did not answer properly for 24 hours", job.error_message)

    def test_a_validation_fault_still_fails_at_once(self):
        partner = self.customers(1, prefix="Refused", email="not an email")
        self.process()
        job = self.jobs_of(partner)
        self.assertEqual((job.state, job.attempts), ("failed", 1))
        self.assertFalse(job.retry_until)

    def test_a_5xx_shows_the_code_intuit_sent_or_none(self):
        first = self.customers(1, prefix="Five hundred")
        self.emulator_admin.faults(batch={"fail_next": 1, "fail_status": 500})
        self.process()
        job = self.jobs_of(first)
        self.assertEqual(job.state, "running")
        self.assertNotIn(job.error_code, ("3100", "10000"), "neither Intuit's unauthorised-app code nor a made-up one")
        self.assertIn("HTTP 500", job.error_message)

    def test_waiting_for_a_parent_costs_no_attempt(self):
        parent = self.env["res.partner"].create({"name": "Waited Parent", "is_company": True, "customer_rank": 1})
        child = self.env["res.partner"].create({"name": "Waiting Child", "parent_id": parent.id, "customer_rank": 1,
                                                "type": "invoice"})
        self.jobs_of(parent).unlink()   # the child's batch finds its parent missing and queues it first
        self.drain()
        job = self.jobs_of(child)
        self.assertEqual((job.state, job.attempts, job.waits), ("done", 0, 1))

    def test_when_every_call_fails_the_company_is_paused_instead_of_spending_attempts(self):
        self.customers(150, prefix="Breaker")   # five batches
        self.emulator_admin.faults(batch={"unavailable_rate": 1.0})
        self.emulator_admin.clear_counters()
        for _call in range(8):
            self.process()
        self.assertEqual(self.emulator_admin.counters(US_REALM)["POST batch"], 5,
                         "five failures in a row, then nothing more is sent")
        self.connection.invalidate_recordset()
        self.assertTrue(self.connection.paused_until)
        self.assertEqual(self.connection.failure_streak, 5)
        jobs = self.Job.search([("res_model", "=", "res.partner")])
        self.assertEqual(set(jobs.mapped("attempts")), {1}, "one attempt each, no more while paused")
        self.assertEqual(set(jobs.mapped("state")), {"running"})
        self.assertTrue(all("paused" in reason for reason in jobs.mapped("waiting_reason")))
        cron = self.env.ref("account_quickbooks_online.ir_cron_qbo_process_jobs")
        with self.capture_triggers(cron.id) as triggers:
            self.Job._qbo_schedule_next_run(cron)
        self.assertIn(self.connection.paused_until, triggers.records.mapped("call_at"),
                      "the queue wakes itself when the pause ends")
        # Intuit is back; the pause ends: the next run sends everything and closes the breaker.
        self.emulator_admin.clear_faults()
        self.make_due()
        self.drain()
        self.assertEqual(set(jobs.mapped("state")), {"done"})
        self.assertEqual(len(self.qbo_customers("Breaker")), 150)
        self.connection.invalidate_recordset()
        self.assertEqual((self.connection.failure_streak, self.connection.paused_until), (0, False))

    def test_a_new_connections_first_outage_is_counted(self):
        company = self.env["res.company"].create({"name": "QX Newly Connected"})
        connection = self.env["qbo.connection"].search([("company_id", "=", company.id)])   # made with the company
        health = self.env["qbo.connection.health"]
        health.flush_model()
        self.env.cr.execute("SELECT failure_streak FROM qbo_connection_health WHERE connection_id = %s",
                            [connection.id])
        self.assertEqual(self.env.cr.fetchone(), (0,), "a new row holds no streak but zero")
        # A row an earlier version left without a value is read as zero too.
        self.env.cr.execute("UPDATE qbo_connection_health SET failure_streak = NULL WHERE connection_id = %s",
                            [connection.id])
        health._qbo_note_outage(connection, "HTTP 503")
        connection.invalidate_recordset()
        self.assertEqual(connection.failure_streak, 1)

    def capture_triggers(self, cron_id):
        from odoo.tests.common import RecordCapturer
        return RecordCapturer(self.env["ir.cron.trigger"].sudo(), [("cron_id", "=", cron_id)])
