from odoo import _, fields, models
from odoo.exceptions import UserError


class QboHandlerInvoice(models.AbstractModel):
    """Customer invoices (``out_invoice``) as QuickBooks Invoices."""

    _name = "qbo.handler.invoice"
    _inherit = "qbo.handler.sales.document"
    _description = "Invoice"

    _qbo_entity = "Invoice"
    _qbo_move_type = "out_invoice"
    _qbo_app_page = ("invoice", "txnId")
    _qbo_default_for_model = True
    _qbo_open_field = "Balance"

    def _qbo_header(self, connection, move):
        payload = super()._qbo_header(connection, move)
        if move.invoice_date_due:
            payload["DueDate"] = fields.Date.to_string(move.invoice_date_due)
        term = move.invoice_payment_term_id
        if term:
            ref = connection._qbo_term_ref(term)
            if not ref:
                raise UserError(_("The payment term %(term)s has no QuickBooks term, so the invoice's terms cannot "
                                  "be shown there. Map it in Invoicing → Configuration → QuickBooks Online → Payment "
                                  "Terms (a term not listed there yet appears when you click Update lists or Propose "
                                  "again on the QuickBooks Online connection).", term=term.display_name))
            payload["SalesTermRef"] = ref
        return payload
