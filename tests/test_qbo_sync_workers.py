"""Two Odoo workers draining one outbox at once never send a job twice.

Like two cron workers in production, each thread has its own cursor and commits
its claims and results; the test removes what it committed afterwards.
"""
import contextlib
import threading
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from .common import US_REALM, QboRealCursorsCase

PARTNERS = 300


@tagged("post_install", "-at_install")
class TestQboOutboxWorkers(QboRealCursorsCase):

    def setUp(self):
        super().setUp()
        self.admin.configure(limits={"batch_per_minute": 10000, "requests_per_minute": 100000})
        self.connection_id = self.connect_committed(self.admin.grant(US_REALM), push_partners=True, params={
            "account_quickbooks_online.limit_batch_per_window": "10000",
            "account_quickbooks_online.limit_request_per_window": "100000"})
        with self.committed_env() as env:
            self.partner_ids = env["res.partner"].create([{"name": "Worker %04d" % n, "customer_rank": 1}
                                                          for n in range(PARTNERS)]).ids
        self.addCleanup(self._remove_partners)

    def _remove_partners(self):
        with self.committed_env() as env:
            domain = [("res_model", "=", "res.partner"), ("res_id", "in", self.partner_ids)]
            env["qbo.sync.job"].search(domain).unlink()
            env["qbo.binding"].search(domain).unlink()
            env["res.partner"].browse(self.partner_ids).with_context(qbo_no_export=True).unlink()

    def test_two_workers_share_the_outbox_without_sending_a_job_twice(self):
        barrier = threading.Barrier(2)
        handled, errors = [], []

        def worker():
            try:
                with self.committed_env() as env:
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
        with self.committed_env() as env:
            jobs = env["qbo.sync.job"].search([("res_model", "=", "res.partner"), ("res_id", "in", self.partner_ids)])
            self.assertEqual(len(jobs), PARTNERS)
            self.assertEqual(set(jobs.mapped("state")), {"done"})
            self.assertEqual(len(set(jobs.mapped("batch_key"))), PARTNERS // 30)

    def test_a_batch_another_worker_is_resending_is_left_to_it_whole(self):
        with self.committed_env() as env:
            lost = env["qbo.sync.job"].search([("res_model", "=", "res.partner"), ("res_id", "in", self.partner_ids)],
                                              order="id", limit=30)
            # Claimed, sent, answer lost: due again under its key once its lease is over.
            lost.write({"state": "running", "batch_key": "qx-lost-answer",
                        "next_attempt_at": fields.Datetime.now() - timedelta(minutes=1)})
        with self.committed_env() as first, self.committed_env() as second:
            # The first worker holds one of its rows, as between finding the batch and writing its lease.
            first.cr.execute("SELECT id FROM qbo_sync_job WHERE id = %s FOR UPDATE", [lost[0].id])
            second.cr.execute("SET LOCAL lock_timeout = '2s'")
            batch = second["qbo.sync.job"]._qbo_claim(second["qbo.connection"].browse(self.connection_id))
            self.assertEqual(len(batch), 30, "other work is claimed instead")
            self.assertFalse(set(batch.ids) & set(lost.ids), "no row of the batch the first worker holds")
            second.cr.rollback()
            first.cr.rollback()


@tagged("post_install", "-at_install")
class TestQboConcurrentSlots(QboRealCursorsCase):
    """Intuit allows 10 calls in flight per company; the slots are shared by every worker's connection."""

    def test_no_more_calls_in_flight_than_the_limit(self):
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
