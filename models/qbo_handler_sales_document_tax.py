from odoo import _, models
from odoo.exceptions import UserError

from .qbo_handler import batch_memo
from .qbo_handler_sales_document import NO_TAX_CODE_NAMES, money


class QboHandlerSalesDocument(models.AbstractModel):
    """A sales document's taxes as QuickBooks takes them: a real tax code per line outside the US (with Odoo's
    amounts per rate), TAX/NON per line in the US (with Odoo's total tax)."""

    _inherit = "qbo.handler.sales.document"

    # ------------------------------------------------------------------ taxes
    def _qbo_global_code(self, connection, line):
        """The one QuickBooks tax code of a line outside the US (a line without tax gets a zero-rate code)."""
        Mapping = self.env["qbo.tax.mapping"].sudo()
        if not line.tax_ids:
            return self._qbo_no_tax_code(connection)
        rows = Mapping._qbo_check(connection, line.tax_ids)
        codes = {rows[tax.id].qbo_tax_code_id for tax in line.tax_ids}
        if len(codes) > 1:
            raise UserError(_("The line “%(line)s” has taxes mapped to several QuickBooks tax codes (%(taxes)s), "
                              "but QuickBooks takes one per line: map a tax group to one QuickBooks tax code.",
                              line=line.name or line.product_id.display_name,
                              taxes=", ".join(line.tax_ids.mapped("name"))))
        return codes.pop()

    def _qbo_no_tax_code(self, connection):
        return batch_memo(self.env, ("no_tax_code", connection.id), lambda: self._qbo_find_no_tax_code(connection))

    def _qbo_find_no_tax_code(self, connection):
        codes = self.env["qbo.list.item"].sudo().search([
            ("connection_id", "=", connection.id), ("list_type", "=", "tax_code"), ("active", "=", True),
            ("tax_on_sales", "=", True), ("rate_value", "=", 0)])
        for name in NO_TAX_CODE_NAMES:
            for code in codes:
                if code.name.strip().casefold() == name:
                    return code
        if codes:
            return codes[0]
        raise UserError(_("A line without tax needs a QuickBooks tax code of 0%% for sales (such as “No VAT” or "
                          "“Exempt”), and %s has none: create one in QuickBooks and click Update lists.",
                          connection.qbo_company_name or connection.company_id.name))

    def _qbo_us_code(self, connection, line):
        if not line.tax_ids:
            return "NON"
        rows = self.env["qbo.tax.mapping"].sudo()._qbo_check(connection, line.tax_ids)
        return "TAX" if any(rows[tax.id].us_treatment == "TAX" for tax in line.tax_ids) else "NON"

    def _qbo_tax_amounts(self, move):
        """{Odoo tax: (tax amount, base)} in the document's currency, from the posted tax lines."""
        sign = 1 if move.move_type == "out_refund" else -1
        amounts = {}
        for line in move.line_ids.filtered(lambda l: l.display_type == "tax"):
            tax = line.tax_line_id
            amounts.setdefault(tax, [0.0, 0.0])[0] += sign * line.amount_currency
        for line in move.invoice_line_ids.filtered(lambda l: l.display_type == "product"):
            for tax in line.tax_ids.flatten_taxes_hierarchy():
                if tax in amounts:
                    amounts[tax][1] += line.price_subtotal
        return {tax: (money(amount), money(base)) for tax, (amount, base) in amounts.items()}

    def _qbo_part_tax(self, move, whole, key_of, part_lines):
        """The share of ``whole`` ({key: tax}) that a month's lines carry: their own tax, the last month the
        rest, so the months add up to Odoo's tax to the cent."""
        months = self._qbo_months_of(move)
        if part_lines is None or not months:
            return whole
        last = self.env.context.get("qbo_part") == months[-1]
        lines = move.invoice_line_ids.filtered(lambda l: l.display_type == "product")
        shares = {}
        for line in (lines - part_lines) if last else part_lines:
            key = key_of(line)
            shares[key] = shares.get(key, 0.0) + (line.price_total - line.price_subtotal)
        if last:
            return {key: money(amount - shares.get(key, 0.0)) for key, amount in whole.items()}
        return {key: money(amount) for key, amount in shares.items() if key in whole}

    def _qbo_tax_detail(self, connection, move, lines_codes, part_lines=None):
        """TxnTaxDetail carrying Odoo's tax: per QuickBooks rate outside the US, the total in the US."""
        mode = connection._qbo_tax_mode()
        if mode != "global":
            total = self._qbo_part_tax(move, {"all": move.amount_tax}, lambda line: "all", part_lines).get("all", 0)
            detail = {"TotalTax": money(total)}
            txn_code = connection._qbo_txn_tax_code_ref(move.invoice_line_ids.tax_ids)
            if mode == "us_manual" and txn_code:
                detail["TxnTaxCodeRef"] = txn_code
            return detail
        Mapping = self.env["qbo.tax.mapping"].sudo()
        Rates = self.env["qbo.list.item"].sudo()
        by_code = {}
        line_taxes = move.invoice_line_ids.tax_ids
        for tax, (amount, _base) in self._qbo_tax_amounts(move).items():
            # A tax group's amounts are posted per child tax; the group is what is mapped.
            mapped = tax if tax in line_taxes else line_taxes.filtered(
                lambda group: tax in group.children_tax_ids)[:1] or tax
            code = Mapping._qbo_check(connection, mapped)[mapped.id].qbo_tax_code_id
            by_code.setdefault(code, [0.0, 0.0])[0] += amount
        for code, net in lines_codes:
            if code in by_code:
                by_code[code][1] += net
        if part_lines is not None:
            shares = self._qbo_part_tax(move, {code: values[0] for code, values in by_code.items()},
                                        lambda line: self._qbo_global_code(connection, line), part_lines)
            by_code = {code: [shares.get(code, 0.0), values[1]] for code, values in by_code.items()
                       if values[1] or shares.get(code)}
        tax_lines = []
        for code, (amount, base) in by_code.items():
            rate_ids = [ref for ref in (code.sales_rate_refs or "").split(",") if ref]
            rates = Rates.search([("connection_id", "=", connection.id), ("list_type", "=", "tax_rate"),
                                  ("qbo_id", "in", rate_ids)])
            rates = sorted(rates, key=lambda rate: rate_ids.index(rate.qbo_id))
            if not rates:
                raise UserError(_("The QuickBooks tax code %s has no sales rate read yet: click Update lists on "
                                  "the QuickBooks Online connection.", code.name))
            total_percent = sum(rate.rate_value for rate in rates)
            left = money(amount)
            for position, rate in enumerate(rates):
                share = left if position == len(rates) - 1 else \
                    money(amount * rate.rate_value / total_percent) if total_percent else 0.0
                left = money(left - share)
                tax_lines.append({"Amount": share, "DetailType": "TaxLineDetail", "TaxLineDetail": {
                    "TaxRateRef": {"value": rate.qbo_id}, "PercentBased": True, "TaxPercent": rate.rate_value,
                    "NetAmountTaxable": money(base)}})
        return {"TotalTax": money(sum(line["Amount"] for line in tax_lines)), "TaxLine": tax_lines}
