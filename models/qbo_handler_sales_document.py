import re

from odoo import _, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_round, html2plaintext

from .. import qbo
from .qbo_handler import LEVEL_DOCUMENTS

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
        plan = []
        for line in move.invoice_line_ids.sorted(lambda l: (l.sequence, l.id)):
            if line.display_type in ("line_section", "line_note"):
                plan.append({"kind": "text", "line": line})
                continue
            if line.display_type != "product":
                continue
            plan.append(dict(self._qbo_plan_item(connection, Mapping, line), kind="item", line=line))
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
            income = product.product_tmpl_id.with_company(line.company_id)._get_product_accounts().get("income")
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
                                               ("qbo_id", "!=", False)], order="id")

    def _qbo_item_ref(self, connection, records, entity):
        binding = self.env["qbo.binding"]._qbo_find(connection, records, entity)
        return {"value": binding.qbo_id}

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

    def _qbo_tax_detail(self, connection, move, lines_codes):
        """TxnTaxDetail carrying Odoo's tax: per QuickBooks rate outside the US, the total in the US."""
        mode = connection._qbo_tax_mode()
        if mode != "global":
            detail = {"TotalTax": money(move.amount_tax)}
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

    # ------------------------------------------------------------------ Odoo → QuickBooks
    def _qbo_to_qbo(self, connection, move):
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
            detail = {"ItemRef": self._qbo_item_ref(connection, *step["item"]), "Qty": quantity,
                      "UnitPrice": float_round(amount / quantity, precision_digits=PRICE_DIGITS) if quantity else 0,
                      "TaxCodeRef": {"value": code.qbo_id} if mode == "global" else {"value": code}}
            if inclusive:
                detail["TaxInclusiveAmt"] = amount
            service_date = getattr(line, "qbo_service_date", False)
            if service_date:
                detail["ServiceDate"] = fields.Date.to_string(service_date)
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
        payload["TxnTaxDetail"] = self._qbo_tax_detail(connection, move, lines_codes)
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
        if step["item"][1] == "Item" and step["item"][0]._name != "product.product" and line.product_id:
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
        customer = self.env["qbo.binding"]._qbo_find(connection, move.commercial_partner_id, "Customer")
        payload = {"CustomerRef": {"value": customer.qbo_id}, "DocNumber": self._qbo_doc_number(move),
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
        home = connection.qbo_currency_code or connection.company_id.currency_id.name
        if move.currency_id.name != home or connection.qbo_multicurrency:
            payload["CurrencyRef"] = {"value": move.currency_id.name}
            if move.currency_id.name != home:
                payload["ExchangeRate"] = self._qbo_exchange_rate(move)
        return payload

    def _qbo_doc_number(self, move):
        """The document's number; a longer one keeps its last 21 characters (where its counter is), the whole
        number staying in the private note."""
        name = (move.name or "").strip()
        return name[-DOC_NUMBER_MAX:] if len(name) > DOC_NUMBER_MAX else name

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

    # ------------------------------------------------------------------ before and after sending
    def _qbo_check_before_send(self, connection, jobs, records):
        """Refuse, before sending, what QuickBooks would refuse or what would damage what it holds."""
        self.env["qbo.handler.settlement"]._qbo_hold_endings(connection, jobs)   # a payment lets go of it first
        current = self._qbo_current(connection, jobs)
        currencies = self._qbo_customer_currencies(connection, jobs, records)
        if current is None or currencies is None:
            return
        for job in jobs.filtered(lambda job: job.state == "running"):
            move = records.get((job.res_model, job.res_id))
            reason = self._qbo_refusal(connection, job, move, current.get(job.binding_id.qbo_id))
            if not reason and move and job.operation == "push":
                reason = self._qbo_currency_refusal(connection, move, currencies)
            if reason == "draft":
                job.write({"state": "cancelled", "error_message": _(
                    "Reset to draft before it was sent: it goes to QuickBooks when posted again.")})
            elif reason:
                job._qbo_fail("", reason, "")

    def _qbo_current(self, connection, jobs):
        """{Id: JSON} of the documents already in QuickBooks among ``jobs`` (one query); their SyncTokens are
        taken on the way. None when QuickBooks could not be read (the jobs wait for a retry)."""
        ids = [qbo_id for qbo_id in jobs.filtered(lambda job: job.state == "running").mapped("binding_id.qbo_id")
               if qbo_id]
        if not ids:
            return {}
        try:
            current = self._qbo_read_current(connection, ids)
        except qbo.QboError as error:
            jobs.filtered(lambda job: job.state == "running")._qbo_retry_or_fail(error)
            return None
        for job in jobs:
            row = current.get(job.binding_id.qbo_id)
            if row and row.get("SyncToken") != job.binding_id.sync_token:
                job.binding_id.sync_token = row["SyncToken"]
        return current

    _qbo_open_field = "Balance"   # what QuickBooks leaves open: an invoice's Balance, a credit memo's RemainingCredit

    def _qbo_customer_currencies(self, connection, jobs, records):
        """{QuickBooks customer Id: its currency} for the foreign-currency documents among ``jobs`` (one query),
        {} when there are none; None when QuickBooks could not be read (the jobs wait for a retry)."""
        if not connection.qbo_multicurrency:
            return {}
        home = connection.qbo_currency_code or connection.company_id.currency_id.name
        customers = self.env["res.partner"]
        for job in jobs.filtered(lambda job: job.state == "running" and job.operation == "push"):
            move = records.get((job.res_model, job.res_id))
            if move and move.currency_id.name != home:
                customers |= move.commercial_partner_id
        ids = self.env["qbo.binding"].search([("connection_id", "=", connection.id), ("res_model", "=", "res.partner"),
                                              ("res_id", "in", customers.ids), ("qbo_entity", "=", "Customer"),
                                              ("qbo_id", "!=", False)]).mapped("qbo_id")
        if not ids:
            return {}
        try:
            rows = connection._qbo_api().read_ids("Customer", ids)
        except qbo.QboError as error:
            jobs.filtered(lambda job: job.state == "running")._qbo_retry_or_fail(error)
            return None
        return {row["Id"]: (row.get("CurrencyRef") or {}).get("value") or home for row in rows}

    def _qbo_currency_refusal(self, connection, move, currencies):
        customer = self.env["qbo.binding"]._qbo_find(connection, move.commercial_partner_id, "Customer")
        held = currencies.get(customer.qbo_id)
        if held and held != move.currency_id.name:
            return _("QuickBooks keeps %(customer)s in %(held)s, and a customer's documents must be in its currency, "
                     "but this one is in %(currency)s. Issue it in %(held)s, or use another customer for "
                     "%(currency)s (QuickBooks cannot change a customer's currency).",
                     customer=move.commercial_partner_id.display_name, held=held, currency=move.currency_id.name)
        return None

    def _qbo_applied(self, row):
        """How much of the QuickBooks document is already paid or used (payments or credits applied)."""
        return money(float(row.get("TotalAmt") or 0.0) - float(row.get(self._qbo_open_field) or 0.0))

    def _qbo_refusal(self, connection, job, move, row):
        """Why ``job`` must not be sent (a sentence), "draft" for a document back in draft, or None."""
        applied = self._qbo_applied(row) if row else 0.0
        label = self._description.lower()
        if job.operation != "push":
            if applied > 0:
                return _("QuickBooks %(label)s %(number)s has %(amount)s applied to it (payments or credits), so it "
                         "is not %(action)s: unapply them in QuickBooks (or unreconcile them in Odoo) first, then "
                         "retry.", label=label, number=row.get("DocNumber") or job.binding_id.qbo_id,
                         amount="%.2f" % applied, action=_("voided") if job.operation == "void" else _("deleted"))
            return None
        if not move or move.state == "draft":
            return "draft"
        if move.state != "posted":
            return _("Only posted documents go to QuickBooks; this one is %s.",
                     dict(move._fields["state"].selection).get(move.state))
        if move.move_type != self._qbo_move_type:
            return _("%(number)s is not a %(label)s.", number=move.name, label=label)
        date = self._qbo_txn_date(connection, move)
        if connection.qbo_book_close_date and date <= connection.qbo_book_close_date:
            return _("QuickBooks' books are closed until %(closed)s, and this %(label)s is dated %(date)s: reopen "
                     "the period in QuickBooks (Account and settings → Advanced → Close the books), or choose "
                     "another date policy on the connection, then retry.",
                     closed=fields.Date.to_string(connection.qbo_book_close_date), label=label,
                     date=fields.Date.to_string(date))
        home = connection.qbo_currency_code or connection.company_id.currency_id.name
        if move.currency_id.name != home and not connection.qbo_multicurrency:
            return _("This %(label)s is in %(currency)s, but multicurrency is off in QuickBooks, whose books are "
                     "in %(home)s: turn multicurrency on in QuickBooks (Account and settings → Advanced) and click "
                     "Update lists, or issue the document in %(home)s.", label=label,
                     currency=move.currency_id.name, home=home)
        if applied > 0 and money(move.amount_total) < applied:
            return _("QuickBooks %(label)s %(number)s has %(applied)s applied to it, more than its new total "
                     "%(total)s: unapply part of it in QuickBooks first, then retry.", label=label,
                     number=row.get("DocNumber"), applied="%.2f" % applied, total="%.2f" % move.amount_total)
        return None

    def _qbo_apply_result(self, connection, job, obj, digest):
        first = not job.binding_id.qbo_id
        super()._qbo_apply_result(connection, job, obj, digest)
        move = self.env["account.move"].browse(job.res_id).exists()
        values = {"qbo_doc_number": obj.get("DocNumber"), "qbo_total": float(obj.get("TotalAmt") or 0.0),
                  "qbo_tax": float((obj.get("TxnTaxDetail") or {}).get("TotalTax") or 0.0),
                  "qbo_balance": float(obj.get("Balance", obj.get("RemainingCredit")) or 0.0),
                  "qbo_due_date": obj.get("DueDate") or False, "mismatch": False}
        if move and job.operation == "push":
            values["mismatch"] = self._qbo_mismatch(move, values) or False
            if first and connection.invoice_attach_pdf:
                self.env["qbo.sync.job"]._qbo_enqueue(connection, move, "Attachable")
            if first:
                # Payments and credits applied to it before it reached QuickBooks can now link to it.
                self.env["qbo.handler.settlement"]._qbo_queue_applied(move, connection)
                move.sudo().message_post(body=_(
                    "Sent to QuickBooks Online as %(label)s %(number)s (Id %(id)s).", label=self._description.lower(),
                    number=obj.get("DocNumber") or "", id=obj.get("Id")), message_type="comment",
                    subtype_xmlid="mail.mt_note")
            if values["mismatch"]:
                move.sudo().message_post(body=values["mismatch"], message_type="comment",
                                         subtype_xmlid="mail.mt_note")
        job.binding_id.write(values)

    def _qbo_mismatch(self, move, values):
        """A sentence with both figures when QuickBooks' total or tax differs from Odoo's, else None."""
        problems = []
        if money(values["qbo_total"]) != money(move.amount_total):
            problems.append(_("total %(qbo)s in QuickBooks, %(odoo)s in Odoo", qbo="%.2f" % values["qbo_total"],
                              odoo="%.2f" % move.amount_total))
        if money(values["qbo_tax"]) != money(move.amount_tax):
            problems.append(_("tax %(qbo)s in QuickBooks, %(odoo)s in Odoo", qbo="%.2f" % values["qbo_tax"],
                              odoo="%.2f" % move.amount_tax))
        if not problems:
            return None
        return _("QuickBooks' figures differ from Odoo's (%(currency)s): %(problems)s.",
                 currency=move.currency_id.name, problems="; ".join(problems))

    # ------------------------------------------------------------------ faults
    def _qbo_handle_faults(self, connection, failures):
        others = []
        for job, error, payload in failures:
            code = str(error.get("code", ""))
            if code == "6140":
                self._qbo_duplicate_number(connection, job, error, payload)
            elif code in ("6200", "6210"):
                closed = connection.qbo_book_close_date
                job._qbo_fail(code, _(
                    "QuickBooks' books are closed%(until)s: it refuses documents dated in the closed period. Reopen "
                    "it in QuickBooks (Account and settings → Advanced → Close the books), then retry.",
                    until=_(" until %s", fields.Date.to_string(closed)) if closed else ""),
                    error.get("Detail", ""))
            else:
                others.append((job, error, payload))
        return super()._qbo_handle_faults(connection, others)

    def _qbo_duplicate_number(self, connection, job, error, payload):
        """6140: the number is taken. When the holder is the same document (customer, date and amount agree),
        offer to link to it; else say which document holds the number."""
        number = payload.get("DocNumber")
        holder, holder_type = None, None
        try:
            api = connection._qbo_api()
            for entity in SALES_NUMBER_TYPES:
                rows = api.query_all(entity, "DocNumber = %s" % qbo.quote(number))
                if rows:
                    holder, holder_type = rows[0], entity
                    break
        except qbo.QboError as failure:
            job._qbo_defer(failure)
            return
        move = self.env["account.move"].browse(job.res_id)
        same = holder and holder_type == self._qbo_entity and \
            (holder.get("CustomerRef") or {}).get("value") == payload["CustomerRef"]["value"] and \
            holder.get("TxnDate") == payload.get("TxnDate") and \
            money(float(holder.get("TotalAmt") or 0)) == money(move.amount_total)
        taken = same and self.env["qbo.binding"].search([
            ("connection_id", "=", connection.id), ("qbo_entity", "=", self._qbo_entity),
            ("qbo_id", "=", holder["Id"]), ("id", "!=", job.binding_id.id)], limit=1)
        if same and not taken:
            job._qbo_fail("6140", _("QuickBooks already has %(label)s %(number)s for the same customer, date and "
                                    "amount (Id %(id)s): click “Link to it” to use it instead of creating another.",
                                    label=self._description.lower(), number=number, id=holder["Id"]), "")
            job.conflict_qbo_id = holder["Id"]
        elif holder:
            job._qbo_fail("6140", _("The number %(number)s is already used in QuickBooks by %(type)s %(id)s (another "
                                    "customer, date or amount). QuickBooks numbers invoices, credit memos and sales "
                                    "receipts in one series: renumber one of them, then retry.", number=number,
                                    type=holder_type, id=holder["Id"]), "")
        else:
            job._qbo_fail("6140", error.get("Message", ""), error.get("Detail", ""))
