from odoo import api, models


class QboPushMixin(models.AbstractModel):
    """Records whose changes are queued for QuickBooks as they are saved, and ended there when deleted.

    The hooks only queue sync jobs, in the saving transaction; QuickBooks is
    never called from here. What goes, as what, and when, is the business of
    the model's entity handlers (``qbo.handler.*`` with ``_qbo_model`` set to
    this model): their watched fields, push flag and ``_qbo_wants``.
    """

    _name = "qbo.push.mixin"
    _description = "Pushed to QuickBooks Online when saved"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._qbo_queue_push()
        return records

    def write(self, vals):
        result = super().write(vals)
        if any(handler._qbo_watched_fields & set(vals) for handler in self._qbo_handlers()):
            self._qbo_queue_push()
        return result

    def unlink(self):
        self.env["qbo.sync.job"]._qbo_enqueue_ending(self)
        return super().unlink()

    def _qbo_handlers(self):
        return self.env["qbo.handler"]._qbo_of_model(self._name)

    def _qbo_queue_push(self):
        if self.env.context.get("qbo_no_export") or not self:
            return
        Job = self.env["qbo.sync.job"].sudo()
        for handler in self._qbo_handlers():
            wanted = handler._qbo_wants(self)
            if not wanted:
                continue
            for connection in handler._qbo_push_connections():
                Job._qbo_enqueue(connection, handler._qbo_records_for(connection, wanted), handler._qbo_entity)
