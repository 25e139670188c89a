from odoo import models


class QboHandlerCreditMemo(models.AbstractModel):
    """Customer credit notes (``out_refund``) as QuickBooks CreditMemos; QuickBooks links them to the invoice they
    credit only through the payment that applies them (see the payments)."""

    _name = "qbo.handler.creditmemo"
    _inherit = "qbo.handler.sales.document"
    _description = "Credit Note"

    _qbo_entity = "CreditMemo"
    _qbo_move_type = "out_refund"
    _qbo_app_page = ("creditmemo", "txnId")
    _qbo_open_field = "RemainingCredit"
