from odoo import models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    def _reconcile_post_hook(self, data):
        # Every reconciliation ends here (payments, credit notes, the widget): settled documents may go now.
        result = super()._reconcile_post_hook(data)
        self.move_id._qbo_queue_paid()
        return result
