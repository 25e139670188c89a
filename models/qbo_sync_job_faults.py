from collections import defaultdict

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

    def _qbo_resolve_missing_references(self, connection, refusals):
        """Intuit said 2500/610 to the jobs of ``refusals`` ([(job, error)]): something each refers to is
        unknown or inactive in QuickBooks.

        Re-read what they depend on, one query per entity for all of them: a
        QuickBooks object that is gone is created again, an inactive one is sent
        again (active, as in Odoo); then each job follows what it waits for.
        """
        Binding, Handler = self.env["qbo.binding"], self.env["qbo.handler"]
        queued = self.browse()
        waiting = []   # (job, error, its dependencies)
        for job, error in refusals:
            record = self.env[job.res_model].browse(job.res_id)
            try:
                dependencies = Handler._qbo_get(job.qbo_entity, job.res_model)._qbo_dependencies(connection, record)
            except UserError as refusal:
                job._qbo_fail(str(error.get("code", "")), str(refusal), "")
                continue
            waiting.append((job, error, dependencies))
        wanted = defaultdict(set)
        for _job, _error, dependencies in waiting:
            for records, entity in dependencies:
                wanted[records._name, entity].update(records.ids)
        gone, inactive = [], []   # bindings; (binding, its QuickBooks row)
        try:
            for (model, entity), ids in wanted.items():
                bound = Binding.search([("connection_id", "=", connection.id), ("res_model", "=", model),
                                        ("res_id", "in", list(ids)), ("qbo_entity", "=", entity),
                                        ("qbo_id", "!=", False)])
                if not bound:
                    continue
                rows = Handler._qbo_get(entity, model)._qbo_read_current(connection, bound.mapped("qbo_id"))
                active = set(self.env[model].browse(bound.mapped("res_id")).filtered("active").ids) \
                    if "active" in self.env[model]._fields else set()
                for binding in bound:
                    row = rows.get(binding.qbo_id)
                    if row is None:
                        gone.append(binding)
                    elif row.get("Active", True) is False and binding.res_id in active:
                        inactive.append((binding, row))
        except qbo.QboError as failure:
            self.browse([job.id for job, _error, _dependencies in waiting])._qbo_defer(failure)
            return queued
        for binding in gone:
            binding.write({"qbo_id": False, "sync_token": False, "payload_hash": False, "state": "pending"})
        for binding, row in inactive:
            binding.write({"sync_token": row["SyncToken"], "payload_hash": False})
        resend = {(binding.res_model, binding.qbo_entity, binding.res_id)
                  for binding in gone + [binding for binding, _row in inactive]}
        for job, error, dependencies in waiting:
            mine = self.browse()
            for records, entity in dependencies:
                targets = records.filtered(lambda target: (target._name, entity, target.id) in resend)
                mine |= self._qbo_enqueue(connection, targets, entity, priority=job.priority - 1)
            code = str(error.get("code", ""))
            if not mine:
                job._qbo_fail(code, error.get("Message", ""), error.get("Detail", ""))
                continue
            queued |= mine
            job._qbo_requeue(code, _("QuickBooks lacked something this record refers to; it is synced first."))
        return queued
