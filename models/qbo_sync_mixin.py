from odoo import _, fields, models
from odoo.exceptions import UserError


class QboSyncMixin(models.AbstractModel):
    """What a record that syncs to QuickBooks shows and offers on its form.

    A "QuickBooks" smart button with its links, a banner when QuickBooks
    refused it (with Retry), a note while changes wait to be sent, and Sync
    now. The records actually bound may be others than the one on screen (a
    product template's variants): ``_qbo_sync_records()`` says which.
    """

    _name = "qbo.sync.mixin"
    _description = "Synchronised with QuickBooks Online"

    qbo_binding_count = fields.Integer("QuickBooks links", compute="_compute_qbo_sync_status",
                                       compute_sudo=True, groups="account_quickbooks_online.group_qbo_user")
    qbo_sync_error = fields.Text("QuickBooks sync error", compute="_compute_qbo_sync_status", compute_sudo=True,
                                 groups="account_quickbooks_online.group_qbo_user")
    qbo_pending_count = fields.Integer("Changes waiting for QuickBooks", compute="_compute_qbo_sync_status",
                                       compute_sudo=True, groups="account_quickbooks_online.group_qbo_user")
    qbo_pending_note = fields.Char("Waiting for", compute="_compute_qbo_sync_status", compute_sudo=True,
                                   groups="account_quickbooks_online.group_qbo_user")
    qbo_conflict_job_id = fields.Many2one(
        "qbo.sync.job", "QuickBooks name conflict", compute="_compute_qbo_sync_status", compute_sudo=True,
        groups="account_quickbooks_online.group_qbo_user",
        help="The refused change whose name QuickBooks already has: link to that record, or open the Odoo record "
             "holding it.")
    qbo_conflict_qbo_id = fields.Char(
        "QuickBooks record with the name", compute="_compute_qbo_sync_status", compute_sudo=True,
        groups="account_quickbooks_online.group_qbo_user",
        help="The Id of the QuickBooks record that already has this record's name; Link to it uses it.")
    qbo_conflict_record_name = fields.Char(
        "Held by", compute="_compute_qbo_sync_status", compute_sudo=True,
        groups="account_quickbooks_online.group_qbo_user",
        help="The Odoo record already linked to the QuickBooks record with this name.")
    qbo_names_note = fields.Char(
        "Name in QuickBooks", compute="_compute_qbo_sync_status", compute_sudo=True,
        groups="account_quickbooks_online.group_qbo_user",
        help="QuickBooks holds this record under another name, e.g. with the vendor suffix.")

    def _qbo_sync_records(self):
        """The records bound to QuickBooks on behalf of this one."""
        return self

    def _qbo_entities_of(self, record):
        """The QuickBooks types ``record`` goes as; when none wants it, its model's default one."""
        handlers = self.env["qbo.handler"]._qbo_of_model(record._name)
        entities = [handler._qbo_entity for handler in handlers if handler._qbo_wants(record)]
        return entities or [handler._qbo_entity for handler in handlers if handler._qbo_default_for_model][:1]

    def _qbo_bindings_domain(self):
        bound = self._qbo_sync_records()
        return [("res_model", "=", bound._name), ("res_id", "in", bound.ids)]

    def _compute_qbo_sync_status(self):
        for record in self:
            domain = record._qbo_bindings_domain() if record.id else None
            bindings = self.env["qbo.binding"].search(domain) if domain else []
            waiting = self.env["qbo.sync.job"].search(domain + [("state", "in", ("pending", "running"))]) \
                if domain else self.env["qbo.sync.job"]
            record.qbo_binding_count = len(bindings)
            record.qbo_sync_error = "\n".join("%s: %s" % (binding.qbo_entity, binding.last_error or "")
                                              for binding in bindings if binding.state == "error") or False
            record.qbo_pending_count = len(waiting)
            record.qbo_pending_note = waiting[:1].waiting_reason or False
            conflict = self.env["qbo.sync.job"].search(
                domain + [("state", "=", "failed"), "|", ("conflict_qbo_id", "!=", False),
                          ("conflict_binding_id", "!=", False)], limit=1) if domain else self.env["qbo.sync.job"]
            record.qbo_conflict_job_id = conflict
            record.qbo_conflict_qbo_id = conflict.conflict_qbo_id or False
            record.qbo_conflict_record_name = conflict.conflict_record_name or False
            record.qbo_names_note = ", ".join(
                self.env._("the %(entity)s “%(name)s”", name=binding.qbo_name, entity=binding.qbo_entity.lower())
                for binding in bindings if binding.qbo_name) or False

    def _qbo_connection(self):
        self.ensure_one()
        company = self.company_id or self.env.company
        connection = self.env["qbo.connection"].sudo().search([("company_id", "=", company.id)], limit=1)
        if not connection or connection.state != "connected":
            raise UserError(_("%s is not connected to QuickBooks Online. Connect it in Invoicing → Configuration → "
                              "QuickBooks Online → Connections; changes saved meanwhile wait in the queue.",
                              company.name))
        return connection

    def action_qbo_sync_now(self):
        """Send this record to QuickBooks now, through the outbox's processor, and say how it went.

        The attempt is short: what cannot go within a few seconds (QuickBooks
        slow, this company's rate used up) stays queued and is sent in the
        background, and the message says so instead of keeping the person waiting.
        """
        self.ensure_one()
        connection = self._qbo_connection()
        Job = self.env["qbo.sync.job"].sudo()
        jobs = Job.browse()
        for record in self._qbo_sync_records():
            for entity in self._qbo_entities_of(record):
                jobs |= Job._qbo_enqueue(connection, record, entity)
        report = Job._qbo_process_inline(connection, jobs)
        failed = jobs.filtered(lambda job: job.state == "failed")
        if failed:
            kind, title = "danger", _("QuickBooks refused %s", self.display_name)
            message = "; ".join(failed.mapped("error_message"))
        elif jobs.filtered(lambda job: job.state in ("pending", "running")):
            kind, title = "warning", _("%s is queued for QuickBooks", self.display_name)
            message = _("It will be sent in the background (%s).",
                        report.get("reason") or _("QuickBooks did not answer in time"))
        else:
            kind, title = "success", _("%s is in QuickBooks", self.display_name)
            message = _("Synced as %s.", ", ".join(sorted(set(jobs.mapped("qbo_entity")))))
        # Never sticky: the form shows a refusal in its banner, whose Retry the toast would otherwise cover.
        return {"type": "ir.actions.client", "tag": "display_notification",
                "params": {"title": title, "message": message, "type": kind, "sticky": False,
                           "next": {"type": "ir.actions.client", "tag": "soft_reload"}}}

    def action_qbo_open_bindings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account_quickbooks_online.qbo_binding_action")
        action.update(domain=self._qbo_bindings_domain(), context={})
        return action

    def action_qbo_open_queue(self):
        """The queued changes of this record."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account_quickbooks_online.qbo_sync_job_action")
        action.update(domain=self._qbo_bindings_domain(), context={})
        return action

    def action_qbo_link_conflict(self):
        """Link this record to the QuickBooks record that already has its name (the refused job's Link to it)."""
        self.ensure_one()
        job = self.qbo_conflict_job_id
        if not job:
            raise UserError(_("%s has no refused change to link.", self.display_name))
        job.connection_id._qbo_check_manager()
        job.sudo().action_qbo_link_existing()
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    def action_qbo_open_conflict(self):
        """The Odoo record that already holds the QuickBooks record with this name."""
        self.ensure_one()
        return self.qbo_conflict_job_id.sudo().action_qbo_open_conflict()

    def action_qbo_retry_failed(self):
        """Retry every failed QuickBooks job of this record (after fixing what Intuit refused)."""
        self.ensure_one()
        jobs = self.env["qbo.sync.job"].sudo().search(self._qbo_bindings_domain() + [("state", "=", "failed")])
        if not jobs:
            raise UserError(_("Nothing of %s waits for a retry.", self.display_name))
        jobs.action_qbo_retry()
        return self.action_qbo_sync_now()
