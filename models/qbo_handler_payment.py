from odoo import _, fields, models
from odoo.exceptions import UserError

from .qbo_handler_sales_document import PRIVATE_NOTE_MAX, money
from .qbo_handler_settlement import LINK_SIGNS

REF_NUM_MAX = 21     # QuickBooks' PaymentRefNum
POSTED = ("in_process", "paid")


class QboHandlerPayment(models.AbstractModel):
    """Customer payments (inbound ``account.payment``) as QuickBooks Payments applied to what they pay.

    ``TotalAmt`` is the money received; a line per QuickBooks invoice (or
    refund expense) with the amount Odoo reconciled with it; what is not
    applied stays the payment's ``UnappliedAmt``, a customer credit, as in
    Odoo. The money lands on the deposit account of the journal mapping.
    """

    _name = "qbo.handler.payment"
    _inherit = "qbo.handler.settlement"
    _description = "Customer Payment"

    _qbo_entity = "Payment"
    _qbo_model = "account.payment"
    _qbo_bulk = True
    _qbo_default_for_model = True
    # Posting writes the state; the memo is still editable on a posted payment.
    _qbo_watched_fields = frozenset({"state", "memo"})

    # ------------------------------------------------------------------ what goes, and when
    def _qbo_wants(self, payments):
        return payments.filtered(lambda payment: payment.payment_type == "inbound"
                                 and payment.partner_type == "customer" and payment.partner_id
                                 and payment.state in POSTED and payment.move_id)

    def _qbo_is_live(self, payment):
        return payment.state in POSTED and bool(payment.move_id)

    def _qbo_refusal(self, connection, job, payment, plan):
        if payment and self._qbo_is_live(payment) and not self._qbo_wants(payment):
            return _("%s is not a payment received from a customer: send it as what it is (a refund goes as an "
                     "expense), from Send to QuickBooks on the payment.", payment.display_name)
        return super()._qbo_refusal(connection, job, payment, plan)

    def _qbo_credit_lines(self, payment):
        return self._qbo_receivable_lines(payment.move_id).filtered(lambda line: line.balance < 0)

    def _qbo_txn_date(self, payment):
        return payment.date

    def _qbo_check_mapping(self, connection, payment):
        connection._qbo_payment_refs(payment.journal_id, payment.payment_method_line_id)

    def _qbo_check_plan(self, record, plan):
        applied = money(sum(LINK_SIGNS[entity] * amount for _binding, entity, amount in plan["links"]))
        if applied > money(record.amount) + 0.005:
            raise UserError(_(
                "This payment of %(amount)s settles %(applied)s in Odoo: the difference was written off in Odoo, "
                "and a QuickBooks payment cannot apply more than it received. Record the write-off in QuickBooks "
                "(a credit memo applied to the invoice), or reconcile the payment without it.",
                amount="%.2f" % record.amount, applied="%.2f" % applied))

    # ------------------------------------------------------------------ the payload
    def _qbo_to_qbo(self, connection, payment):
        plan = self._qbo_batch_plan(connection, payment)
        self._qbo_check_plan(payment, plan)
        deposit, method = connection._qbo_payment_refs(payment.journal_id, payment.payment_method_line_id)
        payload = {"CustomerRef": self._qbo_ref(connection, payment.partner_id.commercial_partner_id, "Customer"),
                   "TotalAmt": money(payment.amount),
                   "TxnDate": fields.Date.to_string(payment.date), "PaymentRefNum": self._qbo_ref_num(payment),
                   "PrivateNote": self._qbo_private_note(payment), "DepositToAccountRef": deposit,
                   "Line": self._qbo_lines(plan)}
        if method:
            payload["PaymentMethodRef"] = method
        payload.update(self._qbo_currency_fields(connection, payment, self._qbo_move_rate(payment.move_id)))
        return payload

    def _qbo_ref_num(self, payment):
        """Odoo's number of the payment (its last 21 characters, where its counter is)."""
        return (payment.name or "")[-REF_NUM_MAX:]

    def _qbo_private_note(self, payment):
        parts = [_("Odoo payment %s", payment.name)]
        if payment.memo:
            parts.append(payment.memo)
        return " – ".join(parts)[:PRIVATE_NOTE_MAX]
