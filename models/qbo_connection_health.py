import logging
import random
import time
from datetime import timedelta

import psycopg2

from odoo import _, api, fields, models

_logger = logging.getLogger(__name__)

MANAGERS = "account_quickbooks_online.group_qbo_manager"
# Intuit's outages last hours: after this many passing faults in a row every call would fail, so the company is
# paused instead of spending each queued job's attempts, and tried again after a pause that doubles each time.
FAILURES_BEFORE_PAUSE = 5
FIRST_PAUSE_SECONDS = 60
LONGEST_PAUSE_SECONDS = 1800
SUCCESS_NOTE_SECONDS = 60    # a run of successful calls is noted at most this often per worker
SERIALIZATION_RETRIES = 5
# A caller's own transaction may hold a lock the note would wait for (it changed the connection's realm, say):
# the note is then skipped rather than waiting for a transaction that waits for it.
NOTE_LOCK_TIMEOUT = "5s"
_SUCCESS_NOTED = {}          # (database, connection id) → when this worker last noted a success


class QboConnectionHealth(models.Model):
    """How a connection's calls went: the last success, the last error, and the circuit breaker.

    A row of its own, written in transactions of their own, because every
    worker notes its calls: on the connection's row those commits made the
    caller's later write of that row fail to serialise (REPEATABLE READ).
    """

    _name = "qbo.connection.health"
    _description = "QuickBooks Online connection health"
    _rec_name = "connection_id"

    connection_id = fields.Many2one("qbo.connection", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="connection_id.company_id", store=True, index=True)
    last_call_at = fields.Datetime("Last successful call", readonly=True)
    last_error = fields.Text(readonly=True)
    last_error_at = fields.Datetime(readonly=True)
    failure_streak = fields.Integer("Failures in a row", readonly=True, default=0,
                                    help="Calls that failed for a passing reason (5xx, reset, timeout) since the "
                                         "last success.")
    paused_until = fields.Datetime(readonly=True,
                                   help="QuickBooks did not answer this company's calls: the queue waits until then, "
                                        "then tries once; a success resumes everything.")

    _sql_constraints = [("connection_unique", "unique(connection_id)", "A connection has one health record.")]

    def init(self):
        # Every connection has its row before its first call. Inserting it then, from the note's own cursor,
        # would check the foreign key against a connection row the caller may have locked: on Connect the
        # callback's transaction has just written the realm, and the note waited for it while it waited for the
        # note (a deadlock PostgreSQL cannot see, across two connections of one request).
        self.env.cr.execute("""
            INSERT INTO qbo_connection_health (connection_id, company_id, failure_streak, create_date, write_date)
            SELECT c.id, c.company_id, 0, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM qbo_connection c
             WHERE NOT EXISTS (SELECT 1 FROM qbo_connection_health h WHERE h.connection_id = c.id)""")

    # ------------------------------------------------------------------ writing, in transactions of their own
    @api.model
    def _qbo_update(self, connection, decide):
        """Lock the row (creating it), let ``decide(streak) -> {column: value}`` choose, write it, commit."""
        # Pending writes of the caller go to the database first: under Odoo's test cursors, which share one
        # transaction, opening this cursor would otherwise lose them.
        self.env.flush_all()
        for _attempt in range(SERIALIZATION_RETRIES):
            try:
                with self.env.registry.cursor() as cr:
                    cr.execute("SET LOCAL lock_timeout = %s", [NOTE_LOCK_TIMEOUT], log_exceptions=False)
                    cr.execute("""
                        INSERT INTO qbo_connection_health (connection_id, company_id, failure_streak,
                                                           create_date, write_date, create_uid, write_uid)
                        SELECT id, company_id, 0, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC', %s, %s
                          FROM qbo_connection WHERE id = %s
                        ON CONFLICT (connection_id) DO NOTHING""", [self.env.uid, self.env.uid, connection.id],
                               log_exceptions=False)
                    cr.execute("SELECT coalesce(failure_streak, 0) FROM qbo_connection_health WHERE connection_id = %s "
                               "FOR NO KEY UPDATE", [connection.id], log_exceptions=False)
                    row = cr.fetchone()
                    if not row:
                        return None
                    values = decide(row[0])
                    if values:
                        columns = ", ".join("%s = %%s" % column for column in values)
                        cr.execute("UPDATE qbo_connection_health SET %s, write_date = now() AT TIME ZONE 'UTC' "
                                   "WHERE connection_id = %%s" % columns, list(values.values()) + [connection.id],
                                   log_exceptions=False)
                    return values
            except psycopg2.errors.SerializationFailure:
                continue   # another worker noted a call meanwhile: look again
            except psycopg2.errors.LockNotAvailable:
                _logger.debug("QuickBooks connection %s: call outcome not noted, the row is locked", connection.id)
                return None
        _logger.debug("QuickBooks connection %s: call outcome not noted, the row stayed busy", connection.id)
        return None

    @api.model
    def _qbo_note_success(self, connection, force=False):
        key = (self.env.cr.dbname, connection.id)
        if not force and time.monotonic() - _SUCCESS_NOTED.get(key, -SUCCESS_NOTE_SECONDS) < SUCCESS_NOTE_SECONDS:
            return
        _SUCCESS_NOTED[key] = time.monotonic()
        self._qbo_update(connection, lambda streak: {"last_call_at": fields.Datetime.now(), "failure_streak": 0,
                                                     "paused_until": None, "last_error": None})

    @api.model
    def _qbo_note_error(self, connection, message):
        """A failure that is not QuickBooks being away (a refusal, a refused token): shown, not counted."""
        _SUCCESS_NOTED.pop((self.env.cr.dbname, connection.id), None)
        self._qbo_update(connection, lambda streak: {"last_error": message, "last_error_at": fields.Datetime.now()})

    @api.model
    def _qbo_note_outage(self, connection, message):
        """QuickBooks did not answer properly (5xx, reset, timeout): count it, and pause the company when
        every call fails. Returns the pause's end, if the company is paused now."""
        _SUCCESS_NOTED.pop((self.env.cr.dbname, connection.id), None)
        now = fields.Datetime.now()

        def decide(streak):
            streak += 1
            values = {"failure_streak": streak, "last_error": message, "last_error_at": now}
            if streak >= FAILURES_BEFORE_PAUSE:
                pause = min(LONGEST_PAUSE_SECONDS, FIRST_PAUSE_SECONDS * 2 ** (streak - FAILURES_BEFORE_PAUSE))
                values["paused_until"] = now + timedelta(seconds=pause * random.uniform(0.9, 1.1))
            return values
        values = self._qbo_update(connection, decide) or {}
        if values.get("paused_until"):
            _logger.warning("QuickBooks connection %s paused until %s after %s failures in a row", connection.id,
                            values["paused_until"], values["failure_streak"])
        return values.get("paused_until")

    # ------------------------------------------------------------------ reading
    @api.model
    def _qbo_paused_until(self, connection):
        """The end of the company's pause, read afresh (another worker may have paused it), or None."""
        self.env.cr.execute("SELECT paused_until FROM qbo_connection_health WHERE connection_id = %s",
                            [connection.id])
        row = self.env.cr.fetchone()
        return row[0] if row and row[0] and row[0] > fields.Datetime.now() else None


class QboConnection(models.Model):
    _inherit = "qbo.connection"

    @api.model_create_multi
    def create(self, vals_list):
        connections = super().create(vals_list)
        # Its health row from the start (see QboConnectionHealth.init).
        self.env["qbo.connection.health"].sudo().create([{"connection_id": connection.id}
                                                         for connection in connections])
        return connections

    last_call_at = fields.Datetime("Last successful call", compute="_compute_health")
    last_error = fields.Text(compute="_compute_health")
    last_error_at = fields.Datetime("Last error at", compute="_compute_health")
    failure_streak = fields.Integer("Failures in a row", compute="_compute_health")
    paused_until = fields.Datetime(
        "Paused until", compute="_compute_health",
        help="QuickBooks Online did not answer this company's calls for a while: the queue waits until then and "
             "tries again by itself. Nothing is lost and no change is marked failed meanwhile.")

    def _compute_health(self):
        # Read from the table, not the ORM cache: the rows are written by other transactions (see _qbo_update).
        self.env.cr.execute("""SELECT connection_id, last_call_at, last_error, last_error_at, failure_streak,
                                      paused_until
                                 FROM qbo_connection_health WHERE connection_id = ANY(%s)""", [self._origin.ids])
        rows = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        now = fields.Datetime.now()
        for connection in self:
            last_call_at, last_error, last_error_at, streak, paused_until = rows.get(
                connection._origin.id, (False, False, False, 0, False))
            connection.last_call_at = last_call_at or False
            connection.last_error = last_error or False
            connection.last_error_at = last_error_at or False
            connection.failure_streak = streak or 0
            connection.paused_until = paused_until if paused_until and paused_until > now else False

    def _qbo_people_to_tell(self):
        managers = self.env.ref(MANAGERS).sudo().users.filtered(
            lambda user: self.company_id in user.company_ids and not user.share)
        return (self.connected_by_id | managers).filtered("active")

    def _qbo_notify_people(self, summary, note):
        todo = self.env.ref("mail.mail_activity_data_todo")
        for user in self._qbo_people_to_tell():
            if self.activity_ids.filtered(lambda a: a.user_id == user and a.summary == summary):
                continue
            self.activity_schedule(activity_type_id=todo.id, user_id=user.id, summary=summary, note=note)

    @api.model
    def _qbo_error_message(self, error):
        from .. import qbo
        if isinstance(error, qbo.QboGrantError):
            return _("Intuit no longer accepts this QuickBooks Online connection. Connect again from Settings → "
                     "Integrations.")
        if isinstance(error, qbo.QboClientError):
            return _("Intuit rejected the app's Client ID or Client Secret. Check them in Settings → "
                     "Integrations.")
        if isinstance(error, qbo.QboTransientError):
            return _("QuickBooks Online did not answer properly (%s). It will be retried; try again in a moment.",
                     error.describe())
        if isinstance(error, qbo.QboThrottled):
            return _("QuickBooks Online asks us to slow down. Try again in a minute.")
        return _("QuickBooks Online refused the request: %s", error.describe())
