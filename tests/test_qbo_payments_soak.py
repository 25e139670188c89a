"""The payments soak: 500 invoices and 700 payments through a hostile network, sent by two workers at once.

A third of the payments are partial, a tenth overpay, a tenth are unreconciled
and then applied again while everything is sent through 10 % 5xx answers, 5 %
connection resets and 2 % answers lost after QuickBooks did the work. At the
end QuickBooks has every payment exactly once, each invoice's balance is
Odoo's residual and each payment's unapplied amount its open credit. The two
workers have their own cursors and commit as the scheduled action does; what
the test committed is removed afterwards.
"""
import contextlib
import logging
import random
import threading
import time
from collections import Counter
from unittest.mock import patch

from odoo import Command, fields
from odoo.tests import tagged

from ..models import qbo_connection_health as health
from ..models import qbo_settlement_balance as balance
from ..models import qbo_sync_job as sync_job
from ..models import qbo_sync_job_processor as processor
from .common import US_REALM, QboRealCursorsCase

_logger = logging.getLogger(__name__)

INVOICES = 500
CUSTOMERS = 40
TWO_PAYMENTS, ONE_PARTIAL, OVERPAID = 200, 33, 70     # invoices paid in two parts, left part paid, overpaid
UNDONE = 70                                          # payments unreconciled, sent, then applied again
FAULTS = {"unavailable_rate": 0.10, "reset_rate": 0.05, "lost_response_rate": 0.02}
DRAIN_SECONDS = 150
# What the test creates and removes: the accounting rows it commits, and the addon's own.
TABLES = ("account_partial_reconcile", "account_full_reconcile", "account_payment", "account_move",
          "qbo_sync_job", "qbo_binding", "qbo_account_mapping", "qbo_journal_mapping", "qbo_tax_mapping",
          "qbo_term_mapping", "qbo_list_item", "product_product", "product_template", "res_partner")
# The connection's fields this test changes (reading the lists fills the company facts) beyond those
# QboRealCursorsCase puts back.
CONNECTION_FIELDS = ["invoice_send_policy", "documents_from", "payment_deposit_account_id",
                     "payment_method_default_id", "qbo_lists_updated_at", "qbo_book_close_date", "qbo_country_code",
                     "qbo_currency_code", "qbo_multicurrency", "qbo_automated_sales_tax"]


@tagged("post_install", "-at_install")
class TestQboPaymentsSoak(QboRealCursorsCase):

    def setUp(self):
        super().setUp()
        self.admin.configure(limits={"batch_per_minute": 10000, "requests_per_minute": 100000})
        with self.committed_env() as env:
            env.cr.execute("SELECT now() at time zone 'UTC'")
            self.started = env.cr.fetchone()[0]
            self.before = {}
            for table in TABLES:
                env.cr.execute("SELECT coalesce(max(id), 0) FROM %s" % table)
                self.before[table] = env.cr.fetchone()[0]
        self.addCleanup(self._remove_committed)
        self.connection_id = self.connect_committed(self.admin.grant(US_REALM), push_partners=True, params={
            "account_quickbooks_online.limit_batch_per_window": "10000",
            "account_quickbooks_online.limit_request_per_window": "100000"})
        with self.committed_env() as env:
            connection = env["qbo.connection"].browse(self.connection_id)
            self.saved = connection.read(CONNECTION_FIELDS)[0]
            connection.write({"invoice_send_policy": "posted", "documents_from": False})
            self._prepare_company(env, connection)

    def _prepare_company(self, env, connection):
        env["qbo.list.item"]._qbo_update_lists(connection)
        for model in ("qbo.account.mapping", "qbo.journal.mapping", "qbo.tax.mapping", "qbo.term.mapping"):
            env[model]._qbo_propose(connection)
        company = connection.company_id
        accounts = env["qbo.list.item"].search([("connection_id", "=", connection.id), ("list_type", "=", "account")])
        Account = env["account.account"]
        income = Account.search([("code", "=", "400000")] + Account._check_company_domain(company), limit=1)
        expense = env["product.category"].search([], limit=1).property_account_expense_categ_id
        for account, name in ((income, "Sales of Product Income"), (expense, "Cost of Goods Sold")):
            env["qbo.account.mapping"]._qbo_rows(connection, "account_id", account).write(
                {"qbo_account_id": accounts.filtered(lambda row: row.name == name).id})
        self.bank_id = env["account.journal"].search(
            [("type", "=", "bank")] + env["account.journal"]._check_company_domain(company), limit=1).id
        env["qbo.journal.mapping"]._qbo_journal_rows(connection, env["account.journal"].browse(self.bank_id)).write(
            {"qbo_account_id": accounts.filtered(lambda row: row.name == "Checking").id})
        self.product_id = env["product.product"].create({
            "name": "Soak service", "type": "service", "taxes_id": [Command.clear()],
            "property_account_income_id": income.id}).id
        self.customer_ids = env["res.partner"].create([{"name": "Soak Customer %02d" % n, "customer_rank": 1}
                                                       for n in range(CUSTOMERS)]).ids

    # ------------------------------------------------------------------ Odoo's side, committed
    def _create_documents(self, env):
        """500 posted invoices and 700 payments: 200 invoices paid in two parts, 33 left part paid, 70
        overpaid, the others paid in full. The partial and overpaying payments are created, posted and
        reconciled as Odoo's payment wizard does, all at once; the rest through the wizard, one per invoice."""
        rng = random.Random(20261130)
        invoices = env["account.move"].create([{
            "move_type": "out_invoice", "partner_id": self.customer_ids[n % CUSTOMERS],
            "invoice_date": fields.Date.today(),
            "invoice_line_ids": [Command.create({"product_id": self.product_id, "quantity": 1,
                                                 "price_unit": rng.randint(2000, 90000) / 100.0,
                                                 "tax_ids": [Command.clear()]})]} for n in range(INVOICES)])
        invoices.action_post()
        halves = invoices[:TWO_PAYMENTS]
        partial_only = invoices[TWO_PAYMENTS:TWO_PAYMENTS + ONE_PARTIAL]
        overpaid = invoices[TWO_PAYMENTS + ONE_PARTIAL:TWO_PAYMENTS + ONE_PARTIAL + OVERPAID]
        amounts = [round(invoice.amount_total * rng.uniform(0.2, 0.8), 2) for invoice in halves | partial_only]
        amounts += [round(invoice.amount_total + rng.randint(100, 5000) / 100.0, 2) for invoice in overpaid]
        first = halves | partial_only | overpaid
        payments = env["account.payment"].create([{
            "payment_type": "inbound", "partner_type": "customer", "partner_id": invoice.partner_id.id,
            "amount": amount, "journal_id": self.bank_id, "memo": invoice.name}
            for invoice, amount in zip(first, amounts)])
        payments.action_post()
        for invoice, payment in zip(first, payments):
            (self._receivable(invoice) | self._receivable(payment.move_id)).reconcile()
        env["account.payment.register"].with_context(
            active_model="account.move", active_ids=(halves | invoices[len(first):]).ids).create(
            {"journal_id": self.bank_id, "group_payment": False})._create_payments()
        return invoices, env["account.payment"].search([("id", ">", self.before["account_payment"])])

    @staticmethod
    def _receivable(move):
        return move.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")

    # ------------------------------------------------------------------ the two workers
    def _drain(self):
        """Two workers send the queue until nothing is left, as two cron workers would."""
        deadline = time.monotonic() + DRAIN_SECONDS
        errors, rolled_back = [], []

        def worker():
            try:
                with self.committed_env() as env:
                    connection = env["qbo.connection"].browse(self.connection_id)
                    Job = env["qbo.sync.job"]
                    while time.monotonic() < deadline:
                        try:
                            handled = Job._qbo_process(connection, commit=True)
                        except Exception:   # as the scheduled action: rolled back, the batch is resent later
                            env.cr.rollback()
                            rolled_back.append(1)
                            handled = 0
                        env.cr.commit()
                        if not Job.search_count([("connection_id", "=", connection.id),
                                                 ("state", "in", ("pending", "running"))]):
                            return
                        if not handled:
                            time.sleep(0.1)
            except Exception as error:   # reported below
                errors.append(error)

        with contextlib.ExitStack() as fast:   # Intuit's waits, shortened: the faults stay as they are
            fast.enter_context(patch.object(sync_job, "_backoff_seconds", lambda attempts: 0.2))
            # A batch a worker rolled back is resent after this; longer than any batch takes to send.
            fast.enter_context(patch.object(processor, "LEASE_SECONDS", 30))
            fast.enter_context(patch.object(health, "FIRST_PAUSE_SECONDS", 1))
            fast.enter_context(patch.object(balance, "BUSY_WAIT_AFTER", 0.5))
            threads = [threading.Thread(target=worker) for _ in range(2)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=DRAIN_SECONDS + 60)
        self.assertFalse(errors, errors)
        with self.committed_env() as env:
            left = env["qbo.sync.job"].search([("connection_id", "=", self.connection_id),
                                               ("state", "in", ("pending", "running"))])
            self.assertFalse(left, "the queue drained: %s" % [(job.qbo_entity, job.state, job.error_message)
                                                             for job in left[:5]])
        return len(rolled_back)

    def test_700_payments_through_faults_and_two_workers_land_exactly_once_with_odoos_balances(self):
        with self.committed_env() as env:
            invoices, payments = self._create_documents(env)
            invoice_ids, payment_ids = invoices.ids, payments.ids
            self.assertEqual(len(payments), 700)
            self.assertEqual(len(invoices.filtered(lambda i: i.payment_state == "partial")), ONE_PARTIAL)
            self.assertEqual(len(payments.filtered(lambda p: p.move_id.line_ids.filtered(
                lambda l: l.account_id.account_type == "asset_receivable").amount_residual)), OVERPAID)
        self.admin.clear_faults(seed=20261130)
        self.admin.faults(**{"*": FAULTS})
        self.admin.clear_counters()
        started = time.monotonic()
        rolled_back = self._drain()
        with self.committed_env() as env:   # a tenth are unreconciled, sent as such, then applied again
            undone = env["account.payment"].browse(payment_ids).filtered(
                lambda p: len(p.reconciled_invoice_ids) == 1 and p.amount == p.reconciled_invoice_ids.amount_total
            )[:UNDONE]
            self.assertEqual(len(undone), UNDONE)
            pairs = [(payment.id, payment.reconciled_invoice_ids.id) for payment in undone]
            for payment in undone:
                invoice = payment.reconciled_invoice_ids
                lines = invoice.line_ids.filtered(lambda l: l.account_id.account_type == "asset_receivable")
                invoice.js_remove_outstanding_partial(lines.matched_credit_ids.id)
        rolled_back += self._drain()
        with self.committed_env() as env:
            for payment_id, invoice_id in pairs:
                payment, invoice = env["account.payment"].browse(payment_id), env["account.move"].browse(invoice_id)
                line = payment.move_id.line_ids.filtered(lambda l: l.account_id.account_type == "asset_receivable")
                invoice.js_assign_outstanding_line(line.id)
        rolled_back += self._drain()
        sending = time.monotonic() - started
        self.admin.clear_faults()
        counters = self.admin.counters(US_REALM)
        # Figures for the README, never asserted: they depend on the machine.
        with self.committed_env() as env:
            retried = env["qbo.sync.job"].search_count([("connection_id", "=", self.connection_id),
                                                        ("attempts", ">", 0)])
        _logger.info("payments soak: sent in %.1f s, %s requests answered (%s batch calls, %s queries), %s answered "
                     "from memory, %s jobs retried after a fault, %s batches rolled back and resent", sending,
                     counters.get("total"), counters.get("POST batch"), counters.get("POST query"),
                     counters.get("replayed", 0), retried, rolled_back)
        self._check_quickbooks(invoice_ids, payment_ids)
        self.assertGreater(counters.get("POST batch", 0), 1200 // 30, "faults made some batches go again")

    def _check_quickbooks(self, invoice_ids, payment_ids):
        data = self.admin.dump(US_REALM)["data"]
        with self.committed_env() as env:
            payments = env["account.payment"].browse(payment_ids)
            names = Counter(row.get("PaymentRefNum") for row in data["Payment"].values())
            self.assertEqual([name for name in payments.mapped("name") if names[name] != 1], [],
                             "every payment exactly once in QuickBooks")
            Binding = env["qbo.binding"]
            bindings = Binding.search([("res_model", "=", "account.payment"), ("res_id", "in", payment_ids),
                                       ("qbo_entity", "=", "Payment")])
            self.assertEqual(len(bindings.filtered("qbo_id")), 700)
            failed = env["qbo.sync.job"].search([("connection_id", "=", self.connection_id), ("state", "=", "failed")])
            self.assertFalse(failed, [(job.record_name, job.qbo_entity, job.error_message, [
                (other.id, other.state, other.operation, other.attempts, other.requeues, other.waits, other.priority,
                 other.batch_key) for other in env["qbo.sync.job"].search([("res_model", "=", job.res_model),
                                                                           ("res_id", "=", job.res_id)])])
                for job in failed])
            by_id = {binding.res_id: data["Payment"][binding.qbo_id] for binding in bindings}
            for payment in payments:
                open_credit = -sum(payment.move_id.line_ids.filtered(
                    lambda l: l.account_id.account_type == "asset_receivable").mapped("amount_residual_currency"))
                self.assertAlmostEqual(by_id[payment.id]["UnappliedAmt"], open_credit, places=2, msg=payment.name)
                self.assertEqual(by_id[payment.id]["TotalAmt"], payment.amount)
            invoices = env["account.move"].browse(invoice_ids)
            documents = {binding.res_id: data["Invoice"][binding.qbo_id] for binding in Binding.search(
                [("res_model", "=", "account.move"), ("res_id", "in", invoice_ids), ("qbo_entity", "=", "Invoice")])}
            wrong = [(invoice.name, documents[invoice.id]["Balance"], invoice.amount_residual) for invoice in invoices
                     if abs(documents[invoice.id]["Balance"] - invoice.amount_residual) > 0.005]
            self.assertEqual(wrong, [], "every QuickBooks invoice balance is Odoo's residual")
            self.assertEqual(len(invoices.filtered(lambda i: i.payment_state == "partial")), ONE_PARTIAL)

    # ------------------------------------------------------------------ leave the database as it was
    def _remove_committed(self):
        with self.committed_env() as env:
            if getattr(self, "saved", None):
                env["qbo.connection"].browse(self.connection_id).write(
                    {key: value[0] if isinstance(value, tuple) else value for key, value in self.saved.items()
                     if key != "id"})
            moves = int(self.before["account_move"])
            statements = [
                ("DELETE FROM account_payment_register WHERE create_date >= %s", [self.started]),
                ("DELETE FROM account_partial_reconcile WHERE id > %s", [self.before["account_partial_reconcile"]]),
                ("UPDATE account_move_line SET full_reconcile_id = NULL WHERE move_id > %s", [moves]),
                ("DELETE FROM account_full_reconcile WHERE id > %s", [self.before["account_full_reconcile"]]),
                ("UPDATE account_move SET origin_payment_id = NULL WHERE id > %s", [moves]),
                ("DELETE FROM account_payment WHERE id > %s", [self.before["account_payment"]]),
                ("DELETE FROM account_move WHERE id > %s", [moves]),
                ("DELETE FROM mail_message WHERE model IN ('account.move', 'account.payment', 'res.partner', "
                 "'product.product', 'product.template') AND create_date >= %s", [self.started]),
            ] + [("DELETE FROM %s WHERE id > %%s" % table, [self.before[table]]) for table in TABLES[4:]]
            for query, params in statements:
                env.cr.execute(query, params)
            env.invalidate_all()
