from odoo import _, fields, models
from odoo.exceptions import UserError

from .qbo_handler import LEVEL_DOCUMENTS, batch_memo
from .qbo_handler_payment import POSTED, REF_NUM_MAX
from .qbo_handler_sales_document import PRIVATE_NOTE_MAX, money

AR_TYPE = "Accounts Receivable"


class QboHandlerRefund(models.AbstractModel):
    """Money paid back to a customer (outbound customer ``account.payment``) as a QuickBooks Expense to the
    customer on Accounts Receivable.

    Intuit's way of paying out a customer's credit ("Manage linked
    transactions"): an Expense (a Purchase paid by cash) on Accounts
    Receivable, which a Payment then links to the credit it uses up, a credit
    memo (qbo.handler.credit.application) or an overpayment (the customer
    payment's own Payment). A RefundReceipt would not do: it is a sale of its
    own, QuickBooks cannot link it to a credit memo, so the credit memo would
    stay open beside it and the customer would be credited twice. A check is
    not used either, as QuickBooks links checks to payments in its UI only.
    """

    _name = "qbo.handler.refund"
    _inherit = "qbo.handler"
    _description = "Customer Refund"

    _qbo_entity = "Purchase"
    _qbo_model = "account.payment"
    _qbo_level = LEVEL_DOCUMENTS        # the payments that link it come after it
    _qbo_ending = "delete"              # QuickBooks voids no expense through the API
    _qbo_has_active = False
    _qbo_name_field = None
    _qbo_bulk = True
    _qbo_app_page = ("expense", "txnId")
    _qbo_watched_fields = frozenset({"state", "memo"})

    # ------------------------------------------------------------------ what goes, and when
    def _qbo_wants(self, payments):
        return payments.filtered(lambda payment: payment.payment_type == "outbound"
                                 and payment.partner_type == "customer" and payment.partner_id
                                 and payment.state in POSTED and payment.move_id)

    def _qbo_push_connections(self):
        return self.env["qbo.handler.payment"]._qbo_push_connections()

    def _qbo_records_for(self, connection, payments):
        payments = payments.filtered(lambda payment: payment.company_id == connection.company_id)
        if connection.documents_from:
            payments = payments.filtered(lambda payment: payment.date >= connection.documents_from)
        return payments

    def _qbo_dependencies(self, connection, payment):
        connection._qbo_payment_refs(payment.journal_id, payment.payment_method_line_id)
        self._qbo_receivable_ref(connection, payment)
        return [(payment.partner_id.commercial_partner_id, "Customer")]

    # ------------------------------------------------------------------ the payload
    def _qbo_receivable_ref(self, connection, payment):
        """The QuickBooks Accounts Receivable account of the refund's line: the one mapped (and confirmed) to the
        customer's receivable account, else QuickBooks' active A/R account in the payment's currency; looked up
        once per account and currency in a batch."""
        return batch_memo(self.env, ("receivable_ref", connection.id, payment.destination_account_id.id,
                                     payment.currency_id.id), lambda: self._qbo_find_receivable(connection, payment))

    def _qbo_find_receivable(self, connection, payment):
        Items = self.env["qbo.list.item"].sudo()
        account = payment.destination_account_id
        mapped = self.env["qbo.account.mapping"].sudo().search([("connection_id", "=", connection.id),
                                                                ("account_id", "=", account.id),
                                                                ("suggested", "=", False)], limit=1).qbo_account_id
        target = mapped if mapped.active and mapped.account_type == AR_TYPE else Items
        if not target:
            home = connection._qbo_home_currency()
            candidates = Items.search([("connection_id", "=", connection.id), ("list_type", "=", "account"),
                                       ("account_type", "=", AR_TYPE)], order="id")
            currency = payment.currency_id.name
            target = candidates.filtered(lambda item: (item.currency_code or home) == currency)[:1]
        if not target:
            raise UserError(_("QuickBooks has no Accounts Receivable account in %(currency)s for the refund to the "
                              "customer: click Update lists on the connection (QuickBooks makes one per currency "
                              "when the first document in it is recorded), or map %(account)s to one.",
                              currency=payment.currency_id.name, account=account.display_name))
        return {"value": target.qbo_id, "name": target.name}

    def _qbo_to_qbo(self, connection, payment):
        account, method = connection._qbo_payment_refs(payment.journal_id, payment.payment_method_line_id)
        payload = {"PaymentType": "Cash", "AccountRef": account, "TxnDate": fields.Date.to_string(payment.date),
                   "EntityRef": dict(self._qbo_ref(connection, payment.partner_id.commercial_partner_id, "Customer"),
                                     type="Customer"),
                   "DocNumber": (payment.name or "")[-REF_NUM_MAX:],
                   "PrivateNote": (_("Odoo refund %s", payment.name) +
                                   (" – %s" % payment.memo if payment.memo else ""))[:PRIVATE_NOTE_MAX],
                   "Line": [{"Amount": money(payment.amount), "DetailType": "AccountBasedExpenseLineDetail",
                             "Description": _("Refund %s", payment.name),
                             "AccountBasedExpenseLineDetail": {
                                 "AccountRef": self._qbo_receivable_ref(connection, payment)}}]}
        if method:
            payload["PaymentMethodRef"] = method
        if not connection._qbo_is_us():
            payload["GlobalTaxCalculation"] = "NotApplicable"   # no tax on money paid back
        settlement = self.env["qbo.handler.payment"]
        payload.update(settlement._qbo_currency_fields(connection, payment, settlement._qbo_move_rate(payment.move_id)))
        return payload

    # ------------------------------------------------------------------ before and after sending
    def _qbo_check_before_send(self, connection, jobs, records):
        settlement = self.env["qbo.handler.settlement"]
        settlement._qbo_hold_endings(connection, jobs)
        for job in jobs.filtered(lambda job: job.state == "running" and job.operation == "push"):
            payment = records.get((job.res_model, job.res_id))
            if not payment or payment.state not in POSTED:
                job.write({"state": "cancelled", "error_message": _(
                    "No longer posted: QuickBooks gets its deletion from a job of its own.")})
                continue
            reason = _("%s is not money paid back to a customer: it goes to QuickBooks as a payment received.",
                       payment.display_name) if not self._qbo_wants(payment) else \
                connection._qbo_books_refusal(payment.date, payment.currency_id, self._description.lower())
            if reason:
                job._qbo_fail("", reason, "")

    def _qbo_apply_result(self, connection, job, obj, digest):
        first = not job.binding_id.qbo_id
        super()._qbo_apply_result(connection, job, obj, digest)
        job.binding_id.write({"qbo_total": float(obj.get("TotalAmt") or 0.0), "qbo_doc_number": obj.get("DocNumber")})
        payment = self.env["account.payment"].browse(job.res_id).exists()
        if first and payment:
            payment.sudo().message_post(body=_(
                "Sent to QuickBooks Online as an expense to the customer on Accounts Receivable (Id %s); the "
                "credit it pays out links to it.", obj.get("Id")), message_type="comment",
                subtype_xmlid="mail.mt_note")
            self.env["qbo.handler.settlement"]._qbo_queue_applied(payment, connection)
