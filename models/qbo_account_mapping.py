from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .qbo_handler_account import QBO_TYPE_OF
from .qbo_mapping_mixin import KEPT_METHODS

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
    def action_qbo_create_in_quickbooks(self):
        """Create QuickBooks accounts for the chosen unmapped rows through the outbox, and map them.

        They are sent at once, 30 a batch call, as Sync now sends; under the same
        request ids, a second click after a lost answer creates nothing twice.
        """
        connections = self.connection_id
        if not connections:
            return True
        connections._qbo_check_manager()
        rows = self.filtered(lambda row: not row.qbo_account_id).sudo()
        Job = self.env["qbo.sync.job"].sudo()
        outcomes = {"done": 0, "failed": [], "waiting": 0}
        for connection in rows.connection_id:
            mine = rows.filtered(lambda row: row.connection_id == connection)
            jobs = Job._qbo_enqueue(connection, mine, "Account")
            summary = Job._qbo_process_inline(connection, jobs)
            for job in jobs:
                row = self.browse(job.res_id)
                if job.state == "failed":
                    row.error_message = job.error_message
                    outcomes["failed"].append(row)
                elif job.state == "done":
                    outcomes["done"] += 1
                else:
                    outcomes["waiting"] += 1
            if summary.get("reason"):
                outcomes["reason"] = summary["reason"]
        message = _("%(done)s accounts created in QuickBooks and mapped.", done=outcomes["done"])
        if outcomes["waiting"]:
            message += " " + _("%(count)s queued: they will be sent in the background (%(reason)s).",
                               count=outcomes["waiting"], reason=outcomes.get("reason") or _("QuickBooks is busy"))
        if outcomes["failed"]:
            message += " " + _("%(count)s failed: %(errors)s", count=len(outcomes["failed"]), errors="; ".join(
                "%s: %s" % (row.account_id.display_name, row.error_message) for row in outcomes["failed"][:10]))
        return connections[:1]._qbo_toast(_("Accounts created in QuickBooks"), message,
                                          "warning" if outcomes["failed"] or outcomes["waiting"] else "success")

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

