import base64
import ipaddress
import json
import logging
import secrets
import time
import urllib.parse
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import config, consteq
from odoo.tools.misc import hmac as odoo_hmac

from .. import const, qbo

_logger = logging.getLogger(__name__)

MANAGERS = "account_quickbooks_online.group_qbo_manager"
# Where credentials are sent is for system administrators only (as google_gmail and payment_stripe do).
SYSTEM = "base.group_system"
ENVIRONMENTS = [("production", "Production"), ("sandbox", "Sandbox"), ("emulator", "Emulator")]
STATUSES = [
    ("not_connected", "Not connected"),
    ("connected", "Connected"),
    ("needs_refresh", "Needs refresh"),
    ("expired", "Session expired"),
]


class QboConnection(models.Model):
    """One Odoo company's link to one QuickBooks Online company (a realm): the record and its OAuth.

    The other jobs of a connection live beside it: tokens
    (qbo_connection_token.py), the one gateway every QuickBooks call goes
    through (qbo_connection_gateway.py), call outcomes and the circuit breaker
    (qbo_connection_health.py), lists and mappings (qbo_connection_lists.py).
    """

    _name = "qbo.connection"
    _description = "QuickBooks Online Connection"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "company_id"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company,
                                 index=True, ondelete="cascade", readonly=True)
    environment = fields.Selection(
        ENVIRONMENTS, default="production", required=True, tracking=True, groups=SYSTEM,
        help="Which QuickBooks Online to talk to: your live company (Production), an Intuit developer "
             "sandbox company (Sandbox), or a local emulator for demos and tests. Only system administrators "
             "can change it, since it decides where the app's credentials are sent.")
    emulator_url = fields.Char(groups=SYSTEM,
                               help="Base URL of a QuickBooks Online emulator on this machine, e.g. "
                                    "http://127.0.0.1:8765/")
    environment_label = fields.Char("QuickBooks environment", compute="_compute_environment_label",
                                    help="Where this connection's calls go. Only system administrators change it.")
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

    # ------------------------------------------------------------------ computes and checks
    @api.depends("company_id", "qbo_company_name")
    def _compute_display_name(self):
        for connection in self:
            name = connection.company_id.name or ""
            if connection.qbo_company_name:
                name = "%s ↔ %s" % (name, connection.qbo_company_name)
            connection.display_name = name

    @api.depends_context("uid")
    def _compute_environment_label(self):
        labels = dict(ENVIRONMENTS)
        for connection in self:
            record = connection.sudo()
            label = labels.get(record.environment, "")
            if record.environment == "emulator" and record.emulator_url:
                label = "%s (%s)" % (label, record.emulator_url)
            connection.environment_label = label

    @api.constrains("environment", "emulator_url")
    def _check_emulator_url(self):
        """An emulator is a stand-in on this machine: anything else would receive the app's secret."""
        for connection in self.sudo():
            if connection.environment != "emulator" or not connection.emulator_url:
                continue
            if config["test_enable"]:
                continue
            host = urllib.parse.urlsplit(connection.emulator_url).hostname or ""
            if host == "localhost":
                continue
            try:
                loopback = ipaddress.ip_address(host).is_loopback
            except ValueError:
                loopback = False
            if not loopback:
                raise ValidationError(_("The emulator URL must point at this machine (127.0.0.1, ::1 or "
                                        "localhost): the app's credentials are sent to it. %s is not.",
                                        connection.emulator_url))

    @api.depends("state")
    def _compute_status(self):
        fresh = self._qbo_fresh_token_ids()
        for connection in self:
            status = connection.state
            if status == "connected" and connection.id not in fresh:
                status = "needs_refresh"
            connection.status = status

    def _search_status(self, operator, value):
        if operator not in ("=", "!=", "in", "not in"):
            raise UserError(_("Unsupported search on the QuickBooks status."))
        wanted = {value} if isinstance(value, str) else set(value)
        if operator in ("!=", "not in"):
            wanted = {key for key, _label in STATUSES} - wanted
        fresh = list(self.sudo().search([("state", "=", "connected")])._qbo_fresh_token_ids())
        parts = []
        for status in wanted:
            if status == "connected":
                parts.append(["&", ("state", "=", "connected"), ("id", "in", fresh)])
            elif status == "needs_refresh":
                parts.append(["&", ("state", "=", "connected"), ("id", "not in", fresh)])
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
        connection = self.sudo()
        try:
            return qbo.endpoints_for(connection.environment, connection.emulator_url or "")
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

    # ------------------------------------------------------------------ connect
    def action_qbo_connect(self):
        """Open Intuit's consent page for this company, with a signed single-use state.

        The browser decides where (static/src/js/qbo_oauth_connect.js): in a pop-up when it can, whose
        callback page refreshes this tab and closes itself; otherwise (a phone, a blocked pop-up) in this
        tab, which the callback brings back to the connection form. Both links carry the same nonce, so
        only one of them can ever be used.
        """
        self.ensure_one()
        self._qbo_check_manager()
        nonce = secrets.token_urlsafe(24)
        self.sudo().oauth_nonce = nonce
        payload = {"c": self.id, "co": self.company_id.id, "u": self.env.uid, "n": nonce,
                   "exp": int(time.time()) + const.OAUTH_STATE_TTL_SECONDS}
        from intuitlib.enums import Scopes
        urls = {}
        try:
            client = self._qbo_auth_client()
            for mode in ("popup", "tab"):
                urls[mode] = client.get_authorization_url(
                    [Scopes.ACCOUNTING], state_token=self._qbo_sign_state(dict(payload, m=mode)))
        except qbo.QboError as error:
            raise UserError(_("Could not reach Intuit to start the connection: %s", error.describe()))
        return {"type": "ir.actions.client", "tag": "qbo_oauth_connect",
                "params": {"popup_url": urls["popup"], "tab_url": urls["tab"]}}

    def _qbo_form_url(self):
        """The connection's form under its menu action, so that the page has its breadcrumb."""
        self.ensure_one()
        return "/odoo/action-account_quickbooks_online.qbo_connection_action/%d" % self.id

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

    @api.model
    def _qbo_state_mode(self, state):
        """Where a state checked by ``_qbo_check_state`` was meant to come back: "popup" or "tab"."""
        body = (state or "").partition(".")[0]
        try:
            return json.loads(base64.urlsafe_b64decode(body.encode())).get("m") or "tab"
        except ValueError:
            return "tab"

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
        """Exchange the authorization code, store the tokens, read the company's facts, send what waited."""
        self.ensure_one()
        client = self._qbo_auth_client()
        try:
            client.get_bearer_token(code, realm_id=realm_id)
        except Exception as error:
            raise qbo.classify_auth_error(error)
        now = fields.Datetime.now()
        self.sudo().write(dict(self._qbo_token_values(client, now), realm_id=realm_id, state="connected",
                               connected_by_id=self.env.uid, connected_at=now))
        self.sudo()._qbo_start_documents_from()
        try:
            self._qbo_read_company_facts()
        except qbo.QboError as error:
            # Keep the tokens: the connection works, only its facts are missing until the next test.
            _logger.warning("QuickBooks company facts unreadable for connection %s: %s", self.id, error.code)
        self.message_post(body=_("Connected to QuickBooks Online company %(name)s (realm %(realm)s).",
                                 name=self.qbo_company_name, realm=realm_id))
        # Changes saved while the company was disconnected waited in the queue: send them now.
        self.env["qbo.sync.job"]._qbo_wake_processor()
        return True

    def _qbo_read_company_facts(self):
        values = self._qbo_company_facts()
        values["warning_message"] = self._qbo_mismatch_warning(values["qbo_country_code"],
                                                               values["qbo_currency_code"]) or False
        self.sudo().write(values)
        if values["warning_message"]:
            self.message_post(body=values["warning_message"])

    def _qbo_company_facts(self):
        """What QuickBooks says of the company: its name and country (CompanyInfo), home currency,
        multicurrency, automated sales tax and closing date (Preferences)."""
        api = self._qbo_api()
        info, prefs = api.company_info(self.sudo().realm_id), api.preferences()
        currency = prefs.get("CurrencyPrefs") or {}
        return {
            "qbo_company_name": info.get("CompanyName"),
            "qbo_country_code": info.get("Country") or "",
            "qbo_currency_code": (currency.get("HomeCurrency") or {}).get("value") or "",
            "qbo_multicurrency": bool(currency.get("MultiCurrencyEnabled")),
            "qbo_automated_sales_tax": bool((prefs.get("TaxPrefs") or {}).get("PartnerTaxEnabled")),
            "qbo_book_close_date": (prefs.get("AccountingInfoPrefs") or {}).get("BookCloseDate") or False,
        }

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
        try:
            info = self._qbo_api().company_info(self.sudo().realm_id)
        except UserError as error:
            return self._qbo_toast(_("QuickBooks Online test failed"), str(error), "danger")
        except qbo.QboError as error:
            return self._qbo_toast(_("QuickBooks Online test failed"), self._qbo_error_message(error), "danger")
        # The app was granted the accounting scope (read and write); the test itself only reads, and says so,
        # rather than "read access", which sounded as if the app could not write.
        return self._qbo_toast(_("QuickBooks Online works"), _(
            "QuickBooks answered for %(name)s (realm %(realm)s): Intuit accepts this connection, which may read "
            "and write the company's accounting data. The test only read the company's details; nothing was "
            "changed.", name=info.get("CompanyName"), realm=self.sudo().realm_id), "success")

    def action_qbo_disconnect(self):
        """Revoke the tokens at Intuit and forget them; keep the realm, every link and every queued change."""
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
        connection._qbo_forget_tokens()
        connection.write({"state": "not_connected"})
        self.message_post(body=_("Disconnected from QuickBooks Online by %s. Links to QuickBooks records are kept, "
                                 "and changes made meanwhile wait in the queue; connecting again to the same "
                                 "QuickBooks company sends them.", self.env.user.name))
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

    def action_qbo_open_queue(self):
        """The Sync Queue of this company: what waits, what failed."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account_quickbooks_online.qbo_sync_job_action")
        action["domain"] = [("connection_id", "=", self.id)]
        return action

    @api.model
    def _qbo_toast(self, title, message, kind):
        return {"type": "ir.actions.client", "tag": "display_notification",
                "params": {"title": title, "message": message, "type": kind, "sticky": kind == "danger",
                           "next": {"type": "ir.actions.client", "tag": "soft_reload"}}}

    # ------------------------------------------------------------------ companies
    @api.model_create_multi
    def create(self, vals_list):
        connections = super().create(vals_list)
        connections._qbo_token_row()
        return connections

    @api.model
    def _qbo_ensure_for_companies(self, companies=None):
        companies = companies if companies is not None else self.env["res.company"].sudo().search([])
        have = self.sudo().search([("company_id", "in", companies.ids)]).company_id
        for company in companies - have:
            self.sudo().create({"company_id": company.id})

    @api.model
    def _qbo_each(self, connections, work, what):
        """Run ``work(connection)`` for each company, one company's failure never stopping the others.

        Each company runs in a savepoint: what failed is rolled back, noted on
        that connection (in its own transaction, so the note survives) and the
        next company goes on.
        """
        done = 0
        for connection in connections:
            try:
                with self.env.cr.savepoint():
                    work(connection)
                done += 1
            except Exception as error:   # whatever it is, it is this company's; the others go on
                message = str(error) if isinstance(error, (UserError, qbo.QboError)) else \
                    _("%(what)s failed: %(error)s", what=what, error=repr(error))
                _logger.warning("QuickBooks %s of connection %s failed: %s", what, connection.id, message,
                                exc_info=not isinstance(error, (UserError, qbo.QboError)))
                self.env["qbo.connection.health"]._qbo_note_error(connection, message)
                self.env.invalidate_all()
        return done

    @api.model
    def _cron_qbo_refresh_tokens(self):
        """Keep access tokens fresh and warn before a refresh token runs out."""
        window = fields.Datetime.now() + timedelta(seconds=const.CRON_REFRESH_WINDOW_SECONDS)
        Token = self.env["qbo.connection.token"].sudo()
        due = Token.search([("connection_id.state", "=", "connected"), "|",
                            ("access_token_expires_at", "=", False),
                            ("access_token_expires_at", "<=", window)]).connection_id
        self._qbo_each(due, lambda connection: connection._qbo_refresh(margin=const.CRON_REFRESH_WINDOW_SECONDS),
                       "token refresh")
        warn_before = fields.Datetime.now() + timedelta(days=const.REFRESH_TOKEN_WARNING_DAYS)
        ending = Token.search([("connection_id.state", "=", "connected"),
                               ("refresh_token_expires_at", "<=", warn_before)]).connection_id
        for connection in ending:
            connection._qbo_notify_people(
                _("QuickBooks Online connection ends soon"),
                _("The QuickBooks Online connection of %(company)s ends on %(date)s unless it is renewed. Connect "
                  "again from Settings → Integrations before then.", company=connection.company_id.name,
                  date=fields.Date.to_string(connection.refresh_token_expires_at)))
