"""The outbox: queued in the business transaction, sent in batches, idempotent across lost answers."""
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import US_REALM, QboSyncCase


@tagged("post_install", "-at_install")
class TestQboSyncEngine(QboSyncCase):

    def test_saving_a_customer_queues_a_job_and_calls_nothing(self):
        before = self.emulator_admin.counters(US_REALM).get("total", 0)
        partner = self.customers(1)
        job = self.Job.search([("res_model", "=", "res.partner"), ("res_id", "=", partner.id)])
        self.assertEqual((job.state, job.qbo_entity), ("pending", "Customer"))
        self.assertEqual(len(job.request_id), 32)
        partner.write({"phone": "555-0100"})
        self.assertEqual(len(self.Job.search([("res_id", "=", partner.id)])), 1, "one pending job per record")
        self.assertEqual(self.emulator_admin.counters(US_REALM).get("total", 0), before)
        self.env["res.partner"].create({"name": "Not a customer"})
        self.assertFalse(self.Job.search([("res_id", "=", partner.id + 1)]))

    def test_a_rolled_back_change_is_never_queued(self):
        with self.assertRaises(ZeroDivisionError), self.env.cr.savepoint():
            self.customers(1, prefix="Rolled")
            1 / 0
        self.assertFalse(self.env["res.partner"].search([("name", "like", "Rolled")]))
        self.assertFalse(self.Job.search([("res_model", "=", "res.partner"), ("state", "=", "pending"),
                                          ("res_id", "not in", self.env["res.partner"].search([]).ids)]))

    def test_2500_customers_in_batches_at_under_005_requests_per_record(self):
        partners = self.customers(2500)
        self.emulator_admin.clear_counters()
        self.process()
        counters = self.emulator_admin.counters(US_REALM)
        self.assertEqual(counters["POST batch"], 84)   # ceil(2500 / 30)
        self.assertLessEqual(counters["total"] / 2500, 0.05)
        created = self.qbo_customers("Outbox")
        self.assertEqual(len(created), 2500)
        bindings = self.env["qbo.binding"].search([("res_model", "=", "res.partner"), ("res_id", "in", partners.ids)])
        self.assertEqual(len(bindings), 2500)
        self.assertEqual(set(bindings.mapped("state")), {"synced"})
        self.assertEqual(len(set(bindings.mapped("qbo_id"))), 2500)
        self.assertEqual(set(self.Job.search([("res_id", "in", partners.ids)]).mapped("state")), {"done"})

    def test_unchanged_customers_are_not_resent_and_changes_are_sparse_updates(self):
        partner = self.customers(1, prefix="Sparse")
        self.process()
        binding = self.env["qbo.binding"].search([("res_id", "=", partner.id), ("res_model", "=", "res.partner")])
        self.assertEqual(binding.sync_token, "0")
        self.Job._qbo_enqueue(self.connection, partner, "Customer")
        self.emulator_admin.clear_counters()
        self.process()
        self.assertFalse(self.emulator_admin.counters(US_REALM).get("POST batch"), "nothing changed, nothing sent")
        partner.write({"phone": "555-0199"})
        self.process()
        binding.invalidate_recordset()
        self.assertEqual(binding.sync_token, "1")
        stored = self.qbo_customers("Sparse")[0]
        self.assertEqual(stored["PrimaryPhone"]["FreeFormNumber"], "555-0199")
        self.assertEqual(stored["PrimaryEmailAddr"]["Address"], "c0@example.com")

    def test_a_validation_fault_shows_on_its_record_while_the_rest_of_its_batch_succeeds(self):
        good = self.customers(3, prefix="Neighbour")
        bad = self.env["res.partner"].create({"name": "Neighbour Bad", "customer_rank": 1, "email": "not-an-email"})
        self.process()
        failed = self.jobs_of(bad)
        self.assertEqual(failed.state, "failed")
        self.assertTrue(failed.error_code)
        self.assertIn("email", failed.error_message.lower())
        self.assertTrue(failed.intuit_tid, "Intuit's transaction id is kept for support")
        self.assertEqual(set(self.jobs_of(good).mapped("state")), {"done"})
        self.assertEqual(len(self.qbo_customers("Neighbour")), 3)
        # The record itself says so: a banner (the computed error) and a note in its chatter.
        bad.invalidate_recordset()
        self.assertIn("email", bad.qbo_sync_error.lower())
        self.assertIn("QuickBooks Online refused this Customer", bad.message_ids[0].body)

    def test_a_crash_after_intuit_accepted_the_batch_creates_nothing_new(self):
        partners = self.customers(45, prefix="Crash")
        with self.answer_lost_once() as calls:
            # Not assertRaises: its savepoint would undo the claim, which production commits before sending.
            try:
                self.process()
            except ConnectionError:
                pass
            self.assertEqual(calls, [30])
            # The worker died; its claimed batch waits out the lease, then is sent again.
            stuck = self.Job.search([("state", "=", "running")])
            self.assertEqual(len(stuck), 30)
            stuck.write({"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})
            self.process()
        self.assertEqual(self.emulator_admin.counters(US_REALM).get("replayed"), 1)
        self.assertEqual(len(self.qbo_customers("Crash")), 45, "exactly one QuickBooks customer each")
        self.assertEqual(set(self.Job.search([("res_id", "in", partners.ids)]).mapped("state")), {"done"})

    def test_a_change_made_while_an_answer_was_lost_still_reaches_quickbooks(self):
        partner = self.customers(1, prefix="Lost")
        with self.answer_lost_once():
            try:
                self.process()
            except ConnectionError:
                pass
            partner.write({"phone": "555-0177"})   # changed while the first answer is lost
            self.Job.search([("state", "=", "running")]).write(
                {"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})
            self.process()   # the resend is answered from memory, with the first send's data
        stored = self.qbo_customers("Lost")
        self.assertEqual(len(stored), 1)
        self.assertEqual(stored[0]["PrimaryPhone"]["FreeFormNumber"], "555-0177")
        self.assertEqual(set(self.jobs_of(partner).mapped("state")), {"done"})

    def test_transient_batch_failure_is_resent_later_with_the_same_key(self):
        self.customers(5, prefix="Transient")
        self.emulator_admin.faults(batch={"fail_next": 1, "fail_status": 503})
        self.process()
        waiting = self.Job.search([("state", "=", "running")])
        self.assertEqual(len(waiting), 5)
        key = waiting[0].batch_key
        self.assertEqual(waiting.mapped("attempts"), [1] * 5)
        waiting.write({"next_attempt_at": fields.Datetime.now() - timedelta(seconds=1)})
        self.process()
        self.assertEqual(set(waiting.mapped("state")), {"done"})
        self.assertEqual(set(waiting.mapped("batch_key")), {key})
        self.assertEqual(len(self.qbo_customers("Transient")), 5)

    def test_a_stale_sync_token_is_reread_and_the_change_sent_again(self):
        from ..emulator.testing import quickbooks
        from quickbooks.objects import Customer
        partner = self.customers(1, prefix="Stale")
        self.process()
        binding = self.env["qbo.binding"].search([("res_id", "=", partner.id), ("res_model", "=", "res.partner")])
        # Someone edits the customer in QuickBooks: its SyncToken moves on.
        qb = quickbooks(self.emulator.url, US_REALM, self.emulator_admin.grant(US_REALM)["access_token"])
        theirs = Customer.get(binding.qbo_id, qb=qb)
        theirs.Notes = "Edited in QuickBooks"
        theirs.save(qb=qb)
        partner.write({"phone": "555-0142"})
        self.process()
        job = self.Job.search([("res_id", "=", partner.id), ("res_model", "=", "res.partner")], order="id desc",
                              limit=1)
        self.assertEqual((job.state, job.attempts), ("done", 1))
        stored = self.qbo_customers("Stale")[0]
        self.assertEqual(stored["PrimaryPhone"]["FreeFormNumber"], "555-0142")
        self.assertEqual(stored["Notes"], "Edited in QuickBooks", "the sparse update kept their change")
        self.assertEqual(stored["SyncToken"], "2")

    def test_a_refused_change_is_retried_from_the_queue_after_the_data_is_fixed(self):
        partner = self.env["res.partner"].create({"name": "Amy's Bird Sanctuary", "customer_rank": 1})
        self.process()
        job = self.Job.search([("res_id", "=", partner.id), ("res_model", "=", "res.partner")])
        self.assertEqual(job.state, "failed")
        self.assertEqual(job.binding_id.state, "error")
        partner.with_context(qbo_no_export=True).name = "Amy's Bird Sanctuary (Odoo)"
        job.with_user(self.manager).action_qbo_retry()
        self.assertEqual(job.state, "pending")
        self.process()
        self.assertEqual(job.state, "done")
        self.assertEqual(job.binding_id.state, "synced")
        self.assertEqual(len(self.qbo_customers("Amy's Bird Sanctuary (Odoo)")), 1)
        self.assertEqual(job.record_name, "Amy's Bird Sanctuary (Odoo)")
        self.assertEqual(self.Job.search([("record_name", "ilike", "Sanctuary (Odoo)")]), job,
                         "the Sync Queue's search by record name")
        action = job.action_qbo_open_record()
        self.assertEqual((action["res_model"], action["res_id"]), ("res.partner", partner.id))
