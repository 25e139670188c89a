from odoo import api, models


class QboPushMixin(models.AbstractModel):
    """Records whose changes are queued for QuickBooks as they are saved, and deactivated there when deleted.

    The hooks only queue sync jobs, in the saving transaction; QuickBooks is
    never called from here. A model says which fields QuickBooks shows
    (``_qbo_watched_fields``), which connection flag turns automatic pushes on
    (``_qbo_push_flag``) and as what each record goes (``_qbo_push_targets``).
    """

    _name = "qbo.push.mixin"
    _description = "Pushed to QuickBooks Online when saved"

    _qbo_watched_fields = frozenset()
    _qbo_push_flag = None

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._qbo_queue_push()
        return records

    def write(self, vals):
        result = super().write(vals)
        if self._qbo_watched_fields & set(vals):
            self._qbo_queue_push()
        return result

    def unlink(self):
        self.env["qbo.sync.job"]._qbo_enqueue_deactivation(self)
        return super().unlink()

    def _qbo_push_targets(self):
        """[(records, entity, priority)] to queue for one connection's company."""
        raise NotImplementedError

    def _qbo_queue_push(self):
        if self.env.context.get("qbo_no_export"):
            return
        connections = self.env["qbo.connection"].sudo().search([("state", "=", "connected"),
                                                                (self._qbo_push_flag, "=", True)])
        Job = self.env["qbo.sync.job"].sudo()
        for connection in connections:
            mine = self.filtered(lambda record: not record.company_id or record.company_id == connection.company_id)
            for records, entity, priority in mine._qbo_push_targets():
                Job._qbo_enqueue(connection, records, entity, priority=priority)
