from odoo import api, fields, models

SYNC_STATES = [("unsynced", "Not sent"), ("queued", "Queued"), ("synced", "Synced"), ("mismatch", "Mismatch"),
               ("error", "Refused")]
QBO_STATUSES = [("paid", "Paid"), ("partial", "Partially paid"), ("unpaid", "Unpaid"), ("overdue", "Overdue")]
SALES_TYPES = ("out_invoice", "out_refund")


class AccountMove(models.Model):
    """Customer invoices and credit notes go to QuickBooks when posted (or paid, or on demand).

    Posting, cancelling and deleting only queue jobs in their own transaction;
    nothing here calls QuickBooks (qbo.handler.invoice and
    qbo.handler.creditmemo say what goes).
    """

    _name = "account.move"
    _inherit = ["account.move", "qbo.sync.mixin", "qbo.push.mixin", "qbo.document.mixin"]
    _qbo_document_entities = ("Invoice", "CreditMemo")

    qbo_binding_id = fields.Many2one("qbo.binding", "QuickBooks link", compute="_compute_qbo_document",
                                     compute_sudo=True)
    qbo_sync_state = fields.Selection(SYNC_STATES, "QuickBooks", compute="_compute_qbo_document",
                                      search="_search_qbo_sync_state", compute_sudo=True,
                                      help="Not sent: QuickBooks does not have it. Queued: a change waits to be "
                                           "sent. Synced: QuickBooks has it with Odoo's figures. Mismatch: "
                                           "QuickBooks' total or tax differs (both are shown). Refused: QuickBooks "
                                           "refused it; the reason is on the document.")
    qbo_id = fields.Char("QuickBooks ID", compute="_compute_qbo_document", compute_sudo=True)
    qbo_doc_number = fields.Char("QuickBooks number", compute="_compute_qbo_document", compute_sudo=True)
    qbo_balance = fields.Float("QuickBooks balance", compute="_compute_qbo_document", compute_sudo=True,
                               help="What is still to pay, as QuickBooks last reported it.")
    qbo_due_date = fields.Date("QuickBooks due date", compute="_compute_qbo_document", compute_sudo=True)
    qbo_synced_at = fields.Datetime("Synced at", compute="_compute_qbo_document", compute_sudo=True)
    qbo_mismatch = fields.Text("QuickBooks mismatch", compute="_compute_qbo_document", compute_sudo=True)
    qbo_status = fields.Selection(QBO_STATUSES, "QuickBooks status", compute="_compute_qbo_document",
                                  compute_sudo=True, help="Paid, partially paid, unpaid or overdue, from the balance "
                                                          "and due date QuickBooks last reported.")

    # ------------------------------------------------------------------ what QuickBooks holds
    @api.depends("move_type", "company_id")
    def _compute_qbo_document(self):
        sales = self.filtered(lambda move: move.id and move.move_type in SALES_TYPES)
        # An invoice split by month is several QuickBooks invoices: their figures add up.
        bindings, queued = self._qbo_document_links(sales)
        Binding = self.env["qbo.binding"]
        today = fields.Date.context_today(self)
        for move in self:
            all_bindings = bindings.get(move.id, Binding)
            sent = all_bindings.filtered("qbo_id")
            move.qbo_binding_id = sent[:1] or all_bindings[:1]
            move.qbo_id = ", ".join(sent.mapped("qbo_id")) or False
            move.qbo_doc_number = ", ".join(number for number in sent.mapped("qbo_doc_number") if number) or False
            balance, total = sum(sent.mapped("qbo_balance")), sum(sent.mapped("qbo_total"))
            move.qbo_balance = balance
            due_dates = [date for date in sent.mapped("qbo_due_date") if date]
            move.qbo_due_date = max(due_dates) if due_dates else False
            move.qbo_synced_at = max(sent.mapped("synced_at")) if sent else False
            move.qbo_mismatch = "\n".join(mismatch for mismatch in sent.mapped("mismatch") if mismatch) or False
            move.qbo_sync_state = self._qbo_document_state(all_bindings, move.id in queued) \
                if move.move_type in SALES_TYPES else False
            status = False
            if sent and move.move_type == "out_invoice":
                if balance <= 0.005:
                    status = "paid"
                elif move.qbo_due_date and move.qbo_due_date < today:
                    status = "overdue"
                else:
                    status = "partial" if balance < total - 0.005 else "unpaid"
            move.qbo_status = status

    def _qbo_document_scope(self):
        return [("move_type", "in", SALES_TYPES)]

    # ------------------------------------------------------------------ the hooks: queue, never call
    def _post(self, soft=True):
        posted = super()._post(soft)
        posted._qbo_queue_push()
        return posted

    def button_cancel(self):
        sent = self.filtered(lambda move: move.move_type in SALES_TYPES)
        result = super().button_cancel()
        # A cancelled document stays in QuickBooks as void: its number and history are kept.
        self.env["qbo.sync.job"]._qbo_enqueue_ending(sent.filtered(lambda move: move.state == "cancel"),
                                                     operation="void")
        return result

    def _qbo_queue_paid(self):
        """Documents just settled go to the companies that send invoices only when fully paid."""
        settled = self.filtered(lambda move: move.move_type in SALES_TYPES and move.state == "posted"
                                and move.payment_state in ("paid", "in_payment", "reversed"))
        settled.with_context(qbo_paid_only=True)._qbo_queue_push()

    # ------------------------------------------------------------------ buttons
    def action_qbo_view_in_quickbooks(self):
        self.ensure_one()
        return self.qbo_binding_id.action_qbo_view_in_quickbooks()
