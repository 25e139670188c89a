import hashlib
import json
import logging
import uuid
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .. import qbo

_logger = logging.getLogger(__name__)

BATCH_SIZE = 30          # Intuit's limit per batch call
LEASE_SECONDS = 300      # a claimed batch whose worker vanished is re-sent after this
MAX_ATTEMPTS = 6
BACKOFF_SECONDS = (30, 60, 120, 300, 900, 1800)


def _new_request_id():
    return uuid.uuid4().hex   # 32 characters: within Intuit's 36 for a batch, 50 otherwise


class QboSyncJob(models.Model):
    """One change waiting to reach QuickBooks: the transactional outbox.

    Business hooks only create jobs, in their own transaction, so a change that
    commits is never forgotten and one that rolls back is never sent. The
    processor sends jobs in batches; a batch's request id and members are
    committed before it is sent, so a batch whose answer was lost is sent again
    with the same request id and Intuit answers it from memory instead of
    creating anything twice.
    """

    _name = "qbo.sync.job"
    _inherit = ["qbo.record.mixin"]
    _description = "QuickBooks Online sync job"
    _order = "priority, id"

    binding_id = fields.Many2one("qbo.binding", ondelete="set null", index=True)
    priority = fields.Integer(default=10, help="Lower first: customers and items before invoices, "
                                               "invoices before their payments.")
    record_name = fields.Char("Record", compute="_compute_record_name")
    state = fields.Selection([("pending", "Pending"), ("running", "Running"), ("done", "Done"),
                              ("failed", "Failed"), ("cancelled", "Cancelled")],
                             default="pending", required=True, index=True)
    request_id = fields.Char(required=True, default=lambda self: _new_request_id(), copy=False,
                             help="Fixed when the change is queued and reused by every retry.")
    batch_key = fields.Char("Batch request ID", index=True, copy=False,
                            help="Request ID of the batch carrying this job; a resend reuses it.")
    next_attempt_at = fields.Datetime(copy=False)
    attempts = fields.Integer(copy=False)
    error_code = fields.Char(copy=False)
    error_message = fields.Text(copy=False)
    intuit_tid = fields.Char("intuit_tid", copy=False)

    @api.depends("res_model", "res_id")
    def _compute_record_name(self):
        for job in self:
            record = self.env[job.res_model].browse(job.res_id).exists() if job.res_model else None
            job.record_name = record.display_name if record else _("(deleted)")

    # ------------------------------------------------------------------ queueing
    @api.model
    def _qbo_enqueue(self, connection, records, entity, priority=10):
        """Queue ``records`` for a push to ``entity``, once each: a pending job is not doubled."""
        if not records:
            return self.browse()
        waiting = self.search([("connection_id", "=", connection.id), ("res_model", "=", records._name),
                               ("res_id", "in", records.ids), ("qbo_entity", "=", entity),
                               ("state", "=", "pending")])
        queued = set(waiting.mapped("res_id"))
        return waiting | self.create([{"connection_id": connection.id, "res_model": records._name,
                                       "res_id": record.id, "qbo_entity": entity, "priority": priority}
                                      for record in records if record.id not in queued])

    # ------------------------------------------------------------------ processing
    @api.model
    def _cron_qbo_process_jobs(self):
        remaining = False
        for connection in self.env["qbo.connection"].sudo().search([("state", "=", "connected")]):
            remaining |= self._qbo_process(connection, commit=True)
        if remaining:
            self.env.ref("account_quickbooks_online.ir_cron_qbo_process_jobs")._trigger()

    @api.model
    def _qbo_process(self, connection, job_limit=3000, commit=False):
        """Send ``connection``'s due jobs, a batch at a time. True if work remains."""
        sent = 0
        while sent < job_limit:
            batch = self._qbo_claim(connection)
            if not batch:
                return False
            if commit:
                self.env.cr.commit()   # the batch key must be durable before Intuit sees it
            try:
                self._qbo_send(connection, batch)
            except UserError as error:   # not connected any more: keep the batch for later
                _logger.info("QuickBooks sync of connection %s paused: %s", connection.id, error)
                return True
            if commit:
                self.env.cr.commit()
            sent += len(batch)
        return True

    def _qbo_claim(self, connection):
        """The next batch: an unfinished one whose time has come, else up to 30 pending jobs."""
        now = fields.Datetime.now()
        self.env.flush_all()
        self.env.cr.execute("""
            SELECT batch_key FROM qbo_sync_job
             WHERE connection_id = %s AND state = 'running' AND next_attempt_at <= %s
             ORDER BY priority, id LIMIT 1 FOR UPDATE SKIP LOCKED""", [connection.id, now])
        row = self.env.cr.fetchone()
        if row:
            batch = self.search([("batch_key", "=", row[0]), ("state", "=", "running")])
            batch.write({"next_attempt_at": now + timedelta(seconds=LEASE_SECONDS)})
            return batch
        # One dependency level per batch: an invoice never travels with the customer it needs.
        self.env.cr.execute("""
            SELECT id FROM qbo_sync_job
             WHERE connection_id = %s AND state = 'pending'
               AND (next_attempt_at IS NULL OR next_attempt_at <= %s)
               AND priority = (SELECT min(priority) FROM qbo_sync_job
                                WHERE connection_id = %s AND state = 'pending'
                                  AND (next_attempt_at IS NULL OR next_attempt_at <= %s))
             ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED""", [connection.id, now, connection.id, now, BATCH_SIZE])
        batch = self.browse([job_id for job_id, in self.env.cr.fetchall()])
        if batch:
            batch.write({"state": "running", "batch_key": _new_request_id(),
                         "next_attempt_at": now + timedelta(seconds=LEASE_SECONDS)})
        return batch

    def _qbo_send(self, connection, batch):
        try:
            batch._qbo_prepare_records(connection)
        except qbo.QboError as error:
            batch._qbo_retry_or_fail(error)
            return
        items, digests = [], {}
        for job in batch:
            try:
                item = job._qbo_batch_item(connection)
            except UserError as error:   # this record cannot be sent as it is (e.g. an unmapped account)
                job._qbo_fail("", str(error), "")
                continue
            if item is None:
                continue
            items.append(item)
            digests[str(job.id)] = job._qbo_digest(item[job.qbo_entity])
        if not items:
            return
        body = json.dumps({"BatchItemRequest": items})
        key = batch[0].batch_key

        def post(client):
            return client.post("%s/company/%s/batch" % (client.api_url, client.company_id), body, request_id=key)
        try:
            answer = connection._qbo_call(post, batch=True)
        except qbo.QboError as error:
            batch._qbo_retry_or_fail(error)
            return
        self._qbo_apply(batch, answer, digests)

    def _qbo_prepare_records(self, connection):
        """Let each model see its records of the batch at once before payloads are built, through an
        optional ``_qbo_prepare_batch(connection, entity, records)`` (e.g. to link existing QuickBooks
        objects in one query instead of creating duplicates)."""
        groups = {}
        for job in self:
            groups.setdefault((job.res_model, job.qbo_entity), []).append(job.res_id)
        for (model, entity), ids in groups.items():
            records = self.env[model].browse(ids).exists()
            if records and hasattr(records, "_qbo_prepare_batch"):
                records._qbo_prepare_batch(connection, entity, records)

    def _qbo_batch_item(self, connection):
        """This job's BatchItemRequest entry, or None when nothing needs sending."""
        self.ensure_one()
        record = self.env[self.res_model].browse(self.res_id).exists()
        if not record:
            self.write({"state": "cancelled", "error_message": _("The Odoo record no longer exists.")})
            return None
        binding = self.binding_id or self.env["qbo.binding"]._qbo_get_or_create(connection, record, self.qbo_entity)
        self.binding_id = binding
        payload = record._qbo_payload(connection, self.qbo_entity)
        if binding.qbo_id and binding.payload_hash == self._qbo_digest(payload) and binding.state == "synced":
            self.state = "done"   # unchanged since the last push
            return None
        operation = "create"
        if binding.qbo_id:
            operation = "update"
            payload = dict(payload, Id=binding.qbo_id, SyncToken=binding.sync_token, sparse=True)
        return {"bId": str(self.id), "operation": operation, self.qbo_entity: payload}

    @api.model
    def _qbo_digest(self, payload):
        clean = {k: v for k, v in payload.items() if k not in ("Id", "SyncToken", "sparse")}
        return hashlib.sha256(json.dumps(clean, sort_keys=True, default=str).encode()).hexdigest()

    def _qbo_apply(self, batch, answer, digests):
        """Each item's own result: one fault never fails its neighbours."""
        now = fields.Datetime.now()
        by_bid = {str(job.id): job for job in batch}
        for item in answer.get("BatchItemResponse", []):
            job = by_bid.get(str(item.get("bId")))
            if job is None:
                continue
            fault = item.get("Fault")
            if fault:
                error = (fault.get("Error") or [{}])[0]
                if error.get("code") == "5010" and job.binding_id.qbo_id and job.attempts < MAX_ATTEMPTS:
                    job._qbo_requeue_after_stale(connection=job.connection_id)
                    continue
                job._qbo_fail(error.get("code", ""), error.get("Message", ""), error.get("Detail", ""))
                continue
            obj = item.get(job.qbo_entity) or {}
            job.binding_id.write({"qbo_id": obj.get("Id"), "sync_token": obj.get("SyncToken"),
                                  "payload_hash": digests.get(str(job.id)), "synced_at": now,
                                  "state": "synced", "last_error": False})
            job.write({"state": "done", "error_code": False, "error_message": False})
        for job in batch.filtered(lambda j: j.state == "running"):
            job._qbo_fail("", _("QuickBooks did not answer for this record in its batch."), "")

    def _qbo_requeue_after_stale(self, connection):
        """Someone changed the object in QuickBooks since our last sync: take its SyncToken, send again.

        The update is sparse, so only the fields Odoo owns are written over theirs.
        """
        self.ensure_one()
        binding = self.binding_id
        entity, qbo_id = self.qbo_entity, binding.qbo_id
        try:
            current = connection._qbo_call(lambda client: client.get_single_object(entity, qbo_id))
        except qbo.QboError as error:
            self._qbo_fail(error.code, error.describe(), "")
            return
        binding.sync_token = current[entity]["SyncToken"]
        self.write({"state": "pending", "batch_key": False, "attempts": self.attempts + 1,
                    "next_attempt_at": False, "error_code": "5010",
                    "error_message": _("Changed in QuickBooks meanwhile; sent again with its latest version.")})

    # ------------------------------------------------------------------ user actions
    def action_qbo_retry(self):
        """Send failed or cancelled jobs again, e.g. after the data was fixed."""
        retry = self.filtered(lambda job: job.state in ("failed", "cancelled"))
        retry.write({"state": "pending", "batch_key": False, "attempts": 0, "next_attempt_at": False,
                     "error_code": False, "error_message": False, "intuit_tid": False})
        if retry:
            self.env.ref("account_quickbooks_online.ir_cron_qbo_process_jobs")._trigger()
        return True

    def action_qbo_cancel(self):
        self.filtered(lambda job: job.state in ("pending", "failed")).write({"state": "cancelled"})
        return True

    def action_qbo_open_record(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": self.res_model, "res_id": self.res_id,
                "view_mode": "form", "target": "current"}

    def _qbo_fail(self, code, message, detail):
        self.ensure_one()
        text = " ".join(part for part in (message, detail) if part)
        self.write({"state": "failed", "error_code": code, "error_message": text})
        if self.binding_id:
            self.binding_id.write({"state": "error", "last_error": text})

    def _qbo_retry_or_fail(self, error):
        """The whole batch failed: resend it later under the same key, or give up."""
        now = fields.Datetime.now()
        for job in self:
            attempts = job.attempts + 1
            values = {"attempts": attempts, "error_code": error.code, "error_message": error.describe(),
                      "intuit_tid": error.intuit_tid}
            if error.retryable and attempts < MAX_ATTEMPTS:
                wait = 60 if isinstance(error, qbo.QboThrottled) else BACKOFF_SECONDS[attempts - 1]
                values["next_attempt_at"] = now + timedelta(seconds=wait)
                job.write(values)
            else:
                job.write(values)
                job._qbo_fail(error.code, error.describe(), "")
