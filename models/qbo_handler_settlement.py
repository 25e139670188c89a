from collections import defaultdict

from odoo import _, models
from odoo.exceptions import UserError

from .qbo_handler import LEVEL_SETTLEMENTS
from .qbo_handler_sales_document import money
from .qbo_settlement_balance import LINK_TYPES

# What a line's amount does to the payment's unapplied amount: invoices and expenses use money, credits give it.
LINK_SIGNS = {"Invoice": 1, "Purchase": 1, "CreditMemo": -1}


class QboHandlerSettlement(models.AbstractModel):
    """What a QuickBooks Payment applies, worked out from Odoo's reconciliations when the job is sent.

    Odoo pairs a receivable debit (an invoice, a refund paid out) with a
    receivable credit (a customer payment, a credit note) in an
    ``account.partial.reconcile``; QuickBooks records the same as a Payment
    whose lines link the documents. The credit side owns the QuickBooks
    Payment: a customer payment's (qbo.handler.payment), or a zero-amount one
    for a credit note (qbo.handler.credit.application). Every line is computed
    from the partials when the job is sent, never when it is queued (Odoo adds
    the exchange difference after the partial), and all lines go every time
    (QuickBooks replaces a Payment's lines all or nothing). An Odoo document
    sent as several QuickBooks documents (split by month) has each payment
    spread over them oldest first, in the order Odoo reconciled them.
    """

    _name = "qbo.handler.settlement"
    _inherit = ["qbo.handler", "qbo.settlement.balance"]
    _description = "QuickBooks Online settlement"

    _qbo_level = LEVEL_SETTLEMENTS
    _qbo_ending = "delete"
    _qbo_has_active = False
    _qbo_name_field = None
    _qbo_app_page = ("recvpayment", "txnId")

    # ------------------------------------------------------------------ what the subclasses say
    def _qbo_partner(self, record):
        return record.partner_id.commercial_partner_id

    def _qbo_currency(self, record):
        return record.currency_id

    def _qbo_credit_lines(self, record):
        """The receivable credit lines of ``record`` whose reconciliations become its Payment lines."""
        raise NotImplementedError

    def _qbo_is_live(self, record):
        """Whether ``record`` is posted (a payment drafted or cancelled is ended by its own job)."""
        raise NotImplementedError

    def _qbo_check_plan(self, record, plan):
        """Raise a UserError when what ``plan`` applies cannot be a QuickBooks Payment of ``record``."""
        return None

    # ------------------------------------------------------------------ what goes, and when
    def _qbo_push_connections(self):
        """Payments follow the documents: automatic unless the connection sends documents only on demand."""
        return self.env["qbo.connection"].sudo().search([("realm_id", "!=", False),
                                                         ("invoice_send_policy", "in", ("posted", "paid"))])

    def _qbo_records_for(self, connection, records):
        """The records of the connection's company, dated from its start, whose documents QuickBooks has or
        gets by itself: one applied to an older invoice, or to one the connection sends only when paid and
        that is not paid yet, waits (it goes when that document is sent)."""
        records = records.filtered(lambda record: record.company_id == connection.company_id)
        if connection.documents_from:
            records = records.filtered(lambda record: self._qbo_txn_date(record) >= connection.documents_from)
        return records.filtered(lambda record: self._qbo_documents_ready(connection, record))

    def _qbo_documents_ready(self, connection, record):
        for _partial, document, entity in self._qbo_applications(record):
            if not (self._qbo_doc_bindings(connection, document, entity) or
                    self._qbo_doc_goes(connection, document, entity)):
                return False
        return True

    # ------------------------------------------------------------------ Odoo's reconciliations
    def _qbo_receivable_lines(self, move):
        return move.line_ids.filtered(lambda line: line.account_type == "asset_receivable")

    def _qbo_counterpart(self, line):
        """(record, QuickBooks entity) a receivable line stands for, or None: exchange differences, entries and
        anything else QuickBooks does not hold as a document are never sent."""
        move = line.move_id
        if move.move_type in ("out_invoice", "out_refund"):
            return move, "Invoice" if move.move_type == "out_invoice" else "CreditMemo"
        payment = move.origin_payment_id
        if payment and payment.partner_type == "customer":
            return payment, "Purchase" if payment.payment_type == "outbound" else "Payment"
        return None

    def _qbo_applications(self, record):
        """[(partial, document, entity)]: the debit documents ``record``'s credit pays, in reconciliation order."""
        found = []
        for line in self._qbo_credit_lines(record):
            for partial in line.matched_debit_ids:
                target = self._qbo_counterpart(partial.debit_move_id)
                if target and target[1] in ("Invoice", "Purchase"):
                    found.append((partial, target[0], target[1]))
        return sorted(found, key=lambda found_: found_[0].id)

    def _qbo_doc_bindings(self, connection, document, entity):
        """The QuickBooks documents ``document`` became, oldest first (several when split by month)."""
        if entity == "Purchase":
            return self.env["qbo.binding"]._qbo_find(connection, document, entity).filtered("qbo_id")
        return self.env["qbo.handler"]._qbo_get(entity, document._name)._qbo_documents(connection, document)

    def _qbo_allocation(self, connection, document, entity):
        """{partial id: [(binding, amount)]}: every settlement of ``document`` spread over its QuickBooks
        documents, oldest first, in reconciliation order, in the document's currency. Empty when QuickBooks does
        not have it yet."""
        bindings = self._qbo_doc_bindings(connection, document, entity)
        if not bindings:
            return {}
        move = document.move_id if document._name == "account.payment" else document
        shares = []
        for line in self._qbo_receivable_lines(move):
            for partial in line.matched_credit_ids | line.matched_debit_ids:
                debit = partial.debit_move_id == line
                other = partial.credit_move_id if debit else partial.debit_move_id
                if self._qbo_counterpart(other):
                    shares.append((partial, partial.debit_amount_currency if debit else partial.credit_amount_currency))
        shares.sort(key=lambda share: share[0].id)
        if len(bindings) == 1:
            return {partial.id: [(bindings, money(amount))] for partial, amount in shares}
        room = [money(binding.qbo_total) for binding in bindings]
        allocation, position = {}, 0
        for partial, amount in shares:
            left, parts = money(amount), []
            while left > 0.005:
                last = position == len(bindings) - 1
                take = left if last else min(left, room[position])
                if take > 0.005:
                    parts.append((bindings[position], money(take)))
                    room[position] = money(room[position] - take)
                    left = money(left - take)
                if left > 0.005 and not last:
                    position += 1
            allocation[partial.id] = parts
        return allocation

    def _qbo_doc_goes(self, connection, document, entity):
        """Whether QuickBooks gets ``document`` by itself under the connection's policy (then a payment waits
        for it; otherwise a person must send it first)."""
        handler = self.env["qbo.handler"]._qbo_get(entity, document._name)
        if connection.invoice_send_policy not in ("posted", "paid") or not handler._qbo_wants(document):
            return False
        return bool(handler._qbo_records_for(connection, document))

    def _qbo_plan(self, connection, record):
        """What the QuickBooks Payment of ``record`` carries now.

        {"links": [(binding, entity, amount)], "waiting": {entity: records QuickBooks needs first},
        "documents": {binding id: Odoo document}, "postponed": [invoices sent only once fully paid, left out
        until then]}. A UserError says what stops it: a document of another customer or currency, one
        QuickBooks refused, one that is not sent by itself.
        """
        partner, currency = self._qbo_partner(record), self._qbo_currency(record)
        links, waiting, documents, allocations = defaultdict(float), defaultdict(lambda: None), {}, {}
        postponed = []
        for partial, document, entity in self._qbo_applications(record):
            doc_partner = (document.partner_id.commercial_partner_id if document._name == "account.payment"
                           else document.commercial_partner_id)
            if doc_partner != partner:
                raise UserError(_("%(document)s is reconciled with this record but belongs to %(other)s: QuickBooks "
                                  "applies a payment only to documents of its own customer (%(partner)s).",
                                  document=document.display_name, other=doc_partner.display_name,
                                  partner=partner.display_name))
            if document.currency_id != currency:
                raise UserError(_("%(document)s is in %(doc)s and this record in %(own)s: QuickBooks applies a "
                                  "payment only to documents in its currency. Record the payment in %(doc)s.",
                                  document=document.display_name, doc=document.currency_id.name,
                                  own=currency.name))
            key = (document._name, document.id, entity)
            if key not in allocations:
                allocations[key] = self._qbo_allocation(connection, document, entity)
                if not allocations[key] and self._qbo_absent_document(connection, document, entity, waiting):
                    postponed.append(document)
            for binding, amount in allocations[key].get(partial.id, []):
                links[(binding, entity)] += amount
                documents[binding.id] = document
        own = self._qbo_own_links(connection, record, links, waiting)
        ordered = [(binding, entity, money(amount)) for (binding, entity), amount in
                   sorted(links.items(), key=lambda item: item[0][0].id) if money(amount) > 0]
        return {"links": ordered + own, "waiting": {entity: records for entity, records in waiting.items() if records},
                "documents": documents, "postponed": postponed}

    def _qbo_batch_plan(self, connection, record):
        """The plan of ``record`` worked out by this batch's check (its payload and dependencies use the same, the
        batch reading nothing else meanwhile), else a fresh one."""
        plans = self._qbo_batch_memo()["plans"]
        return plans.get((record._name, record.id)) or self._qbo_plan(connection, record)

    def _qbo_own_links(self, connection, record, links, waiting):
        """Lines for ``record`` itself (a credit note's CreditMemo lines); none for a payment."""
        return []

    def _qbo_absent_document(self, connection, document, entity, waiting):
        """``document`` is not in QuickBooks: wait for it, leave it out until it is paid (True), or say why it
        cannot go."""
        binding = self.env["qbo.binding"]._qbo_find(connection, document, entity)
        if binding.state == "error":
            raise UserError(_("This applies to %(document)s, which QuickBooks refused: %(reason)s Fix it and send "
                              "it again; this follows.", document=document.display_name,
                              reason=binding.last_error or ""))
        if self._qbo_doc_goes(connection, document, entity):
            waiting[entity] = (waiting[entity] or document.browse()) | document
            return
        if connection.invoice_send_policy == "paid" and entity == "Invoice" and document.state == "posted":
            return True   # it goes when fully paid, and the payments applied to it are queued again then
        raise UserError(_("This applies to %(document)s, which is not in QuickBooks and is not sent by itself (it "
                          "is older than the connection's start date, or the connection sends documents only on "
                          "demand). Send it to QuickBooks (or link it to its QuickBooks document) first: this "
                          "follows.", document=document.display_name))

    def _qbo_dependencies(self, connection, record):
        self._qbo_check_mapping(connection, record)
        plan = self._qbo_batch_plan(connection, record)
        self._qbo_check_plan(record, plan)
        return [(self._qbo_partner(record), "Customer")] + [(records, entity)
                                                             for entity, records in plan["waiting"].items()]

    def _qbo_check_mapping(self, connection, record):
        """Raise a UserError, before anything is queued or sent, when a mapping the payload needs is missing."""
        return None

    # ------------------------------------------------------------------ the payload
    def _qbo_lines(self, plan):
        return [{"Amount": amount, "LinkedTxn": [{"TxnId": binding.qbo_id, "TxnType": LINK_TYPES[entity]}]}
                for binding, entity, amount in plan["links"]]

    def _qbo_currency_fields(self, connection, record, rate):
        return connection._qbo_currency_fields(self._qbo_currency(record), rate)

    def _qbo_move_rate(self, move):
        """Home-currency units per foreign unit, as Odoo booked ``move`` (its receivable lines)."""
        lines = self._qbo_receivable_lines(move) or move.line_ids
        amount = sum(abs(line.amount_currency) for line in lines)
        return round(sum(abs(line.balance) for line in lines) / amount, 6) if amount else 1.0

    # ------------------------------------------------------------------ before sending
    def _qbo_check_before_send(self, connection, jobs, records):
        """Refuse what QuickBooks would refuse, with the figures: applications larger than a QuickBooks document's
        open balance (one query per document type for the batch), closed books; wait while another payment of
        the same document is being changed first."""
        plans = {}
        memo = self._qbo_batch_memo()
        self._qbo_prefetch([record for record in records.values() if record._name == self._qbo_model])
        for job in jobs.filtered(lambda job: job.state == "running" and job.operation == "push"):
            record = records.get((job.res_model, job.res_id))
            try:
                plan = self._qbo_plan(connection, record) if record and self._qbo_is_live(record) else None
                if plan:
                    self._qbo_check_plan(record, plan)
            except UserError as error:
                job._qbo_fail("", str(error), "")
                continue
            reason = self._qbo_refusal(connection, job, record, plan)
            if job.state != "running":
                continue
            if reason == "end":
                self._qbo_end_instead(job)
            elif reason:
                job._qbo_fail("", reason, "")
            else:
                plans[job.id] = memo["plans"][(record._name, record.id)] = plan
        self._qbo_check_balances(connection, jobs, plans)

    def _qbo_prefetch(self, records):
        """Read the batch's reconciliations and the documents on their other side together, a query per table,
        rather than record by record while the plans are worked out."""
        if not records:
            return
        records = records[0].union(*records)
        moves = records.move_id if records._name == "account.payment" else records
        partials = moves.line_ids.matched_debit_ids | moves.line_ids.matched_credit_ids
        documents = (partials.debit_move_id | partials.credit_move_id).move_id
        documents.mapped("move_type")
        documents.origin_payment_id.mapped("payment_type")
        (documents.line_ids.matched_debit_ids | documents.line_ids.matched_credit_ids).mapped("debit_amount_currency")

    def _qbo_refusal(self, connection, job, record, plan):
        """Why the push ``job`` must not go (a sentence), "end" when its QuickBooks Payment should go, or None."""
        if not record or not self._qbo_is_live(record):
            return self._qbo_not_live(job)
        if plan and plan["postponed"] and not [link for link in plan["links"] if link[1] != "CreditMemo"]:
            job.write({"state": "cancelled", "error_message": _(
                "Waits for %s to be fully paid: the connection sends invoices then, and their payments with them.",
                ", ".join(document.display_name for document in plan["postponed"][:3]))})
            return None
        if plan and self._qbo_nothing_left(plan):
            return "end"
        return connection._qbo_books_refusal(self._qbo_txn_date(record), self._qbo_currency(record),
                                             self._description.lower())

    def _qbo_txn_date(self, record):
        raise NotImplementedError

    def _qbo_not_live(self, job):
        """A payment drafted or cancelled meanwhile: its deletion or void is a job of its own."""
        job.write({"state": "cancelled", "error_message": _(
            "No longer posted: QuickBooks gets its void or deletion from a job of its own.")})
        return None

    def _qbo_nothing_left(self, plan):
        """Whether the QuickBooks Payment has nothing left to record (then it is deleted)."""
        return False

    def _qbo_end_instead(self, job):
        """The record no longer applies anything QuickBooks should keep: delete its QuickBooks Payment."""
        if job.binding_id.qbo_id:
            job.write({"operation": "delete"})
        else:
            job.write({"state": "done", "error_message": _("Nothing to send: no payment or credit is applied.")})

    # ------------------------------------------------------------------ after sending
    def _qbo_apply_result(self, connection, job, obj, digest):
        # No note in the chatter: the payment's QuickBooks group and links say it, a note per payment would cost
        # more than sending it (refusals are noted, by the outbox).
        super()._qbo_apply_result(connection, job, obj, digest)
        job.binding_id.write({"qbo_total": float(obj.get("TotalAmt") or 0.0),
                              "qbo_balance": float(obj.get("UnappliedAmt") or 0.0),
                              "qbo_doc_number": obj.get("PaymentRefNum") or False})
        self._qbo_note_balances(job)

    def _qbo_apply_ending(self, connection, job, obj):
        self._qbo_note_balances(job)
        super()._qbo_apply_ending(connection, job, obj)

    # ------------------------------------------------------------------ queueing what a reconciliation changed
    def _qbo_queue_applied(self, documents, connection=None):
        """Queue the QuickBooks Payments that involve ``documents`` (invoices, credit notes, customer payments,
        refunds): their own when they are payments or credit notes, and those of everything reconciled with
        them, as a reconciliation made or undone can move what each applies (split documents, policies).
        With ``connection`` (a document it just received), for that connection whatever its policy."""
        if not documents or self.env.context.get("qbo_no_export"):
            return
        if not connection and not self.env["qbo.binding"].sudo().search_count(
                [("qbo_entity", "=", "Payment")], limit=1) and not self._qbo_push_connections():
            return
        records = []
        for document in documents:
            move = document.move_id if document._name == "account.payment" else document
            for line in self._qbo_receivable_lines(move):
                others = [partial.credit_move_id if partial.debit_move_id == line else partial.debit_move_id
                          for partial in line.matched_debit_ids | line.matched_credit_ids]
                for found in map(self._qbo_counterpart, [line] + others):
                    if found and found[1] in ("Payment", "CreditMemo"):
                        records.append(found[0])
        self._qbo_queue_settlements(self.env["account.payment"].union(
            *[record for record in records if record._name == "account.payment"]), connection)
        self._qbo_queue_settlements(self.env["account.move"].union(
            *[record for record in records if record._name == "account.move"]), connection)

    def _qbo_queue_settlements(self, records, connection=None):
        """Queue the QuickBooks Payments of ``records`` (customer payments or credit notes) for the connections
        that send them automatically, and for those that have them already (whatever their policy, a payment in
        QuickBooks follows its reconciliations); drafted or cancelled ones are ended by their own jobs."""
        if not records or self.env.context.get("qbo_no_export"):
            return
        Job = self.env["qbo.sync.job"].sudo()
        for handler in (self.env["qbo.handler.payment"], self.env["qbo.handler.credit.application"]):
            wanted = handler._qbo_wants(records.filtered(lambda record: record._name == handler._qbo_model))
            if not wanted:
                continue
            connections = connection or handler._qbo_push_connections()
            for target in connections:
                # What already waits is computed when sent: only the others are looked at.
                waiting = set(Job.search([
                    ("connection_id", "=", target.id), ("res_model", "=", wanted._name), ("res_id", "in", wanted.ids),
                    ("qbo_entity", "=", "Payment"), ("state", "=", "pending"), ("operation", "=", "push")]
                ).mapped("res_id"))
                todo = wanted.filtered(lambda record: record.id not in waiting)
                if todo:
                    Job._qbo_enqueue(target, handler._qbo_records_for(target, todo), handler._qbo_entity)
            if connection:
                continue
            for binding in self.env["qbo.binding"].sudo().search([
                    ("connection_id", "not in", connections.ids), ("res_model", "=", wanted._name),
                    ("res_id", "in", wanted.ids), ("qbo_entity", "=", "Payment"), ("qbo_id", "!=", False)]):
                Job._qbo_enqueue(binding.connection_id, wanted.browse(binding.res_id), "Payment")
