from odoo import _, models
from odoo.exceptions import UserError, ValidationError

from .qbo_handler import LEVEL_LISTS

# One table both ways. Odoo type → QuickBooks AccountType, the AccountSubType that narrows a proposal (None: any),
# the AccountSubType an account is created with, and whether a QuickBooks account of that type is imported as this
# Odoo type. Odoo → QuickBooks takes an Odoo type's first row; QuickBooks → Odoo its first imported row.
ACCOUNT_TYPES = [
    ("asset_receivable", "Accounts Receivable", None, "AccountsReceivable", True),
    ("asset_cash", "Bank", None, "Checking", True),
    ("asset_current", "Other Current Asset", None, "OtherCurrentAssets", True),
    ("asset_non_current", "Other Asset", None, "OtherLongTermAssets", True),
    ("asset_prepayments", "Other Current Asset", "PrepaidExpenses", "PrepaidExpenses", False),
    ("asset_fixed", "Fixed Asset", None, "OtherFixedAssets", True),
    ("liability_payable", "Accounts Payable", None, "AccountsPayable", True),
    ("liability_credit_card", "Credit Card", None, "CreditCard", True),
    ("liability_current", "Other Current Liability", None, "OtherCurrentLiabilities", True),
    ("liability_non_current", "Long Term Liability", None, "OtherLongTermLiabilities", True),
    ("equity", "Equity", None, "OwnersEquity", True),
    ("equity_unaffected", "Equity", "RetainedEarnings", "RetainedEarnings", False),
    ("income", "Income", None, "OtherPrimaryIncome", True),
    ("income_other", "Other Income", None, "OtherMiscellaneousIncome", True),
    ("expense", "Expense", None, "OtherMiscellaneousServiceCost", True),
    ("expense", "Other Expense", None, "OtherMiscellaneousExpense", True),
    ("expense_depreciation", "Other Expense", "Depreciation", "Depreciation", False),
    ("expense_direct_cost", "Cost of Goods Sold", None, "SuppliesMaterialsCogs", True),
]
QBO_TYPE_OF = {}
ODOO_TYPE_OF = {}
for _odoo, _qbo, _match_sub, _create_sub, _imported in ACCOUNT_TYPES:
    QBO_TYPE_OF.setdefault(_odoo, (_qbo, _match_sub, _create_sub))
    if _imported:
        ODOO_TYPE_OF.setdefault(_qbo, _odoo)
# Only these QuickBooks account types may carry a foreign currency.
FOREIGN_CURRENCY_TYPES = {"Bank", "Credit Card", "Accounts Receivable", "Accounts Payable"}


def qbo_account_name(name):
    # QuickBooks refuses a colon or a double quote in an account name and caps it at 100 characters.
    return (name or "").replace(":", "-").replace('"', "'").strip()[:100]


class QboHandlerAccount(models.AbstractModel):
    """QuickBooks accounts: created from an account mapping row, imported into Odoo's chart.

    Several Odoo accounts may post to one QuickBooks account, so the Odoo side
    of this entity is the mapping row, not the Odoo account.
    """

    _name = "qbo.handler.account"
    _inherit = "qbo.handler"
    _description = "Account"

    _qbo_entity = "Account"
    _qbo_model = "qbo.account.mapping"
    _qbo_level = LEVEL_LISTS
    _qbo_ending = None            # forgetting a mapping row leaves QuickBooks' chart alone
    _qbo_app_page = ("register", "accountId")
    _qbo_import_sequence = 10     # items name their income and expense accounts: accounts come first

    # ------------------------------------------------------------------ Odoo → QuickBooks
    def _qbo_to_qbo(self, connection, row):
        account = row.account_id.with_company(connection.company_id)
        qbo_type, _sub, sub_type = QBO_TYPE_OF.get(account.account_type, (None, None, None))
        if not qbo_type:
            raise UserError(_("The Odoo account %(account)s (type %(type)s) has no QuickBooks account type; map it "
                              "by hand.", account=account.display_name, type=account.account_type))
        payload = {"Name": qbo_account_name(account.name), "AccountType": qbo_type, "AccountSubType": sub_type}
        limit = 20 if (connection.qbo_country_code or "").upper() in ("AU", "CA") else 7
        if account.code and len(account.code) <= limit:
            payload["AcctNum"] = account.code
        home = connection._qbo_home_currency()
        if account.currency_id and account.currency_id.name != home and qbo_type in FOREIGN_CURRENCY_TYPES:
            payload["CurrencyRef"] = {"value": account.currency_id.name}
        return payload

    def _qbo_apply_result(self, connection, job, obj, digest):
        super()._qbo_apply_result(connection, job, obj, digest)
        _counts, by_id = self.env["qbo.list.item"]._qbo_upsert(connection, "account", [obj], deactivate_missing=False)
        row = self.env["qbo.account.mapping"].browse(job.res_id)
        row.with_context(qbo_proposal=True).write({"qbo_account_id": by_id[str(obj["Id"])].id, "method": "created",
                                                   "candidate_count": 1, "note": False, "error_message": False})

    # ------------------------------------------------------------------ QuickBooks → Odoo
    def _qbo_import_rows(self, run, step, rows):
        """Map each QuickBooks account to the Odoo account with its number or name; create that account only when
        the import was asked to (``run.create_accounts``), else leave it to the account mapping.

        The link is an account mapping (several Odoo accounts may post to one
        QuickBooks account), marked manual so that later proposals keep it.
        """
        connection = run.connection_id
        _counts, cached = self.env["qbo.list.item"]._qbo_upsert(connection, "account", rows,
                                                                deactivate_missing=False)
        Mapping = self.env["qbo.account.mapping"].with_context(qbo_proposal=True)
        mapped = Mapping.search([("connection_id", "=", connection.id), ("qbo_account_id", "!=", False)])
        taken_qbo = set(mapped.mapped("qbo_account_id.qbo_id"))
        taken_odoo = set(mapped.mapped("account_id").ids)
        accounts = Mapping._qbo_company_accounts(connection).filtered(lambda a: a.id not in taken_odoo)
        by_code, by_name = {}, {}
        for account in accounts:
            by_code.setdefault((account.code or "").strip(), []).append(account)
            by_name.setdefault((account.name or "").strip().casefold(), []).append(account)
        for row in rows:
            if row["Id"] in taken_qbo:
                step._qbo_skip(row, _("already linked"), quiet=True)
                continue
            if row.get("Active") is False and not run.include_inactive:
                step._qbo_skip(row, _("inactive in QuickBooks"))
                continue
            found = by_code.get((row.get("AcctNum") or "").strip()) if row.get("AcctNum") else None
            found = found or by_name.get((row.get("Name") or "").strip().casefold(), [])
            found = [account for account in found if account.id not in taken_odoo]
            if len(found) > 1:
                step._qbo_skip(row, _("several Odoo accounts match (%s)", ", ".join(a.display_name for a in found)))
                continue
            if not found and not run.create_accounts:
                # Odoo's chart stays as it is: the account mapping proposes or creates the QuickBooks side instead.
                step._qbo_skip(row, _("no Odoo account with this number or name"), quiet=True)
                continue
            try:
                with self.env.cr.savepoint():
                    account = found[0] if found else self._qbo_create_account(connection, row)
                    if not account:
                        step._qbo_skip(row, _("%s accounts have no Odoo counterpart", row.get("AccountType")))
                        continue
                    mapping = Mapping._qbo_rows(connection, "account_id", account)
                    mapping.write({"qbo_account_id": cached[row["Id"]].id, "method": "manual",
                                   "account_code": account.code,
                                   "note": _("Linked by the initial import") if found else
                                   _("Created in Odoo by the initial import")})
                    taken_odoo.add(account.id)
                    counter = "linked_count" if found else "created_count"
                    step.write({counter: step[counter] + 1})
            except (UserError, ValidationError, ValueError) as error:
                step._qbo_error(row, str(error))

    def _qbo_create_account(self, connection, row):
        """An Odoo account like the QuickBooks one, coded by its number (or by its Id when it has none)."""
        account_type = ODOO_TYPE_OF.get(row.get("AccountType"))
        if not account_type:
            return None
        company = connection.company_id
        Account = self.env["account.account"].with_company(company)
        code = "".join(ch for ch in (row.get("AcctNum") or "") if ch.isalnum() or ch == ".")
        if not code or Account.search_count([("code", "=", code)] + Account._check_company_domain(company)):
            code = "QBO%s" % row["Id"]
        values = {"name": row.get("Name") or code, "code": code, "account_type": account_type}
        currency_code = (row.get("CurrencyRef") or {}).get("value")
        if currency_code and currency_code != company.currency_id.name:
            currency = self.env["res.currency"].with_context(active_test=False).search([("name", "=", currency_code)])
            if currency:
                values["currency_id"] = currency.id
        return Account.create(values)
