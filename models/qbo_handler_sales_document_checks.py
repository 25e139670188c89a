from odoo import _, fields, models

from .. import qbo
from .qbo_handler_sales_document import SALES_NUMBER_TYPES, money


class QboHandlerSalesDocument(models.AbstractModel):
    """Before a sales document is sent (what QuickBooks would refuse, what would damage what it holds, the split by
    month) and after (its figures compared with Odoo's, its faults explained)."""

    _inherit = "qbo.handler.sales.document"

    # ------------------------------------------------------------------ split by month
    def _qbo_month(self, move, line):
        day = line.qbo_service_date or move.invoice_date or move.date
        return "%04d-%02d" % (day.year, day.month)

    def _qbo_months_of(self, move):
        """The months an invoice is split into (the connection's "Split by month"), or None when it is one
        QuickBooks invoice."""
        if move.move_type != "out_invoice" or not self.env.context.get("qbo_split_by_month"):
            return None
        months = sorted({self._qbo_month(move, line) for line in move.invoice_line_ids
                         if line.display_type == "product"})
        return months if len(months) > 1 else None

    # ------------------------------------------------------------------ before and after sending
    def _qbo_check_before_send(self, connection, jobs, records):
        """Refuse, before sending, what QuickBooks would refuse or what would damage what it holds."""
        self.env["qbo.handler.settlement"]._qbo_hold_endings(connection, jobs)   # a payment lets go of it first
        queued = self._qbo_split_jobs(connection, jobs, records)
        current = self._qbo_current(connection, jobs)
        currencies = self._qbo_customer_currencies(connection, jobs, records)
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
        return queued

    def _qbo_current(self, connection, jobs):
        """{Id: JSON} of the documents already in QuickBooks among ``jobs`` (one query); their SyncTokens are
        taken on the way. A QboError when QuickBooks could not be read: nothing of the batch goes unchecked."""
        ids = [qbo_id for qbo_id in jobs.filtered(lambda job: job.state == "running").mapped("binding_id.qbo_id")
               if qbo_id]
        if not ids:
            return {}
        current = self._qbo_read_current(connection, ids)
        for job in jobs:
            row = current.get(job.binding_id.qbo_id)
            if row and row.get("SyncToken") != job.binding_id.sync_token:
                job.binding_id.sync_token = row["SyncToken"]
        return current

    _qbo_open_field = "Balance"   # what QuickBooks leaves open: an invoice's Balance, a credit memo's RemainingCredit

    def _qbo_split_jobs(self, connection, jobs, records):
        """An invoice spanning several months under "Split by month" goes as one QuickBooks invoice per month:
        its job hands over to one job per month; QuickBooks invoices of months it no longer has (or the whole
        invoice sent before the split) are deleted."""
        Job = self.env["qbo.sync.job"]
        queued = Job.browse()
        if not connection.invoice_split_by_month:
            return queued
        split = self.with_context(qbo_split_by_month=True)
        for job in jobs.filtered(lambda job: job.state == "running" and job.operation == "push"):
            move = records.get((job.res_model, job.res_id))
            if not move or move.state != "posted":
                continue
            months = split._qbo_months_of(move) or []
            if job.part and job.part not in months:
                job.write({"state": "cancelled", "error_message": _(
                    "The invoice no longer has lines in %s.", job.part)})
                continue
            if job.part:
                continue
            bindings = self.env["qbo.binding"].search([
                ("connection_id", "=", connection.id), ("res_model", "=", move._name), ("res_id", "=", move.id),
                ("qbo_entity", "=", self._qbo_entity), ("qbo_id", "!=", False)])
            keep = set(months) if months else {""}
            Job._qbo_end_bindings(bindings.filtered(lambda binding: (binding.part or "") not in keep), "delete")
            if months:
                for month in months:
                    queued |= Job._qbo_enqueue(connection, move, self._qbo_entity, part=month)
                job.write({"state": "done", "error_message": _(
                    "Sent as %(count)s QuickBooks invoices, one per month (%(months)s).", count=len(months),
                    months=", ".join(months))})
        return queued

    def _qbo_customer_currencies(self, connection, jobs, records):
        """{QuickBooks customer Id: its currency} for the foreign-currency documents among ``jobs`` (one query),
        {} when there are none; a QboError when QuickBooks could not be read."""
        if not connection.qbo_multicurrency:
            return {}
        home = connection._qbo_home_currency()
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
        rows = connection._qbo_api().read_ids("Customer", ids)
        return {row["Id"]: (row.get("CurrencyRef") or {}).get("value") or home for row in rows}

    def _qbo_currency_refusal(self, connection, move, currencies):
        if not currencies:
            return None
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
        refusal = connection._qbo_books_refusal(
            self._qbo_txn_date(connection, move), move.currency_id, label,
            hint=_(", or choose another date policy on the connection"))
        if refusal:
            return refusal
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
            expected = self.with_context(qbo_split_by_month=connection.invoice_split_by_month,
                                         qbo_part=job.part or "")._qbo_expected(connection, move)
            values["mismatch"] = self._qbo_mismatch(move, values, expected) or False
            if first:
                self._qbo_follow_later(connection, move)
            notes = []
            if first:
                notes.append(_("Sent to QuickBooks Online as %(label)s %(number)s (Id %(id)s).",
                               label=self._description.lower(), number=obj.get("DocNumber") or "", id=obj.get("Id")))
            if values["mismatch"]:
                notes.append(values["mismatch"])
            if notes:
                self._qbo_note_later(move, " ".join(notes))
        job.binding_id.write(values)

    def _qbo_note_later(self, move, text):
        """A log note on the document, written with the batch's others (see _qbo_after_batch)."""
        memo = self.env.cr.cache.get("qbo_batch_memo")
        if memo is None:
            move.sudo()._message_log(body=text)
            return
        notes = memo.setdefault(("notes", self._name), {})
        notes[move.id] = "%s %s" % (notes[move.id], text) if move.id in notes else text

    def _qbo_follow_later(self, connection, move):
        """Queue what a document's first send lets follow, with the batch's others (see _qbo_after_batch)."""
        memo = self.env.cr.cache.get("qbo_batch_memo")
        if memo is None:
            self._qbo_follow_first_send(connection, move)
            return
        memo.setdefault(("first_sent", self._name), set()).add(move.id)

    def _qbo_follow_first_send(self, connection, moves):
        if connection.invoice_attach_pdf:
            self.env["qbo.sync.job"]._qbo_enqueue(connection, moves, "Attachable")
        # Payments and credits applied to them before they reached QuickBooks can now link to them.
        self.env["qbo.handler.settlement"]._qbo_queue_applied(moves, connection)

    def _qbo_after_batch(self, connection, jobs):
        memo = self.env.cr.cache.get("qbo_batch_memo") or {}
        first_sent = memo.pop(("first_sent", self._name), None)
        if first_sent:
            self._qbo_follow_first_send(connection, self.env["account.move"].browse(sorted(first_sent)))
        # Log notes, not messages: nobody is notified of a routine send, and a batch writes them at once.
        notes = memo.pop(("notes", self._name), None)
        if notes:
            self.env["account.move"].sudo().browse(list(notes))._message_log_batch(bodies=notes)

    def _qbo_expected(self, connection, move):
        """(total, tax) QuickBooks should hold: Odoo's, or for a month of a split invoice, that month's share."""
        months = self._qbo_months_of(move)
        part = self.env.context.get("qbo_part")
        if not (months and part):
            return money(move.amount_total), money(move.amount_tax)
        lines = move.invoice_line_ids.filtered(lambda l: l.display_type == "product" and
                                               self._qbo_month(move, l) == part)
        tax = self._qbo_part_tax(move, {"all": move.amount_tax}, lambda line: "all", lines).get("all", 0.0)
        total = sum(lines.mapped("price_subtotal")) + tax
        if part == months[-1]:
            sign = 1 if move.move_type == "out_refund" else -1
            total += sum(sign * line.amount_currency for line in move.line_ids
                         if line.display_type == "rounding")
        return money(total), money(tax)

    def _qbo_mismatch(self, move, values, expected):
        """A sentence with both figures when QuickBooks' total or tax differs from Odoo's, else None."""
        total, tax = expected
        problems = []
        if money(values["qbo_total"]) != total:
            problems.append(_("total %(qbo)s in QuickBooks, %(odoo)s in Odoo", qbo="%.2f" % values["qbo_total"],
                              odoo="%.2f" % total))
        if money(values["qbo_tax"]) != tax:
            problems.append(_("tax %(qbo)s in QuickBooks, %(odoo)s in Odoo", qbo="%.2f" % values["qbo_tax"],
                              odoo="%.2f" % tax))
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
