from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

from .qbo_handler import batch_memo
from .qbo_list_item import US_PSEUDO_TAX_CODES
from .qbo_mapping_mixin import KEPT_METHODS

TREATMENTS = [("TAX", "Taxable (TAX)"), ("NON", "Not taxable (NON)")]


class QboTaxMapping(models.Model):
    """How each Odoo tax is told to QuickBooks.

    QuickBooks has two tax models. Outside the US every sales and purchase line
    carries a real TaxCode (VAT 20%, Exempt...), so a tax maps to a TaxCode.
    In the US a line is only ``TAX`` or ``NON``; with automated sales tax
    QuickBooks computes the rest from the addresses, without it the document
    names one TaxCode (rate or group) for all its taxable lines, its
    TxnTaxCodeRef, which is the tax code kept here.
    """

    _name = "qbo.tax.mapping"
    _inherit = ["qbo.mapping.mixin"]
    _description = "QuickBooks Online tax mapping"
    _order = "tax_use, tax_id, id"

    tax_id = fields.Many2one("account.tax", "Odoo tax", required=True, ondelete="cascade", index=True)
    tax_use = fields.Selection(related="tax_id.type_tax_use", store=True, string="Tax use")
    tax_mode = fields.Selection([("global", "Tax code per line"), ("us_ast", "US, automated sales tax"),
                                 ("us_manual", "US, sales tax codes")], compute="_compute_tax_mode",
                                help="Which of QuickBooks' tax models the company uses.")
    us_treatment = fields.Selection(TREATMENTS, "US line code",
                                    help="US companies: whether lines with this tax are taxable (TAX) or not (NON).")
    qbo_tax_code_id = fields.Many2one(
        "qbo.list.item", "QuickBooks tax code", ondelete="restrict",
        domain="[('connection_id', '=', connection_id), ('list_type', '=', 'tax_code'), "
               "('qbo_id', 'not in', ('TAX', 'NON', 'CustomSalesTax'))]",
        help="Outside the US: the tax code put on each line with this tax. US companies without automated sales "
             "tax: the tax code (rate or group) of a document with this tax.")

    _sql_constraints = [("tax_unique", "unique(connection_id, tax_id)",
                         "This tax already has a mapping for this QuickBooks company.")]

    @api.depends("connection_id.qbo_automated_sales_tax", "connection_id.qbo_country_code")
    def _compute_tax_mode(self):
        for row in self:
            row.tax_mode = row.connection_id._qbo_tax_mode() if row.connection_id else "global"

    @api.depends("qbo_tax_code_id", "us_treatment", "candidate_count", "connection_id.qbo_automated_sales_tax",
                 "connection_id.qbo_country_code")
    def _compute_state(self):
        return super()._compute_state()

    def _qbo_is_mapped(self):
        mode = self.connection_id._qbo_tax_mode()
        if mode == "global":
            return bool(self.qbo_tax_code_id)
        if mode == "us_ast":
            return bool(self.us_treatment)
        return self.us_treatment == "NON" or bool(self.us_treatment == "TAX" and self.qbo_tax_code_id)

    @api.model
    def _qbo_target_fields(self):
        return {"qbo_tax_code_id", "us_treatment"}

    # ------------------------------------------------------------------ proposals
    @api.model
    def _qbo_rate(self, tax):
        """The tax's percentage, a group's summed; None for fixed amounts (matched by name only)."""
        if tax.amount_type == "group":
            rates = [self._qbo_rate(child) for child in tax.children_tax_ids]
            return None if any(rate is None for rate in rates) else sum(rates)
        return tax.amount if tax.amount_type in ("percent", "division") else None

    @api.model
    def _qbo_propose(self, connection):
        """Propose by exact name, then by rate, only where exactly one QuickBooks tax code fits."""
        Tax = self.env["account.tax"]
        taxes = Tax.search(Tax._check_company_domain(connection.company_id))
        rows = self._qbo_rows(connection, "tax_id", taxes)
        codes = self.env["qbo.list.item"].search([("connection_id", "=", connection.id),
                                                  ("list_type", "=", "tax_code"), ("active", "=", True),
                                                  ("qbo_id", "not in", US_PSEUDO_TAX_CODES)])
        mode = connection._qbo_tax_mode()
        for row in rows:
            if row.method in KEPT_METHODS and row._qbo_is_mapped():
                continue
            tax, rate = row.tax_id, self._qbo_rate(row.tax_id)
            values = {"us_treatment": False, "qbo_tax_code_id": False, "method": False, "candidate_count": 0,
                      "note": False}
            if mode != "global":
                taxable = bool(rate) if rate is not None else bool(tax.amount)
                values.update(us_treatment="TAX" if taxable else "NON", method="rate", candidate_count=1)
                if mode == "us_ast" or not taxable:
                    row.with_context(qbo_proposal=True).write(values)
                    continue
            target, method, count, note = self._qbo_find_code(tax, rate, codes, mode)
            values.update(qbo_tax_code_id=target.id if target else False, method=method or values["method"],
                          candidate_count=count, note=note)
            row.with_context(qbo_proposal=True).write(values)
        return rows

    @api.model
    def _qbo_find_code(self, tax, rate, codes, mode):
        name = (tax.name or "").strip().casefold()
        named = [code for code in codes if code.name.strip().casefold() == name]
        if named:
            return self._qbo_pick(named, "name", _("Several QuickBooks tax codes are called %s.", tax.name))
        if rate is None:
            return False, False, 0, _("No QuickBooks tax code is called %s; pick one.", tax.name)
        purchase = tax.type_tax_use == "purchase" and mode == "global"
        fitting = []
        for code in codes:
            if purchase:
                if code.tax_on_purchases and not float_compare(code.purchase_rate_value, rate, precision_digits=4):
                    fitting.append(code)
            elif code.tax_on_sales and not float_compare(code.rate_value, rate, precision_digits=4):
                fitting.append(code)
            elif tax.type_tax_use == "none" and code.tax_on_purchases and \
                    not float_compare(code.purchase_rate_value, rate, precision_digits=4):
                fitting.append(code)
        if not fitting:
            return False, False, 0, _("No QuickBooks tax code has the rate %s%%; pick one.", rate)
        return self._qbo_pick(fitting, "rate", _("%(count)s QuickBooks tax codes have the rate %(rate)s%%: "
                                                 "pick one.", count=len(fitting), rate=rate))

    # ------------------------------------------------------------------ the helpers documents call
    @api.model
    def _qbo_check(self, connection, taxes):
        """Raise a UserError naming every tax without a usable mapping; return the mappings by tax id."""
        return batch_memo(self.env, ("tax_check", connection.id, tuple(taxes.ids)),
                          lambda: self._qbo_check_uncached(connection, taxes))

    @api.model
    def _qbo_check_uncached(self, connection, taxes):
        rows = self.search([("connection_id", "=", connection.id), ("tax_id", "in", taxes.ids)])
        by_tax = {row.tax_id.id: row for row in rows}
        unmapped = taxes.filtered(lambda tax: not (by_tax.get(tax.id) and by_tax[tax.id]._qbo_is_mapped()))
        if unmapped:
            raise UserError(_("These taxes have no QuickBooks mapping, so the document cannot be sent: %(taxes)s. "
                              "Map them in Invoicing → Configuration → QuickBooks Online → Tax Mapping (a tax not "
                              "listed there yet appears when you click Update lists or Propose again on the "
                              "QuickBooks Online connection).",
                              taxes=", ".join(unmapped.mapped("name"))))
        return by_tax

    @api.model
    def _qbo_line_ref(self, connection, tax):
        row = self._qbo_check(connection, tax)[tax.id]
        if connection._qbo_tax_mode() == "global":
            return {"value": row.qbo_tax_code_id.qbo_id, "name": row.qbo_tax_code_id.name}
        return {"value": row.us_treatment}

    @api.model
    def _qbo_txn_ref(self, connection, taxes):
        if connection._qbo_tax_mode() != "us_manual" or not taxes:
            return None
        rows = self._qbo_check(connection, taxes).values()
        codes = {row.qbo_tax_code_id for row in rows if row.us_treatment == "TAX"}
        if not codes:
            return None
        if len(codes) > 1:
            raise UserError(_("QuickBooks takes one sales tax code per document, but these taxes map to several: "
                              "%(taxes)s. Use a tax group mapped to one QuickBooks tax code.",
                              taxes=", ".join(taxes.mapped("name"))))
        code = codes.pop()
        return {"value": code.qbo_id, "name": code.name}
