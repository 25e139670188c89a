"""The scheduled actions as Odoo's cron workers run them: on real cursors that commit.

The daily lists update used to fail on every real database: the call noted its
outcome on the connection's row from a second, committed transaction, and the
lists update then wrote that row from its own REPEATABLE READ transaction
("could not serialize access due to concurrent update"). Tests sharing one
transaction could not see it. Here Update lists (starting with an access token
that must be refreshed first, which commits too), the background import and
the queue's processor run end to end, each on its own committed cursor.
"""
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged

from .common import US_REALM, QboRealCursorsCase

UNLIMITED = {"account_quickbooks_online.limit_batch_per_window": "10000",
             "account_quickbooks_online.limit_request_per_window": "100000"}


@tagged("post_install", "-at_install")
class TestQboCronsOnCommittedCursors(QboRealCursorsCase):

    def setUp(self):
        super().setUp()
        self.admin.configure(limits={"batch_per_minute": 10000, "requests_per_minute": 100000})
        # The access token expires within the refresh margin: the first call refreshes and commits the new one.
        self.connection_id = self.connect_committed(
            self.admin.grant(US_REALM), params=UNLIMITED, push_partners=True,
            access_token_expires_at=fields.Datetime.now() + timedelta(seconds=60))
        self.addCleanup(self._forget_what_was_committed)

    def _forget_what_was_committed(self):
        with self.committed_env() as env:
            connection = env["qbo.connection"].browse(self.connection_id)
            bindings = env["qbo.binding"].search([("connection_id", "=", connection.id)])
            partners = env["res.partner"].with_context(active_test=False).browse(
                bindings.filtered(lambda b: b.res_model == "res.partner").mapped("res_id")).exists()
            env["qbo.sync.job"].search([("connection_id", "=", connection.id)]).unlink()
            bindings.unlink()
            partners.with_context(qbo_no_export=True).unlink()
            env["qbo.import.run"].search([("connection_id", "=", connection.id)]).unlink()
            env["qbo.list.item"].with_context(active_test=False).search(
                [("connection_id", "=", connection.id)]).unlink()
            connection.write({"qbo_lists_updated_at": False, "qbo_book_close_date": False,
                              "qbo_country_code": False, "qbo_currency_code": False,
                              "qbo_multicurrency": False, "qbo_automated_sales_tax": False})

    def test_update_lists_import_and_the_queue_run_end_to_end_on_committed_cursors(self):
        with self.committed_env() as env:
            env["qbo.connection"]._cron_qbo_update_lists()
        with self.committed_env() as env:
            connection = env["qbo.connection"].browse(self.connection_id)
            self.assertTrue(connection.qbo_lists_updated_at, connection.last_error)
            self.assertFalse(connection.last_error)
            self.assertEqual(connection.qbo_country_code, "US")
            self.assertTrue(connection.qbo_automated_sales_tax)
            self.assertGreater(env["qbo.list.item"].search_count([("connection_id", "=", connection.id),
                                                                  ("list_type", "=", "account")]), 20)
            self.assertGreater(connection.access_token_expires_at, fields.Datetime.now() + timedelta(minutes=30),
                               "the refreshed token was committed")
            run = env["qbo.import.run"].create({
                "connection_id": connection.id, "in_background": True,
                "step_ids": [Command.create({"entity": "Customer", "name": "Customers"})]})
            run_id = run.id
        with self.committed_env() as env:
            env["qbo.import.run"]._cron_qbo_import()
        with self.committed_env() as env:
            run = env["qbo.import.run"].browse(run_id)
            self.assertEqual((run.state, run.last_error), ("done", False))
            self.assertEqual(run.created_count + run.linked_count, 29, "every preset customer")
            partner_ids = env["res.partner"].create([{"name": "Committed %02d" % n, "customer_rank": 1}
                                                     for n in range(40)]).ids
        with self.committed_env() as env:
            env["qbo.sync.job"]._cron_qbo_process_jobs()
        with self.committed_env() as env:
            jobs = env["qbo.sync.job"].search([("res_model", "=", "res.partner"), ("res_id", "in", partner_ids)])
            self.assertEqual(len(jobs), 40)
            self.assertEqual(set(jobs.mapped("state")), {"done"}, jobs.mapped("error_message"))
        customers = [c for c in self.admin.dump(US_REALM)["data"]["Customer"].values()
                     if c["DisplayName"].startswith("Committed ")]
        self.assertEqual(len(customers), 40)
        self.assertEqual(self.admin.counters("_oauth").get("POST bearer"), 1, "one refresh, reused afterwards")
