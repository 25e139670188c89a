from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    qbo_service_date = fields.Date(
        "Service date", copy=False,
        help="When the service or goods of this line were delivered. QuickBooks shows it on the line; with the "
             "connection's “Split by month” option, an invoice whose lines fall in several months becomes one "
             "QuickBooks invoice per month.")

    def _reconcile_post_hook(self, data):
        # Every reconciliation ends here (payments, credit notes, the widget): settled documents may go now.
        result = super()._reconcile_post_hook(data)
        self.move_id._qbo_queue_paid()
        return result
