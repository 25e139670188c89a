import logging

from odoo import api, models

from .. import const, qbo

_logger = logging.getLogger(__name__)

# Seconds a caller may wait for the rate limit or a free call slot: the cron can wait, a person clicking
# "Sync now" should not (see qbo.sync.job._qbo_process_inline).
MAX_WAIT_SECONDS = 120


class QboConnection(models.Model):
    """The one gateway: every QuickBooks Online call of the addon goes through ``_qbo_request``."""

    _inherit = "qbo.connection"

    def _qbo_api(self):
        """What to ask QuickBooks (read, query, batch, cdc, report, upload), through this connection."""
        self.ensure_one()
        return qbo.QboApi(self._qbo_request)

    def _qbo_request(self, method, path, params=None, body=None, request_id=None, **options):
        """Send one call to this company's QuickBooks and return its JSON answer.

        A fresh access token, a place in the company's shared rate limit (a batch
        counts against both limits), one of its concurrent-call slots, then the
        call. A 401 gets one forced refresh and one retry; a 429 pauses every
        worker for the company; every failure comes back as a QboError carrying
        Intuit's code, detail and intuit_tid, and is noted on the connection.
        """
        self.ensure_one()
        realm = self.sudo().realm_id
        kinds = ("request", "batch") if path == "batch" else ("request",)
        max_wait = self.env.context.get("qbo_max_wait", MAX_WAIT_SECONDS)
        timeout = min(filter(None, (self._qbo_http_timeout(), self.env.context.get("qbo_http_timeout"))))
        buckets = self.env["qbo.rate.bucket"].sudo()
        health = self.env["qbo.connection.health"].sudo()
        token = self._qbo_access_token()
        for attempt in (1, 2):
            buckets._qbo_acquire(realm, kinds, max_wait=max_wait)
            try:
                with buckets._qbo_slot(realm, max_wait=max_wait):
                    answer = qbo.send(self._qbo_endpoints(), realm, token, method, path, params=params, body=body,
                                      request_id=request_id, timeout=timeout, **options)
            except qbo.QboError as failure:
                _logger.info("QuickBooks call failed for connection %s: %s %s %s (intuit_tid %s)", self.id,
                             method, path.split("/")[0], failure.code or failure.status, failure.intuit_tid)
                if isinstance(failure, qbo.QboAuthError) and attempt == 1:
                    token = self._qbo_refresh(force=True)
                    continue
                if isinstance(failure, qbo.QboThrottled):
                    buckets._qbo_pause(realm)
                elif isinstance(failure, qbo.QboTransientError):
                    health._qbo_note_outage(self, failure.describe())
                else:
                    health._qbo_note_error(self, failure.describe())
                raise
            health._qbo_note_success(self)
            return answer

    @api.model
    def _qbo_http_timeout(self):
        """Seconds to wait for an answer; a system parameter so tests can simulate a slow Intuit."""
        value = self.env["ir.config_parameter"].sudo().get_param("account_quickbooks_online.http_timeout")
        return float(value) if value else const.HTTP_TIMEOUT
