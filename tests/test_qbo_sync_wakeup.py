"""Queued changes go within seconds, Sync now never hangs, and nothing saved while disconnected is forgotten."""
from odoo.tests import tagged
from odoo.tests.common import RecordCapturer

from .common import US_REALM, QboSyncCase


@tagged("post_install", "-at_install")
class TestQboSyncWakeup(QboSyncCase):

    def setUp(self):
        super().setUp()
        self.patch_commits()

    def triggers(self):
        cron = self.env.ref("account_quickbooks_online.ir_cron_qbo_process_jobs")
        return RecordCapturer(self.env["ir.cron.trigger"].sudo(), [("cron_id", "=", cron.id)])

    def test_saving_a_customer_wakes_the_queue_at_once(self):
        with self.triggers() as triggers:
            partner = self.customers(1, prefix="Woken")
        self.assertEqual(len(triggers.records), 1, "one trigger for the transaction, not one per record")
        self.assertFalse(self.qbo_customers("Woken"), "saving called nothing")
        # What the cron runner does when woken: the customer is in QuickBooks, no click needed.
        self.env.ref("account_quickbooks_online.ir_cron_qbo_process_jobs").method_direct_trigger()
        self.assertEqual(self.jobs_of(partner).state, "done")
        self.assertEqual(len(self.qbo_customers("Woken")), 1)

    def test_sync_now_does_not_wait_for_the_rate_limit_and_says_it_is_queued(self):
        # This company's rate is used up for five minutes: a batch could go only then.
        self.env["qbo.rate.bucket"]._qbo_pause(US_REALM, seconds=300)
        self.emulator_admin.clear_counters()
        with self.triggers() as triggers:
            partner = self.customers(1, prefix="Impatient")
            result = partner.with_user(self.manager).action_qbo_sync_now()
        params = result["params"]
        self.assertEqual(params["type"], "warning")
        self.assertIn("queued", params["title"])
        self.assertIn("background", params["message"])
        self.assertFalse(self.emulator_admin.counters(US_REALM).get("POST batch"), "nothing sent, nothing waited for")
        job = self.jobs_of(partner)
        self.assertEqual((job.state, job.attempts), ("pending", 0))
        self.assertTrue(triggers.records, "the scheduled action sends it as soon as it can")

    def test_a_change_saved_while_disconnected_waits_and_goes_after_reconnecting(self):
        partner = self.customers(1, prefix="Offline")
        self.process()
        qbo_id = self.binding_of(partner).qbo_id
        self.connection.sudo().write({"state": "not_connected", "access_token": False, "refresh_token": False})
        partner.phone = "555-0100"
        job = self.jobs_of(partner)[-1]
        self.assertEqual((job.state, job.attempts), ("pending", 0), "queued whatever the connection's state")
        self.assertIn("connected again", job.waiting_reason)
        partner.invalidate_recordset()
        self.assertEqual(partner.with_user(self.manager).qbo_pending_count, 1, "the record shows its unsent change")
        self.emulator_admin.clear_counters()
        self.Job._cron_qbo_process_jobs()
        self.assertFalse(self.emulator_admin.counters(US_REALM).get("POST batch"))
        self.assertEqual((job.state, job.attempts), ("pending", 0), "waiting costs no attempt")
        # Connecting again (the OAuth callback) sends what waited.
        with self.triggers() as triggers:
            self.connect()
        self.assertTrue(triggers.records)
        self.env.ref("account_quickbooks_online.ir_cron_qbo_process_jobs").method_direct_trigger()
        self.assertEqual(job.state, "done")
        stored = self.emulator_admin.dump(US_REALM)["data"]["Customer"][qbo_id]
        self.assertEqual(stored["PrimaryPhone"]["FreeFormNumber"], "555-0100")
