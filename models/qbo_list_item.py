from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression

from .. import qbo

LIST_TYPES = [
    ("account", "Account"),
    ("tax_rate", "Tax rate"),
    ("tax_code", "Tax code"),
    ("term", "Term"),
    ("payment_method", "Payment method"),
    ("class", "Class"),
    ("department", "Department / Location"),
    ("currency", "Currency"),
]
# Read in this order: tax codes are priced from the tax rates read just before them.
ENTITY_OF_TYPE = {
    "account": "Account", "tax_rate": "TaxRate", "tax_code": "TaxCode", "term": "Term",
    "payment_method": "PaymentMethod", "class": "Class", "department": "Department",
    "currency": "CompanyCurrency",
}
# QuickBooks returns only active list rows unless asked for both. TaxCode's Active cannot be filtered on
# (integrators' schema references list it as not filterable), so tax codes are read without a condition.
ALL_ROWS = "Active IN (true, false)"
WHERE_OF_TYPE = {"tax_code": ""}
# US companies' TaxCode query also returns these pseudo-codes (TAX, NON and the automated CustomSalesTax);
# none is a tax code a document can name.
US_PSEUDO_TAX_CODES = ("TAX", "NON", "CustomSalesTax")
FLOAT_FIELDS = ("rate_value", "purchase_rate_value", "discount_percent")


class QboListItem(models.Model):
    """A cached row of one of QuickBooks' lists (accounts, tax codes, terms, ...) for one connection.

    One model for every list rather than one per list: all of them share the
    same identity (connection, list type, QuickBooks Id), the same refresh
    (read every page, upsert, mark what disappeared inactive) and the same
    screen; mappings point at rows with a Many2one restricted by ``list_type``.
    The few typed columns only some lists use (account type, rates, due days)
    stay empty elsewhere. Rows are never deleted, so mappings never dangle:
    a row gone from QuickBooks is archived.
    """

    _name = "qbo.list.item"
    _description = "QuickBooks Online list entry"
    _order = "list_type, fully_qualified_name, id"
    _rec_names_search = ["name", "fully_qualified_name", "acct_num"]

    connection_id = fields.Many2one("qbo.connection", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="connection_id.company_id", store=True, index=True)
    list_type = fields.Selection(LIST_TYPES, "List", required=True, index=True)
    qbo_id = fields.Char("QuickBooks ID", required=True, index=True)
    name = fields.Char(required=True)
    fully_qualified_name = fields.Char("Full name", help="Name with its parents, as QuickBooks shows sub-accounts.")
    active = fields.Boolean(default=True, help="Inactive in QuickBooks, or no longer there.")
    account_type = fields.Char(help="QuickBooks AccountType, e.g. Bank, Income, Other Current Asset.")
    account_sub_type = fields.Char("Detail type", help="QuickBooks AccountSubType, e.g. Checking.")
    classification = fields.Char(help="Asset, Liability, Equity, Revenue or Expense.")
    acct_num = fields.Char("Account number")
    currency_code = fields.Char("Currency", help="The account's currency, or the currency's ISO code.")
    rate_value = fields.Float("Rate (%)", digits=(16, 4), aggregator=None,
                              help="Tax rate: its percentage. Tax code: the sum of its sales rates.")
    purchase_rate_value = fields.Float("Purchase rate (%)", digits=(16, 4), aggregator=None,
                                       help="Tax code: the sum of its purchase rates.")
    tax_on_sales = fields.Boolean(help="Tax code with sales rates.")
    tax_on_purchases = fields.Boolean(help="Tax code with purchase rates.")
    sales_rate_refs = fields.Char("Sales rates", help="Tax code: the QuickBooks Ids of its sales tax rates, comma "
                                                      "separated (a document's tax lines name them).")
    due_days = fields.Integer(help="Term: days until due.", aggregator=None)
    discount_percent = fields.Float("Discount (%)", aggregator=None,
                                    help="Term: early payment discount, e.g. 1 for \"1% 10 Net 30\".")
    method_type = fields.Char("Method type", help="Payment method: CREDIT_CARD or NON_CREDIT_CARD.")
    parent_qbo_id = fields.Char("Parent QuickBooks ID")

    _sql_constraints = [
        ("qbo_unique", "unique(connection_id, list_type, qbo_id)",
         "This QuickBooks list entry is already cached for this connection."),
    ]

    @api.depends("name", "fully_qualified_name", "acct_num", "list_type")
    def _compute_display_name(self):
        for row in self:
            name = row.fully_qualified_name or row.name or ""
            if row.list_type == "account" and row.acct_num:
                name = "%s %s" % (row.acct_num, name)
            row.display_name = name

    @api.model
    def name_search(self, name="", args=None, operator="ilike", limit=100):
        """The candidates a mapping proposed (context ``qbo_candidate_ids``, closest first) before the rest, so a
        dropdown shows the likely accounts first instead of the whole chart in alphabetical order."""
        preferred = [value for value in self.env.context.get("qbo_candidate_ids") or [] if isinstance(value, int)]
        if not preferred:
            return super().name_search(name, args, operator, limit)
        first = super().name_search(name, expression.AND([args or [], [("id", "in", preferred)]]), operator, limit)
        rank = {value: position for position, value in enumerate(preferred)}
        first.sort(key=lambda pair: rank.get(pair[0], len(rank)))
        if limit and len(first) >= limit:
            return first[:limit]
        rest = super().name_search(name, expression.AND([args or [], [("id", "not in", preferred)]]), operator,
                                   limit - len(first) if limit else limit)
        return first + rest

    # ------------------------------------------------------------------ reading QuickBooks
    @api.model
    def _qbo_read_list(self, connection, list_type):
        """Every row of one QuickBooks list, active or not, a page of 1000 per call."""
        return connection._qbo_api().query_all(ENTITY_OF_TYPE[list_type], WHERE_OF_TYPE.get(list_type, ALL_ROWS))

    @api.model
    def _qbo_values(self, list_type, row, rates=None):
        """Column values of one QuickBooks JSON row."""
        name = row.get("Name") or row.get("Code") or row.get("Id")
        values = {"name": name, "fully_qualified_name": row.get("FullyQualifiedName") or name,
                  "active": row.get("Active", True) is not False,
                  "parent_qbo_id": (row.get("ParentRef") or {}).get("value") or False}
        if list_type == "account":
            values.update(account_type=row.get("AccountType") or False,
                          account_sub_type=row.get("AccountSubType") or False,
                          classification=row.get("Classification") or False,
                          acct_num=row.get("AcctNum") or False,
                          currency_code=(row.get("CurrencyRef") or {}).get("value") or False)
        elif list_type == "tax_rate":
            values["rate_value"] = float(row.get("RateValue") or 0.0)
        elif list_type == "tax_code":
            rates = rates or {}
            sales = (row.get("SalesTaxRateList") or {}).get("TaxRateDetail") or []
            purchases = (row.get("PurchaseTaxRateList") or {}).get("TaxRateDetail") or []
            values.update(
                rate_value=sum(rates.get((d.get("TaxRateRef") or {}).get("value"), 0.0) for d in sales),
                purchase_rate_value=sum(rates.get((d.get("TaxRateRef") or {}).get("value"), 0.0)
                                        for d in purchases),
                tax_on_sales=bool(sales), tax_on_purchases=bool(purchases),
                sales_rate_refs=",".join(str((d.get("TaxRateRef") or {}).get("value")) for d in sales
                                         if (d.get("TaxRateRef") or {}).get("value")) or False)
        elif list_type == "term":
            values.update(due_days=int(row.get("DueDays") or 0),
                          discount_percent=float(row.get("DiscountPercent") or 0.0))
        elif list_type == "payment_method":
            values["method_type"] = row.get("Type") or False
        elif list_type == "currency":
            values.update(name=row.get("Name") or row.get("Code"), fully_qualified_name=row.get("Name") or
                          row.get("Code"), currency_code=row.get("Code") or False)
        return values

    @api.model
    def _qbo_changed(self, record, values):
        """The part of ``values`` that differs from ``record``: unchanged rows are not written."""
        changed = {}
        for key, value in values.items():
            current = record[key]
            if key in FLOAT_FIELDS:
                if abs((current or 0.0) - (value or 0.0)) > 1e-6:
                    changed[key] = value
            elif (current or False) != (value or False):
                changed[key] = value
        return changed

    @api.model
    def _qbo_upsert(self, connection, list_type, rows, rates=None, deactivate_missing=True):
        """Create or update the cache from QuickBooks rows; archive cached rows QuickBooks no longer has.

        Returns (created, updated, archived) counts and the rows by QuickBooks Id.
        """
        cached = self.with_context(active_test=False).search([("connection_id", "=", connection.id),
                                                              ("list_type", "=", list_type)])
        by_id = {row.qbo_id: row for row in cached}
        to_create, updated, seen = [], 0, set()
        for row in rows:
            qbo_id = str(row["Id"])
            seen.add(qbo_id)
            values = self._qbo_values(list_type, row, rates)
            record = by_id.get(qbo_id)
            if record:
                changed = self._qbo_changed(record, values)
                if changed:
                    record.write(changed)
                    updated += 1
            else:
                to_create.append(dict(values, connection_id=connection.id, list_type=list_type, qbo_id=qbo_id))
        created = self.create(to_create)
        for record in created:
            by_id[record.qbo_id] = record
        gone = self.browse()
        if deactivate_missing:
            gone = cached.filtered(lambda r: r.active and r.qbo_id not in seen)
            gone.write({"active": False})
        return (len(created), updated, len(gone)), by_id

    @api.model
    def _qbo_update_lists(self, connection):
        """Read every list and the preferences from QuickBooks into the cache; return the counts."""
        connection.ensure_one()
        totals = {"created": 0, "updated": 0, "archived": 0}
        rates = {}
        try:
            for list_type in ENTITY_OF_TYPE:
                rows = self._qbo_read_list(connection, list_type)
                (created, updated, archived), by_id = self._qbo_upsert(connection, list_type, rows, rates)
                if list_type == "tax_rate":
                    rates = {qbo_id: row.rate_value for qbo_id, row in by_id.items()}
                totals["created"] += created
                totals["updated"] += updated
                totals["archived"] += archived
            connection._qbo_update_preferences()
        except qbo.QboError as error:
            raise UserError(_("Could not read the lists of %(company)s from QuickBooks Online: %(error)s",
                              company=connection.company_id.name, error=connection._qbo_error_message(error)))
        connection.sudo().qbo_lists_updated_at = fields.Datetime.now()
        return totals
