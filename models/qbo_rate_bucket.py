import contextlib
import logging
import time
import zlib

import psycopg2

from odoo import api, fields, models

_logger = logging.getLogger(__name__)

# Intuit, per realm: 500 requests a minute, of which 40 batch calls.
DEFAULT_LIMITS = {"request": 500, "batch": 40}
BURST_SHARE = 0.02      # a full bucket allows this share of the limit at once (at least one call)
MAX_WAIT_SECONDS = 120
EPSILON = 1e-9          # waiting exactly the computed time must give a whole token despite rounding
MIN_WAIT_SECONDS = 0.001
SERIALIZATION_RETRIES = 20
DEFAULT_CONCURRENT = 10     # Intuit: calls in flight at once per company
SLOT_POLL_SECONDS = 0.05


class QboRateBucket(models.Model):
    """A token bucket per QuickBooks company, shared by every Odoo worker.

    With capacity C and refill (L - C) per minute, no sliding minute ever sees
    more than L calls, so Intuit's 429 stays an accident instead of the way
    requests are paced. The bucket lives in PostgreSQL because workers share
    nothing else, and is updated in transactions of its own so pacing never
    depends on the caller's transaction committing.
    """

    _name = "qbo.rate.bucket"
    _description = "QuickBooks Online rate limit"

    realm_id = fields.Char(required=True, index=True)
    kind = fields.Selection([("request", "Requests"), ("batch", "Batch calls")], required=True)
    tokens = fields.Float(required=True)
    updated_at = fields.Float(required=True, help="Epoch seconds of the last refill.")

    _sql_constraints = [("realm_kind_unique", "unique(realm_id, kind)", "One bucket per company and kind.")]

    @api.model
    def _qbo_limits(self):
        """Calls allowed per window, and the window in seconds, from system parameters.

        Intuit's are 500 requests and 40 batch calls per 60 s; the parameters let an
        administrator follow a change of Intuit's, and tests match a time-scaled emulator.
        """
        params = self.env["ir.config_parameter"].sudo()
        limits = {kind: int(params.get_param("account_quickbooks_online.limit_%s_per_window" % kind, default))
                  for kind, default in DEFAULT_LIMITS.items()}
        limits["window"] = float(params.get_param("account_quickbooks_online.rate_window_seconds", 60))
        limits["concurrent"] = int(params.get_param("account_quickbooks_online.limit_concurrent", DEFAULT_CONCURRENT))
        return limits

    @api.model
    @contextlib.contextmanager
    def _qbo_slot(self, realm_id, max_wait=MAX_WAIT_SECONDS, sleep=time.sleep):
        """Hold one of the company's concurrent-call slots while the call is in flight, across all workers.

        A slot is a PostgreSQL advisory lock held by a transaction of its own, so
        a worker that dies frees its slot with its connection.
        """
        limit = max(1, self._qbo_limits()["concurrent"])
        key = zlib.crc32(("qbo:%s" % realm_id).encode()) - 2 ** 31   # the two-int4 form of the lock
        waited = 0.0
        with self.env.registry.cursor() as cr:
            while True:
                cr.execute("SELECT slot FROM generate_series(0, %s - 1) AS slot "
                           "WHERE pg_try_advisory_xact_lock(%s, slot) LIMIT 1", [limit, key])
                row = cr.fetchone()
                if row:
                    break
                if waited >= max_wait:
                    raise TimeoutError("QuickBooks rate limit: %d calls already in flight for realm %s"
                                       % (limit, realm_id))
                sleep(SLOT_POLL_SECONDS)
                waited += SLOT_POLL_SECONDS
            yield row[0]   # the lock ends with this transaction, when the cursor closes

    @api.model
    def _qbo_acquire(self, realm_id, kinds, sleep=time.sleep, clock=time.time, max_wait=MAX_WAIT_SECONDS):
        """Wait until each of ``kinds`` has a token for ``realm_id``, then take them.

        Returns the seconds waited. Raises TimeoutError, without waiting in vain, when the tokens
        would come later than ``max_wait`` seconds from the start.
        """
        limits = self._qbo_limits()
        waited = 0.0
        while True:
            wait = self._qbo_try_take(realm_id, kinds, limits, clock())
            if wait <= 0:
                return waited
            if waited + wait > max_wait:
                raise TimeoutError("QuickBooks rate limit: no capacity for realm %s within %d s"
                                   % (realm_id, max_wait))
            sleep(wait)
            waited += wait

    @api.model
    def _qbo_wait_seconds(self, realm_id, kinds, clock=time.time):
        """How long until each of ``kinds`` has a token for ``realm_id``, taking nothing (0: now)."""
        limits = self._qbo_limits()
        now = clock()
        self.env.cr.execute("SELECT kind, tokens, updated_at FROM qbo_rate_bucket WHERE realm_id = %s "
                            "AND kind = ANY(%s)", [realm_id, list(kinds)])
        wait = 0.0
        for kind, tokens, updated_at in self.env.cr.fetchall():
            capacity = max(1.0, limits[kind] * BURST_SHARE)
            rate = (limits[kind] - capacity) / limits["window"]
            available = min(capacity, tokens + max(0.0, now - updated_at) * rate)
            if available < 1.0 - EPSILON:
                wait = max(wait, max(0.0, updated_at - now) + (1.0 - available) / rate)
        return wait

    @api.model
    def _qbo_try_take(self, realm_id, kinds, limits, now):
        """Take one token of each kind, all or none; else the seconds to wait."""
        # Odoo's transactions are REPEATABLE READ: a worker whose snapshot predates another's
        # take cannot lock the row and must look again in a new transaction.
        for _attempt in range(SERIALIZATION_RETRIES):
            try:
                return self._qbo_try_take_once(realm_id, kinds, limits, now)
            except psycopg2.errors.SerializationFailure:
                continue
        return MIN_WAIT_SECONDS

    @api.model
    def _qbo_try_take_once(self, realm_id, kinds, limits, now):
        with self.env.registry.cursor() as cr:
            for kind in kinds:
                capacity = max(1.0, limits[kind] * BURST_SHARE)
                cr.execute("""INSERT INTO qbo_rate_bucket (realm_id, kind, tokens, updated_at)
                              VALUES (%s, %s, %s, %s) ON CONFLICT (realm_id, kind) DO NOTHING""",
                           [realm_id, kind, capacity, now], log_exceptions=False)
            cr.execute("""SELECT kind, tokens, updated_at FROM qbo_rate_bucket
                           WHERE realm_id = %s AND kind = ANY(%s) ORDER BY kind FOR UPDATE""",
                       [realm_id, list(kinds)], log_exceptions=False)
            buckets = cr.fetchall()
            wait, refilled = 0.0, {}
            for kind, tokens, updated_at in buckets:
                capacity = max(1.0, limits[kind] * BURST_SHARE)
                rate = (limits[kind] - capacity) / limits["window"]
                available = min(capacity, tokens + max(0.0, now - updated_at) * rate)
                refilled[kind] = available
                if available < 1.0 - EPSILON:
                    # A refill time in the future is a pause (see _qbo_pause): nothing refills before it.
                    paused = max(0.0, updated_at - now)
                    wait = max(wait, MIN_WAIT_SECONDS, paused + (1.0 - available) / rate)
            if wait > 0:
                return wait   # refilling is linear: leaving the rows as they are loses nothing
            for kind, available in refilled.items():
                cr.execute("""UPDATE qbo_rate_bucket SET tokens = %s, updated_at = GREATEST(updated_at, %s)
                               WHERE realm_id = %s AND kind = %s""", [available - 1.0, now, realm_id, kind],
                           log_exceptions=False)
        return 0.0

    @api.model
    def _qbo_pause(self, realm_id, seconds=None, clock=time.time):
        """Intuit answered 429: let no worker call this company for ``seconds`` (a window by default)."""
        limits = self._qbo_limits()
        seconds = limits["window"] if seconds is None else seconds
        resume = clock() + seconds
        for _attempt in range(SERIALIZATION_RETRIES):
            try:
                with self.env.registry.cursor() as cr:
                    for kind in DEFAULT_LIMITS:
                        cr.execute("""INSERT INTO qbo_rate_bucket (realm_id, kind, tokens, updated_at)
                                      VALUES (%s, %s, 0, %s)
                                      ON CONFLICT (realm_id, kind) DO UPDATE
                                         SET tokens = 0,
                                             updated_at = GREATEST(qbo_rate_bucket.updated_at, EXCLUDED.updated_at)""",
                                   [realm_id, kind, resume], log_exceptions=False)
                break
            except psycopg2.errors.SerializationFailure:
                continue   # someone took or paused meanwhile: pause on top of theirs
        _logger.info("QuickBooks throttled realm %s: paused for %.0f s", realm_id, seconds)
        return resume
