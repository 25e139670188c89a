from odoo import fields, models


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
        term = connection._qbo_term_ref(move.invoice_payment_term_id) if move.invoice_payment_term_id else None
        if term:
            payload["SalesTermRef"] = term
        return payload
