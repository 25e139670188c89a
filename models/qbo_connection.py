import base64
import json
import logging
import secrets
import time
from datetime import timedelta

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import consteq, mute_logger
from odoo.tools.misc import hmac as odoo_hmac

from .. import const, qbo

_logger = logging.getLogger(__name__)

MANAGERS = "account_quickbooks_online.group_qbo_manager"
TOKEN_FIELDS = ("access_token", "refresh_token", "oauth_nonce")
STATUSES = [
    ("not_connected", "Not connected"),
    ("connected", "Connected"),
    ("needs_refresh", "Needs refresh"),
    ("expired", "Session expired"),
]


class QboConnection(models.Model):
    _name = "qbo.connection"
    _description = "QuickBooks Online Connection"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "company_id"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company,
                                 index=True, ondelete="cascade", readonly=True)
    environment = fields.Selection(
        [("production", "Production"), ("sandbox", "Sandbox"), ("emulator", "Emulator")],
        default="production", required=True, tracking=True,
        help="Which QuickBooks Online to talk to: your live company (Production), an Intuit developer "
             "sandbox company (Sandbox), or a local emulator for demos and tests (developer mode only).")
    environment_public = fields.Selection(
        [("production", "Production"), ("sandbox", "Sandbox")], string="QuickBooks environment",
        compute="_compute_environment_public", inverse="_inverse_environment_public",
        help="Production: your live QuickBooks company. Sandbox: an Intuit developer sandbox company.")
    emulator_url = fields.Char(help="Base URL of a QuickBooks Online emulator, e.g. http://127.0.0.1:8765/")
    state = fields.Selection([("not_connected", "Not connected"), ("connected", "Connected"),
                              ("expired", "Session expired")], default="not_connected", required=True,
                             readonly=True, copy=False, tracking=True)
    status = fields.Selection(STATUSES, compute="_compute_status", search="_search_status",
                              help="Connected: ready. Needs refresh: the access token is about to expire or "
                                   "the last refresh failed for a passing reason; it is retried automatically. "
                                   "Session expired: Intuit no longer accepts this connection; connect again.")
    realm_id = fields.Char("Realm ID", readonly=True, copy=False, index=True, tracking=True,
                           help="QuickBooks' identifier of the linked company. It stays after a disconnect so "
                                "that reconnecting resumes with the same company.")
    qbo_company_name = fields.Char("QuickBooks company", readonly=True, copy=False)
    qbo_country_code = fields.Char("QuickBooks country", readonly=True, copy=False)
    qbo_currency_code = fields.Char("Home currency", readonly=True, copy=False)
    qbo_multicurrency = fields.Boolean("Multicurrency", readonly=True, copy=False)
    qbo_automated_sales_tax = fields.Boolean("US automated sales tax", readonly=True, copy=False)
    connected_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    connected_at = fields.Datetime(readonly=True, copy=False)
    access_token = fields.Char(groups=MANAGERS, copy=False)
    access_token_expires_at = fields.Datetime("Access token expiry", readonly=True, copy=False)
    refresh_token = fields.Char(groups=MANAGERS, copy=False)
    refresh_token_expires_at = fields.Datetime("Refresh token expiry", readonly=True, copy=False,
                                               help="The connection ends then unless it is used or refreshed.")
    refresh_failed = fields.Boolean(readonly=True, copy=False)
    oauth_nonce = fields.Char(groups=MANAGERS, copy=False)
    last_call_at = fields.Datetime("Last successful call", readonly=True, copy=False)
    last_error = fields.Text(readonly=True, copy=False)
    warning_message = fields.Text(readonly=True, copy=False)
    push_partners = fields.Boolean("Push customers and vendors automatically", default=True,
                                   help="Queue new and changed customers and vendors for QuickBooks as they are "
                                        "saved. When off, they go only through Sync now and the bulk actions.")
    duplicate_name_policy = fields.Selection(
        [("ask", "Offer to link (an accountant decides)"), ("link", "Link automatically")],
        string="Name already in QuickBooks", default="ask", required=True,
        help="When QuickBooks refuses a new customer or vendor because a record of the same type already has its "
             "name: either stop and offer the link in the Sync Queue, or link to that record at once (it is then "
             "not overwritten until the partner next changes in Odoo).")
    vendor_name_suffix = fields.Char(
        default=" (Vendor)",
        help="QuickBooks names are unique across customers, vendors and employees. A vendor whose name a "
             "QuickBooks customer already has is created with this suffix. Empty: stop with an error instead.")
    customer_name_suffix = fields.Char(
        default=" (Customer)",
        help="A customer whose name a QuickBooks vendor already has is created with this suffix. Empty: stop "
             "with an error instead.")
    # Matching policy: how Odoo partners and QuickBooks customers/vendors are paired, strongest first.
    match_partner_email = fields.Boolean(
        "Match partners by email", default=True,
        help="Pair a partner with the QuickBooks customer or vendor that has the same email address.")
    match_partner_name = fields.Boolean(
        "Match partners by name", default=True,
        help="Pair a partner with the QuickBooks customer or vendor whose display name is the same, ignoring case.")
    match_partner_vat = fields.Boolean(
        "Match partners by tax ID", default=True,
        help="Pair a partner with the QuickBooks customer or vendor that has the same tax ID. QuickBooks masks "
             "most tax IDs in its answers; masked ones cannot be compared and are left out.")

    _sql_constraints = [
        ("company_unique", "unique(company_id)", "A company has one QuickBooks Online connection."),
        ("realm_unique", "unique(realm_id)",
         "This QuickBooks company is already linked to another Odoo company: one QuickBooks file per company."),
    ]

    # ------------------------------------------------------------------ computes
    @api.depends("company_id", "qbo_company_name")
    def _compute_display_name(self):
        for connection in self:
            name = connection.company_id.name or ""
            if connection.qbo_company_name:
                name = "%s ↔ %s" % (name, connection.qbo_company_name)
            connection.display_name = name

    @api.depends("environment")
    def _compute_environment_public(self):
        for connection in self:
            connection.environment_public = connection.environment if connection.environment != "emulator" \
                else False

    def _inverse_environment_public(self):
        for connection in self:
            if connection.environment_public:
                connection.environment = connection.environment_public

    @api.depends("state", "access_token_expires_at", "refresh_failed")
    def _compute_status(self):
        soon = fields.Datetime.now() + timedelta(seconds=const.ACCESS_TOKEN_MARGIN_SECONDS)
        for connection in self:
            status = connection.state
            if status == "connected" and (connection.refresh_failed or not connection.access_token_expires_at
                                          or connection.access_token_expires_at <= soon):
                status = "needs_refresh"
            connection.status = status

    def _search_status(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(_("Unsupported search on the QuickBooks status."))
        wanted = {value} if isinstance(value, str) else set(value)
        if operator in ("!=", "not in"):
            wanted = {key for key, _label in STATUSES} - wanted
        soon = fields.Datetime.now() + timedelta(seconds=const.ACCESS_TOKEN_MARGIN_SECONDS)
        fresh = ["&", "&", ("refresh_failed", "=", False), ("access_token_expires_at", "!=", False),
                 ("access_token_expires_at", ">", soon)]
        parts = []
        for status in wanted:
            if status == "connected":
                parts.append(["&", ("state", "=", "connected")] + fresh)
            elif status == "needs_refresh":
                parts.append(["&", ("state", "=", "connected"), "!"] + fresh)
            else:
                parts.append([("state", "=", status)])
        if not parts:
            return [("id", "=", False)]
        return ["|"] * (len(parts) - 1) + [term for part in parts for term in part]

    # ------------------------------------------------------------------ helpers
    def _qbo_check_manager(self):
        """Buttons run with sudo inside; check here who clicked, and on which company."""
        if not self.env.user.has_group(MANAGERS):
            raise AccessError(_("Only QuickBooks Online managers can change the connection."))
        self.check_access("write")

    def _qbo_endpoints(self):
        self.ensure_one()
        try:
            return qbo.endpoints_for(self.environment, self.emulator_url or "")
        except ValueError:
            raise UserError(_("Set the emulator URL of the %(company)s connection, or choose Production or "
                              "Sandbox.", company=self.company_id.name))

    def _qbo_app_credentials(self):
        params = self.env["ir.config_parameter"].sudo()
        client_id = params.get_param(const.CONFIG_CLIENT_ID)
        secret = params.get_param(const.CONFIG_CLIENT_SECRET)
        if not client_id or not secret:
            raise UserError(_("Enter the QuickBooks Online app's Client ID and Client Secret in Settings → "
                              "Integrations first (from your app on developer.intuit.com)."))
        return client_id, secret

    def _qbo_redirect_uri(self):
        return self.get_base_url() + const.CALLBACK_PATH

    def _qbo_auth_client(self, **tokens):
        client_id, secret = self._qbo_app_credentials()
        try:
            return qbo.auth_client(self._qbo_endpoints(), client_id, secret, self._qbo_redirect_uri(),
                                   timeout=const.HTTP_TIMEOUT, **tokens)
        except Exception as error:  # the discovery document could not be fetched
            raise qbo.classify_auth_error(error) if not isinstance(error, qbo.QboError) else error

    def _qbo_note_status(self, values):
        """Record the last call's outcome (last call, last error), best effort.

        Many workers call at once; one that finds the row being written, or just
        written, by another lets that note stand instead of failing its own call.
        """
        self.ensure_one()
        try:
            with self.env.registry.cursor() as cr:
                cr.execute("SELECT id FROM qbo_connection WHERE id = %s FOR NO KEY UPDATE SKIP LOCKED", [self.id],
                           log_exceptions=False)
                if cr.fetchone():
                    self.with_env(self.env(cr=cr, su=True)).write(values)
        except psycopg2.errors.SerializationFailure:
            _logger.debug("QuickBooks connection %s: status noted by another worker meanwhile", self.id)
        self.invalidate_recordset(list(values))

    # ------------------------------------------------------------------ connect
    def action_qbo_connect(self):
        """Open Intuit's consent page for this company, with a signed single-use state."""
        self.ensure_one()
        self._qbo_check_manager()
        nonce = secrets.token_urlsafe(24)
        self.sudo().oauth_nonce = nonce
        state = self._qbo_sign_state({"c": self.id, "co": self.company_id.id, "u": self.env.uid, "n": nonce,
                                      "exp": int(time.time()) + const.OAUTH_STATE_TTL_SECONDS})
        from intuitlib.enums import Scopes
        try:
            url = self._qbo_auth_client().get_authorization_url([Scopes.ACCOUNTING], state_token=state)
        except qbo.QboError as error:
            raise UserError(_("Could not reach Intuit to start the connection: %s", error.describe()))
        return {"type": "ir.actions.act_url", "url": url, "target": "new"}

    def _qbo_sign_state(self, payload):
        body = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()
        signature = odoo_hmac(self.env(su=True), "qbo_oauth_state", body)
        return "%s.%s" % (body, signature)

    @api.model
    def _qbo_check_state(self, state):
        """The connection a callback's ``state`` designates, or a UserError saying why not.

        The state must be signed with this database's secret, unexpired, issued to
        the current user for a company they may access, and the latest one issued
        for that connection (which also makes it single-use).
        """
        body, _sep, signature = (state or "").partition(".")
        if not body or not signature or not consteq(
                signature, odoo_hmac(self.env(su=True), "qbo_oauth_state", body)):
            raise UserError(_("This QuickBooks connection link is not valid. Start again from the Connect button."))
        payload = json.loads(base64.urlsafe_b64decode(body.encode()))
        if payload.get("exp", 0) < time.time():
            raise UserError(_("This QuickBooks connection link has expired. Start again from the Connect button."))
        if payload.get("u") != self.env.uid:
            raise UserError(_("This QuickBooks connection link was started by another user."))
        connection = self.browse(payload.get("c")).exists()
        if not connection or connection.company_id.id != payload.get("co") or \
                connection.company_id not in self.env.user.company_ids:
            raise UserError(_("This QuickBooks connection link is for a company you cannot access."))
        stored = connection.sudo().oauth_nonce
        if not stored or not consteq(stored, payload.get("n", "")):
            raise UserError(_("This QuickBooks connection link was already used. Start again from the Connect "
                              "button."))
        connection.sudo().oauth_nonce = False
        return connection

    def _qbo_check_realm(self, realm_id):
        self.ensure_one()
        other = self.sudo().with_context(active_test=False).search(
            [("realm_id", "=", realm_id), ("id", "!=", self.id)], limit=1)
        if other:
            raise UserError(_("This QuickBooks company is already linked to the Odoo company %(company)s. "
                              "One QuickBooks file per company: disconnect it there first.",
                              company=other.company_id.name))
        if self.realm_id and self.realm_id != realm_id:
            raise UserError(_("This connection belongs to the QuickBooks company %(name)s (realm %(realm)s). "
                              "To link another QuickBooks company, reset the connection's links first.",
                              name=self.qbo_company_name or "", realm=self.realm_id))

    def _qbo_complete_oauth(self, code, realm_id):
        """Exchange the authorization code, store the tokens, read the company's facts."""
        self.ensure_one()
        client = self._qbo_auth_client()
        try:
            client.get_bearer_token(code, realm_id=realm_id)
        except Exception as error:
            raise qbo.classify_auth_error(error)
        now = fields.Datetime.now()
        self.sudo().write(dict(self._qbo_token_values(client, now), realm_id=realm_id, state="connected",
                               connected_by_id=self.env.uid, connected_at=now, last_error=False))
        try:
            self._qbo_read_company_facts(client.access_token)
        except qbo.QboError as error:
            # Keep the tokens: the connection works, only its facts are missing until the next test.
            self.sudo().last_error = error.describe()
            _logger.warning("QuickBooks company facts unreadable for connection %s: %s", self.id, error.code)
        self.message_post(body=_("Connected to QuickBooks Online company %(name)s (realm %(realm)s).",
                                 name=self.qbo_company_name, realm=realm_id))
        return True

    @api.model
    def _qbo_token_values(self, client, now):
        values = {"access_token": client.access_token, "refresh_token": client.refresh_token,
                  "access_token_expires_at": now + timedelta(seconds=int(client.expires_in or 3600)),
                  "refresh_failed": False}
        if client.x_refresh_token_expires_in:
            values["refresh_token_expires_at"] = now + timedelta(seconds=int(client.x_refresh_token_expires_in))
        return values

    def _qbo_read_company_facts(self, access_token):
        from quickbooks.objects import CompanyInfo, Preferences
        client = qbo.api_client(self._qbo_endpoints(), self.realm_id, access_token, timeout=const.HTTP_TIMEOUT)
        try:
            info = CompanyInfo.get(self.realm_id, qb=client)
            prefs = Preferences.get(qb=client)
        except Exception as error:
            raise qbo.classify_api_error(error, client.session.last_status, client.session.last_intuit_tid)
        currency = prefs.CurrencyPrefs.HomeCurrency.value if prefs.CurrencyPrefs and \
            prefs.CurrencyPrefs.HomeCurrency else ""
        country = getattr(info, "Country", "") or ""
        values = {
            "qbo_company_name": info.CompanyName, "qbo_country_code": country, "qbo_currency_code": currency,
            "qbo_multicurrency": bool(prefs.CurrencyPrefs and prefs.CurrencyPrefs.MultiCurrencyEnabled),
            "qbo_automated_sales_tax": bool(prefs.TaxPrefs and getattr(prefs.TaxPrefs, "PartnerTaxEnabled", False)),
            "qbo_book_close_date": getattr(prefs.AccountingInfoPrefs, "BookCloseDate", None) or False,
            "last_call_at": fields.Datetime.now(),
        }
        values["warning_message"] = self._qbo_mismatch_warning(country, currency) or False
        self.sudo().write(values)
        if values["warning_message"]:
            self.message_post(body=values["warning_message"])

    def _qbo_mismatch_warning(self, country, currency):
        company = self.company_id
        problems = []
        odoo_country = (company.country_id.code or "").upper()
        qbo_country = {"GB": "GB", "UK": "GB"}.get(country.upper(), country.upper())
        if odoo_country and qbo_country and odoo_country != qbo_country:
            problems.append(_("the QuickBooks company is in %(qbo)s but %(company)s is in %(odoo)s",
                              qbo=qbo_country, company=company.name, odoo=odoo_country))
        if currency and company.currency_id.name != currency:
            problems.append(_("QuickBooks keeps its books in %(qbo)s but %(company)s in %(odoo)s",
                              qbo=currency, company=company.name, odoo=company.currency_id.name))
        if not problems:
            return ""
        return _("Check that this is the right QuickBooks company: %s. Amounts would be converted and taxes may "
                 "not match.", "; ".join(problems))

    # ------------------------------------------------------------------ tokens
    def _qbo_access_token(self):
        """A valid access token, refreshed first when it is about to expire."""
        self.ensure_one()
        connection = self.sudo()
        if connection.state != "connected":
            raise UserError(self._qbo_not_connected_message())
        soon = fields.Datetime.now() + timedelta(seconds=const.ACCESS_TOKEN_MARGIN_SECONDS)
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

        The row lock makes workers refresh one at a time; one that waited finds
        the token already refreshed (or, under REPEATABLE READ, fails to
        serialise and looks again) and uses it instead of spending the rotated
        refresh token a second time.
        """
        self.ensure_one()
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
        if outcome is None:
            raise UserError(_("Could not refresh the QuickBooks Online connection of %s: the database was busy; "
                              "try again.", self.company_id.name))
        if isinstance(outcome, UserError):
            raise outcome
        if isinstance(outcome, qbo.QboError):
            raise UserError(self._qbo_error_message(outcome))
        return outcome

    def _qbo_refresh_locked(self, force, margin):
        """Inside the refresh transaction: lock, look, refresh. Returns a token or the error.

        Without ``force``, a token valid for more than ``margin`` seconds is kept.
        """
        with mute_logger("odoo.sql_db"):   # a serialization failure here is expected and retried
            self.env.cr.execute("SET LOCAL lock_timeout = '30s'")
            self.env.cr.execute("SELECT id FROM qbo_connection WHERE id = %s FOR NO KEY UPDATE", [self.id])
        self.invalidate_recordset()
        if self.state != "connected" or not self.refresh_token:
            return UserError(self._qbo_not_connected_message())
        soon = fields.Datetime.now() + timedelta(seconds=margin)
        if not force and self.access_token and self.access_token_expires_at and self.access_token_expires_at > soon:
            return self.access_token
        try:
            client = self._qbo_auth_client(refresh_token=self.refresh_token)
            client.refresh()
        except Exception as error:
            failure = error if isinstance(error, qbo.QboError) else qbo.classify_auth_error(error)
            if isinstance(failure, qbo.QboGrantError):
                self._qbo_mark_expired(failure)
            else:
                self.write({"refresh_failed": True, "last_error": failure.describe()})
            _logger.warning("QuickBooks token refresh failed for connection %s: %s (intuit_tid %s)",
                            self.id, failure.code, failure.intuit_tid)
            return failure
        self.write(dict(self._qbo_token_values(client, fields.Datetime.now()), last_error=False))
        return client.access_token

    def _qbo_mark_expired(self, error):
        """Intuit refused the refresh token: only a new OAuth can fix it; tell the people who can."""
        self.write({"state": "expired", "access_token": False, "refresh_token": False,
                    "access_token_expires_at": False, "refresh_failed": False, "last_error": error.describe()})
        message = _("Intuit no longer accepts the QuickBooks Online connection of %s (the refresh token was "
                    "expired or revoked). Nothing is synchronised until someone connects again from Settings → "
                    "Integrations.", self.company_id.name)
        self.message_post(body=message)
        self._qbo_notify_people(_("Reconnect QuickBooks Online"), message)

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

    # ------------------------------------------------------------------ the API choke point
    def _qbo_call(self, operation, batch=False):
        """Run ``operation(qb)`` against this company's QuickBooks with a valid token.

        Each call first takes its place in the company's shared rate limit (a batch
        call counts against both limits) and holds one of its concurrent-call slots. A 401 gets one forced refresh and one
        retry; every failure comes back as a QboError carrying Intuit's code,
        detail and intuit_tid.
        """
        self.ensure_one()
        token = self._qbo_access_token()
        buckets = self.env["qbo.rate.bucket"].sudo()
        for attempt in (1, 2):
            buckets._qbo_acquire(self.sudo().realm_id, ("request", "batch") if batch else ("request",))
            client = qbo.api_client(self._qbo_endpoints(), self.sudo().realm_id, token,
                                    timeout=self._qbo_http_timeout())
            try:
                with buckets._qbo_slot(self.sudo().realm_id):
                    result = operation(client)
            except Exception as error:
                failure = qbo.classify_api_error(error, client.session.last_status, client.session.last_intuit_tid)
                _logger.info("QuickBooks call failed for connection %s: %s %s (intuit_tid %s)", self.id,
                             failure.status, failure.code, failure.intuit_tid)
                if isinstance(failure, qbo.QboAuthError) and attempt == 1:
                    token = self._qbo_refresh(force=True)
                    continue
                if isinstance(failure, qbo.QboThrottled):
                    buckets._qbo_pause(self.sudo().realm_id)
                self._qbo_note_status({"last_error": failure.describe()})
                raise failure
            self._qbo_note_success()
            return result

    @api.model
    def _qbo_http_timeout(self):
        """Seconds to wait for an answer; a system parameter so tests can simulate a slow Intuit."""
        value = self.env["ir.config_parameter"].sudo().get_param("account_quickbooks_online.http_timeout")
        return float(value) if value else const.HTTP_TIMEOUT

    def _qbo_note_success(self):
        now = fields.Datetime.now()
        last = self.last_call_at
        if not last or (now - last).total_seconds() > 60 or self.last_error:
            self._qbo_note_status({"last_call_at": now, "last_error": False})

    @api.model
    def _qbo_error_message(self, error):
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

    # ------------------------------------------------------------------ buttons
    def action_qbo_refresh(self):
        self.ensure_one()
        self._qbo_check_manager()
        self._qbo_refresh(force=True)
        return self._qbo_toast(_("Tokens refreshed"), _("The QuickBooks Online connection of %s has fresh tokens.",
                                                         self.company_id.name), "success")

    def action_qbo_test(self):
        """A read-only call that proves credentials, scopes and company."""
        self.ensure_one()
        self.check_access("read")
        from quickbooks.objects import CompanyInfo
        try:
            info = self._qbo_call(lambda client: CompanyInfo.get(self.sudo().realm_id, qb=client))
        except qbo.QboError as error:
            return self._qbo_toast(_("QuickBooks Online test failed"), self._qbo_error_message(error), "danger")
        return self._qbo_toast(_("QuickBooks Online works"), _(
            "Connected to %(name)s (realm %(realm)s) with read access.", name=info.CompanyName,
            realm=self.sudo().realm_id), "success")

    def action_qbo_disconnect(self):
        """Revoke the tokens at Intuit and forget them; keep the realm and every link."""
        self.ensure_one()
        self._qbo_check_manager()
        connection = self.sudo()
        revoked = True
        token = connection.refresh_token or connection.access_token
        if token:
            try:
                self._qbo_auth_client().revoke(token=token)
            except Exception as error:
                failure = error if isinstance(error, qbo.QboError) else qbo.classify_auth_error(error)
                revoked = isinstance(failure, qbo.QboGrantError)
                _logger.warning("QuickBooks revoke failed for connection %s: %s", self.id, failure.code)
        connection.write({"state": "not_connected", "access_token": False, "refresh_token": False,
                          "access_token_expires_at": False, "refresh_token_expires_at": False,
                          "refresh_failed": False, "oauth_nonce": False})
        self.message_post(body=_("Disconnected from QuickBooks Online by %s. Links to QuickBooks records are kept; "
                                 "connecting again to the same QuickBooks company resumes them.", self.env.user.name))
        if revoked:
            return self._qbo_toast(_("Disconnected"), _("The tokens were revoked at Intuit."), "success")
        return self._qbo_toast(_("Disconnected here"), _(
            "Intuit could not be reached to revoke the tokens; they were forgotten here. You can also remove the app "
            "from the QuickBooks company's Apps page."), "warning")

    def action_qbo_reset_links(self):
        self.ensure_one()
        self._qbo_check_manager()
        return {
            "type": "ir.actions.act_window", "res_model": "qbo.connection.reset", "view_mode": "form",
            "target": "new", "name": _("Reset QuickBooks links"), "context": {"default_connection_id": self.id},
        }

    @api.model
    def _qbo_toast(self, title, message, kind):
        return {"type": "ir.actions.client", "tag": "display_notification",
                "params": {"title": title, "message": message, "type": kind, "sticky": kind == "danger",
                           "next": {"type": "ir.actions.client", "tag": "soft_reload"}}}

    # ------------------------------------------------------------------ cron
    @api.model
    def _cron_qbo_refresh_tokens(self):
        """Keep access tokens fresh and warn before a refresh token runs out."""
        window = fields.Datetime.now() + timedelta(seconds=const.CRON_REFRESH_WINDOW_SECONDS)
        due = self.sudo().search([("state", "=", "connected"), "|", ("access_token_expires_at", "=", False),
                                  ("access_token_expires_at", "<=", window)])
        for connection in due:
            try:
                connection._qbo_refresh(margin=const.CRON_REFRESH_WINDOW_SECONDS)
            except UserError as error:
                _logger.info("QuickBooks cron refresh of connection %s: %s", connection.id, error)
        warn_before = fields.Datetime.now() + timedelta(days=const.REFRESH_TOKEN_WARNING_DAYS)
        for connection in self.sudo().search([("state", "=", "connected"),
                                              ("refresh_token_expires_at", "<=", warn_before)]):
            connection._qbo_notify_people(
                _("QuickBooks Online connection ends soon"),
                _("The QuickBooks Online connection of %(company)s ends on %(date)s unless it is renewed. Connect "
                  "again from Settings → Integrations before then.", company=connection.company_id.name,
                  date=fields.Date.to_string(connection.refresh_token_expires_at)))

    # ------------------------------------------------------------------ companies
    @api.model
    def _qbo_ensure_for_companies(self, companies=None):
        companies = companies if companies is not None else self.env["res.company"].sudo().search([])
        have = self.sudo().search([("company_id", "in", companies.ids)]).company_id
        for company in companies - have:
            self.sudo().create({"company_id": company.id})

    # ------------------------------------------------------------------ lists and mappings
    # (fields and helpers of the lists cache and the account, journal, tax and term mappings;
    #  the work itself lives in qbo_list_item.py and the qbo_*_mapping.py models)
    qbo_book_close_date = fields.Date(
        "Books closed until", readonly=True, copy=False,
        help="QuickBooks refuses to create or change transactions dated on or before this day.")
    qbo_lists_updated_at = fields.Datetime("Lists read at", readonly=True, copy=False)
    push_products = fields.Boolean(
        "Push products automatically", default=False,
        help="Queue new and changed products for QuickBooks as Items as they are saved. Map the income and "
             "expense accounts first: a product whose account has no QuickBooks account fails with its name.")
    qbo_list_item_count = fields.Integer("QuickBooks lists", compute="_compute_qbo_mapping_counts")
    qbo_account_mapped_count = fields.Integer("Accounts mapped", compute="_compute_qbo_mapping_counts")
    qbo_account_ambiguous_count = fields.Integer("Accounts ambiguous", compute="_compute_qbo_mapping_counts")
    qbo_account_missing_count = fields.Integer("Accounts missing", compute="_compute_qbo_mapping_counts")
    qbo_tax_unmapped_count = fields.Integer("Taxes to map", compute="_compute_qbo_mapping_counts")
    qbo_journal_unmapped_count = fields.Integer("Journals to map", compute="_compute_qbo_mapping_counts")
    qbo_term_unmapped_count = fields.Integer("Terms to map", compute="_compute_qbo_mapping_counts")

    def _compute_qbo_mapping_counts(self):
        def counts(model):
            groups = self.env[model]._read_group([("connection_id", "in", self.ids)],
                                                 ["connection_id", "state"], ["__count"])
            return {(connection.id, state): count for connection, state, count in groups}
        accounts = counts("qbo.account.mapping")
        taxes, journals, terms = counts("qbo.tax.mapping"), counts("qbo.journal.mapping"), counts("qbo.term.mapping")
        items = dict((connection.id, count) for connection, count in self.env["qbo.list.item"]._read_group(
            [("connection_id", "in", self.ids)], ["connection_id"], ["__count"]))
        for connection in self:
            key = connection.id
            connection.qbo_list_item_count = items.get(key, 0)
            connection.qbo_account_mapped_count = accounts.get((key, "mapped"), 0)
            connection.qbo_account_ambiguous_count = accounts.get((key, "ambiguous"), 0)
            connection.qbo_account_missing_count = accounts.get((key, "missing"), 0)
            connection.qbo_tax_unmapped_count = sum(taxes.get((key, s), 0) for s in ("ambiguous", "missing"))
            connection.qbo_journal_unmapped_count = sum(journals.get((key, s), 0) for s in ("ambiguous", "missing"))
            connection.qbo_term_unmapped_count = sum(terms.get((key, s), 0) for s in ("ambiguous", "missing"))

    def _qbo_is_us(self):
        """US companies use the TAX/NON line codes; everyone else real tax codes per line."""
        self.ensure_one()
        return (self.qbo_country_code or self.company_id.country_id.code or "").upper() in ("US", "USA")

    def _qbo_update_preferences(self):
        """Country (CompanyInfo), home currency, multicurrency, automated sales tax and the closing date
        (Preferences)."""
        self.ensure_one()
        answer = self._qbo_call(lambda client: client.get(
            "%s/company/%s/preferences" % (client.api_url, client.company_id)))
        prefs = answer.get("Preferences") or {}
        currency = (prefs.get("CurrencyPrefs") or {})
        realm = self.sudo().realm_id
        info = self._qbo_call(lambda client: client.get(
            "%s/company/%s/companyinfo/%s" % (client.api_url, client.company_id, realm))).get("CompanyInfo") or {}
        values = {
            "qbo_country_code": info.get("Country") or self.qbo_country_code,
            "qbo_currency_code": (currency.get("HomeCurrency") or {}).get("value") or self.qbo_currency_code,
            "qbo_multicurrency": bool(currency.get("MultiCurrencyEnabled")),
            "qbo_automated_sales_tax": bool((prefs.get("TaxPrefs") or {}).get("PartnerTaxEnabled")),
            "qbo_book_close_date": (prefs.get("AccountingInfoPrefs") or {}).get("BookCloseDate") or False,
        }
        changed = {key: value for key, value in values.items()
                   if (self[key] if key != "qbo_book_close_date" else fields.Date.to_string(self[key]))
                   != value}
        if changed:
            self.sudo().write(changed)

    def action_qbo_update_lists(self):
        """Read accounts, taxes, terms, payment methods, classes, locations, currencies and preferences."""
        self.ensure_one()
        self._qbo_check_manager()
        totals = self.env["qbo.list.item"].sudo()._qbo_update_lists(self)
        return self._qbo_toast(_("QuickBooks lists read"), _(
            "%(created)s new, %(updated)s changed and %(archived)s archived list entries.", **totals), "success")

    def action_qbo_propose_mappings(self):
        """Propose QuickBooks accounts, taxes, terms and deposit accounts for everything not mapped by hand."""
        self.ensure_one()
        self._qbo_check_manager()
        if not self.env["qbo.list.item"].sudo().search_count([("connection_id", "=", self.id)]):
            self.env["qbo.list.item"].sudo()._qbo_update_lists(self)
        self.env["qbo.account.mapping"].sudo()._qbo_propose(self)
        self.env["qbo.journal.mapping"].sudo()._qbo_propose(self)
        self.env["qbo.tax.mapping"].sudo()._qbo_propose(self)
        self.env["qbo.term.mapping"].sudo()._qbo_propose(self)
        self.invalidate_recordset()
        return self._qbo_toast(_("Mappings proposed"), _(
            "Accounts: %(mapped)s mapped, %(ambiguous)s ambiguous, %(missing)s missing. Check the ambiguous and "
            "missing ones in the account mapping.", mapped=self.qbo_account_mapped_count,
            ambiguous=self.qbo_account_ambiguous_count, missing=self.qbo_account_missing_count), "success")

    def _qbo_open_mapping(self, model, name, extra_context=None):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": model, "name": name, "view_mode": "list",
                "domain": [("connection_id", "=", self.id)],
                "context": dict({"default_connection_id": self.id}, **(extra_context or {}))}

    def action_qbo_open_lists(self):
        action = self._qbo_open_mapping("qbo.list.item", _("QuickBooks lists"))
        action["context"]["search_default_group_list_type"] = 1
        return action

    def action_qbo_open_account_mapping(self):
        return self._qbo_open_mapping("qbo.account.mapping", _("Account mapping"))

    def action_qbo_open_tax_mapping(self):
        return self._qbo_open_mapping("qbo.tax.mapping", _("Tax mapping"))

    def action_qbo_open_journal_mapping(self):
        return self._qbo_open_mapping("qbo.journal.mapping", _("Journal mapping"))

    def action_qbo_open_term_mapping(self):
        return self._qbo_open_mapping("qbo.term.mapping", _("Payment term mapping"))

    def _qbo_forget_lists(self):
        """Another QuickBooks company will be linked: its lists and the mappings to them mean nothing there."""
        for model in ("qbo.account.mapping", "qbo.journal.mapping", "qbo.tax.mapping", "qbo.term.mapping",
                      "qbo.list.item"):
            self.env[model].sudo().with_context(active_test=False).search([("connection_id", "in", self.ids)]).unlink()
        self.write({"qbo_book_close_date": False, "qbo_lists_updated_at": False})

    @api.model
    def _cron_qbo_update_lists(self):
        """Daily: refresh every connected company's lists, one company's failure not stopping the others."""
        for connection in self.sudo().search([("state", "=", "connected")]):
            try:
                self.env["qbo.list.item"].sudo()._qbo_update_lists(connection)
            except UserError as error:
                _logger.info("QuickBooks lists of connection %s not updated: %s", connection.id, error)

    # Public helpers for the documents' payloads ---------------------------------------------
    def _qbo_account_ref(self, account):
        """``{"value", "name"}`` of the QuickBooks account mapped to ``account``, or a UserError saying where
        to map it."""
        return self.env["qbo.account.mapping"].sudo()._qbo_ref(self, account)

    def _qbo_deposit_account_ref(self, journal):
        """The QuickBooks Bank / Other Current Asset account payments of ``journal`` are deposited to."""
        return self.env["qbo.journal.mapping"].sudo()._qbo_deposit_ref(self, journal)

    def _qbo_payment_method_ref(self, journal):
        """The QuickBooks payment method of ``journal``'s payments, or None."""
        return self.env["qbo.journal.mapping"].sudo()._qbo_method_ref(self, journal)

    def _qbo_tax_code_ref(self, tax):
        """A line's TaxCodeRef: the mapped TaxCode outside the US, ``TAX`` / ``NON`` in the US."""
        return self.env["qbo.tax.mapping"].sudo()._qbo_line_ref(self, tax)

    def _qbo_txn_tax_code_ref(self, taxes):
        """US without automated sales tax: the TxnTaxCodeRef of a document with ``taxes``, or None."""
        return self.env["qbo.tax.mapping"].sudo()._qbo_txn_ref(self, taxes)

    def _qbo_check_tax_mapping(self, taxes):
        """Raise a UserError naming every one of ``taxes`` without a usable mapping."""
        return self.env["qbo.tax.mapping"].sudo()._qbo_check(self, taxes)

    def _qbo_term_ref(self, term):
        """The QuickBooks Term mapped to the Odoo payment term ``term``, or None."""
        return self.env["qbo.term.mapping"].sudo()._qbo_term_ref(self, term)

    def _qbo_payment_term_from_ref(self, ref):
        """The Odoo payment term for a QuickBooks SalesTermRef / TermRef, or an empty recordset."""
        return self.env["qbo.term.mapping"].sudo()._qbo_term_from_ref(self, ref).with_env(self.env)

    def _qbo_tax_mode(self):
        """global: a TaxCode per line; us_ast: TAX/NON, QuickBooks computes; us_manual: TAX/NON plus a
        TxnTaxCodeRef per document."""
        self.ensure_one()
        if not self._qbo_is_us():
            return "global"
        return "us_ast" if self.qbo_automated_sales_tax else "us_manual"
