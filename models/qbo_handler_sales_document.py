from odoo import _, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_round, html2plaintext

from .qbo_handler import LEVEL_DOCUMENTS, batch_memo

DOC_NUMBER_MAX = 21        # QuickBooks refuses longer DocNumbers (2050)
CUSTOMER_MEMO_MAX = 1000
PRIVATE_NOTE_MAX = 4000
DESCRIPTION_MAX = 4000
PRICE_DIGITS = 7           # QuickBooks keeps unit prices to 7 decimals, amounts to 2
SALES_NUMBER_TYPES = ("Invoice", "CreditMemo", "SalesReceipt", "RefundReceipt")   # one DocNumber space
# Prefer these names for the code of a line without tax outside the US (every line needs a real tax code there).
NO_TAX_CODE_NAMES = ("no vat", "out of scope", "exempt", "zero-rated", "zero rated", "0.0% z")


def money(value):
    return float_round(value or 0.0, precision_digits=2)


class QboHandlerSalesDocument(models.AbstractModel):
    """Customer invoices and credit notes: what both send, and how they are checked before and after.

    QuickBooks posts a line to its Item's income account, so a line whose
    income account differs from its product Item's goes through "the
    account's item", a service item the connector creates once per mapped
    account (qbo.handler.account.item). Taxes are sent as Odoo computed them
    (tax lines per rate outside the US, the total tax in the US), so the
    QuickBooks total equals Odoo's; after each send both are compared and a
    difference is shown on the document.
    """

    _name = "qbo.handler.sales.document"
    _inherit = "qbo.handler"
    _description = "QuickBooks Online sales document"

    _qbo_model = "account.move"
    _qbo_level = LEVEL_DOCUMENTS
    _qbo_ending = "delete"        # a sent document deleted in Odoo (after a reset to draft) is deleted there
    _qbo_has_active = False
    _qbo_name_field = None
    _qbo_bulk = True
    # Fields still editable on a posted document (the rest is locked by Odoo): their change is an update.
    _qbo_watched_fields = frozenset({"ref", "narration", "invoice_date_due", "partner_shipping_id"})
    _qbo_move_type = None         # out_invoice or out_refund

    # ------------------------------------------------------------------ what goes, and when
    def _qbo_wants(self, moves):
        return moves.filtered(lambda move: move.move_type == self._qbo_move_type and move.state == "posted")

    def _qbo_push_connections(self):
        policies = ("paid",) if self.env.context.get("qbo_paid_only") else ("posted", "paid")
        return self.env["qbo.connection"].sudo().search([("realm_id", "!=", False),
                                                         ("invoice_send_policy", "in", policies)])

    def _qbo_records_for(self, connection, moves):
        """The documents of the connection's company that go automatically: dated from the day set on the
        connection (older ones only through the bulk action), and paid first under "when fully paid"."""
        moves = moves.filtered(lambda move: move.company_id == connection.company_id)
        start = connection.documents_from
        if start:
            moves = moves.filtered(lambda move: (move.invoice_date or move.date) >= start)
        if connection.invoice_send_policy == "paid":
            moves = moves.filtered(lambda move: move.payment_state in ("paid", "in_payment", "reversed"))
        return moves

    # ------------------------------------------------------------------ the lines
    def _qbo_plan(self, connection, move):
        """What each line becomes: [{"kind", "line", "item": (records, entity) or None, ...}].

        Raises a UserError naming what must be mapped first.
        """
        move = move.with_company(move.company_id)
        Mapping = self.env["qbo.account.mapping"].sudo()
        plan, texts = [], []
        part, months = self.env.context.get("qbo_part"), self._qbo_months_of(move)
        for line in move.invoice_line_ids.sorted(lambda l: (l.sequence, l.id)):
            if line.display_type in ("line_section", "line_note"):
                texts.append({"kind": "text", "line": line})   # they go with the next product line
                continue
            if line.display_type != "product":
                continue
            if part and months and self._qbo_month(move, line) != part:
                texts = []
                continue
            plan += texts + [dict(self._qbo_plan_item(connection, Mapping, line), kind="item", line=line)]
            texts = []
        if part and months and part != months[-1]:
            return plan   # the closing notes and the rounding go with the last month
        plan += texts
        for line in move.line_ids.filtered(lambda l: l.display_type == "rounding"):
            connection._qbo_account_ref(line.account_id)   # mapped, or say where to map it
            plan.append({"kind": "rounding", "line": line,
                         "item": (Mapping._qbo_rows(connection, "account_id", line.account_id), "Item")})
        return plan

    def _qbo_plan_item(self, connection, Mapping, line):
        """The Item of a product line: the product's own when QuickBooks posts it to the line's account,
        else the account's item."""
        target = connection._qbo_account_ref(line.account_id)["value"]
        product = line.product_id
        if product:
            income = batch_memo(self.env, ("income", product.id, line.company_id.id), lambda: product.product_tmpl_id
                                .with_company(line.company_id)._get_product_accounts().get("income"))
            if income and connection._qbo_account_ref(income)["value"] == target:
                return {"item": (product, "Item")}
        return {"item": (Mapping._qbo_rows(connection, "account_id", line.account_id), "Item")}

    def _qbo_dependencies(self, connection, move):
        """The customer (its commercial partner) and every Item its lines use."""
        groups = {}
        for step in self._qbo_plan(connection, move):
            if step.get("item"):
                records, entity = step["item"]
                groups[(records._name, entity)] = groups.get((records._name, entity), records.browse()) | records
        return [(move.commercial_partner_id, "Customer")] + [(records, entity) for (_m, entity), records
                                                            in groups.items()]

    def _qbo_documents(self, connection, move):
        """The QuickBooks documents of ``move`` (its bindings, oldest first): the payments apply to these."""
        return self.env["qbo.binding"].search([("connection_id", "=", connection.id), ("res_model", "=", move._name),
                                               ("res_id", "=", move.id), ("qbo_entity", "=", self._qbo_entity),
                                               ("qbo_id", "!=", False)], order="part, id")

    # ------------------------------------------------------------------ Odoo → QuickBooks
    def _qbo_to_qbo(self, connection, move):
        # Whether the document is split by month is the connection's choice; the line plan and taxes follow it.
        return self.with_context(qbo_split_by_month=connection.invoice_split_by_month)._qbo_payload(connection, move)

    def _qbo_payload(self, connection, move):
        move = move.with_company(move.company_id)
        mode = connection._qbo_tax_mode()
        plan = self._qbo_plan(connection, move)
        inclusive = mode == "global" and self._qbo_all_inclusive(move)
        lines, lines_codes = [], []
        for step in plan:
            if step["kind"] == "text":
                lines.append({"DetailType": "DescriptionOnly", "Amount": 0,
                              "Description": (step["line"].name or "")[:DESCRIPTION_MAX],
                              "DescriptionLineDetail": {}})
                continue
            line = step["line"]
            code = self._qbo_line_code(connection, mode, line)
            amount, quantity, description = self._qbo_line_figures(move, step, inclusive)
            detail = {"ItemRef": self._qbo_ref(connection, *step["item"]), "Qty": quantity,
                      "UnitPrice": float_round(amount / quantity, precision_digits=PRICE_DIGITS) if quantity else 0,
                      "TaxCodeRef": {"value": code.qbo_id} if mode == "global" else {"value": code}}
            if inclusive:
                detail["TaxInclusiveAmt"] = amount
            if line.qbo_service_date:
                detail["ServiceDate"] = fields.Date.to_string(line.qbo_service_date)
            lines.append({"DetailType": "SalesItemLineDetail", "Amount": amount,
                          "Description": description[:DESCRIPTION_MAX], "SalesItemLineDetail": detail})
            if mode == "global":
                lines_codes.append((code, money(line.price_subtotal) if step["kind"] == "item" else 0.0))
        payload = self._qbo_header(connection, move)
        if connection.invoice_one_line:
            lines = self._qbo_summary_lines(connection, move, lines)
        payload["Line"] = lines
        if mode == "global":
            payload["GlobalTaxCalculation"] = "TaxInclusive" if inclusive else "TaxExcluded"
        part_lines = self.env["account.move.line"].browse(
            [step["line"].id for step in plan if step["kind"] == "item"]) if self._qbo_months_of(move) else None
        payload["TxnTaxDetail"] = self._qbo_tax_detail(connection, move, lines_codes, part_lines)
        custom = self._qbo_custom_fields(connection, move)
        if custom:
            payload["CustomField"] = custom
        return payload

    def _qbo_line_code(self, connection, mode, line):
        if line.display_type == "rounding":
            return self._qbo_no_tax_code(connection) if mode == "global" else "NON"
        return self._qbo_global_code(connection, line) if mode == "global" else self._qbo_us_code(connection, line)

    def _qbo_all_inclusive(self, move):
        taxes = move.invoice_line_ids.filtered(lambda l: l.display_type == "product").tax_ids
        return bool(taxes) and all(tax.price_include for tax in taxes.flatten_taxes_hierarchy())

    def _qbo_line_figures(self, move, step, inclusive):
        """(amount, quantity, description) of a line, in the document's currency."""
        line = step["line"]
        if step["kind"] == "rounding":
            sign = 1 if move.move_type == "out_refund" else -1
            return money(sign * line.amount_currency), 1, line.name or _("Rounding")
        amount = money(line.price_total if inclusive else line.price_subtotal)
        quantity = line.quantity or 1
        description = line.name or line.product_id.display_name or ""
        if step["item"][0]._name == "qbo.account.mapping" and line.product_id:   # the account's item
            product = line.product_id.display_name
            if product not in description:
                description = "%s – %s" % (product, description) if description else product
        return amount, quantity, description

    def _qbo_summary_lines(self, connection, move, lines):
        """One line per tax code (and per Item, so each amount keeps its income account) with the template's
        description, for companies that keep Odoo's detail out of QuickBooks."""
        template = connection.invoice_one_line_template or "{number}"
        values = {"number": move.name, "date": fields.Date.to_string(move.invoice_date or move.date),
                  "partner": move.partner_id.display_name, "reference": move.ref or "",
                  "amount": "%.2f" % move.amount_total}
        try:
            description = template.format(**values)
        except (KeyError, IndexError, ValueError):
            raise UserError(_("The one-line summary template “%s” has an unknown placeholder: use {number}, "
                              "{date}, {partner}, {reference} and {amount}.", template))
        groups = {}
        for line in lines:
            if line["DetailType"] != "SalesItemLineDetail":
                continue
            detail = line["SalesItemLineDetail"]
            key = (detail["TaxCodeRef"]["value"], detail["ItemRef"]["value"])
            group = groups.setdefault(key, {"amount": 0.0, "inclusive": 0.0, "detail": detail})
            group["amount"] += line["Amount"]
            group["inclusive"] += detail.get("TaxInclusiveAmt") or 0.0
        summary = []
        for (code, item), group in groups.items():
            amount = money(group["amount"])
            detail = {"ItemRef": {"value": item}, "Qty": 1, "UnitPrice": amount, "TaxCodeRef": {"value": code}}
            if "TaxInclusiveAmt" in group["detail"]:
                detail["TaxInclusiveAmt"] = money(group["inclusive"])
            summary.append({"DetailType": "SalesItemLineDetail", "Amount": amount,
                            "Description": description[:DESCRIPTION_MAX], "SalesItemLineDetail": detail})
        return summary

    def _qbo_header(self, connection, move):
        payload = {"CustomerRef": self._qbo_ref(connection, move.commercial_partner_id, "Customer"),
                   "DocNumber": self._qbo_doc_number(move),
                   "TxnDate": fields.Date.to_string(self._qbo_txn_date(connection, move)),
                   "PrivateNote": self._qbo_private_note(move)}
        address = self.env["qbo.handler.customer"]._qbo_address(move.partner_id)
        if address:
            payload["BillAddr"] = address
        if move.partner_shipping_id and move.partner_shipping_id != move.partner_id:
            shipping = self.env["qbo.handler.customer"]._qbo_address(move.partner_shipping_id)
            if shipping:
                payload["ShipAddr"] = shipping
        if move.partner_id.email:
            payload["BillEmail"] = {"Address": move.partner_id.email[:100]}
        memo = html2plaintext(move.narration or "").strip() if move.narration else ""
        if memo:
            payload["CustomerMemo"] = {"value": memo[:CUSTOMER_MEMO_MAX]}
        payload.update(connection._qbo_currency_fields(move.currency_id, self._qbo_exchange_rate(move)))
        return payload

    def _qbo_doc_number(self, move):
        """The document's number; a longer one keeps its last 21 characters (where its counter is), the whole
        number staying in the private note. A month of a split invoice adds -1, -2, ... in month order."""
        name = (move.name or "").strip()
        part, months = self.env.context.get("qbo_part"), self._qbo_months_of(move)
        suffix = "-%d" % (months.index(part) + 1) if part and months and part in months else ""
        limit = DOC_NUMBER_MAX - len(suffix)
        return (name[-limit:] if len(name) > limit else name) + suffix

    def _qbo_txn_date(self, connection, move):
        policy = connection.invoice_txn_date
        if policy == "date":
            return move.date
        if policy == "sent":
            return fields.Date.context_today(move)
        return move.invoice_date or move.date

    def _qbo_private_note(self, move):
        parts = [_("Odoo %(type)s %(number)s", type=move.type_name, number=move.name)]
        if move.ref:
            parts.append(_("reference %s", move.ref))
        return " – ".join(parts)[:PRIVATE_NOTE_MAX]

    def _qbo_exchange_rate(self, move):
        """Home-currency units per document unit, as Odoo posted the document (its lines round per line)."""
        if move.amount_total_in_currency_signed:
            return float_round(abs(move.amount_total_signed / move.amount_total_in_currency_signed),
                               precision_digits=6)
        return float_round(1.0 / move.invoice_currency_rate, precision_digits=6) if move.invoice_currency_rate \
            else 1.0

    def _qbo_custom_fields(self, connection, move):
        values = []
        for slot in (1, 2, 3):
            field = connection["invoice_custom_field_%d" % slot]
            if not field:
                continue
            value = move[field.name]
            if field.ttype == "many2one":
                value = value.display_name
            elif field.ttype == "selection":
                value = dict(move._fields[field.name]._description_selection(self.env)).get(value)
            elif field.ttype == "date":
                value = fields.Date.to_string(value) if value else ""
            if value in (False, None, ""):
                continue
            values.append({"DefinitionId": str(slot), "Type": "StringType", "StringValue": str(value)[:31]})
        return values
