from odoo import api, fields, models

PAYMENT_SYNC_STATES = [("unsynced", "Not sent"), ("queued", "Queued"), ("synced", "Synced"), ("error", "Refused")]


class AccountPayment(models.Model):
    """Customer payments go to QuickBooks as Payments, refunds to customers as Expenses on Accounts Receivable.

    Posting, reconciling (account_partial_reconcile.py), cancelling, resetting
    to draft and deleting only queue jobs in their own transaction; nothing
    here calls QuickBooks (qbo.handler.payment and qbo.handler.refund say what
    goes).
    """

    _name = "account.payment"
    _inherit = ["account.payment", "qbo.sync.mixin", "qbo.push.mixin", "qbo.document.mixin"]
    _qbo_document_entities = ("Payment", "Purchase")

    qbo_binding_id = fields.Many2one("qbo.binding", "QuickBooks link", compute="_compute_qbo_payment",
                                     compute_sudo=True)
    qbo_sync_state = fields.Selection(PAYMENT_SYNC_STATES, "QuickBooks", compute="_compute_qbo_payment",
                                      search="_search_qbo_sync_state", compute_sudo=True,
                                      help="Synced: QuickBooks has the payment as Odoo applies it. Queued: a change "
                                           "waits to be sent. Refused: QuickBooks refused it (or what it pays); the "
                                           "reason is on the payment.")
    qbo_id = fields.Char("QuickBooks ID", compute="_compute_qbo_payment", compute_sudo=True,
                         help="The QuickBooks payment (or, for a refund, expense) this payment is.")
    qbo_unapplied = fields.Float("Unapplied in QuickBooks", compute="_compute_qbo_payment", compute_sudo=True,
                                 help="What QuickBooks keeps as the customer's credit (its UnappliedAmt), as it last "
                                      "reported it.")
    qbo_synced_at = fields.Datetime("Synced at", compute="_compute_qbo_payment", compute_sudo=True,
                                    help="When QuickBooks last accepted this payment as Odoo applies it.")

    # ------------------------------------------------------------------ what QuickBooks holds
    def _qbo_sales(self):
        return self.filtered(lambda payment: payment.id and payment.partner_type == "customer")

    @api.depends("payment_type", "partner_type", "company_id")
    def _compute_qbo_payment(self):
        customers = self._qbo_sales()
        bindings, queued = self._qbo_document_links(customers)
        for payment in self:
            binding = bindings.get(payment.id, self.env["qbo.binding"])[:1]
            payment.qbo_binding_id = binding
            payment.qbo_id = binding.qbo_id
            payment.qbo_unapplied = binding.qbo_balance if binding.qbo_entity == "Payment" else 0.0
            payment.qbo_synced_at = binding.synced_at
            payment.qbo_sync_state = self._qbo_document_state(bindings.get(payment.id, binding), payment.id in queued) \
                if payment in customers else False

    def _qbo_document_scope(self):
        return [("partner_type", "=", "customer")]

    # ------------------------------------------------------------------ the hooks: queue, never call
    def action_cancel(self):
        inbound = self.filtered(lambda payment: payment.payment_type == "inbound")
        result = super().action_cancel()
        # A cancelled payment stays in QuickBooks as void, with its history; QuickBooks voids no expense
        # through the API, so a cancelled refund is deleted there.
        Job = self.env["qbo.sync.job"]
        Job._qbo_enqueue_ending(inbound, operation="void")
        Job._qbo_enqueue_ending(self - inbound, operation="delete")
        return result

    def action_draft(self):
        result = super().action_draft()
        # A draft payment books nothing in Odoo: QuickBooks drops it too, and gets it again when it is posted.
        self.env["qbo.sync.job"]._qbo_enqueue_ending(self, operation="delete")
        return result

    # ------------------------------------------------------------------ buttons
    def action_qbo_view_in_quickbooks(self):
        self.ensure_one()
        return self.qbo_binding_id.action_qbo_view_in_quickbooks()
