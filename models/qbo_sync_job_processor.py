import hashlib
import json
import logging
import time
from datetime import timedelta

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .. import qbo
from .qbo_handler import batch_memo
from .qbo_sync_job import MAX_WAITS, _new_request_id

_logger = logging.getLogger(__name__)

BATCH_SIZE = qbo.BATCH_SIZE
LEASE_SECONDS = 300      # a claimed batch whose worker vanished is re-sent after this
CLAIM_CONFLICT_RETRIES = 20
CRON_CHUNK = 300         # jobs per cron call; the cron runner calls again while work remains
CRON_BUDGET_SECONDS = 240
# "Sync now" sends while a person waits: it may wait this long for the rate limit or a free slot, and this long
# for an answer; otherwise the change stays queued and the scheduled action sends it in the background.
INLINE_WAIT_SECONDS = 5
INLINE_HTTP_TIMEOUT = 20
MAX_IDLE_SLEEP = 2.0     # the cron sleeps at most this long for a company's rate limit to refill


def _stable_key(parts):
    """A request id that is the same whenever the same parts (job request ids, the body) are sent."""
    return hashlib.sha256("|".join(sorted(parts)).encode()).hexdigest()[:32]


class QboSyncJob(models.Model):
    """The outbox's processor: claims, batches, sends, applies each answer, decides on faults."""

    _inherit = "qbo.sync.job"

    # ------------------------------------------------------------------ the scheduled action
    @api.model
    def _cron_qbo_process_jobs(self, budget=CRON_BUDGET_SECONDS, clock=time.monotonic, sleep=time.sleep):
        """Send every connected company's queue, a batch per company in turn, telling the cron runner what is left.

        Round-robin by batch: a company that is throttled, paused after an outage
        or out of rate this minute is passed over while the others go on, and
        one company's failure (whatever it is) never stops the others. Odoo
        re-runs a cron at once while it reports work done and work remaining, and
        a trigger wakes it when a job that is waiting out a backoff becomes due.
        """
        cron = self.env.ref("account_quickbooks_online.ir_cron_qbo_process_jobs")
        Health = self.env["qbo.connection.health"]
        Buckets = self.env["qbo.rate.bucket"].sudo()
        deadline = clock() + budget
        active = list(self.env["qbo.connection"].sudo().search([("state", "=", "connected")], order="id"))
        done = 0
        while active and done < CRON_CHUNK and clock() < deadline:
            progressed, soonest = False, None
            for connection in list(active):
                if Health._qbo_paused_until(connection):
                    active.remove(connection)
                    continue
                wait = Buckets._qbo_wait_seconds(connection.realm_id, ("request", "batch"))
                if wait > 0:
                    soonest = wait if soonest is None else min(soonest, wait)
                    continue
                try:
                    sent = self._qbo_process(connection, job_limit=1, commit=True)
                except Exception as error:   # this company's problem; the others go on
                    self.env.cr.rollback()
                    self.env.invalidate_all()
                    _logger.exception("QuickBooks queue of connection %s stopped", connection.id)
                    Health._qbo_note_error(connection, _("Sending the queue failed: %s", error))
                    active.remove(connection)
                    continue
                if not sent:
                    active.remove(connection)
                    continue
                done += sent
                progressed = True
            if not progressed and active:
                if soonest is None or soonest > MAX_IDLE_SLEEP or clock() + soonest > deadline:
                    break
                sleep(soonest)
        remaining = sum(self._qbo_due_count(connection)
                        for connection in self.env["qbo.connection"].sudo().search([("state", "=", "connected")])
                        if not Health._qbo_paused_until(connection))
        cron._notify_progress(done=done, remaining=remaining)
        self._qbo_schedule_next_run(cron)

    @api.model
    def _qbo_schedule_next_run(self, cron):
        """Wake the cron when the earliest backoff, company pause or rate-limit wait ends."""
        later = self.search([("state", "in", ("pending", "running")), ("connection_id.state", "=", "connected"),
                             ("next_attempt_at", ">", fields.Datetime.now())], order="next_attempt_at", limit=1)
        if later:
            cron._trigger(at=later.next_attempt_at)
        self.env.cr.execute("""SELECT min(h.paused_until) FROM qbo_connection_health h
                                 JOIN qbo_connection c ON c.id = h.connection_id AND c.state = 'connected'
                                WHERE h.paused_until > %s""", [fields.Datetime.now()])
        resume = self.env.cr.fetchone()[0]
        if resume:
            cron._trigger(at=resume)

    @api.model
    def _qbo_due_count(self, connection):
        now = fields.Datetime.now()
        return self.search_count([("connection_id", "=", connection.id), ("state", "in", ("pending", "running")),
                                  "|", ("next_attempt_at", "=", False), ("next_attempt_at", "<=", now)])

    # ------------------------------------------------------------------ processing
    @api.model
    def _qbo_process(self, connection, job_limit=3000, commit=False, jobs=None, report=None):
        """Send ``connection``'s due jobs a batch at a time; return how many were handled.

        ``jobs`` limits the run to those jobs and the dependencies they turn out to
        need ("Sync now"). With ``commit`` (the cron) each batch's claim is committed
        before it is sent and its results right after, so a crash loses nothing.
        ``job_limit`` stops after the batch that reaches it. ``report`` (a dict)
        receives why sending stopped early, if it did.
        """
        scope = set(jobs.ids) if jobs is not None else None
        handled = conflicts = 0
        Health = self.env["qbo.connection.health"]
        while handled < job_limit:
            paused = Health._qbo_paused_until(connection)
            if paused:
                if report is not None:
                    report["reason"] = _("QuickBooks Online did not answer this company's last calls; sending "
                                         "resumes by itself after %s", fields.Datetime.to_string(paused))
                break
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
            except (UserError, TimeoutError) as error:   # not connected any more, or no capacity in time: later
                _logger.info("QuickBooks sync of connection %s postponed: %s", connection.id, error)
                self._qbo_postpone(batch)
                if report is not None:
                    report["reason"] = str(error) if isinstance(error, UserError) else \
                        _("QuickBooks Online's rate limit for this company is used up for the moment")
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

    @api.model
    def _qbo_postpone(self, batch):
        """A claimed batch could not be sent (nothing went out): it costs no attempt.

        A resend keeps its batch key (its first send may have reached Intuit); a
        fresh claim goes back to the queue to be batched again.
        """
        soon = fields.Datetime.now() + timedelta(seconds=60)
        if batch.env.context.get("qbo_resend"):
            batch.write({"next_attempt_at": soon})
        else:
            batch.write({"state": "pending", "batch_key": False, "next_attempt_at": False})
        self._qbo_wake_processor()

    @api.model
    def _qbo_process_inline(self, connection, jobs):
        """Send ``jobs`` (and what they need first) while a person waits, with short, bounded waits.

        Returns {"reason": why some were left queued} (empty when none were). What
        cannot go within those bounds stays queued and the scheduled action,
        woken now, sends it in the background.
        """
        report = {}
        if connection.state != "connected":
            report["reason"] = connection._qbo_not_connected_message()
            return report
        inline = self.with_context(qbo_max_wait=INLINE_WAIT_SECONDS, qbo_http_timeout=INLINE_HTTP_TIMEOUT)
        try:
            with self.env.cr.savepoint():
                inline._qbo_process(connection, jobs=jobs, report=report)
        except psycopg2.errors.UniqueViolation as error:
            # The worker woken by the save made the link first, before we sent anything: leave the record to it.
            if error.diag.constraint_name != "qbo_binding_record_unique":
                raise
            self.env.invalidate_all()
            report["reason"] = _("the scheduled action is sending it at this very moment")
        if jobs.filtered(lambda job: job.state in ("pending", "running")):
            self._qbo_wake_processor()
        return report

    def _qbo_claim(self, connection, scope=None, durable=True):
        """The next batch: an unfinished one whose time has come, else up to 30 pending jobs.

        A claim that is not committed before sending (Sync now, inside the user's
        request) gets its key from what it sends (see _qbo_send).
        """
        now = fields.Datetime.now()
        self.env.flush_all()
        in_scope = "AND id = ANY(%s)" if scope is not None else ""
        scope_args = [list(scope)] if scope is not None else []
        taken = []
        while True:
            self.env.cr.execute("""
                SELECT batch_key FROM qbo_sync_job
                 WHERE connection_id = %s AND state = 'running' AND next_attempt_at <= %s {scope}
                   AND NOT batch_key = ANY(%s)
                 ORDER BY priority, id LIMIT 1""".format(scope=in_scope),
                                [connection.id, now] + scope_args + [taken], log_exceptions=False)
            row = self.env.cr.fetchone()
            if not row:
                break
            # The whole batch at once or not at all: a worker holding one of its rows while waiting for another
            # that a second worker holds (each about to update them all) is a deadlock.
            try:
                with self.env.cr.savepoint(flush=False):
                    self.env.cr.execute("SELECT id FROM qbo_sync_job WHERE batch_key = %s AND state = 'running' "
                                        "ORDER BY id FOR UPDATE NOWAIT", [row[0]], log_exceptions=False)
            except psycopg2.errors.LockNotAvailable:
                taken.append(row[0])   # another worker is resending it
                continue
            batch = self.search([("batch_key", "=", row[0]), ("state", "=", "running")])
            batch.write({"next_attempt_at": now + timedelta(seconds=LEASE_SECONDS)})
            # Intuit may answer a resend from memory, with what the first send carried.
            return batch.with_context(qbo_resend=True)
        # One dependency level per batch: an invoice never travels with the customer it needs. A job whose
        # record has an older unfinished job is not due, whatever its priority: a record's changes go in order
        # (a payment deleted, then posted again), and the same dependency queued by two workers at once is never
        # created twice in QuickBooks.
        due = """{job}.connection_id = %s AND {job}.state = 'pending'
                 AND ({job}.next_attempt_at IS NULL OR {job}.next_attempt_at <= %s) {scope}
                 AND NOT EXISTS (SELECT 1 FROM qbo_sync_job older
                                  WHERE older.res_id = {job}.res_id AND older.res_model = {job}.res_model
                                    AND older.qbo_entity = {job}.qbo_entity AND older.id < {job}.id
                                    AND older.connection_id = {job}.connection_id
                                    AND older.state IN ('pending', 'running'))"""
        self.env.cr.execute("""
            SELECT job.id FROM qbo_sync_job job WHERE {due}
               AND job.priority = (SELECT min(other.priority) FROM qbo_sync_job other WHERE {other_due})
             ORDER BY job.id LIMIT %s FOR UPDATE OF job SKIP LOCKED""".format(
                                due=due.format(job="job", scope=in_scope.replace("id", "job.id")),
                                other_due=due.format(job="other", scope=in_scope.replace("id", "other.id"))),
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
        self.env.cr.cache["qbo_batch_memo"] = {}
        try:
            return self._qbo_send_batch(connection, batch)
        finally:
            self.env.cr.cache.pop("qbo_batch_memo", None)

    def _qbo_send_batch(self, connection, batch):
        self._qbo_attach_bindings(connection, batch)
        records = self._qbo_records_of(batch)
        try:
            queued = self._qbo_prepare_records(connection, batch, records)
        except qbo.QboError as error:
            # A read before sending failed: nothing goes unchecked. A first send is claimed afresh later; a
            # resend keeps its key, as Intuit may have taken it the first time.
            held = batch.filtered(lambda job: job.state == "running")
            if batch.env.context.get("qbo_resend"):
                held._qbo_retry_or_fail(error)
            else:
                held._qbo_defer(error)
            return self.browse(), not error.retryable
        self._qbo_prefetch_dependencies(connection, batch, records)
        items, sent, direct = [], {}, []
        for job in batch:
            record = records.get((job.res_model, job.res_id))
            item, dependencies = job._qbo_batch_item(connection, record)
            queued |= dependencies
            if item is None:
                continue
            if not self.env["qbo.handler"]._qbo_get(job.qbo_entity, job.res_model)._qbo_batchable:
                direct.append((job, record, item))
                continue
            sent[str(job.id)] = (item[job.qbo_entity], item.pop("digest"))
            items.append(item)
        for job, record, item in direct:
            self._qbo_send_one(connection, job, record, item)
        if not items:
            return queued, True
        if batch.env.context.get("qbo_volatile_claim"):
            # Nothing was committed: should this request die after Intuit accepted, the same jobs sending the
            # same body again get the same key and are answered from memory instead of executed twice.
            body = json.dumps({"BatchItemRequest": items}, sort_keys=True)
            batch.write({"batch_key": _stable_key(batch.env.context["qbo_volatile_claim"] + [body])})
        try:
            answer = connection._qbo_api().batch(items, batch[0].batch_key)
        except qbo.QboError as error:
            batch.filtered(lambda job: job.state == "running")._qbo_retry_or_fail(error)
            return queued, not error.retryable
        queued |= self._qbo_apply(connection, batch, answer, sent)
        return queued, True

    def _qbo_send_one(self, connection, job, record, item):
        """A job the batch endpoint cannot carry (an upload): one call, under the job's own request id."""
        handler = self.env["qbo.handler"]._qbo_get(job.qbo_entity, job.res_model)
        payload, digest = item[job.qbo_entity], item["digest"]
        try:
            obj = handler._qbo_send_direct(connection, job, record, payload)
        except qbo.QboValidationError as error:
            job.write({"attempts": job.attempts + 1, "intuit_tid": error.intuit_tid or False})
            handler._qbo_handle_faults(connection, [(job, {"code": error.code, "Message": error.message,
                                                           "Detail": error.detail}, payload)])
            return
        except qbo.QboError as error:
            job._qbo_retry_or_fail(error)
            return
        handler._qbo_apply_result(connection, job, obj, digest)
        job._qbo_done()

    @api.model
    def _qbo_attach_bindings(self, connection, batch):
        """Find or create every job's binding with one search and one create, not one per job."""
        Binding = self.env["qbo.binding"]
        todo = batch.filtered(lambda job: not job.binding_id)
        found = {}
        for res_model, entity in {(job.res_model, job.qbo_entity) for job in todo}:
            ids = [job.res_id for job in todo if (job.res_model, job.qbo_entity) == (res_model, entity)]
            for binding in Binding.search([("connection_id", "=", connection.id), ("res_model", "=", res_model),
                                           ("qbo_entity", "=", entity), ("res_id", "in", ids)]):
                found[(res_model, binding.res_id, entity, binding.part or "")] = binding
        key = lambda job: (job.res_model, job.res_id, job.qbo_entity, job.part or "")   # noqa: E731
        missing = {key(job): job for job in todo if key(job) not in found}
        for binding in Binding.create([{"connection_id": connection.id, "res_model": res_model, "res_id": res_id,
                                        "qbo_entity": entity, "part": part}
                                       for res_model, res_id, entity, part in missing]):
            found[(binding.res_model, binding.res_id, binding.qbo_entity, binding.part or "")] = binding
        for job in todo:
            job.binding_id = found[key(job)]

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
        """Let each handler see its records of the batch at once before payloads are built, and fail what
        QuickBooks would refuse before anything is sent. Returns the jobs the handlers queued on the way."""
        groups, queued = {}, self.browse()
        for job in batch:
            groups.setdefault((job.qbo_entity, job.res_model), batch.browse())   # keeps the batch's context
            groups[(job.qbo_entity, job.res_model)] |= job
        for (entity, res_model), jobs in groups.items():
            handler = self.env["qbo.handler"]._qbo_get(entity, res_model)
            ids = [job.res_id for job in jobs if job.operation == "push" and (job.res_model, job.res_id) in records]
            if ids:
                handler._qbo_prepare_batch(connection, self.env[res_model].browse(ids))
            queued |= handler._qbo_check_before_send(connection, jobs, records) or self.browse()
        return queued

    def _qbo_batch_item(self, connection, record):
        """This job's BatchItemRequest entry (or None), and the dependency jobs it had to queue first."""
        self.ensure_one()
        handler = self.env["qbo.handler"]._qbo_get(self.qbo_entity, self.res_model)
        if self.state != "running":   # decided before sending (see _qbo_check_before_send)
            return None, self.browse()
        if self.operation != "push":
            fields_, payload = handler._qbo_end_item(self.binding_id, self.operation)
            return dict(fields_, bId=str(self.id), digest=False, **{self.qbo_entity: payload}), self.browse()
        if not record:
            self.write({"state": "cancelled", "error_message": _("The Odoo record no longer exists.")})
            return None, self.browse()
        try:
            dependencies = self._qbo_queue_missing_dependencies(connection, handler, record)
            if dependencies is not None:
                return None, dependencies
            payload = handler.with_context(qbo_part=self.part or "")._qbo_to_qbo(connection, record)
        except UserError as error:   # e.g. an unmapped account: this record's problem, not the batch's
            self._qbo_fail("", str(error), "")
            return None, self.browse()
        binding = self.binding_id
        if binding.name_suffix and "DisplayName" in payload:
            payload["DisplayName"] = payload["DisplayName"][:500 - len(binding.name_suffix)] + binding.name_suffix
        digest = self._qbo_digest(payload)
        if binding.qbo_id and binding.payload_hash == digest and binding.state == "synced":
            self._qbo_done()   # unchanged since the last push
            return None, self.browse()
        operation = "create"
        if binding.qbo_id:
            operation = "update"
            payload = {key: value for key, value in payload.items() if key not in handler._qbo_create_only_fields}
            payload.update(Id=binding.qbo_id, SyncToken=binding.sync_token, sparse=True)
        return {"bId": str(self.id), "operation": operation, self.qbo_entity: payload, "digest": digest}, \
            self.browse()

    def _qbo_queue_missing_dependencies(self, connection, handler, record):
        """Queue what ``record`` refers to and QuickBooks does not have yet; None when nothing is missing.

        This job steps back to pending behind them (a lower priority number is
        sent first), so a sub-customer never reaches QuickBooks before its parent.
        Waiting costs no attempt.
        """
        Binding = self.env["qbo.binding"]
        queued, refused = self.browse(), []
        for records, entity in self._qbo_dependencies_of(connection, handler, record):
            bound = Binding.browse()
            for bindings in Binding._qbo_bound(connection, records._name, entity, records.ids).values():
                bound |= bindings
            ready = set(bound.filtered("qbo_id").mapped("res_id"))
            refused += [binding for binding in bound if binding.state == "error" and binding.res_id not in ready]
            sent, missing = self._qbo_in_flight(connection, records.filtered(lambda rec: rec.id not in ready), entity)
            queued |= sent | self._qbo_enqueue(connection, missing, entity, priority=self.priority - 1)
        if refused:
            self._qbo_fail("", _("This record needs %(names)s in QuickBooks first, which QuickBooks refused: "
                                 "%(reason)s", names=", ".join(b.display_name for b in refused),
                                 reason=refused[0].last_error or ""), "")
            return queued
        if not queued:
            return None
        if self.waits >= MAX_WAITS:
            self._qbo_fail("", _("What this record refers to could not be synced to QuickBooks first."), "")
            return queued
        self._qbo_step_back(queued)
        return queued

    def _qbo_dependencies_of(self, connection, handler, record):
        return batch_memo(self.env, ("dependencies", self.id),
                          lambda: handler._qbo_dependencies(connection, record))

    @api.model
    def _qbo_prefetch_dependencies(self, connection, batch, records):
        """Look up the links of everything the batch's records refer to in one query per type, not per record."""
        wanted = {}
        for job in batch.filtered(lambda job: job.state == "running" and job.operation == "push"):
            record = records.get((job.res_model, job.res_id))
            if not record:
                continue
            handler = self.env["qbo.handler"]._qbo_get(job.qbo_entity, job.res_model)
            try:
                dependencies = job._qbo_dependencies_of(connection, handler, record)
            except UserError:
                continue   # said when the job is built
            for dependency, entity in dependencies:
                wanted.setdefault((dependency._name, entity), set()).update(dependency.ids)
        for (res_model, entity), ids in wanted.items():
            self.env["qbo.binding"]._qbo_bound(connection, res_model, entity, list(ids))

    @api.model
    def _qbo_digest(self, payload):
        clean = {k: v for k, v in payload.items() if k not in ("Id", "SyncToken", "sparse")}
        return hashlib.sha256(json.dumps(clean, sort_keys=True, default=str).encode()).hexdigest()

    def _qbo_apply(self, connection, batch, answer, sent):
        """Each item's own result: one fault never fails its neighbours. Returns jobs queued on the way."""
        by_bid = {str(job.id): job for job in batch}
        failures, answered = {}, set()
        for item in answer.get("BatchItemResponse", []):
            job = by_bid.get(str(item.get("bId")))
            if job is None:
                continue
            answered.add(job.id)
            fault = item.get("Fault")
            handler = self.env["qbo.handler"]._qbo_get(job.qbo_entity, job.res_model)
            if not fault and job.operation != "push":
                handler._qbo_apply_ending(connection, job, item.get(job.qbo_entity) or {})
                job._qbo_done()
                continue
            if not fault:
                # After a resend, QuickBooks may hold the first send's data, not this one's: forget the hash,
                # so that a later change of the record is sent rather than taken for unchanged.
                digest = False if batch.env.context.get("qbo_resend") else sent[str(job.id)][1]
                handler._qbo_apply_result(connection, job, item.get(job.qbo_entity) or {}, digest)
                job._qbo_done()
                continue
            job.write({"attempts": job.attempts + 1, "intuit_tid": getattr(answer, "intuit_tid", "") or False})
            error = (fault.get("Error") or [{}])[0]
            failures.setdefault((job.qbo_entity, job.res_model), []).append((job, error, sent[str(job.id)][0]))
        for job in batch.filtered(lambda j: j.state == "running" and j.id not in answered):
            job._qbo_fail("", _("QuickBooks did not answer for this record in its batch."), "")
        for entity, res_model in {(job.qbo_entity, job.res_model) for job in batch}:
            jobs = batch.filtered(lambda job: (job.qbo_entity, job.res_model) == (entity, res_model))
            self.env["qbo.handler"]._qbo_get(entity, res_model)._qbo_after_batch(connection, jobs)
        queued = self.browse()
        for (entity, res_model), entity_failures in failures.items():
            handler = self.env["qbo.handler"]._qbo_get(entity, res_model)
            queued |= handler._qbo_handle_faults(connection, entity_failures)
        return queued
