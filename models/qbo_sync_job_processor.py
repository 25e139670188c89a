import logging
import time
from datetime import timedelta

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .. import qbo
from .qbo_sync_job import _new_request_id

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


class QboSyncJob(models.Model):
    """The outbox's processor: the scheduled action and Sync now claim batches in turn and hand each to
    _qbo_send (qbo_sync_job_batch.py)."""

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
        in_scope = "AND {job}.id = ANY(%s)" if scope is not None else ""
        scope_args = [list(scope)] if scope is not None else []
        taken = []
        while True:
            self.env.cr.execute("""
                SELECT batch_key FROM qbo_sync_job
                 WHERE connection_id = %s AND state = 'running' AND next_attempt_at <= %s {scope}
                   AND NOT batch_key = ANY(%s)
                 ORDER BY priority, id LIMIT 1""".format(scope=in_scope.format(job="qbo_sync_job")),
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
                                due=due.format(job="job", scope=in_scope.format(job="job")),
                                other_due=due.format(job="other", scope=in_scope.format(job="other"))),
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
