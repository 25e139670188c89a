import hashlib
import json
import logging
import random
import time
import uuid
from datetime import timedelta

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression

from .. import qbo

_logger = logging.getLogger(__name__)

BATCH_SIZE = 30          # Intuit's limit per batch call
LEASE_SECONDS = 300      # a claimed batch whose worker vanished is re-sent after this
MAX_ATTEMPTS = 6
BACKOFF_SECONDS = (30, 60, 120, 300, 900, 1800)
CLAIM_CONFLICT_RETRIES = 20
CRON_CHUNK = 300         # jobs per cron call; the cron runner calls again while work remains
NAME_LISTS = ("Customer", "Vendor", "Employee")   # QuickBooks display names are unique across these


def _stable_key(parts):
    """A request id that is the same whenever the same parts (job request ids, the body) are sent."""
    return hashlib.sha256("|".join(sorted(parts)).encode()).hexdigest()[:32]


def _backoff_seconds(attempts):
    """Exponential backoff with jitter, so jobs that failed together do not all come back together."""
    base = BACKOFF_SECONDS[min(attempts, len(BACKOFF_SECONDS)) - 1]
    return base / 2 + random.uniform(0, base / 2)


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
    operation = fields.Selection([("push", "Create or update"), ("deactivate", "Deactivate")], default="push",
                                 required=True, help="Deactivate: the Odoo record was deleted; QuickBooks keeps its "
                                                     "history, so its object is made inactive instead.")
    priority = fields.Integer(default=10, help="Lower first: customers and items before invoices, "
                                               "invoices before their payments.")
    record_name = fields.Char("Record", compute="_compute_record_name", search="_search_record_name")
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
    conflict_qbo_id = fields.Char(
        "Existing QuickBooks record", copy=False,
        help="QuickBooks refused to create this record because one of the same type already has its name. "
             "“Link to it” binds the Odoo record to that QuickBooks record instead.")

    @api.depends("res_model", "res_id")
    def _compute_record_name(self):
        for job in self:
            record = self.env[job.res_model].browse(job.res_id).exists() if job.res_model else None
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

    @api.model
    def _qbo_enqueue_deactivation(self, records):
        """``records`` are being deleted: queue making their QuickBooks objects inactive, and drop their pushes.

        Called before the delete, in its transaction; QuickBooks is not called.
        """
        bindings = self.env["qbo.binding"].sudo().search([("res_model", "=", records._name),
                                                          ("res_id", "in", records.ids)])
        self.sudo().search([("res_model", "=", records._name), ("res_id", "in", records.ids),
                            ("state", "=", "pending"), ("operation", "=", "push")]).write({"state": "cancelled"})
        return self.sudo().create([{
            "connection_id": binding.connection_id.id, "res_model": binding.res_model, "res_id": binding.res_id,
            "qbo_entity": binding.qbo_entity, "binding_id": binding.id, "operation": "deactivate",
        } for binding in bindings.filtered("qbo_id")])

    # ------------------------------------------------------------------ processing
    @api.model
    def _cron_qbo_process_jobs(self):
        """Drain every connected company's queue a chunk at a time, telling the cron runner what is left.

        Odoo re-runs a cron at once while it reports work done and work remaining, and
        a trigger wakes it when a job that is waiting out a backoff becomes due.
        """
        cron = self.env.ref("account_quickbooks_online.ir_cron_qbo_process_jobs")
        done = remaining = 0
        for connection in self.env["qbo.connection"].sudo().search([("state", "=", "connected")]):
            sent = self._qbo_process(connection, job_limit=CRON_CHUNK, commit=True)
            done += sent
            if sent or not self._qbo_is_paused(connection):
                remaining += self._qbo_due_count(connection)
        cron._notify_progress(done=done, remaining=remaining)
        later = self.search([("state", "in", ("pending", "running")),
                             ("next_attempt_at", ">", fields.Datetime.now())], order="next_attempt_at", limit=1)
        if later:
            cron._trigger(at=later.next_attempt_at)

    @api.model
    def _qbo_due_count(self, connection):
        now = fields.Datetime.now()
        return self.search_count([("connection_id", "=", connection.id), ("state", "in", ("pending", "running")),
                                  "|", ("next_attempt_at", "=", False), ("next_attempt_at", "<=", now)])

    @api.model
    def _qbo_is_paused(self, connection):
        self.env.cr.execute("SELECT max(updated_at) FROM qbo_rate_bucket WHERE realm_id = %s",
                            [connection.sudo().realm_id])
        resume = self.env.cr.fetchone()[0]
        return bool(resume and resume > time.time())

    @api.model
    def _qbo_process(self, connection, job_limit=3000, commit=False, jobs=None):
        """Send ``connection``'s due jobs a batch at a time; return how many were handled.

        ``jobs`` limits the run to those jobs and the dependencies they turn out to
        need ("Sync now"). With ``commit`` (the cron) each batch's claim is committed
        before it is sent and its results right after, so a crash loses nothing.
        """
        scope = set(jobs.ids) if jobs is not None else None
        handled = conflicts = 0
        while handled < job_limit:
            try:
                batch = self._qbo_claim(connection, scope, durable=commit)
            except psycopg2.errors.SerializationFailure:
                # Another worker claimed rows our REPEATABLE READ snapshot still saw as pending.
                # Everything before is committed, so a fresh transaction simply looks again.
                conflicts += 1
                if not commit or conflicts > CLAIM_CONFLICT_RETRIES:
                    raise
                self.env.cr.rollback()
                continue
            if not batch:
                break
            if commit:
                self.env.cr.commit()   # the batch key must be durable before Intuit sees it
            try:
                queued, keep_going = self._qbo_send(connection, batch)
            except (UserError, TimeoutError) as error:   # not connected any more, or no capacity: later
                _logger.info("QuickBooks sync of connection %s paused: %s", connection.id, error)
                batch.write({"next_attempt_at": fields.Datetime.now() + timedelta(seconds=60)})
                if commit:
                    self.env.cr.commit()
                break
            if scope is not None:
                scope.update(queued.ids)
            if commit:
                self.env.cr.commit()
            handled += len(batch)
            if not keep_going:
                break
        return handled

    def _qbo_claim(self, connection, scope=None, durable=True):
        """The next batch: an unfinished one whose time has come, else up to 30 pending jobs.

        A claim that is not committed before sending (Sync now, inside the user's
        request) gets its key from what it sends (see _qbo_send).
        """
        now = fields.Datetime.now()
        self.env.flush_all()
        in_scope = "AND id = ANY(%s)" if scope is not None else ""
        scope_args = [list(scope)] if scope is not None else []
        self.env.cr.execute("""
            SELECT batch_key FROM qbo_sync_job
             WHERE connection_id = %s AND state = 'running' AND next_attempt_at <= %s {scope}
             ORDER BY priority, id LIMIT 1 FOR UPDATE SKIP LOCKED""".format(scope=in_scope),
                            [connection.id, now] + scope_args, log_exceptions=False)
        row = self.env.cr.fetchone()
        if row:
            batch = self.search([("batch_key", "=", row[0]), ("state", "=", "running")])
            batch.write({"next_attempt_at": now + timedelta(seconds=LEASE_SECONDS)})
            # Intuit may answer a resend from memory, with what the first send carried.
            return batch.with_context(qbo_resend=True)
        # One dependency level per batch: an invoice never travels with the customer it needs.
        due = """connection_id = %s AND state = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= %s)
                 {scope}""".format(scope=in_scope)
        self.env.cr.execute("""
            SELECT id FROM qbo_sync_job WHERE {due}
               AND priority = (SELECT min(priority) FROM qbo_sync_job WHERE {due})
             ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED""".format(due=due),
                            [connection.id, now] + scope_args + [connection.id, now] + scope_args + [BATCH_SIZE],
                            log_exceptions=False)   # a serialization conflict is expected and handled
        batch = self.browse([job_id for job_id, in self.env.cr.fetchall()])
        if not durable:
            # What these jobs were before this claim: unchanged if the claim is rolled back, changed by any
            # retry or requeue since (which must not be answered from memory with the old outcome).
            batch = batch.with_context(qbo_volatile_claim=["%s:%s:%s" % (job.request_id, job.attempts,
                                                                          job.write_date) for job in batch])
        if batch:
            batch.write({"state": "running", "batch_key": _new_request_id(),
                         "next_attempt_at": now + timedelta(seconds=LEASE_SECONDS)})
        return batch

    def _qbo_send(self, connection, batch):
        """Send one claimed batch. Returns (dependency jobs it queued, whether to go on now)."""
        self._qbo_attach_bindings(connection, batch)
        records = self._qbo_records_of(batch)
        try:
            self._qbo_prepare_records(connection, batch, records)
        except qbo.QboError as error:
            batch._qbo_retry_or_fail(error)
            return self.browse(), not isinstance(error, qbo.QboThrottled)
        items, sent, queued = [], {}, self.browse()
        for job in batch:
            item, dependencies = job._qbo_batch_item(connection, records.get((job.res_model, job.res_id)))
            queued |= dependencies
            if item is not None:
                sent[str(job.id)] = (item[job.qbo_entity], item.pop("digest"))
                items.append(item)
        if not items:
            return queued, True
        body = json.dumps({"BatchItemRequest": items})
        if batch.env.context.get("qbo_volatile_claim"):
            # Nothing was committed: should this request die after Intuit accepted, the same jobs sending the
            # same body again get the same key and are answered from memory instead of executed twice.
            batch.write({"batch_key": _stable_key(batch.env.context["qbo_volatile_claim"] + [body])})
        key = batch[0].batch_key

        def post(client):
            answer = client.post("%s/company/%s/batch" % (client.api_url, client.company_id), body, request_id=key)
            answer["intuit_tid"] = client.session.last_intuit_tid   # for the items Intuit refused
            return answer
        try:
            answer = connection._qbo_call(post, batch=True)
        except qbo.QboError as error:
            batch.filtered(lambda job: job.state == "running")._qbo_retry_or_fail(error)
            return queued, not isinstance(error, qbo.QboThrottled)
        queued |= self._qbo_apply(connection, batch, answer, sent)
        return queued, True

    @api.model
    def _qbo_attach_bindings(self, connection, batch):
        """Find or create every job's binding with one search and one create, not one per job."""
        Binding = self.env["qbo.binding"]
        todo = batch.filtered(lambda job: not job.binding_id)
        keys = {(job.res_model, job.qbo_entity) for job in todo}
        found = {}
        for res_model, entity in keys:
            ids = [job.res_id for job in todo if (job.res_model, job.qbo_entity) == (res_model, entity)]
            for binding in Binding.search([("connection_id", "=", connection.id), ("res_model", "=", res_model),
                                           ("qbo_entity", "=", entity), ("res_id", "in", ids)]):
                found[(res_model, binding.res_id, entity)] = binding
        missing = [job for job in todo if (job.res_model, job.res_id, job.qbo_entity) not in found]
        created = Binding.create([{"connection_id": connection.id, "res_model": job.res_model,
                                   "res_id": job.res_id, "qbo_entity": job.qbo_entity}
                                  for job in {(j.res_model, j.res_id, j.qbo_entity): j for j in missing}.values()])
        for binding in created:
            found[(binding.res_model, binding.res_id, binding.qbo_entity)] = binding
        for job in todo:
            job.binding_id = found[(job.res_model, job.res_id, job.qbo_entity)]

    @api.model
    def _qbo_records_of(self, batch):
        """{(model, id): record} for a batch, browsed together so their fields load in one query per model."""
        found = {}
        for res_model in set(batch.mapped("res_model")):
            ids = [job.res_id for job in batch if job.res_model == res_model]
            for record in self.env[res_model].browse(ids).exists():
                found[(res_model, record.id)] = record
        return found

    @api.model
    def _qbo_prepare_records(self, connection, batch, records):
        """Let each model see its records of the batch at once before payloads are built, through an
        optional ``_qbo_prepare_batch(connection, entity, records)`` (e.g. to link existing QuickBooks
        objects in one query instead of creating duplicates)."""
        groups = {}
        for job in batch:
            record = records.get((job.res_model, job.res_id))
            if record:
                groups.setdefault((job.res_model, job.qbo_entity), []).append(record.id)
        for (res_model, entity), ids in groups.items():
            hook = getattr(self.env[res_model], "_qbo_prepare_batch", None)
            if hook:
                hook(connection, entity, self.env[res_model].browse(ids))

    def _qbo_batch_item(self, connection, record):
        """This job's BatchItemRequest entry (or None), and the dependency jobs it had to queue first."""
        self.ensure_one()
        if self.operation == "deactivate":
            binding = self.binding_id
            payload = {"Id": binding.qbo_id, "SyncToken": binding.sync_token, "sparse": True, "Active": False}
            return {"bId": str(self.id), "operation": "update", self.qbo_entity: payload, "digest": False}, \
                self.browse()
        if not record:
            self.write({"state": "cancelled", "error_message": _("The Odoo record no longer exists.")})
            return None, self.browse()
        dependencies = self._qbo_queue_missing_dependencies(connection, record)
        if dependencies is not None:
            return None, dependencies
        binding = self.binding_id
        try:
            payload = record._qbo_payload(connection, self.qbo_entity)
        except UserError as error:   # e.g. an unmapped account: this record's problem, not the batch's
            self._qbo_fail("", str(error), "")
            return None, self.browse()
        if binding.name_suffix and "DisplayName" in payload:
            payload["DisplayName"] = payload["DisplayName"][:500 - len(binding.name_suffix)] + binding.name_suffix
        digest = self._qbo_digest(payload)
        if binding.qbo_id and binding.payload_hash == digest and binding.state == "synced":
            self.state = "done"   # unchanged since the last push
            return None, self.browse()
        operation = "create"
        if binding.qbo_id:
            operation = "update"
            payload = {key: value for key, value in payload.items()
                       if key not in getattr(record, "_qbo_create_only_fields", ())}
            payload.update(Id=binding.qbo_id, SyncToken=binding.sync_token, sparse=True)
        return {"bId": str(self.id), "operation": operation, self.qbo_entity: payload, "digest": digest}, \
            self.browse()

    def _qbo_queue_missing_dependencies(self, connection, record):
        """Queue what ``record`` refers to and QuickBooks does not have yet; None when nothing is missing.

        This job steps back to pending behind them (a lower priority number is sent first),
        so a sub-customer never reaches QuickBooks before its parent.
        """
        Binding = self.env["qbo.binding"]
        queued, refused = self.browse(), []
        for records, entity in self._qbo_dependencies_of(connection, record):
            bound = Binding.search([("connection_id", "=", connection.id), ("res_model", "=", records._name),
                                    ("res_id", "in", records.ids), ("qbo_entity", "=", entity)])
            ready = set(bound.filtered("qbo_id").mapped("res_id"))
            refused += [binding for binding in bound if binding.state == "error" and binding.res_id not in ready]
            missing = records.filtered(lambda rec: rec.id not in ready)
            queued |= self._qbo_enqueue(connection, missing, entity, priority=self.priority - 1)
        if refused:
            self._qbo_fail("", _("This record needs %(names)s in QuickBooks first, which QuickBooks refused: "
                                 "%(reason)s", names=", ".join(b.display_name for b in refused),
                                 reason=refused[0].last_error or ""), "")
            return queued
        if not queued:
            return None
        if self.attempts >= MAX_ATTEMPTS:
            self._qbo_fail("", _("What this record refers to could not be synced to QuickBooks first."), "")
            return queued
        self.write({"state": "pending", "batch_key": False, "next_attempt_at": False,
                    "attempts": self.attempts + 1})
        return queued

    @api.model
    def _qbo_dependencies_of(self, connection, record):
        """[(records, entity)] that must exist in QuickBooks before ``record`` can be sent."""
        hook = getattr(record, "_qbo_dependencies", None)
        return hook(connection, self.qbo_entity) if hook else []

    @api.model
    def _qbo_digest(self, payload):
        clean = {k: v for k, v in payload.items() if k not in ("Id", "SyncToken", "sparse")}
        return hashlib.sha256(json.dumps(clean, sort_keys=True, default=str).encode()).hexdigest()

    def _qbo_apply(self, connection, batch, answer, sent):
        """Each item's own result: one fault never fails its neighbours. Returns jobs queued on the way."""
        now = fields.Datetime.now()
        by_bid = {str(job.id): job for job in batch}
        stale, duplicates, unresolved = self.browse(), {}, []
        for item in answer.get("BatchItemResponse", []):
            job = by_bid.get(str(item.get("bId")))
            if job is None:
                continue
            fault = item.get("Fault")
            if not fault and job.operation == "deactivate":
                job.write({"state": "done", "error_code": False, "error_message": False})
                job.binding_id.unlink()   # the Odoo record is gone; QuickBooks keeps the inactive object
                continue
            if not fault:
                obj = item.get(job.qbo_entity) or {}
                # After a resend, QuickBooks may hold the first send's data, not this one's: forget the hash,
                # so that a later change of the record is sent rather than taken for unchanged.
                digest = False if batch.env.context.get("qbo_resend") else sent[str(job.id)][1]
                job.binding_id.write({"qbo_id": obj.get("Id"), "sync_token": obj.get("SyncToken"),
                                      "payload_hash": digest, "synced_at": now,
                                      "state": "synced", "last_error": False})
                job.write({"state": "done", "error_code": False, "error_message": False,
                           "conflict_qbo_id": False})
                continue
            error = (fault.get("Error") or [{}])[0]
            code = str(error.get("code", ""))
            if job.attempts >= MAX_ATTEMPTS:
                job._qbo_fail(code, error.get("Message", ""), error.get("Detail", ""), answer.get("intuit_tid"))
            elif code == "5010" and job.binding_id.qbo_id:
                stale |= job
            elif code == "6240" and "DisplayName" in sent[str(job.id)][0]:
                duplicates[job] = (sent[str(job.id)][0]["DisplayName"], error)
            elif code in ("2500", "610"):
                unresolved.append((job, error))
            else:
                job._qbo_fail(code, error.get("Message", ""), error.get("Detail", ""), answer.get("intuit_tid"))
        for job in batch.filtered(lambda j: j.state == "running"):
            if job not in stale and job not in duplicates and job not in [j for j, _e in unresolved]:
                job._qbo_fail("", _("QuickBooks did not answer for this record in its batch."), "")
        queued = self.browse()
        if stale:
            stale._qbo_requeue_after_stale(connection)
        if duplicates:
            self._qbo_resolve_duplicate_names(connection, duplicates)
        for job, error in unresolved:
            queued |= job._qbo_resolve_missing_reference(connection, error)
        return queued

    @api.model
    def _qbo_query_all(self, connection, entity, where):
        """Every row of ``SELECT * FROM entity WHERE where``, page by page."""
        rows, start = [], 1
        while True:
            sql = "SELECT * FROM %s WHERE %s STARTPOSITION %d MAXRESULTS 1000" % (entity, where, start)
            page = connection._qbo_call(lambda client: client.query(sql)).get("QueryResponse", {}).get(entity, [])
            rows += page
            if len(page) < 1000:
                return rows
            start += 1000

    @api.model
    def _qbo_quote(self, text):
        return "'%s'" % str(text).replace("\\", "\\\\").replace("'", "\\'")

    def _qbo_requeue_after_stale(self, connection):
        """Someone changed these objects in QuickBooks since our last sync: take their SyncToken, send again.

        One query per type reads them all. The updates are sparse, so only the fields
        Odoo owns are written over theirs.
        """
        for entity in set(self.mapped("qbo_entity")):
            jobs = self.filtered(lambda job: job.qbo_entity == entity)
            ids = ", ".join(self._qbo_quote(qbo_id) for qbo_id in jobs.mapped("binding_id.qbo_id"))
            try:
                rows = self._qbo_query_all(connection, entity, "Id IN (%s) AND Active IN (true, false)" % ids
                                           if entity in NAME_LISTS else "Id IN (%s)" % ids)
            except qbo.QboError as error:
                jobs._qbo_defer(error)
                continue
            tokens = {row["Id"]: row["SyncToken"] for row in rows}
            for job in jobs:
                if job.binding_id.qbo_id not in tokens:
                    job._qbo_fail("610", _("The linked QuickBooks record no longer exists."), "")
                    continue
                job.binding_id.sync_token = tokens[job.binding_id.qbo_id]
                job.write({"state": "pending", "batch_key": False, "attempts": job.attempts + 1,
                           "next_attempt_at": False, "error_code": "5010",
                           "error_message": _("Changed in QuickBooks meanwhile; sent again with its latest "
                                              "version.")})

    @api.model
    def _qbo_resolve_duplicate_names(self, connection, duplicates):
        """Intuit said 6240: the name is taken. Find who holds it, in one query per name list, and decide.

        The same type: link to it (policy "link") or offer the link (policy "ask").
        Another type (a vendor that is also a customer): retry with the connection's
        suffix for that type. An employee, or no suffix: stop and say so.
        """
        names = sorted({name for name, _error in duplicates.values()})
        holders = {}
        try:
            for entity in NAME_LISTS:
                for start in range(0, len(names), BATCH_SIZE):
                    chunk = ", ".join(self._qbo_quote(name) for name in names[start:start + BATCH_SIZE])
                    for row in self._qbo_query_all(connection, entity, "DisplayName IN (%s)" % chunk):
                        holders.setdefault(row["DisplayName"].lower(), []).append((entity, row))
        except qbo.QboError as error:
            self.browse([job.id for job in duplicates])._qbo_defer(error)
            return
        Binding = self.env["qbo.binding"]
        for job, (name, error) in duplicates.items():
            found = holders.get(name.lower(), [])
            same = [row for entity, row in found if entity == job.qbo_entity]
            others = [entity for entity, _row in found if entity != job.qbo_entity]
            code, message, detail = "6240", error.get("Message", ""), error.get("Detail", "")
            if same:
                row = same[0]
                taken = Binding.search([("connection_id", "=", connection.id), ("qbo_entity", "=", job.qbo_entity),
                                        ("qbo_id", "=", row["Id"]), ("id", "!=", job.binding_id.id)], limit=1)
                if taken:
                    job._qbo_fail(code, _("QuickBooks %(entity)s “%(name)s” (Id %(id)s) already has this name and "
                                          "is linked to %(record)s. Rename one of them and retry.",
                                          entity=job.qbo_entity, name=name, id=row["Id"],
                                          record=taken.display_name), "")
                elif connection.duplicate_name_policy == "link":
                    job._qbo_link_to(row)
                else:
                    job._qbo_fail(code, _("A QuickBooks %(entity)s named “%(name)s” already exists (Id %(id)s). "
                                          "Click “Link to it” to use that record, or rename this one in Odoo "
                                          "and retry.", entity=job.qbo_entity, name=name, id=row["Id"]), "")
                    job.conflict_qbo_id = row["Id"]
            elif others and others[0] != "Employee" and job.qbo_entity in ("Customer", "Vendor"):
                suffix = connection.vendor_name_suffix if job.qbo_entity == "Vendor" \
                    else connection.customer_name_suffix
                if suffix and suffix.strip() and not job.binding_id.name_suffix:
                    job.binding_id.name_suffix = suffix
                    job.write({"state": "pending", "batch_key": False, "next_attempt_at": False,
                               "attempts": job.attempts + 1})
                else:
                    job._qbo_fail(code, _("A QuickBooks %(other)s is already named “%(name)s”, and QuickBooks "
                                          "names are unique across customers, vendors and employees. Set a name "
                                          "suffix for this case on the connection, or rename the partner, and "
                                          "retry.", other=others[0], name=name), "")
            elif others:
                job._qbo_fail(code, _("A QuickBooks employee is already named “%s”. Rename the partner and retry.",
                                      name), "")
            else:
                job._qbo_fail(code, message, detail)

    def _qbo_link_to(self, row):
        """Bind to an existing QuickBooks record. It is not overwritten until the Odoo record changes."""
        self.ensure_one()
        self.binding_id.write({"qbo_id": row["Id"], "sync_token": row.get("SyncToken"), "payload_hash": False,
                               "synced_at": fields.Datetime.now(), "state": "synced", "last_error": False,
                               "name_suffix": False})
        self.write({"state": "done", "error_code": "6240", "conflict_qbo_id": False,
                    "error_message": _("Linked to the QuickBooks record that already had this name (Id %s).",
                                       row["Id"])})

    def _qbo_resolve_missing_reference(self, connection, error):
        """Intuit said 2500/610: something this record refers to is unknown or inactive in QuickBooks.

        Re-read what it depends on: a QuickBooks object that is gone is created again,
        an inactive one is sent again (active, as in Odoo); then this job follows.
        """
        self.ensure_one()
        record = self.env[self.res_model].browse(self.res_id)
        Binding = self.env["qbo.binding"]
        queued = self.browse()
        try:
            for records, entity in self._qbo_dependencies_of(connection, record):
                bound = Binding.search([("connection_id", "=", connection.id), ("res_model", "=", records._name),
                                        ("res_id", "in", records.ids), ("qbo_entity", "=", entity),
                                        ("qbo_id", "!=", False)])
                if not bound:
                    continue
                ids = ", ".join(self._qbo_quote(qbo_id) for qbo_id in bound.mapped("qbo_id"))
                where = "Id IN (%s)" % ids + (" AND Active IN (true, false)" if entity in NAME_LISTS else "")
                rows = {row["Id"]: row for row in self._qbo_query_all(connection, entity, where)}
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
        self.write({"state": "pending", "batch_key": False, "next_attempt_at": False, "attempts": self.attempts + 1,
                    "error_code": str(error.get("code", "")),
                    "error_message": _("QuickBooks lacked something this record refers to; it is synced first.")})
        return queued

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
        current = self.connection_id._qbo_call(lambda client: client.get_single_object(entity, qbo_id))
        self._qbo_link_to(current[entity])
        return True

    def _qbo_fail(self, code, message, detail, intuit_tid=None):
        """Give up on this job: keep Intuit's words on the job and the link, and say so on the record."""
        self.ensure_one()
        text = " ".join(part for part in (message, detail) if part)
        values = {"state": "failed", "error_code": code, "error_message": text}
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

    def _qbo_retry_or_fail(self, error):
        """The whole call failed: resend it later under the same key, or give up.

        A running job keeps its batch key, so a batch whose answer was lost is
        replayed by Intuit instead of executed twice.
        """
        now = fields.Datetime.now()
        window = self.env["qbo.rate.bucket"]._qbo_limits()["window"]
        for job in self:
            attempts = job.attempts + 1
            values = {"attempts": attempts, "error_code": error.code, "error_message": error.describe(),
                      "intuit_tid": error.intuit_tid}
            if error.retryable and attempts < MAX_ATTEMPTS:
                wait = window if isinstance(error, qbo.QboThrottled) else _backoff_seconds(attempts)
                values["next_attempt_at"] = now + timedelta(seconds=wait)
                if job.state != "running":
                    values["state"] = "pending"
                job.write(values)
            else:
                job.write(values)
                job._qbo_fail(error.code, error.describe(), "")

    def _qbo_defer(self, error):
        """QuickBooks answered this job, but a follow-up read failed: send it afresh later (new batch)."""
        self.write({"state": "pending", "batch_key": False})
        self._qbo_retry_or_fail(error)
