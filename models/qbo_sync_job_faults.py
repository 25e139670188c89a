from odoo import _, models
from odoo.exceptions import UserError

from .. import qbo


class QboSyncJob(models.Model):
    """What the handlers call when QuickBooks refused a job for something the connector can put right:
    a stale version (5010), a reference QuickBooks lacks or holds inactive (2500, 610)."""

    _inherit = "qbo.sync.job"

    def _qbo_requeue_after_stale(self, connection, handler):
        """Someone changed these objects in QuickBooks since our last sync: take their SyncToken, send again.

        One query reads them all. The updates are sparse, so only the fields
        Odoo owns are written over theirs.
        """
        try:
            current = handler._qbo_read_current(connection, self.mapped("binding_id.qbo_id"))
        except qbo.QboError as error:
            self._qbo_defer(error)
            return
        for job in self:
            row = current.get(job.binding_id.qbo_id)
            if row is None:
                job._qbo_fail("610", _("The linked QuickBooks record no longer exists."), "")
                continue
            job.binding_id.sync_token = row["SyncToken"]
            job._qbo_requeue("5010", _("Changed in QuickBooks meanwhile; sent again with its latest version."))

    def _qbo_resolve_missing_reference(self, connection, error):
        """Intuit said 2500/610: something this record refers to is unknown or inactive in QuickBooks.

        Re-read what it depends on: a QuickBooks object that is gone is created again,
        an inactive one is sent again (active, as in Odoo); then this job follows.
        """
        self.ensure_one()
        record = self.env[self.res_model].browse(self.res_id)
        Binding, Handler = self.env["qbo.binding"], self.env["qbo.handler"]
        queued = self.browse()
        try:
            dependencies = Handler._qbo_get(self.qbo_entity, self.res_model)._qbo_dependencies(connection, record)
        except UserError as refusal:
            self._qbo_fail(str(error.get("code", "")), str(refusal), "")
            return queued
        try:
            for records, entity in dependencies:
                bound = Binding.search([("connection_id", "=", connection.id), ("res_model", "=", records._name),
                                        ("res_id", "in", records.ids), ("qbo_entity", "=", entity),
                                        ("qbo_id", "!=", False)])
                if not bound:
                    continue
                rows = Handler._qbo_get(entity, records._name)._qbo_read_current(connection, bound.mapped("qbo_id"))
                for binding in bound:
                    row = rows.get(binding.qbo_id)
                    target = self.env[binding.res_model].browse(binding.res_id)
                    if row is None:
                        binding.write({"qbo_id": False, "sync_token": False, "payload_hash": False,
                                       "state": "pending"})
                    elif row.get("Active", True) is False and target.active:
                        binding.write({"sync_token": row["SyncToken"], "payload_hash": False})
                    else:
                        continue
                    queued |= self._qbo_enqueue(connection, target, entity, priority=self.priority - 1)
        except qbo.QboError as failure:
            self._qbo_defer(failure)
            return queued
        if not queued:
            self._qbo_fail(str(error.get("code", "")), error.get("Message", ""), error.get("Detail", ""))
            return queued
        self._qbo_requeue(str(error.get("code", "")),
                          _("QuickBooks lacked something this record refers to; it is synced first."))
        return queued
