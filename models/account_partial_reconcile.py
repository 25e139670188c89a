from odoo import api, models


class AccountPartialReconcile(models.Model):
    """A reconciliation made or undone changes what QuickBooks Payments apply: their jobs are queued here, in the
    same transaction, and QuickBooks is never called.

    What each Payment applies is worked out when its job is sent
    (qbo.handler.settlement), once Odoo has finished the reconciliation: the
    exchange difference entry is attached after the partial is created.
    """

    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        self.env["qbo.handler.settlement"]._qbo_queue_applied(partials._qbo_documents())
        return partials

    def unlink(self):
        documents = self._qbo_documents()
        result = super().unlink()
        self.env["qbo.handler.settlement"]._qbo_queue_applied(documents)
        return result

    def _qbo_documents(self):
        """The invoices, credit notes and customer payments on either side of these reconciliations."""
        Settlement = self.env["qbo.handler.settlement"]
        found = []
        for partial in self:
            for line in (partial.debit_move_id, partial.credit_move_id):
                target = Settlement._qbo_counterpart(line)
                if target and target[0] not in found:
                    found.append(target[0])
        return found
