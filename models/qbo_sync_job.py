import logging
import random
import uuid
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools.sql import create_index

from .. import qbo

_logger = logging.getLogger(__name__)

# A passing fault at Intuit (5xx, reset, timeout, throttle) is retried for this long before the job fails:
# Intuit's outages last hours. A system parameter changes it.
RETRY_HOURS = 24
BACKOFF_FIRST_SECONDS = 30
BACKOFF_LONGEST_SECONDS = 1800
# Decisions that send the same job again (a fresher SyncToken, a name suffix, what it refers to synced first):
# beyond this many, something keeps changing under it and a person should look.
MAX_REQUEUES = 6
# Waiting for what a record refers to costs no attempt; this only stops a dependency that never arrives.
MAX_WAITS = 50


def _backoff_seconds(attempts):
    """Exponential backoff capped at 30 minutes, with equal jitter, so jobs that failed together come back apart."""
    base = min(BACKOFF_LONGEST_SECONDS, BACKOFF_FIRST_SECONDS * 2 ** (max(1, attempts) - 1))
    return base / 2 + random.uniform(0, base / 2)


def _new_request_id():
    return uuid.uuid4().hex   # 32 characters: within Intuit's 36 for a batch, 50 otherwise


class QboSyncJob(models.Model):
    """One change waiting to reach QuickBooks: the transactional outbox.

    Business hooks only create jobs, in their own transaction, so a change that
    commits is never forgotten and one that rolls back is never sent. The
    processor (qbo_sync_job_processor.py, qbo_sync_job_batch.py) sends jobs in batches; a batch's
    request id and members are committed before it is sent, so a batch whose
    answer was lost is sent again with the same request id and Intuit answers
    it from memory instead of creating anything twice.
    """

    _name = "qbo.sync.job"
    _inherit = ["qbo.record.mixin"]
    _description = "QuickBooks Online sync job"
    _order = "priority, id"

    binding_id = fields.Many2one("qbo.binding", ondelete="set null", index=True)
    part = fields.Char(default="", copy=False,
                       help="Which of the record's QuickBooks objects this change is for, when one Odoo record is "
                            "several (an invoice split by month: its month).")
    operation = fields.Selection([("push", "Create or update"), ("deactivate", "Make inactive"), ("void", "Void"),
                                  ("delete", "Delete")], default="push", required=True,
                                 help="Make inactive: a customer, vendor or product was deleted in Odoo; QuickBooks "
                                      "keeps its history. Void: a document was cancelled. Delete: a document was "
                                      "deleted in Odoo.")
    priority = fields.Integer(default=10, help="Lower first: customers and items before invoices, "
                                               "invoices before their payments.")
    record_name = fields.Char("Record", compute="_compute_record_name", search="_search_record_name")
    state = fields.Selection([("pending", "Pending"), ("running", "Running"), ("done", "Done"),
                              ("failed", "Failed"), ("cancelled", "Cancelled")],
                             default="pending", required=True, index=True)
    connection_state = fields.Selection(related="connection_id.state", string="Connection status")
    request_id = fields.Char(required=True, default=lambda self: _new_request_id(), copy=False,
                             help="Fixed when the change is queued and reused by every retry.")
    batch_key = fields.Char("Batch request ID", index=True, copy=False,
                            help="Request ID of the batch carrying this job; a resend reuses it.")
    next_attempt_at = fields.Datetime("Next attempt", copy=False,
                                      help="When the change is tried again, after QuickBooks did not answer.")
    attempts = fields.Integer("Failed attempts", copy=False,
                              help="Times QuickBooks refused or did not answer this change.")
    retry_until = fields.Datetime(
        "Retried until", copy=False,
        help="QuickBooks did not answer properly: the change is retried until then (24 hours after the first such "
             "fault), then marked failed.")
    requeues = fields.Integer("Sent again after a fix", copy=False,
                              help="Times it was sent again after QuickBooks changed or lacked something (a newer "
                                   "version, a name suffix, what it refers to).")
    waits = fields.Integer("Waited for what it refers to", copy=False,
                           help="Times it waited for a record it refers to, which was sent first. Waiting costs no "
                                "attempt.")
    waiting_reason = fields.Char("Waiting for", compute="_compute_waiting_reason")
    next_step = fields.Char("What happens next", compute="_compute_waiting_reason",
                            help="Whether the change is sent, retried by itself, or waits for a person.")
    error_code = fields.Char("Intuit error code", copy=False, help="The code of Intuit's answer, e.g. 6240.")
    error_message = fields.Text("Error message", copy=False, help="Intuit's message and detail, in full.")
    error_summary = fields.Char("Error", compute="_compute_error_summary",
                                help="The start of the error; the job's form shows it in full.")
    intuit_tid = fields.Char("Intuit transaction id", copy=False,
                             help="Intuit's id of the last answer (intuit_tid), to quote to Intuit's support.")
    conflict_qbo_id = fields.Char(
        "Existing QuickBooks record", copy=False,
        help="QuickBooks refused to create this record because one of the same type already has its name. "
             "“Link to it” binds the Odoo record to that QuickBooks record instead.")
    conflict_binding_id = fields.Many2one(
        "qbo.binding", "Already linked to", copy=False, ondelete="set null",
        help="The Odoo record that already holds the QuickBooks record with this name.")
    conflict_record_name = fields.Char(related="conflict_binding_id.record_name", string="Held by",
                                       help="The Odoo record linked to the QuickBooks record with this name.")

    @api.depends("record_name", "qbo_entity", "operation", "part")
    def _compute_display_name(self):
        # "Red Rock Diner → Customer", not "qbo.sync.job,42": what is sent, as what.
        labels = dict(self.env["qbo.handler"]._qbo_entity_selection())
        operations = dict(self._fields["operation"]._description_selection(self.env))
        for job in self:
            name = "%s → %s" % (job.record_name, labels.get(job.qbo_entity, job.qbo_entity or ""))
            if job.part:
                name += " (%s)" % job.part
            if job.operation and job.operation != "push":
                name += " · %s" % operations.get(job.operation, job.operation)
            job.display_name = name

    @api.depends("error_message")
    def _compute_error_summary(self):
        for job in self:
            text = " ".join((job.error_message or "").split())
            job.error_summary = text if len(text) <= 90 else text[:88].rsplit(" ", 1)[0] + "…"

    def init(self):
        # The unfinished jobs of a record, looked up at every claim (see _qbo_claim) and every queueing.
        create_index(self.env.cr, "qbo_sync_job_unfinished_record_index", self._table,
                     ["res_id", "res_model", "qbo_entity"], where="state IN ('pending', 'running')")

    @api.depends("res_model", "res_id")
    def _compute_record_name(self):
        for job in self:
            record = self.env[job.res_model].browse(job.res_id).exists() if job.res_model in self.env else None
            job.record_name = record.display_name if record else _("(deleted)")

    def _search_record_name(self, operator, value):
        """Jobs whose Odoo record's name matches, whatever the record's model."""
        self.env.cr.execute("SELECT DISTINCT res_model FROM qbo_sync_job")
        domains = []
        for (res_model,) in self.env.cr.fetchall():
            if res_model not in self.env:
                continue
            found = self.env[res_model].with_context(active_test=False)._search([("display_name", operator, value)])
            domains.append(["&", ("res_model", "=", res_model), ("res_id", "in", found)])
        return expression.OR(domains) if domains else expression.FALSE_DOMAIN

    @api.depends("state", "next_attempt_at", "retry_until", "connection_id.state", "conflict_qbo_id")
    def _compute_waiting_reason(self):
        now = fields.Datetime.now()
        for job in self:
            job.waiting_reason, job.next_step = job._qbo_waiting(now)

    def _qbo_waiting(self, now):
        """(what the change waits for, what becomes of it) in words. A running job's next_attempt_at is its
        lease, not a retry; a failed one is never retried by itself."""
        if self.state == "done":
            return False, _("Nothing: QuickBooks has it.")
        if self.state == "cancelled":
            return False, _("Nothing: it was cancelled and will not be sent.")
        if self.state == "failed":
            if self.conflict_qbo_id:
                return False, _("Nothing by itself: link it to the QuickBooks record that has its name, or rename "
                                "it and retry.")
            return False, _("Nothing by itself: fix what QuickBooks refused, then Retry.")
        connection = self.connection_id
        paused = connection.sudo().paused_until
        if connection.state != "connected":
            reason = _("%s to be connected again", connection.company_id.name)
        elif paused:
            reason = _("QuickBooks to answer again (paused until %s)", fields.Datetime.to_string(paused))
        elif self.state == "pending" and self.next_attempt_at and self.next_attempt_at > now:
            local = fields.Datetime.context_timestamp
            text = _("Sent again by itself at %s", fields.Datetime.to_string(local(self, self.next_attempt_at)))
            if self.retry_until:
                text += _("; retried until %s, then marked failed",
                          fields.Datetime.to_string(local(self, self.retry_until)))
            return _("its next attempt"), text + "."
        else:
            return _("the next batch"), _("Sent with the next batch.")
        return reason, _("Waits for %s; waiting costs no attempt.", reason)

    # ------------------------------------------------------------------ queueing
    @api.model
    def _qbo_enqueue(self, connection, records, entity, priority=None, part=""):
        """Queue ``records`` for a push to ``entity``, once each: a pending job is not doubled.

        Whatever the connection's state: a disconnected company's changes wait
        here, without attempts, and go when it connects again. The processor is
        woken when the transaction commits.
        """
        if not records:
            return self.browse()
        if priority is None:
            priority = self.env["qbo.handler"]._qbo_get(entity, records._name)._qbo_level
        waiting = self.search([("connection_id", "=", connection.id), ("res_model", "=", records._name),
                               ("res_id", "in", records.ids), ("qbo_entity", "=", entity), ("part", "=", part or ""),
                               ("state", "=", "pending"), ("operation", "=", "push")])
        queued = set(waiting.mapped("res_id"))
        jobs = waiting | self.create([{"connection_id": connection.id, "res_model": records._name,
                                       "res_id": record.id, "qbo_entity": entity, "priority": priority,
                                       "part": part or ""}
                                      for record in records if record.id not in queued])
        self._qbo_wake_processor()
        return jobs

    @api.model
    def _qbo_enqueue_ending(self, records, operation=None):
        """``records`` are being deleted (or cancelled): queue ending their QuickBooks objects, drop their pushes.

        Called in the business transaction; QuickBooks is not called. Without
        ``operation``, each entity ends its own way (names and lists are made
        inactive, documents deleted); a cancelled document is voided.
        """
        bindings = self.env["qbo.binding"].sudo().search([("res_model", "=", records._name),
                                                          ("res_id", "in", records.ids), ("qbo_id", "!=", False)])
        self.sudo().search([("res_model", "=", records._name), ("res_id", "in", records.ids),
                            ("state", "=", "pending"), ("operation", "=", "push")]).write({"state": "cancelled"})
        return self._qbo_end_bindings(bindings, operation)

    @api.model
    def _qbo_end_bindings(self, bindings, operation=None):
        """Queue ending the QuickBooks objects of ``bindings`` (see _qbo_enqueue_ending), after every push."""
        Handler = self.env["qbo.handler"]
        # Reset to draft, then deleted: the QuickBooks object is deleted once.
        ending_already = {(job.binding_id.id, job.operation) for job in self.sudo().search([
            ("binding_id", "in", bindings.ids), ("operation", "!=", "push"), ("state", "in", ("pending", "running"))])}
        values = []
        for binding in bindings:
            handler = Handler._qbo_get(binding.qbo_entity, binding.res_model)
            # An entity that is never ended from Odoo (an attachment) is not voided with its document either.
            ending = handler._qbo_ending and (operation or handler._qbo_ending)
            if ending and (binding.id, ending) not in ending_already:
                values.append({"connection_id": binding.connection_id.id, "res_model": binding.res_model,
                               "res_id": binding.res_id, "qbo_entity": binding.qbo_entity, "binding_id": binding.id,
                               "part": binding.part or "", "operation": ending,
                               "priority": handler._qbo_ending_priority()})
        jobs = self.sudo().create(values)
        if jobs:
            self._qbo_wake_processor()
        return jobs

    @api.model
    def _qbo_in_flight(self, connection, records, entity):
        """(the jobs already sending ``records`` as ``entity``, waiting out a fault; the other records). A record
        that needs one of them waits for it rather than queueing it again: created twice, a customer would be
        refused as a duplicate name once the first one's retry goes through."""
        flying = self.search([("connection_id", "=", connection.id), ("res_model", "=", records._name),
                              ("res_id", "in", records.ids), ("qbo_entity", "=", entity), ("state", "=", "running")])
        return flying, records.browse(set(records.ids) - set(flying.mapped("res_id")))

    def _qbo_step_back(self, dependencies):
        """Wait, without an attempt, for ``dependencies``: at once when one of them is due now (a lower priority
        number goes first) or is sent in this very batch, else until they are retried (a minute at most): a
        record must not come back before what it waits for, or it would spend its waits in a loop."""
        now = fields.Datetime.now()
        due = dependencies.filtered(lambda job: (job.state == "running" and job.batch_key == self.batch_key) or (
            job.state == "pending" and (not job.next_attempt_at or job.next_attempt_at <= now)))
        later = [when for when in dependencies.mapped("next_attempt_at") if when] or [now]
        after = False if due else min(max(later), now + timedelta(seconds=60))
        self.write({"state": "pending", "batch_key": False, "next_attempt_at": after, "waits": self.waits + 1})

    @api.model
    def _qbo_wake_processor(self):
        """Run the processor as soon as this transaction commits (once per transaction), as account_edi does on
        post: a saved change reaches QuickBooks within seconds instead of at the next scheduled run."""
        if self.env.cr.precommit.data.get("qbo_processor_woken"):
            return
        self.env.cr.precommit.data["qbo_processor_woken"] = True
        self.env.ref("account_quickbooks_online.ir_cron_qbo_process_jobs").sudo()._trigger()

    # ------------------------------------------------------------------ user actions
    def action_qbo_retry(self):
        """Send failed or cancelled jobs again, e.g. after the data was fixed."""
        retry = self.filtered(lambda job: job.state in ("failed", "cancelled"))
        retry.write({"state": "pending", "batch_key": False, "attempts": 0, "requeues": 0, "waits": 0,
                     "next_attempt_at": False, "retry_until": False, "error_code": False, "error_message": False,
                     "intuit_tid": False, "conflict_binding_id": False})
        if retry:
            self._qbo_wake_processor()
        return True

    def action_qbo_cancel(self):
        self.filtered(lambda job: job.state in ("pending", "failed")).write({"state": "cancelled"})
        return True

    def action_qbo_open_record(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": self.res_model, "res_id": self.res_id,
                "view_mode": "form", "target": "current"}

    def action_qbo_open_conflict(self):
        """The Odoo record that already holds the QuickBooks record this one's name belongs to."""
        self.ensure_one()
        if not self.conflict_binding_id:
            raise UserError(_("No other Odoo record holds the QuickBooks record with this name."))
        return self.conflict_binding_id.action_qbo_open_record()

    def action_qbo_link_existing(self):
        """Bind the record to the QuickBooks record that already had its name, instead of creating one."""
        self.ensure_one()
        if not self.conflict_qbo_id:
            raise UserError(_("This job has no existing QuickBooks record to link to."))
        entity, qbo_id = self.qbo_entity, self.conflict_qbo_id
        taken = self.env["qbo.binding"].search([("connection_id", "=", self.connection_id.id),
                                                ("qbo_entity", "=", entity), ("qbo_id", "=", qbo_id),
                                                ("id", "!=", self.binding_id.id)], limit=1)
        if taken:
            raise UserError(_("QuickBooks %(entity)s %(id)s is already linked to %(record)s.",
                              entity=entity, id=qbo_id, record=taken.display_name))
        try:
            current = self.connection_id._qbo_api().read(entity, qbo_id)
        except qbo.QboError as error:
            raise UserError(self.connection_id._qbo_error_message(error))
        self._qbo_link_to(current)
        return True

    def _qbo_link_to(self, row):
        """Bind to an existing QuickBooks record. It is not overwritten until the Odoo record changes."""
        self.ensure_one()
        self.binding_id.write({"qbo_id": row["Id"], "sync_token": row.get("SyncToken"), "payload_hash": False,
                               "synced_at": fields.Datetime.now(), "state": "synced", "last_error": False,
                               "name_suffix": False})
        self.write({"state": "done", "error_code": "6240", "conflict_qbo_id": False, "conflict_binding_id": False,
                    "error_message": _("Linked to the QuickBooks record that already had this name (Id %s).",
                                       row["Id"])})

    # ------------------------------------------------------------------ outcomes
    def _qbo_done(self):
        self.write({"state": "done", "error_code": False, "error_message": False, "conflict_qbo_id": False,
                    "conflict_binding_id": False, "retry_until": False, "next_attempt_at": False})

    def _qbo_requeue(self, code=None, message=None):
        """Send again in a later batch (a decision was made), or fail when that keeps happening."""
        for job in self:
            if job.requeues >= MAX_REQUEUES:
                job._qbo_fail(code or job.error_code or "", _(
                    "QuickBooks kept refusing this change in ways the connector resolves (%(message)s); a person "
                    "should look at the record and retry.", message=message or job.error_message or "?"), "")
                continue
            values = {"state": "pending", "batch_key": False, "next_attempt_at": False,
                      "requeues": job.requeues + 1}
            if code is not None:
                values.update(error_code=code, error_message=message)
            job.write(values)

    def _qbo_fail(self, code, message, detail, intuit_tid=None):
        """Give up on this job: keep Intuit's words on the job and the link, and say so on the record."""
        self.ensure_one()
        text = " ".join(part for part in (message, detail) if part)
        values = {"state": "failed", "error_code": code, "error_message": text, "next_attempt_at": False}
        if intuit_tid:
            values["intuit_tid"] = intuit_tid
        self.write(values)
        if self.binding_id:
            self.binding_id.write({"state": "error", "last_error": text})
        record = self.env[self.res_model].browse(self.res_id).exists()
        if record and hasattr(record, "message_post"):
            record.sudo().message_post(
                body=_("QuickBooks Online refused this %(entity)s%(code)s: %(text)s",
                       entity=self.qbo_entity, code=_(" (code %s)", code) if code else "", text=text),
                message_type="comment", subtype_xmlid="mail.mt_note")

    @api.model
    def _qbo_retry_hours(self):
        value = self.env["ir.config_parameter"].sudo().get_param("account_quickbooks_online.retry_hours")
        return float(value) if value else RETRY_HOURS

    def _qbo_retry_or_fail(self, error):
        """The whole call failed: resend it later under the same key, or give up.

        A passing fault (5xx, reset, timeout, throttle) is retried with backoff for
        24 hours from the first one; anything else fails at once. A running job
        keeps its batch key, so a batch whose answer was lost is replayed by
        Intuit instead of executed twice.
        """
        now = fields.Datetime.now()
        window = self.env["qbo.rate.bucket"]._qbo_limits()["window"]
        hours = self._qbo_retry_hours()
        for job in self:
            attempts = job.attempts + 1
            values = {"attempts": attempts, "error_code": error.code, "error_message": error.describe(),
                      "intuit_tid": error.intuit_tid}
            until = job.retry_until or now + timedelta(hours=hours)
            if error.retryable and now < until:
                wait = window if isinstance(error, qbo.QboThrottled) else _backoff_seconds(attempts)
                values.update(next_attempt_at=now + timedelta(seconds=wait), retry_until=until)
                if job.state != "running":
                    values["state"] = "pending"
                job.write(values)
                continue
            job.write(values)
            message = error.describe()
            if error.retryable:
                message = _("QuickBooks Online did not answer properly for %(hours)s hours. Last answer: %(error)s",
                            hours=int(hours), error=message)
            job._qbo_fail(error.code, message, "")

    def _qbo_defer(self, error):
        """Nothing of this job is pending at Intuit (it was answered, or never sent) but a read failed: send it
        afresh later, in a new batch."""
        self.write({"state": "pending", "batch_key": False})
        self._qbo_retry_or_fail(error)
