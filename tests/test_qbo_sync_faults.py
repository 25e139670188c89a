"""Intuit's faults turned into decisions: duplicate names, missing dependencies, throttling, backoff."""
import time
from unittest.mock import patch

from odoo.tests import tagged

from ..emulator.testing import quickbooks
from ..models.qbo_sync_job import BACKOFF_FIRST_SECONDS, BACKOFF_LONGEST_SECONDS, _backoff_seconds
from .common import US_REALM, QboSyncCase

AMY = "Amy's Bird Sanctuary"   # a customer of the US sample company, Id 1


@tagged("post_install", "-at_install")
class TestQboSyncFaults(QboSyncCase):

    def qb(self):
        return quickbooks(self.emulator.url, US_REALM, self.emulator_admin.grant(US_REALM)["access_token"])

    # ------------------------------------------------------------------ 6240 duplicate name
    def test_a_duplicate_name_is_offered_for_linking_and_linked_from_the_queue(self):
        partner = self.env["res.partner"].create({"name": AMY, "customer_rank": 1, "email": "amy@example.com"})
        self.process()
        job = self.jobs_of(partner)
        self.assertEqual((job.state, job.error_code, job.conflict_qbo_id), ("failed", "6240", "1"))
        self.assertIn("already exists (Id 1)", job.error_message)
        job.with_user(self.manager).action_qbo_link_existing()
        binding = self.binding_of(partner)
        self.assertEqual((job.state, binding.qbo_id, binding.state), ("done", "1", "synced"))
        self.assertEqual(len(self.qbo_customers(AMY)), 1, "linked, not created a second time")
        # Linking did not overwrite QuickBooks; the next change in Odoo is sent as a sparse update.
        self.assertEqual(self.qbo_customers(AMY)[0]["PrimaryEmailAddr"]["Address"], "Birds@Intuit.com")
        partner.write({"phone": "555-0110"})
        self.process()
        stored = self.qbo_customers(AMY)[0]
        self.assertEqual(stored["PrimaryPhone"]["FreeFormNumber"], "555-0110")
        self.assertEqual(stored["Notes"], "Prefers invoices by email. Gate code 4581.")

    def test_the_link_policy_links_a_duplicate_name_without_asking(self):
        self.connection.duplicate_name_policy = "link"
        partner = self.env["res.partner"].create({"name": AMY, "customer_rank": 1})
        others = self.customers(4, prefix="Batchmate")
        self.emulator_admin.clear_counters()
        self.process()
        self.assertEqual(self.jobs_of(partner).state, "done")
        self.assertEqual(self.binding_of(partner).qbo_id, "1")
        self.assertEqual(set(self.jobs_of(others).mapped("state")), {"done"})
        counters = self.emulator_admin.counters(US_REALM)
        # One batch, then one query per name list (customers, vendors, employees) for all duplicates at once.
        self.assertEqual((counters["POST batch"], counters.get("GET query", 0) + counters.get("POST query", 0)),
                         (1, 3))

    def test_a_name_held_by_another_link_is_not_linked_twice(self):
        self.connection.duplicate_name_policy = "link"
        first = self.env["res.partner"].create({"name": AMY, "customer_rank": 1})
        self.process()
        second = self.env["res.partner"].create({"name": AMY, "customer_rank": 1, "email": "other@example.com"})
        self.process()
        job = self.jobs_of(second)
        self.assertEqual(job.state, "failed")
        # The refusal names the Odoo record holding the QuickBooks customer, and links to it.
        self.assertIn("is linked to the Odoo record %s." % first.display_name, job.error_message)
        self.assertEqual(job.conflict_binding_id, self.binding_of(first))
        self.assertEqual(job.display_name, "%s → Customer" % second.display_name)
        self.assertEqual(job.action_qbo_open_conflict()["res_id"], first.id)
        self.assertEqual(second.qbo_conflict_record_name, first.display_name)
        self.assertEqual(second.action_qbo_open_conflict()["res_id"], first.id)
        self.assertIn("Nothing by itself", job.next_step)

    def test_a_vendor_whose_name_a_customer_has_gets_the_connection_suffix(self):
        both = self.env["res.partner"].create({"name": "Both Ways Ltd", "customer_rank": 1, "supplier_rank": 1})
        vendor_only = self.env["res.partner"].create({"name": AMY, "supplier_rank": 1})
        self.drain()
        self.assertEqual(set(self.jobs_of(both | vendor_only).mapped("state")), {"done"})
        self.assertEqual(len(self.qbo_objects("Customer", "Both Ways Ltd")), 1)
        self.assertEqual([v["DisplayName"] for v in self.qbo_objects("Vendor", "Both Ways Ltd")],
                         ["Both Ways Ltd (Vendor)"])
        self.assertEqual([v["DisplayName"] for v in self.qbo_objects("Vendor", AMY)], [AMY + " (Vendor)"])
        binding = self.binding_of(vendor_only, "Vendor")
        self.assertEqual(binding.name_suffix, " (Vendor)")
        # Its link and its form say the name QuickBooks holds.
        self.assertEqual(binding.qbo_name, AMY + " (Vendor)")
        self.assertEqual(vendor_only.qbo_names_note, "the vendor “%s (Vendor)”" % AMY)
        self.assertFalse(self.binding_of(both, "Customer").qbo_name)
        # Later updates keep the suffixed name instead of colliding again.
        vendor_only.write({"phone": "555-0120"})
        self.process()
        self.assertEqual(self.jobs_of(vendor_only)[-1].state, "done")
        self.assertEqual(self.qbo_objects("Vendor", AMY)[0]["PrimaryPhone"]["FreeFormNumber"], "555-0120")

    def test_without_a_suffix_a_cross_type_duplicate_fails_with_an_explanation(self):
        self.connection.vendor_name_suffix = False
        vendor = self.env["res.partner"].create({"name": AMY, "supplier_rank": 1})
        self.drain()
        job = self.jobs_of(vendor)
        self.assertEqual((job.state, job.error_code), ("failed", "6240"))
        self.assertIn("A QuickBooks Customer is already named", job.error_message)

    # ------------------------------------------------------------------ 2500 / 610 dependencies
    def test_a_missing_parent_is_synced_before_its_sub_customer(self):
        parent = self.env["res.partner"].with_context(qbo_no_export=True).create(
            {"name": "Parent Holdings", "is_company": True})
        child = self.env["res.partner"].create({"name": "Branch Office", "parent_id": parent.id,
                                                "customer_rank": 1, "type": "invoice"})
        self.assertFalse(self.jobs_of(parent), "the parent is not a customer yet: nothing queued for it")
        self.emulator_admin.clear_counters()
        self.drain()
        parent_binding, child_binding = self.binding_of(parent), self.binding_of(child)
        self.assertEqual((parent_binding.state, child_binding.state), ("synced", "synced"))
        stored = self.emulator_admin.dump(US_REALM)["data"]["Customer"][child_binding.qbo_id]
        self.assertEqual(stored["ParentRef"]["value"], parent_binding.qbo_id)
        self.assertTrue(stored["Job"])
        self.assertEqual(stored["FullyQualifiedName"], "Parent Holdings:Parent Holdings, Branch Office")
        self.assertEqual(self.emulator_admin.counters(US_REALM)["POST batch"], 2, "parent's batch, then child's")

    def test_a_sub_customer_claimed_with_its_parent_follows_it_at_once(self):
        parent = self.env["res.partner"].create({"name": "Same Batch Parent", "is_company": True,
                                                 "customer_rank": 1})
        child = self.env["res.partner"].create({"name": "Same Batch Child", "parent_id": parent.id,
                                                "customer_rank": 1, "type": "invoice"})
        self.emulator_admin.clear_counters()
        self.process()   # one run of the queue: no back-off passes in between
        self.assertEqual((self.jobs_of(parent).state, self.jobs_of(child).state), ("done", "done"))
        self.assertEqual(self.jobs_of(child).waits, 1)
        self.assertEqual(self.emulator_admin.counters(US_REALM)["POST batch"], 2,
                         "the parent's batch, then the child's")

    def parent_made_inactive_in_quickbooks(self, name):
        """A customer sent, then made inactive by someone in QuickBooks; returns it and its binding."""
        parent = self.env["res.partner"].create({"name": name, "is_company": True, "customer_rank": 1})
        self.process()
        binding = self.binding_of(parent)
        from quickbooks.objects import Customer
        qb = self.qb()
        theirs = Customer.get(binding.qbo_id, qb=qb)
        theirs.Active = False
        theirs.save(qb=qb)
        return parent, binding

    def test_a_parent_made_inactive_in_quickbooks_is_reactivated_then_the_child_sent(self):
        parent, binding = self.parent_made_inactive_in_quickbooks("Dormant Parent")
        child = self.env["res.partner"].create({"name": "Waking Child", "parent_id": parent.id,
                                                "customer_rank": 1, "type": "invoice"})
        self.drain()
        job = self.jobs_of(child)
        self.assertEqual(job.state, "done", job.error_message)
        self.assertEqual(job.attempts, 1)
        data = self.emulator_admin.dump(US_REALM)["data"]["Customer"]
        self.assertTrue(data[binding.qbo_id]["Active"])
        self.assertEqual(data[self.binding_of(child).qbo_id]["ParentRef"]["value"], binding.qbo_id)

    def test_sub_customers_of_one_inactive_parent_read_it_once_and_wake_it_once(self):
        parent, _binding = self.parent_made_inactive_in_quickbooks("Dormant Group")
        children = self.env["res.partner"].create([{"name": "Dormant Branch %s" % n, "parent_id": parent.id,
                                                    "customer_rank": 1, "type": "invoice"} for n in range(3)])
        self.emulator_admin.clear_counters()
        self.drain()
        jobs = self.jobs_of(children)
        self.assertEqual(set(jobs.mapped("state")), {"done"}, jobs.mapped("error_message"))
        self.assertEqual(len(self.jobs_of(parent).filtered(lambda job: job.state == "done")), 2,
                         "sent once, then once more to wake it")
        counters = self.emulator_admin.counters(US_REALM)
        # The children's batch (refused), the parent's, the children's again; one read of the parent for all three.
        self.assertEqual((counters["POST batch"], counters.get("POST query", 0)), (3, 1))

    def test_a_sub_customer_waits_for_a_parent_quickbooks_refused(self):
        parent = self.env["res.partner"].create({"name": "Bad Parent", "is_company": True, "customer_rank": 1,
                                                 "email": "broken"})
        self.process()
        child = self.env["res.partner"].create({"name": "Blocked Child", "parent_id": parent.id,
                                                "customer_rank": 1, "type": "invoice"})
        self.process()
        job = self.jobs_of(child)
        self.assertEqual(job.state, "failed")
        self.assertIn("needs", job.error_message)
        self.assertIn("Bad Parent", job.error_message)

    # ------------------------------------------------------------------ throttling and backoff
    def test_a_throttled_batch_pauses_the_company_and_waits(self):
        self.customers(45, prefix="Throttled")
        self.emulator_admin.faults(batch={"fail_next": 1, "fail_status": 429})
        handled = self.process()
        self.assertEqual(handled, 30, "no second batch is sent into a throttle")
        waiting = self.Job.search([("state", "=", "running")])
        self.assertEqual(len(waiting), 30)
        self.assertEqual(set(waiting.mapped("error_code")), {"3001"})
        self.assertGreater(self.env["qbo.rate.bucket"]._qbo_wait_seconds(US_REALM, ("request",)), 50)
        self.env.flush_all()
        self.env.cr.execute("SELECT min(updated_at) FROM qbo_rate_bucket WHERE realm_id = %s", [US_REALM])
        self.assertGreater(self.env.cr.fetchone()[0], time.time() + 50, "paused for Intuit's minute")

    def test_backoff_grows_to_half_an_hour_and_is_jittered(self):
        bases = []
        for attempt in range(1, 12):
            base = min(BACKOFF_LONGEST_SECONDS, BACKOFF_FIRST_SECONDS * 2 ** (attempt - 1))
            bases.append(base)
            draws = [_backoff_seconds(attempt) for _ in range(20)]
            self.assertTrue(all(base / 2 <= d <= base for d in draws))
            self.assertGreater(len(set(draws)), 1)
        self.assertEqual(bases[:4], [30, 60, 120, 240])
        self.assertEqual(bases[-1], 1800, "never more than 30 minutes between two attempts")

    def test_the_cron_reports_progress_and_leaves_the_rest_for_its_next_run(self):
        self.customers(40, prefix="Progress")
        cron = self.env.ref("account_quickbooks_online.ir_cron_qbo_process_jobs")
        progress = self.env["ir.cron.progress"].create({"cron_id": cron.id, "remaining": 0, "done": 0})
        with patch("odoo.addons.account_quickbooks_online.models.qbo_sync_job_processor.CRON_CHUNK", 30), \
                patch.object(self.env.cr, "commit", lambda: None):
            self.Job.with_context(ir_cron_progress_id=progress.id)._cron_qbo_process_jobs()
        self.assertEqual((progress.done, progress.remaining), (30, 10))
        self.assertEqual(len(self.qbo_customers("Progress")), 30)


@tagged("post_install", "-at_install")
class TestQboDependencyInFlight(QboSyncCase):

    def test_a_record_waits_for_a_dependency_retrying_a_fault_instead_of_queueing_it_twice(self):
        from odoo import fields
        partner = self.env["res.partner"].create({"name": "QX In Flight", "customer_rank": 1})
        self.emulator_admin.faults(batch={"fail_next": 1, "fail_status": 503})
        self.process()
        first = self.jobs_of(partner)
        self.assertEqual((first.state, first.attempts), ("running", 1), "waiting out the 503")
        child = self.env["res.partner"].create({"name": "QX In Flight, Accounts", "customer_rank": 1,
                                                "parent_id": partner.id, "type": "invoice"})
        # Only the job on its way is left for the parent (the child's creation may have queued another change).
        self.jobs_of(partner).filtered(lambda job: job != first).write({"state": "cancelled"})
        self.process()
        self.assertEqual(self.jobs_of(partner), first, "not queued a second time")
        self.assertEqual(self.jobs_of(child).state, "pending")
        self.assertEqual(self.jobs_of(child).next_attempt_at, first.next_attempt_at)
        (first | self.jobs_of(child)).write({"next_attempt_at": fields.Datetime.now()})
        self.drain()
        self.assertEqual(len(self.qbo_customers("QX In Flight")), 2, "the parent once, and its child")

    def test_a_record_comes_back_when_what_it_waits_for_is_due_not_before(self):
        from datetime import timedelta
        from odoo import fields
        first, second = self.customers(2, prefix="QX Step")
        waiting = self.Job._qbo_enqueue(self.connection, first, "Customer")
        dependency = self.Job._qbo_enqueue(self.connection, second, "Customer")
        later = fields.Datetime.now() + timedelta(seconds=40)
        dependency.next_attempt_at = later   # e.g. itself waiting for a parent that is retrying a fault
        waiting._qbo_step_back(dependency)
        self.assertEqual((waiting.state, waiting.next_attempt_at, waiting.waits), ("pending", later, 1))
        dependency.next_attempt_at = False
        waiting._qbo_step_back(dependency)
        self.assertFalse(waiting.next_attempt_at, "at once behind one due now: a lower priority number goes first")

    def claimed(self):
        """The batch the processor would claim now (the claim itself is undone)."""
        class Undo(Exception):
            pass
        try:
            with self.env.cr.savepoint():
                batch = self.Job._qbo_claim(self.connection)
                ids = batch.ids
                raise Undo()
        except Undo:
            pass
        self.env.invalidate_all()
        return self.Job.browse(ids)

    def test_two_jobs_of_one_record_go_one_after_the_other_never_in_one_batch(self):
        partner = self.customers(1, prefix="QX Twin")
        first = self.jobs_of(partner)
        # What two workers queueing the same dependency at once leave behind: a second pending job.
        twin = self.Job.create({"connection_id": self.connection.id, "res_model": "res.partner", "res_id": partner.id,
                                "qbo_entity": "Customer", "priority": first.priority})
        self.assertEqual(self.claimed(), first, "the younger waits for the older")
        self.drain()
        self.assertEqual((first.state, twin.state), ("done", "done"))
        self.assertEqual(len(self.qbo_customers("QX Twin")), 1, "created once; the twin found it unchanged")
