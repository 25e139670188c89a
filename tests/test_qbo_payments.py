"""Customer payments to QuickBooks, applied to what they pay: partial, several at once, overpaid, credit notes,
refunds, undone; where the money went; foreign currency; the clear refusals."""
from datetime import date, timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.tests import tagged

from .common import UK_REALM, US_REALM
from .common_documents import QboDocumentsCase


class QboPaymentsCase(QboDocumentsCase):
    """The US company with its bank journal deposited to QuickBooks' Checking account, paid by Check."""

    def setUp(self):
        super().setUp()
        self.us_bank = self.bank_journal(self.us.company_id)
        self.map_journal(self.us, self.us_bank, "Checking", "Check")

    # ------------------------------------------------------------------ set-up helpers
    def bank_journal(self, company):
        return self.env["account.journal"].search([("type", "=", "bank")] +
                                                  self.env["account.journal"]._check_company_domain(company), limit=1)

    def method_line_row(self, connection, journal, method_line):
        return self.env["qbo.journal.mapping"].search([("connection_id", "=", connection.id),
                                                       ("journal_id", "=", journal.id),
                                                       ("payment_method_line_id", "=", method_line.id)])

    def map_journal(self, connection, journal, account_name, method_name=None, method_line=None):
        Mapping = self.env["qbo.journal.mapping"]
        row = self.method_line_row(connection, journal, method_line) if method_line else \
            Mapping._qbo_journal_rows(connection, journal)
        if not row:
            row = Mapping.create({"connection_id": connection.id, "journal_id": journal.id,
                                  "payment_method_line_id": method_line.id})
        row.write({"qbo_account_id": self.rows("account", connection).filtered(lambda r: r.name == account_name).id,
                   "qbo_payment_method_id": self.rows("payment_method", connection).filtered(
                       lambda r: r.name == method_name).id if method_name else False})
        return row

    # ------------------------------------------------------------------ Odoo, the Odoo way
    def pay(self, invoices, amount=None, journal=None, pay_date=None, group=True, **values):
        """Register a payment of ``invoices`` through Odoo's wizard (a partial or over payment with ``amount``)."""
        journal = journal or (self.uk_bank if invoices[:1].company_id == getattr(self, "uk", self.us).company_id
                              and hasattr(self, "uk_bank") else self.us_bank)
        wizard_values = dict({"journal_id": journal.id, "group_payment": group}, **values)
        if amount is not None:
            wizard_values.update(amount=amount, payment_difference_handling="open")
        if pay_date:
            wizard_values["payment_date"] = pay_date
        wizard = self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoices.ids).create(wizard_values)
        return wizard._create_payments()

    def apply_outstanding(self, document, source):
        """Use ``source``'s open receivable line (a payment's credit, a credit note) on ``document``, as the
        invoice's "Add" button does."""
        line = source.line_ids.filtered(lambda l: l.account_id.account_type == "asset_receivable"
                                        and not l.reconciled)
        document.js_assign_outstanding_line(line.id)

    def unreconcile(self, document, source):
        """Undo the reconciliation between ``document`` and ``source`` (the "Unreconcile" of the widget)."""
        lines = document.line_ids.filtered(lambda l: l.account_id.account_type == "asset_receivable")
        partials = (lines.matched_debit_ids | lines.matched_credit_ids).filtered(
            lambda partial: source in (partial.debit_move_id.move_id | partial.credit_move_id.move_id))
        document.js_remove_outstanding_partial(partials.id)

    def credit_note(self, amount, partner=None, post=True, journal=None):
        partner = partner or self.us_customer
        lines = [{"product_id": (self.uk_product if journal else self.us_product).id, "quantity": 1,
                  "price_unit": amount, "tax_ids": [Command.clear()]}]
        return self.invoice(lines, partner=partner, move_type="out_refund", post=post, journal=journal)

    def us_invoice(self, amount, **values):
        return self.invoice([{"product_id": self.us_product.id, "quantity": 1, "price_unit": amount,
                              "tax_ids": [Command.clear()]}], **values)

    # ------------------------------------------------------------------ QuickBooks as the emulator holds it
    def data(self, realm_id=US_REALM):
        return self.emulator_admin.dump(realm_id)["data"]

    def qbo_payment(self, record, realm_id=US_REALM):
        binding = self.binding_of(record, "Payment")
        self.assertTrue(binding.qbo_id, "%s has no QuickBooks payment: %s" % (
            record.display_name, binding.last_error or self.jobs_of(record).mapped("error_message")))
        return self.data(realm_id)["Payment"][binding.qbo_id]

    def balance(self, move, realm_id=US_REALM):
        return self.stored(move, realm_id)["Balance" if move.move_type == "out_invoice" else "RemainingCredit"]

    def lines_of(self, payment):
        """{(TxnType, QuickBooks Id): amount} of a QuickBooks payment."""
        return {(link["TxnType"], link["TxnId"]): line["Amount"] for line in payment["Line"]
                for link in line["LinkedTxn"]}

    def assert_balance_is_residual(self, move, realm_id=US_REALM):
        self.assertAlmostEqual(self.balance(move, realm_id), move.amount_residual, places=2,
                               msg="%s: QuickBooks' balance is Odoo's residual" % move.name)


@tagged("post_install", "-at_install")
class TestQboPaymentsUS(QboPaymentsCase):

    def test_a_payment_goes_after_its_invoice_applied_to_it_and_posting_calls_nothing(self):
        invoice = self.us_invoice(100)
        self.emulator_admin.clear_counters()
        payment = self.pay(invoice)
        self.assertFalse(self.qbo_calls().get("total"), "posting and reconciling called nothing")
        job = self.jobs_of(payment, "Payment")
        self.assertEqual((job.state, job.priority), ("pending", 30))
        self.assertEqual(self.doc_job(invoice).priority, 20, "the invoice is sent first")
        self.send()
        stored = self.qbo_payment(payment)
        self.assertEqual(stored["TotalAmt"], 100.0)
        self.assertEqual(stored["UnappliedAmt"], 0.0)
        self.assertEqual(self.lines_of(stored), {("Invoice", invoice.qbo_id): 100.0})
        self.assertEqual(stored["CustomerRef"]["value"], self.binding_of(self.us_customer).qbo_id)
        self.assertEqual(stored["TxnDate"], fields.Date.to_string(payment.date))
        self.assertEqual(stored["DepositToAccountRef"]["value"], self.qbo_account(US_REALM, "Checking")["Id"])
        self.assertEqual(stored["PaymentMethodRef"]["name"], "Check")
        self.assertEqual(stored["PaymentRefNum"], payment.name[-21:])
        self.assert_balance_is_residual(invoice)
        self.assertEqual(invoice.qbo_balance, 0.0, "the invoice shows QuickBooks' new balance")
        self.assertEqual((payment.qbo_sync_state, payment.qbo_unapplied), ("synced", 0.0))

    def test_partial_payments_each_carry_their_part_and_the_balance_follows_the_residual(self):
        invoice = self.us_invoice(100)
        first = self.pay(invoice, amount=30)
        self.send()
        self.assertEqual(self.lines_of(self.qbo_payment(first)), {("Invoice", invoice.qbo_id): 30.0})
        self.assert_balance_is_residual(invoice)
        self.assertEqual(self.balance(invoice), 70.0)
        second = self.pay(invoice, amount=50)
        third = self.pay(invoice)
        self.send()
        for payment, amount in ((second, 50.0), (third, 20.0)):
            stored = self.qbo_payment(payment)
            self.assertEqual((stored["TotalAmt"], stored["UnappliedAmt"]), (amount, 0.0))
            self.assertEqual(self.lines_of(stored), {("Invoice", invoice.qbo_id): amount})
        self.assertEqual(invoice.payment_state, "paid")
        self.assert_balance_is_residual(invoice)
        self.assertEqual(len(self.stored(invoice)["LinkedTxn"]), 3, "the invoice lists its three payments")

    def test_one_payment_for_several_invoices_has_a_line_for_each(self):
        first, second = self.us_invoice(100), self.us_invoice(45.5)
        payment = self.pay(first | second)
        self.assertEqual(len(payment), 1)
        self.send()
        stored = self.qbo_payment(payment)
        self.assertEqual(stored["TotalAmt"], 145.5)
        self.assertEqual(self.lines_of(stored), {("Invoice", first.qbo_id): 100.0, ("Invoice", second.qbo_id): 45.5})
        self.assertEqual(stored["UnappliedAmt"], 0.0)
        for invoice in (first, second):
            self.assert_balance_is_residual(invoice)

    def test_an_overpayment_stays_unapplied_and_applying_it_later_updates_the_payment(self):
        first = self.us_invoice(100)
        payment = self.pay(first, amount=150)
        self.send()
        stored = self.qbo_payment(payment)
        self.assertEqual((stored["TotalAmt"], stored["UnappliedAmt"]), (150.0, 50.0))
        self.assertEqual(payment.qbo_unapplied, 50.0)
        qbo_id, token = stored["Id"], stored["SyncToken"]
        second = self.us_invoice(80)
        self.send()
        self.apply_outstanding(second, payment.move_id)
        self.assertEqual(second.amount_residual, 30.0)
        self.send()
        stored = self.qbo_payment(payment)
        self.assertEqual((stored["Id"], stored["UnappliedAmt"]), (qbo_id, 0.0), "the same payment, updated")
        self.assertNotEqual(stored["SyncToken"], token)
        self.assertEqual(self.lines_of(stored), {("Invoice", first.qbo_id): 100.0, ("Invoice", second.qbo_id): 50.0})
        self.assert_balance_is_residual(first)
        self.assert_balance_is_residual(second)
        self.assertEqual(len(self.data()["Payment"]) - len([p for p in self.data()["Payment"].values()
                                                             if p["Id"] != qbo_id]), 1)

    def test_a_credit_note_applied_to_an_invoice_is_a_zero_payment_linking_both(self):
        invoice = self.us_invoice(100)
        note = self.credit_note(25)
        self.apply_outstanding(invoice, note)
        self.assertEqual((invoice.amount_residual, note.amount_residual), (75.0, 0.0))
        self.send()
        stored = self.qbo_payment(note)
        self.assertEqual((stored["TotalAmt"], stored["UnappliedAmt"]), (0.0, 0.0))
        self.assertEqual(self.lines_of(stored), {("Invoice", invoice.qbo_id): 25.0, ("CreditMemo", note.qbo_id): 25.0})
        self.assert_balance_is_residual(invoice)
        self.assert_balance_is_residual(note)
        self.assertEqual(self.binding_of(note, "CreditMemo").qbo_id, note.qbo_id, "the credit memo keeps its link")
        # Undone: the application goes away in QuickBooks too.
        self.unreconcile(invoice, note)
        self.send()
        self.assertFalse(self.binding_of(note, "Payment"))
        self.assertNotIn(stored["Id"], self.data()["Payment"])
        self.assertEqual((self.balance(invoice), self.balance(note)), (100.0, 25.0))

    def test_reverse_and_cancel_applies_the_credit_note_at_once(self):
        invoice = self.us_invoice(60)
        self.send()
        note = invoice._reverse_moves(cancel=True)
        self.assertEqual(invoice.payment_state, "reversed")
        self.send()
        self.assertEqual(self.lines_of(self.qbo_payment(note)), {("Invoice", invoice.qbo_id): 60.0,
                                                                ("CreditMemo", note.qbo_id): 60.0})
        self.assert_balance_is_residual(invoice)
        self.assert_balance_is_residual(note)

    def test_a_credit_note_refunded_is_an_expense_on_receivable_linked_to_it(self):
        note = self.credit_note(40)
        refund = self.pay(note)
        self.assertEqual((refund.payment_type, note.payment_state), ("outbound", "paid"))
        self.send()
        expense = self.data()["Purchase"][self.binding_of(refund, "Purchase").qbo_id]
        self.assertEqual((expense["PaymentType"], expense["TotalAmt"]), ("Cash", 40.0))
        self.assertEqual(expense["AccountRef"]["value"], self.qbo_account(US_REALM, "Checking")["Id"])
        self.assertEqual(expense["EntityRef"]["value"], self.binding_of(self.us_customer).qbo_id)
        line = expense["Line"][0]["AccountBasedExpenseLineDetail"]
        self.assertEqual(line["AccountRef"]["value"], self.qbo_account(US_REALM, "Accounts Receivable (A/R)")["Id"])
        stored = self.qbo_payment(note)
        self.assertEqual(stored["TotalAmt"], 0.0)
        self.assertEqual(self.lines_of(stored), {("Expense", expense["Id"]): 40.0, ("CreditMemo", note.qbo_id): 40.0})
        self.assert_balance_is_residual(note)
        self.assertEqual(refund.qbo_sync_state, "synced")

    def test_a_refund_uses_no_receivable_mapping_nobody_confirmed_or_quickbooks_made_inactive(self):
        note = self.credit_note(25)
        receivable = note.line_ids.account_id.filtered(lambda account: account.account_type == "asset_receivable")
        other = self.env["qbo.list.item"].create({
            "connection_id": self.us.id, "list_type": "account", "qbo_id": "99001", "name": "Guessed A/R",
            "account_type": "Accounts Receivable"})
        row = self.env["qbo.account.mapping"].search([("connection_id", "=", self.us.id),
                                                      ("account_id", "=", receivable.id)]) \
            or self.env["qbo.account.mapping"].create({"connection_id": self.us.id, "account_id": receivable.id})
        row.with_context(qbo_proposal=True).write({"qbo_account_id": other.id, "suggested": True})   # a guess
        refund = self.pay(note)
        self.send()
        default = self.qbo_account(US_REALM, "Accounts Receivable (A/R)")["Id"]
        expense = self.data()["Purchase"][self.binding_of(refund, "Purchase").qbo_id]
        self.assertEqual(expense["Line"][0]["AccountBasedExpenseLineDetail"]["AccountRef"]["value"], default,
                         "a suggestion is used by nothing until confirmed")
        row.suggested = False
        other.active = False
        second = self.pay(self.credit_note(15))
        self.send()
        expense = self.data()["Purchase"][self.binding_of(second, "Purchase").qbo_id]
        self.assertEqual(expense["Line"][0]["AccountBasedExpenseLineDetail"]["AccountRef"]["value"], default,
                         "an account inactive in QuickBooks is not written to")

    def test_an_overpayment_paid_back_links_the_refund_to_the_payment(self):
        invoice = self.us_invoice(100)
        payment = self.pay(invoice, amount=150)
        refund = self.env["account.payment"].create({
            "payment_type": "outbound", "partner_type": "customer", "partner_id": self.us_customer.id,
            "amount": 50, "journal_id": self.us_bank.id})
        refund.action_post()
        (refund.move_id.line_ids | payment.move_id.line_ids).filtered(
            lambda l: l.account_id.account_type == "asset_receivable" and not l.reconciled).reconcile()
        self.send()
        expense_id = self.binding_of(refund, "Purchase").qbo_id
        stored = self.qbo_payment(payment)
        self.assertEqual(self.lines_of(stored), {("Invoice", invoice.qbo_id): 100.0, ("Expense", expense_id): 50.0})
        self.assertEqual(stored["UnappliedAmt"], 0.0)

    def test_unreconciling_reapplying_cancelling_and_deleting_follow_in_quickbooks(self):
        invoice = self.us_invoice(100)
        payment = self.pay(invoice)
        self.send()
        qbo_id = self.qbo_payment(payment)["Id"]
        self.unreconcile(invoice, payment.move_id)
        self.send()
        stored = self.qbo_payment(payment)
        self.assertEqual((stored["Id"], stored["Line"], stored["UnappliedAmt"]), (qbo_id, [], 100.0))
        self.assert_balance_is_residual(invoice)
        self.assertEqual(invoice.qbo_balance, 100.0)
        self.apply_outstanding(invoice, payment.move_id)
        self.send()
        self.assertEqual(self.lines_of(self.qbo_payment(payment)), {("Invoice", invoice.qbo_id): 100.0})
        self.assert_balance_is_residual(invoice)
        payment.action_cancel()
        self.send()
        voided = self.data()["Payment"][qbo_id]
        self.assertEqual((voided["TotalAmt"], voided["Line"]), (0.0, []))
        self.assertIn("Voided", voided["PrivateNote"])
        self.assert_balance_is_residual(invoice)
        other = self.pay(invoice, amount=10)
        self.send()
        other_id = self.qbo_payment(other)["Id"]
        other.action_draft()
        other.unlink()
        self.send()
        self.assertNotIn(other_id, self.data()["Payment"])
        self.assert_balance_is_residual(invoice)
        self.assertFalse(self.Job.search([("state", "=", "failed")]).mapped("error_message"),
                         "reset to draft, then deleted: QuickBooks' payment is deleted once")

    def test_a_failed_balance_read_holds_the_payment_back_unsent(self):
        invoice = self.us_invoice(100)
        self.send()
        payment = self.pay(invoice, amount=40)
        self.emulator_admin.faults(query={"fail_next": 1, "fail_status": 503})
        self.Job._qbo_process(self.us)
        job = self.jobs_of(payment, "Payment")
        self.assertEqual((job.state, job.batch_key, job.attempts), ("pending", False, 1),
                         "not sent unchecked, and claimed afresh later")
        self.assertFalse(self.binding_of(payment, "Payment").qbo_id)
        self.send()
        self.assertEqual(self.lines_of(self.qbo_payment(payment)), {("Invoice", invoice.qbo_id): 40.0})
        self.assert_balance_is_residual(invoice)
        self.assertEqual(invoice.qbo_balance, 60.0)

    def test_a_payment_reset_and_posted_again_before_the_queue_runs_is_deleted_then_sent_again(self):
        invoice = self.us_invoice(100)
        payment = self.pay(invoice)
        self.send()
        qbo_id = self.qbo_payment(payment)["Id"]
        payment.action_draft()
        payment.action_post()
        self.send()
        self.assertNotIn(qbo_id, self.data()["Payment"])
        # Posting again reconciles nothing in Odoo: the money is the customer's credit, in QuickBooks too.
        stored = self.qbo_payment(payment)
        self.assertEqual((stored["TotalAmt"], stored["UnappliedAmt"], stored["Line"]), (100.0, 100.0, []))
        self.assert_balance_is_residual(invoice)

    def test_cancelling_a_paid_invoice_unapplies_the_payment_before_the_void(self):
        invoice = self.us_invoice(100)
        payment = self.pay(invoice, amount=40)
        self.send()
        invoice.button_cancel()
        jobs = self.Job.search([("state", "=", "pending")])
        self.assertLess(self.jobs_of(payment, "Payment").filtered(lambda j: j.state == "pending").priority,
                        self.doc_job(invoice).priority, "the payment lets go before the invoice is voided")
        self.assertTrue(jobs)
        self.send()
        self.assertEqual(self.doc_job(invoice).state, "done", self.doc_job(invoice).error_message)
        self.assertEqual(self.stored(invoice)["TotalAmt"], 0.0)
        self.assertEqual(self.qbo_payment(payment)["UnappliedAmt"], 40.0)

    def test_a_document_split_over_several_quickbooks_documents_takes_its_payments_oldest_first(self):
        from ..models.qbo_handler_settlement import QboHandlerSettlement
        invoice, other = self.us_invoice(100), self.us_invoice(1)
        payments = [self.pay(invoice, amount=30), self.pay(invoice, amount=50), self.pay(invoice)]
        self.send()
        # Split by month: the invoice became two QuickBooks invoices, of 60 and 40.
        january = invoice.qbo_binding_id
        january.qbo_total = 60
        february = self.binding_of(other, "Invoice")
        february.qbo_total = 40
        original = QboHandlerSettlement._qbo_doc_bindings

        def split(handler, connection, document, entity):
            return (january | february) if document == invoice else original(handler, connection, document, entity)
        handler = self.env["qbo.handler.payment"]
        with patch.object(QboHandlerSettlement, "_qbo_doc_bindings", split):
            links = [[(binding, amount) for binding, _entity, amount in handler._qbo_plan(self.us, payment)["links"]]
                     for payment in payments]
        self.assertEqual(links, [[(january, 30.0)], [(january, 30.0), (february, 20.0)], [(february, 20.0)]])

    # ------------------------------------------------------------------ where the money went
    def test_deposit_account_and_method_per_journal_per_method_line_and_by_default(self):
        Method = self.env["account.payment.method.line"]
        manual = self.us_bank.inbound_payment_method_line_ids[:1]
        card = Method.create({"name": "Card", "journal_id": self.us_bank.id,
                              "payment_method_id": manual.payment_method_id.id})
        self.propose(self.us)
        row = self.method_line_row(self.us, self.us_bank, card)
        self.assertTrue(row, "a journal with two ways in gets a row per method line")
        self.assertEqual(row.state, "mapped", "empty, it takes the journal's mapping")
        self.map_journal(self.us, self.us_bank, "Undeposited Funds", "Visa", method_line=card)
        by_card = self.pay(self.us_invoice(10), payment_method_line_id=card.id)
        by_hand = self.pay(self.us_invoice(20), payment_method_line_id=manual.id)
        self.send()
        self.assertEqual((self.qbo_payment(by_card)["DepositToAccountRef"]["name"],
                          self.qbo_payment(by_card)["PaymentMethodRef"]["name"]), ("Undeposited Funds", "Visa"))
        self.assertEqual((self.qbo_payment(by_hand)["DepositToAccountRef"]["name"],
                          self.qbo_payment(by_hand)["PaymentMethodRef"]["name"]), ("Checking", "Check"))
        # A journal mapped nowhere: refused, naming it, nothing sent; the connection's default then serves it.
        other = self.env["account.journal"].create({"name": "QX Lockbox", "type": "bank", "code": "QXLB"})
        invoice = self.us_invoice(30)
        self.send()
        before = len(self.data()["Payment"])
        payment = self.pay(invoice, journal=other)
        self.send()
        job = self.jobs_of(payment, "Payment")
        self.assertEqual(job.state, "failed")
        self.assertIn("QX Lockbox", job.error_message)
        self.assertIn("deposit account", job.error_message)
        self.assertEqual(len(self.data()["Payment"]), before, "nothing sent")
        self.assertIn("QX Lockbox", payment.qbo_sync_error)
        self.assertEqual(payment.qbo_sync_state, "error")
        self.us.payment_deposit_account_id = self.rows("account", self.us).filtered(
            lambda r: r.name == "Undeposited Funds")
        payment.action_qbo_retry_failed()
        self.assertEqual(self.qbo_payment(payment)["DepositToAccountRef"]["name"], "Undeposited Funds")
        offered = self.env["qbo.list.item"].search(
            [("connection_id", "=", self.us.id), ("list_type", "=", "account"),
             ("account_type", "in", ("Bank", "Other Current Asset"))])
        self.assertIn("Undeposited Funds", offered.mapped("name"))

    # ------------------------------------------------------------------ clear refusals
    def test_a_payment_of_an_invoice_quickbooks_refused_fails_naming_it(self):
        unmapped = self.env["account.account"].create({"code": "QX4999", "name": "QX Unmapped income",
                                                       "account_type": "income"})
        invoice = self.invoice([{"name": "Odd job", "quantity": 1, "price_unit": 50, "account_id": unmapped.id,
                                 "tax_ids": [Command.clear()]}])
        payment = self.pay(invoice)
        self.send()
        self.assertEqual(self.doc_job(invoice).state, "failed")
        job = self.jobs_of(payment, "Payment")
        self.assertEqual(job.state, "failed")
        self.assertIn(invoice.name, job.error_message)
        self.assertIn("QuickBooks refused", job.error_message)

    def test_more_than_the_open_balance_is_refused_with_both_figures(self):
        invoice = self.us_invoice(100)
        self.send()
        qb = self.qbo_client()
        from quickbooks.objects import Payment
        Payment.from_json({"CustomerRef": {"value": self.binding_of(self.us_customer).qbo_id}, "TotalAmt": 40,
                           "Line": [{"Amount": 40, "LinkedTxn": [{"TxnId": invoice.qbo_id, "TxnType": "Invoice"}]}]}
                          ).save(qb=qb)
        before = len(self.data()["Payment"])
        payment = self.pay(invoice)
        self.emulator_admin.clear_counters()
        self.send()
        job = self.jobs_of(payment, "Payment")
        self.assertEqual(job.state, "failed")
        self.assertIn("has 60.00 open, less than the 100.00", job.error_message)
        self.assertIn(invoice.name, job.error_message)
        self.assertIn("40.00 applied to it", job.error_message)
        self.assertEqual(len(self.data()["Payment"]), before, "nothing sent")
        self.assertFalse(self.qbo_calls().get("POST batch"), "refused before any batch")

    def qbo_client(self):
        from ..emulator.testing import quickbooks
        return quickbooks(self.emulator.url, US_REALM, self.emulator_admin.grant(US_REALM)["access_token"])

    # ------------------------------------------------------------------ policies
    def test_when_fully_paid_the_invoice_and_its_payments_go_together(self):
        self.us.invoice_send_policy = "paid"
        invoice = self.us_invoice(100)
        first = self.pay(invoice, amount=30)
        self.send()
        self.assertFalse(self.binding_of(invoice, "Invoice").qbo_id)
        self.assertFalse(self.binding_of(first, "Payment").qbo_id, "a partial payment waits for the last one")
        last = self.pay(invoice)
        self.send()
        self.assertTrue(invoice.qbo_id)
        self.assertEqual(self.lines_of(self.qbo_payment(first)), {("Invoice", invoice.qbo_id): 30.0})
        self.assertEqual(self.lines_of(self.qbo_payment(last)), {("Invoice", invoice.qbo_id): 70.0})
        self.assert_balance_is_residual(invoice)

    def test_only_on_demand_sends_no_payment_by_itself_and_the_invoice_brings_its_payments(self):
        self.us.invoice_send_policy = "manual"
        invoice = self.us_invoice(100)
        payment = self.pay(invoice)
        self.assertFalse(self.jobs_of(payment))
        result = payment.action_qbo_sync_now()
        self.assertEqual(result["params"]["type"], "danger")
        self.assertIn("not in QuickBooks", result["params"]["message"])
        invoice.action_qbo_sync_now()
        self.send()
        self.assertEqual(self.lines_of(self.qbo_payment(payment)), {("Invoice", invoice.qbo_id): 100.0})

    # ------------------------------------------------------------------ what the accountant sees
    def test_the_payments_list_filters_and_the_bulk_actions(self):
        synced = self.pay(self.us_invoice(10))
        self.send()
        queued = self.pay(self.us_invoice(20))
        Payment = self.env["account.payment"]
        self.assertIn(synced, Payment.search([("qbo_sync_state", "=", "synced")]))
        self.assertIn(queued, Payment.search([("qbo_sync_state", "=", "queued")]))
        self.assertNotIn(synced, Payment.search([("qbo_sync_state", "in", ("unsynced", "error"))]))
        action = self.env.ref("account_quickbooks_online.qbo_payment_action")
        self.assertIn(synced, Payment.search(eval(action.domain)))
        self.assertIn("/app/recvpayment?txnId=%s" % synced.qbo_id, synced.action_qbo_view_in_quickbooks()["url"])
        wizard = self.env["qbo.bulk.action"].with_user(self.manager).with_context(
            active_model="account.payment", active_ids=queued.ids).create({"operation": "sync"})
        self.assertEqual(wizard.entity, "Payment")
        wizard.action_apply()
        self.assertEqual((wizard.synced_count, wizard.failed_count), (1, 0), wizard.details)
        unlink = self.env["qbo.bulk.action"].with_user(self.manager).with_context(
            active_model="account.payment", active_ids=synced.ids).create({"operation": "unlink"})
        unlink.action_apply()
        self.assertFalse(self.binding_of(synced, "Payment"))
        self.assertEqual(synced.qbo_sync_state, "unsynced")
        refund = self.pay(self.credit_note(5))
        wizard = self.env["qbo.bulk.action"].with_user(self.manager).with_context(
            active_model="account.payment", active_ids=refund.ids).create({"operation": "sync"})
        self.assertEqual(wizard.entity, "Purchase", "a refund goes as an expense")
        wizard.entity = "Payment"
        wizard.action_apply()
        self.assertEqual(wizard.failed_count, 1)
        self.assertIn("not a payment received from a customer", wizard.details)
        self.assertFalse(self.binding_of(refund, "Payment").qbo_id, "no payment made of a refund")


@tagged("post_install", "-at_install")
class TestQboPaymentsUK(QboPaymentsCase):
    """The UK company (VAT, multicurrency): GBP payments and credit notes, and a payment in euros."""

    def setUp(self):
        super().setUp()
        self.setup_uk()
        self.uk_bank = self.bank_journal(self.uk.company_id)
        self.map_journal(self.uk, self.uk_bank, "Current", "BACS")

    def uk_vat_invoice(self, net, **values):
        return self.uk_invoice([{"product_id": self.uk_product.id, "quantity": 1, "price_unit": net,
                                 "tax_ids": [Command.set(self.vat20.ids)]}], **values)

    def test_partial_payments_and_a_credit_note_in_pounds(self):
        invoice = self.uk_vat_invoice(100)
        self.assertEqual(invoice.amount_total, 120.0)
        payment = self.pay(invoice, amount=50)
        note = self.credit_note(30, partner=self.uk_customer, journal=self.uk_journal)
        self.apply_outstanding(invoice, note)
        self.send(self.uk)
        stored = self.qbo_payment(payment, UK_REALM)
        self.assertEqual((stored["TotalAmt"], stored["UnappliedAmt"]), (50.0, 0.0))
        self.assertEqual(stored["CurrencyRef"]["value"], "GBP")
        self.assertEqual(stored["DepositToAccountRef"]["name"], "Current")
        self.assertEqual(self.lines_of(self.qbo_payment(note, UK_REALM)),
                         {("Invoice", invoice.qbo_id): 30.0, ("CreditMemo", note.qbo_id): 30.0})
        self.assertEqual(self.balance(invoice, UK_REALM), 40.0)
        self.assert_balance_is_residual(invoice, UK_REALM)
        rest = self.pay(invoice, amount=60)
        self.send(self.uk)
        stored = self.qbo_payment(rest, UK_REALM)
        self.assertEqual((stored["TotalAmt"], stored["UnappliedAmt"]), (60.0, 20.0))
        self.assert_balance_is_residual(invoice, UK_REALM)

    def test_a_euro_payment_carries_its_own_rate_and_odoos_exchange_difference_stays_home(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        company = self.uk.company_id
        invoiced_on = fields.Date.today() - timedelta(days=10)
        Rate = self.env["res.currency.rate"]
        Rate.create({"currency_id": eur.id, "rate": 1.17, "name": invoiced_on, "company_id": company.id})
        Rate.create({"currency_id": eur.id, "rate": 1.20, "name": fields.Date.today(), "company_id": company.id})
        pricelist = self.env["product.pricelist"].create({"name": "QX EUR", "currency_id": eur.id,
                                                          "company_id": company.id})
        customer = self.env["res.partner"].with_company(company).create({
            "name": "QX Euro Payer", "customer_rank": 1, "company_id": company.id,
            "property_product_pricelist": pricelist.id})
        invoice = self.invoice([{"product_id": self.uk_product.id, "quantity": 1, "price_unit": 100,
                                 "tax_ids": [Command.set(self.vat20.ids)]}], partner=customer,
                               journal=self.uk_journal, currency_id=eur.id, invoice_date=invoiced_on)
        entries_before = len(self.data(UK_REALM).get("JournalEntry", {}))
        payment = self.pay(invoice, currency_id=eur.id, pay_date=fields.Date.today())
        self.assertEqual(invoice.payment_state, "paid")
        exchange = invoice.line_ids.matched_credit_ids.exchange_move_id
        self.assertTrue(exchange, "Odoo booked its exchange difference")
        self.send(self.uk)
        stored = self.qbo_payment(payment, UK_REALM)
        self.assertEqual(stored["CurrencyRef"]["value"], "EUR")
        self.assertEqual(stored["TotalAmt"], 120.0)
        self.assertAlmostEqual(stored["ExchangeRate"], round(1 / 1.20, 6), places=5)
        self.assertAlmostEqual(self.stored(invoice, UK_REALM)["ExchangeRate"],
                               abs(invoice.amount_total_signed / invoice.amount_total), places=5,
                               msg="the invoice keeps the rate of its own date")
        self.assertEqual(self.lines_of(stored), {("Invoice", invoice.qbo_id): 120.0})
        self.assert_balance_is_residual(invoice, UK_REALM)
        self.assertFalse(self.jobs_of(exchange), "Odoo's exchange difference is never sent")
        self.assertEqual(len(self.data(UK_REALM).get("JournalEntry", {})), entries_before)

    def test_a_payment_in_another_currency_than_its_invoice_is_refused(self):
        eur = self.env.ref("base.EUR")
        eur.active = True
        self.env["res.currency.rate"].create({"currency_id": eur.id, "rate": 1.2, "name": fields.Date.today(),
                                              "company_id": self.uk.company_id.id})
        invoice = self.uk_vat_invoice(50)
        payment = self.pay(invoice, currency_id=eur.id)
        self.send(self.uk)
        job = self.jobs_of(payment, "Payment")
        self.assertEqual(job.state, "failed")
        self.assertIn("is in GBP and this record in EUR", job.error_message)

    def test_closed_books_are_named(self):
        invoice = self.uk_vat_invoice(10, invoice_date=date(2024, 1, 15))
        self.send(self.uk)
        payment = self.pay(invoice, pay_date=date(2023, 12, 20))
        self.send(self.uk)
        job = self.jobs_of(payment, "Payment")
        self.assertEqual(job.state, "failed")
        self.assertIn("closed until 2023-12-31", job.error_message)
