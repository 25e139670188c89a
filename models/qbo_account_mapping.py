import json
import uuid

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .. import qbo
from .qbo_mapping_mixin import KEPT_METHODS

BATCH_SIZE = 30
# Odoo account type → the QuickBooks AccountType (and, where it narrows things, AccountSubType) it matches,
# and the AccountType / AccountSubType an account of that type is created with.
QBO_TYPE_OF = {
    "asset_receivable": ("Accounts Receivable", None, "AccountsReceivable"),
    "asset_cash": ("Bank", None, "Checking"),
    "asset_current": ("Other Current Asset", None, "OtherCurrentAssets"),
    "asset_non_current": ("Other Asset", None, "OtherLongTermAssets"),
    "asset_prepayments": ("Other Current Asset", "PrepaidExpenses", "PrepaidExpenses"),
    "asset_fixed": ("Fixed Asset", None, "OtherFixedAssets"),
    "liability_payable": ("Accounts Payable", None, "AccountsPayable"),
    "liability_credit_card": ("Credit Card", None, "CreditCard"),
    "liability_current": ("Other Current Liability", None, "OtherCurrentLiabilities"),
    "liability_non_current": ("Long Term Liability", None, "OtherLongTermLiabilities"),
    "equity": ("Equity", None, "OwnersEquity"),
    "equity_unaffected": ("Equity", "RetainedEarnings", "RetainedEarnings"),
    "income": ("Income", None, "OtherPrimaryIncome"),
    "income_other": ("Other Income", None, "OtherMiscellaneousIncome"),
    "expense": ("Expense", None, "OtherMiscellaneousServiceCost"),
    "expense_depreciation": ("Other Expense", "Depreciation", "Depreciation"),
    "expense_direct_cost": ("Cost of Goods Sold", None, "SuppliesMaterialsCogs"),
}
# Only these QuickBooks account types may carry a foreign currency.
FOREIGN_CURRENCY_TYPES = {"Bank", "Credit Card", "Accounts Receivable", "Accounts Payable"}


def qbo_account_name(name):
    # QuickBooks refuses a colon or a double quote in an account name and caps it at 100 characters.
    return (name or "").replace(":", "-").replace('"', "'").strip()[:100]


class QboAccountMapping(models.Model):
    """Which QuickBooks account each Odoo account of the company posts to."""

    _name = "qbo.account.mapping"
    _inherit = ["qbo.mapping.mixin"]
    _description = "QuickBooks Online account mapping"
    _order = "account_code, id"

    account_id = fields.Many2one("account.account", "Odoo account", required=True, ondelete="cascade", index=True)
    account_code = fields.Char("Code", readonly=True, help="The Odoo account's code, as of the last proposal.")
    account_type = fields.Selection(related="account_id.account_type", string="Odoo type")
    qbo_account_id = fields.Many2one(
        "qbo.list.item", "QuickBooks account", ondelete="restrict", index=True,
        domain="[('connection_id', '=', connection_id), ('list_type', '=', 'account')]",
        help="The QuickBooks account this Odoo account's amounts go to. Several Odoo accounts may share one.")
    qbo_account_type = fields.Char(related="qbo_account_id.account_type", string="QuickBooks type")
    error_message = fields.Char("Last error", readonly=True,
                                help="Why QuickBooks refused to create this account the last time.")

    _sql_constraints = [("account_unique", "unique(connection_id, account_id)",
                         "This Odoo account already has a mapping for this QuickBooks company.")]

    @api.depends("qbo_account_id", "candidate_count")
    def _compute_state(self):
        return super()._compute_state()

    def _qbo_is_mapped(self):
        return bool(self.qbo_account_id)

    @api.model
    def _qbo_target_fields(self):
        return {"qbo_account_id"}

    # ------------------------------------------------------------------ proposals
    @api.model
    def _qbo_company_accounts(self, connection):
        Account = self.env["account.account"].with_company(connection.company_id)
        return Account.search(Account._check_company_domain(connection.company_id))

    @api.model
    def _qbo_propose(self, connection):
        """Propose a QuickBooks account for every Odoo account: by code, then exact name, then type."""
        accounts = self._qbo_company_accounts(connection)
        rows = self._qbo_rows(connection, "account_id", accounts)
        qbo_accounts = self.env["qbo.list.item"].search([("connection_id", "=", connection.id),
                                                         ("list_type", "=", "account"), ("active", "=", True)])
        by_num, by_name, by_type = {}, {}, {}
        for qbo_account in qbo_accounts:
            if qbo_account.acct_num:
                by_num.setdefault(qbo_account.acct_num.strip(), []).append(qbo_account)
            by_name.setdefault(qbo_account.name.strip().casefold(), []).append(qbo_account)
            by_type.setdefault(qbo_account.account_type, []).append(qbo_account)
        home = connection.qbo_currency_code or connection.company_id.currency_id.name
        for row in rows:
            account = row.account_id.with_company(connection.company_id)
            values = {"account_code": account.code} if row.account_code != account.code else {}
            if not (row.method in KEPT_METHODS and row.qbo_account_id):
                values.update(self._qbo_proposal(account, by_num, by_name, by_type, home))
            if values:
                row.with_context(qbo_proposal=True).write(values)
        return rows

    @api.model
    def _qbo_proposal(self, account, by_num, by_name, by_type, home):
        """Values proposing a QuickBooks account for ``account``; a code or name shared by several
        QuickBooks accounts stops there as ambiguous rather than guessing by type."""
        code = (account.code or "").strip()
        found = by_num.get(code) if code else None
        if found:
            pick = self._qbo_pick(found, "code", _("Several QuickBooks accounts have the number %s.", code))
        else:
            found = by_name.get((account.name or "").strip().casefold())
            pick = found and self._qbo_pick(found, "name", _("Several QuickBooks accounts are called %s.",
                                                             account.name))
        if not found:
            qbo_type, sub_type, _create_sub = QBO_TYPE_OF.get(account.account_type, (None, None, None))
            currency = account.currency_id.name or home
            typed = [candidate for candidate in by_type.get(qbo_type, [])
                     if (not sub_type or candidate.account_sub_type == sub_type)
                     and (candidate.currency_code or home) == currency]
            if not qbo_type:
                note = _("Odoo's type %s has no QuickBooks counterpart: pick an account.", account.account_type)
            elif typed:
                note = _("%(count)s QuickBooks accounts of type %(type)s: pick one.", count=len(typed),
                         type=qbo_type)
            else:
                note = _("No QuickBooks account of type %s: pick one or create it in QuickBooks.", qbo_type)
            pick = self._qbo_pick(typed, "type", note)
        target, method, count, note = pick
        return {"qbo_account_id": target.id if target else False, "method": method,
                "candidate_count": count, "note": note, "error_message": False}

    # ------------------------------------------------------------------ creating in QuickBooks
    def _qbo_account_payload(self):
        self.ensure_one()
        connection = self.connection_id
        account = self.account_id.with_company(connection.company_id)
        qbo_type, _sub, sub_type = QBO_TYPE_OF.get(account.account_type, (None, None, None))
        if not qbo_type:
            raise UserError(_("The Odoo account %(account)s (type %(type)s) has no QuickBooks account type; map it "
                              "by hand.", account=account.display_name, type=account.account_type))
        payload = {"Name": qbo_account_name(account.name), "AccountType": qbo_type, "AccountSubType": sub_type}
        limit = 20 if (connection.qbo_country_code or "").upper() in ("AU", "CA") else 7
        if account.code and len(account.code) <= limit:
            payload["AcctNum"] = account.code
        home = connection.qbo_currency_code or connection.company_id.currency_id.name
        if account.currency_id and account.currency_id.name != home and qbo_type in FOREIGN_CURRENCY_TYPES:
            payload["CurrencyRef"] = {"value": account.currency_id.name}
        return payload

    def action_qbo_create_in_quickbooks(self):
        """Create QuickBooks accounts for the chosen unmapped rows, 30 a batch call, and map them."""
        connections = self.connection_id
        if not connections:
            return True
        connections._qbo_check_manager()
        rows = self.filtered(lambda row: not row.qbo_account_id)
        failed = self.browse()
        for connection in rows.connection_id:
            todo = rows.filtered(lambda row: row.connection_id == connection).sudo()
            for start in range(0, len(todo), BATCH_SIZE):
                failed |= todo[start:start + BATCH_SIZE]._qbo_create_batch(connection)
        message = _("%(done)s accounts created in QuickBooks and mapped.", done=len(rows) - len(failed))
        if failed:
            message += " " + _("%(count)s failed: %(errors)s", count=len(failed), errors="; ".join(
                "%s: %s" % (row.account_id.display_name, row.error_message) for row in failed[:10]))
        return connections[:1]._qbo_toast(_("Accounts created in QuickBooks"), message,
                                          "warning" if failed else "success")

    def _qbo_create_batch(self, connection):
        """One batch call for up to 30 rows; returns the rows that failed."""
        items, failed = [], self.browse()
        for row in self:
            try:
                items.append({"bId": str(row.id), "operation": "create", "Account": row._qbo_account_payload()})
            except UserError as error:
                row.error_message = str(error)
                failed |= row
        if not items:
            return failed
        body = json.dumps({"BatchItemRequest": items})
        key = uuid.uuid4().hex

        def post(client):
            return client.post("%s/company/%s/batch" % (client.api_url, client.company_id), body, request_id=key)
        try:
            answer = connection._qbo_call(post, batch=True)
        except qbo.QboError as error:
            sent = self.filtered(lambda row: row not in failed)
            sent.write({"error_message": connection._qbo_error_message(error)})
            return failed | sent
        ListItem = self.env["qbo.list.item"]
        by_bid = {str(row.id): row for row in self}
        for result in answer.get("BatchItemResponse", []):
            row = by_bid.get(str(result.get("bId")))
            if row is None:
                continue
            fault = result.get("Fault")
            if fault:
                error = (fault.get("Error") or [{}])[0]
                row.error_message = " ".join(part for part in (error.get("Message"), error.get("Detail")) if part)
                failed |= row
                continue
            _counts, by_id = ListItem._qbo_upsert(connection, "account", [result["Account"]],
                                                  deactivate_missing=False)
            row.with_context(qbo_proposal=True).write({
                "qbo_account_id": by_id[str(result["Account"]["Id"])].id, "method": "created",
                "candidate_count": 1, "note": False, "error_message": False})
        return failed

    # ------------------------------------------------------------------ the helper documents call
    @api.model
    def _qbo_ref(self, connection, account):
        row = self.search([("connection_id", "=", connection.id), ("account_id", "=", account.id)], limit=1)
        if not row.qbo_account_id:
            raise UserError(_("The Odoo account %(account)s has no QuickBooks account. Map it in Invoicing → "
                              "Configuration → QuickBooks Account Mapping (or click Propose mappings on the "
                              "QuickBooks Online connection).",
                              account=account.with_company(connection.company_id).display_name))
        if not row.qbo_account_id.active:
            raise UserError(_("The Odoo account %(account)s is mapped to the QuickBooks account %(qbo)s, which is "
                              "inactive in QuickBooks. Map it to another one in Invoicing → Configuration → "
                              "QuickBooks Account Mapping.",
                              account=account.with_company(connection.company_id).display_name,
                              qbo=row.qbo_account_id.display_name))
        return {"value": row.qbo_account_id.qbo_id, "name": row.qbo_account_id.name}

