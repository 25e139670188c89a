import logging
from datetime import timedelta

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import mute_logger

from .. import const, qbo

_logger = logging.getLogger(__name__)

SYSTEM = "base.group_system"
TOKEN_FIELDS = ("access_token", "access_token_expires_at", "refresh_token", "refresh_token_expires_at",
                "refresh_failed", "oauth_nonce")
TOKEN_FIELDS_SET = frozenset(TOKEN_FIELDS)


class QboConnectionToken(models.Model):
    """A connection's OAuth tokens, in a row of their own.

    Refreshing commits the rotated tokens at once from a transaction of its
    own; kept off the connection's row, that commit never collides with a
    worker that is saving the connection's settings or company facts. Only
    system administrators may read the table; the code reaches it as sudo.
    """

    _name = "qbo.connection.token"
    _description = "QuickBooks Online connection tokens"
    _rec_name = "connection_id"

    connection_id = fields.Many2one("qbo.connection", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="connection_id.company_id", store=True, index=True)
    access_token = fields.Char(copy=False)
    access_token_expires_at = fields.Datetime(copy=False)
    refresh_token = fields.Char(copy=False)
    refresh_token_expires_at = fields.Datetime(copy=False)
    refresh_failed = fields.Boolean(copy=False)
    oauth_nonce = fields.Char(copy=False)

    _sql_constraints = [("connection_unique", "unique(connection_id)", "A connection has one set of tokens.")]

    def write(self, vals):
        # A token cached for this transaction's calls is superseded by what is written now.
        for row in self:
            self.env.cr.cache.get("qbo_tokens", {}).pop(row.connection_id.id, None)
        return super().write(vals)


class QboConnection(models.Model):
    _inherit = "qbo.connection"

    token_id = fields.Many2one("qbo.connection.token", readonly=True, copy=False, groups=SYSTEM)
    access_token = fields.Char(related="token_id.access_token", readonly=False, groups=SYSTEM)
    refresh_token = fields.Char(related="token_id.refresh_token", readonly=False, groups=SYSTEM)
    oauth_nonce = fields.Char(related="token_id.oauth_nonce", readonly=False, groups=SYSTEM)
    access_token_expires_at = fields.Datetime("Access token expiry", related="token_id.access_token_expires_at",
                                              readonly=False)
    refresh_token_expires_at = fields.Datetime("Refresh token expiry", related="token_id.refresh_token_expires_at",
                                               readonly=False,
                                               help="The connection ends then unless it is used or refreshed.")
    refresh_failed = fields.Boolean(related="token_id.refresh_failed", readonly=False)

    def _qbo_token_row(self):
        """The token row of each connection, created when missing."""
        Token = self.env["qbo.connection.token"].sudo()
        rows = {row.connection_id.id: row for row in Token.search([("connection_id", "in", self.ids)])}
        for connection in self.sudo():
            row = rows.get(connection.id) or Token.create({"connection_id": connection.id})
            if connection.token_id != row:
                connection.token_id = row
            rows[connection.id] = row
        return Token.browse([row.id for row in rows.values()])

    def write(self, vals):
        if TOKEN_FIELDS_SET & set(vals):
            self._qbo_token_row()   # a related field written without its row would be dropped silently
        return super().write(vals)

    def _qbo_forget_tokens(self):
        self._qbo_token_row().write({name: False for name in TOKEN_FIELDS})

    def _qbo_fresh_token_ids(self):
        """Ids of these connections whose access token is valid beyond the refresh margin."""
        soon = fields.Datetime.now() + timedelta(seconds=const.ACCESS_TOKEN_MARGIN_SECONDS)
        rows = self.env["qbo.connection.token"].sudo().search([
            ("connection_id", "in", self.ids), ("refresh_failed", "=", False),
            ("access_token_expires_at", "!=", False), ("access_token_expires_at", ">", soon)])
        return set(rows.connection_id.ids)

    @api.model
    def _qbo_token_values(self, client, now):
        values = {"access_token": client.access_token, "refresh_token": client.refresh_token,
                  "access_token_expires_at": now + timedelta(seconds=int(client.expires_in or 3600)),
                  "refresh_failed": False}
        if client.x_refresh_token_expires_in:
            values["refresh_token_expires_at"] = now + timedelta(seconds=int(client.x_refresh_token_expires_in))
        return values

    # ------------------------------------------------------------------ the access token of a call
    def _qbo_access_token(self):
        """A valid access token, refreshed first when it is about to expire."""
        self.ensure_one()
        connection = self.sudo()
        if connection.state != "connected":
            raise UserError(self._qbo_not_connected_message())
        soon = fields.Datetime.now() + timedelta(seconds=const.ACCESS_TOKEN_MARGIN_SECONDS)
        # A refresh committed by this transaction's own call is newer than its snapshot shows.
        cached = self.env.cr.cache.get("qbo_tokens", {}).get(self.id)
        if cached and cached[1] > soon:
            return cached[0]
        if connection.access_token and connection.access_token_expires_at and \
                connection.access_token_expires_at > soon:
            return connection.access_token
        return self._qbo_refresh()

    def _qbo_not_connected_message(self):
        if self.state == "expired":
            return _("The QuickBooks Online session of %s has expired. Connect again from Settings → "
                     "Integrations.", self.company_id.name)
        return _("%s is not connected to QuickBooks Online.", self.company_id.name)

    def _qbo_refresh(self, force=False, margin=const.ACCESS_TOKEN_MARGIN_SECONDS):
        """Refresh the tokens in a transaction of its own and return the access token.

        The token row's lock makes workers refresh one at a time; one that waited
        finds the token already refreshed (or, under REPEATABLE READ, fails to
        serialise and looks again) and uses it instead of spending the rotated
        refresh token a second time.
        """
        self.ensure_one()
        self._qbo_token_row()
        self.env.flush_all()
        outcome = None
        for _attempt in range(5):
            try:
                with self.env.registry.cursor() as cr:
                    outcome = self.with_env(self.env(cr=cr, su=True))._qbo_refresh_locked(force, margin)
                break
            except psycopg2.errors.SerializationFailure:
                force = False   # someone else refreshed: take theirs
                continue
            except psycopg2.errors.LockNotAvailable:
                break           # the row stayed locked (perhaps by our own caller): say so, don't hang
        self.invalidate_recordset()
        self.env["qbo.connection.token"].invalidate_model()
        if outcome is None:
            raise UserError(_("Could not refresh the QuickBooks Online connection of %s: the database was busy; "
                              "try again.", self.company_id.name))
        if isinstance(outcome, UserError):
            raise outcome
        if isinstance(outcome, qbo.QboError):
            raise UserError(self._qbo_error_message(outcome))
        token, expires_at = outcome
        self.env.cr.cache.setdefault("qbo_tokens", {})[self.id] = (token, expires_at)
        return token

    def _qbo_refresh_locked(self, force, margin):
        """Inside the refresh transaction: lock, look, refresh. Returns (token, expiry) or the error.

        Without ``force``, a token valid for more than ``margin`` seconds is kept.
        """
        with mute_logger("odoo.sql_db"):   # a serialization failure here is expected and retried
            self.env.cr.execute("SET LOCAL lock_timeout = '30s'")
            self.env.cr.execute("SELECT id FROM qbo_connection_token WHERE connection_id = %s FOR NO KEY UPDATE",
                                [self.id])
        self.invalidate_recordset()
        if self.state != "connected" or not self.refresh_token:
            return UserError(self._qbo_not_connected_message())
        soon = fields.Datetime.now() + timedelta(seconds=margin)
        if not force and self.access_token and self.access_token_expires_at and self.access_token_expires_at > soon:
            return self.access_token, self.access_token_expires_at
        Health = self.env["qbo.connection.health"]
        try:
            client = self._qbo_auth_client(refresh_token=self.refresh_token)
            client.refresh()
        except Exception as error:
            failure = error if isinstance(error, qbo.QboError) else qbo.classify_auth_error(error)
            if isinstance(failure, qbo.QboGrantError):
                self._qbo_mark_expired(failure)
            else:
                self._qbo_token_row().write({"refresh_failed": True})
                Health._qbo_note_error(self, failure.describe())
            _logger.warning("QuickBooks token refresh failed for connection %s: %s (intuit_tid %s)",
                            self.id, failure.code, failure.intuit_tid)
            return failure
        values = self._qbo_token_values(client, fields.Datetime.now())
        # The token row only: a write through the connection would touch its row too (write_date), and a worker
        # saving the connection in a transaction begun before this commit would fail to serialise.
        self._qbo_token_row().write(values)
        Health._qbo_note_success(self, force=True)
        return client.access_token, values["access_token_expires_at"]

    def _qbo_mark_expired(self, error):
        """Intuit refused the refresh token: only a new OAuth can fix it; tell the people who can."""
        self._qbo_forget_tokens()
        self.write({"state": "expired"})
        self.env["qbo.connection.health"]._qbo_note_error(self, error.describe())
        message = _("Intuit no longer accepts the QuickBooks Online connection of %s (the refresh token was "
                    "expired or revoked). Nothing is synchronised until someone connects again from Settings → "
                    "Integrations; changes made meanwhile wait in the queue.", self.company_id.name)
        self.message_post(body=message)
        self._qbo_notify_people(_("Reconnect QuickBooks Online"), message)
