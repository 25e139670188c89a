from odoo import _, fields, models

from .qbo_handler_sales_document import PRIVATE_NOTE_MAX, money


class QboHandlerCreditApplication(models.AbstractModel):
    """A credit note applied to invoices, or paid out by a refund, as QuickBooks records it: a Payment of zero
    whose lines link the CreditMemo and the invoices (or refund expenses) it settles.

    The QuickBooks Payment is bound to the credit note itself, as a second
    link beside its CreditMemo, not to Odoo's reconciliation: an
    ``account.partial.reconcile`` is deleted when it is undone and recreated
    when redone, while the credit note stays, so one QuickBooks Payment per
    credit note carries every use of it and is updated, or deleted when
    nothing is applied any more.
    """

    _name = "qbo.handler.credit.application"
    _inherit = "qbo.handler.settlement"
    _description = "Credit Note Application"

    _qbo_entity = "Payment"
    _qbo_model = "account.move"

    # ------------------------------------------------------------------ what goes, and when
    def _qbo_wants(self, moves):
        """Credit notes that settle something, or whose QuickBooks application must be updated or deleted."""
        notes = moves.filtered(lambda move: move.move_type == "out_refund" and move.id)
        if not notes:
            return notes
        applied = set(self.env["qbo.binding"].sudo().search([
            ("res_model", "=", "account.move"), ("res_id", "in", notes.ids), ("qbo_entity", "=", "Payment"),
            ("qbo_id", "!=", False)]).mapped("res_id"))
        return notes.filtered(lambda move: move.id in applied or
                              (move.state == "posted" and self._qbo_applications(move)))

    def _qbo_documents_ready(self, connection, move):
        if not (self._qbo_doc_bindings(connection, move, "CreditMemo") or
                self._qbo_doc_goes(connection, move, "CreditMemo")):
            return False
        return super()._qbo_documents_ready(connection, move)

    def _qbo_is_live(self, move):
        return move.state == "posted" and move.move_type == "out_refund"

    def _qbo_not_live(self, job):
        return "end"

    def _qbo_nothing_left(self, plan):
        return not [link for link in plan["links"] if link[1] != "CreditMemo"]

    def _qbo_partner(self, move):
        return move.commercial_partner_id

    def _qbo_credit_lines(self, move):
        return self._qbo_receivable_lines(move)

    def _qbo_txn_date(self, move):
        """When the credit was last applied: the later date of the two documents of each reconciliation."""
        dates = [partial.max_date for partial, _document, _entity in self._qbo_applications(move)]
        return max(dates) if dates else move.invoice_date or move.date

    def _qbo_own_links(self, connection, move, links, waiting):
        """The CreditMemo lines: what each reconciliation uses of the credit note, over its QuickBooks credit
        memos (several when split by month)."""
        applications = self._qbo_applications(move)
        if not applications:
            return []
        allocation = self._qbo_allocation(connection, move, "CreditMemo")
        if not allocation:
            self._qbo_absent_document(connection, move, "CreditMemo", waiting)
            return []
        own = {}
        for partial, _document, _entity in applications:
            for binding, amount in allocation.get(partial.id, []):
                own[binding] = own.get(binding, 0.0) + amount
        return [(binding, "CreditMemo", money(amount)) for binding, amount in
                sorted(own.items(), key=lambda item: item[0].id) if money(amount) > 0]

    # ------------------------------------------------------------------ the payload
    def _qbo_to_qbo(self, connection, move):
        plan = self._qbo_batch_plan(connection, move)
        payload = {"CustomerRef": self._qbo_ref(connection, move.commercial_partner_id, "Customer"), "TotalAmt": 0,
                   "TxnDate": fields.Date.to_string(self._qbo_txn_date(move)),
                   "PrivateNote": _("Odoo credit note %s applied", move.name)[:PRIVATE_NOTE_MAX],
                   "Line": self._qbo_lines(plan)}
        payload.update(self._qbo_currency_fields(connection, move, self._qbo_move_rate(move)))
        return payload
