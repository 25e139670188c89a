from collections import defaultdict
from datetime import timedelta

import psycopg2

from odoo import _, fields, models

from .qbo_handler import batch_memo
from .qbo_handler_sales_document import money
from .qbo_sync_job import MAX_WAITS

# How a QuickBooks Payment line names each document it applies to (an Expense is a Purchase).
LINK_TYPES = {"Invoice": "Invoice", "CreditMemo": "CreditMemo", "Purchase": "Expense"}
OPEN_FIELDS = {"Invoice": "Balance", "CreditMemo": "RemainingCredit"}
BUSY_WAIT_AFTER = 5      # seconds after the payment it waits for is due
BUSY_WAIT_CAP = 60       # a payment claimed by another worker is looked at again after at most this


class QboSettlementBalance(models.AbstractModel):
    """QuickBooks' open balances around the sending of payments (mixed into qbo.handler.settlement).

    Before a batch of payments goes, the open balance of every invoice and
    credit memo they touch is read (one query per document type for the
    batch, their current lines too for payments already in QuickBooks), and an
    application larger than what is open is refused with both figures, or
    waits while another payment of the same document is still to change
    first. After QuickBooks accepts, the documents' balances are noted from
    that reading, without another call.
    """

    _name = "qbo.settlement.balance"
    _description = "QuickBooks Online open balances of settlements"

    def _qbo_check_balances(self, connection, jobs, plans):
        """``plans`` maps the push jobs still running to what their Payment will apply."""
        memo = self._qbo_batch_memo()
        if jobs.env.context.get("qbo_resend"):
            return   # Intuit answers a resend from memory: what it holds now already counts this batch
        running = jobs.filtered(lambda job: job.state == "running")
        # A QboError here holds the whole batch back (see _qbo_send_batch): nothing goes unchecked.
        current = self._qbo_read_current(connection, running.mapped("binding_id.qbo_id"))
        keys = {(entity, binding.qbo_id) for plan in plans.values() for binding, entity, _a in plan["links"]}
        for row in current.values():
            keys |= set(self._qbo_row_links(row))
        self._qbo_read_open(connection, keys, memo)
        for job in running:
            row = current.get(job.binding_id.qbo_id) or {}
            if row.get("SyncToken") and row["SyncToken"] != job.binding_id.sync_token:
                job.binding_id.sync_token = row["SyncToken"]
            before = self._qbo_row_links(row)
            after = {(entity, binding.qbo_id): amount for binding, entity, amount in
                     (plans[job.id]["links"] if job.id in plans else [])}
            delta = {key: money(after.get(key, 0.0) - before.get(key, 0.0)) for key in set(before) | set(after)}
            short = [(key, amount) for key, amount in delta.items()
                     if key in memo["open"] and amount > memo["open"][key] + 0.005]
            if short:
                self._qbo_shortfall(connection, job, plans[job.id], memo, short)
                continue
            for key, amount in delta.items():
                if key in memo["open"]:
                    memo["open"][key] = money(memo["open"][key] - amount)
            memo["delta"][job.id] = delta

    def _qbo_row_links(self, row):
        """{(entity, QuickBooks Id): amount} of a QuickBooks Payment as it stands."""
        entities = {link_type: entity for entity, link_type in LINK_TYPES.items()}
        links = defaultdict(float)
        for line in row.get("Line") or []:
            for link in line.get("LinkedTxn") or []:
                entity = entities.get(link.get("TxnType"))
                if entity:
                    links[(entity, str(link.get("TxnId")))] += float(line.get("Amount") or 0.0)
        return dict(links)

    def _qbo_batch_memo(self):
        """What the batch being sent read and will change in QuickBooks, shared by its payment handlers from their
        checks to their answers; it ends with the batch (see batch_memo)."""
        return batch_memo(self.env, "settlements", lambda: {"open": {}, "rows": {}, "delta": {}, "plans": {},
                                                             "bindings": {}})

    def _qbo_read_open(self, connection, keys, memo):
        """Read the open balance of the invoices and credit memos in ``keys`` not read yet in this batch."""
        api = connection._qbo_api()
        for entity, field in OPEN_FIELDS.items():
            ids = [qbo_id for kind, qbo_id in keys if kind == entity and (kind, qbo_id) not in memo["open"]]
            if not ids:
                continue
            for row in api.read_ids(entity, ids, with_inactive=False):
                memo["open"][(entity, row["Id"])] = money(float(row.get(field) or 0.0))
                memo["rows"][(entity, row["Id"])] = row
            for binding in self.env["qbo.binding"].search([("connection_id", "=", connection.id),
                                                           ("qbo_entity", "=", entity), ("qbo_id", "in", ids)]):
                memo["bindings"][(entity, binding.qbo_id)] = binding.id

    def _qbo_shortfall(self, connection, job, plan, memo, short):
        """An application exceeds what QuickBooks leaves open: wait for another payment's change, or say why."""
        Binding = self.env["qbo.binding"]
        for (entity, qbo_id), amount in short:
            row = memo["rows"].get((entity, qbo_id), {})
            payers = [link["TxnId"] for link in row.get("LinkedTxn") or [] if link.get("TxnType") == "Payment"]
            others = {(binding.res_model, binding.res_id) for binding in Binding.search([
                ("connection_id", "=", connection.id), ("qbo_entity", "=", "Payment"), ("qbo_id", "in", payers),
                ("id", "!=", job.binding_id.id)])}
            if not others:
                continue
            busy = self.env["qbo.sync.job"].search([
                ("connection_id", "=", connection.id), ("state", "in", ("pending", "running")),
                ("qbo_entity", "=", "Payment"), ("id", "!=", job.id),
                ("res_model", "in", list({model for model, _id in others})),
                ("res_id", "in", [res_id for _model, res_id in others])], order="id")
            busy = busy.filtered(lambda other: (other.res_model, other.res_id) in others)
            if busy and job.waits < MAX_WAITS:
                self._qbo_wait_behind(job, busy)
                return
        (entity, qbo_id), amount = short[0]
        row = memo["rows"].get((entity, qbo_id), {})
        document = plan["documents"].get(memo["bindings"].get((entity, qbo_id)))
        total = money(float(row.get("TotalAmt") or 0.0))
        odoo_total = money(document.amount_total) if document and len(
            self._qbo_doc_bindings(connection, document, entity)) == 1 else total
        if total != odoo_total:
            why = _("its total is %(qbo)s in QuickBooks but %(odoo)s in Odoo", qbo="%.2f" % total,
                    odoo="%.2f" % odoo_total)
        else:
            why = _("QuickBooks has %(applied)s applied to it, some of it by payments or credits Odoo does not "
                    "apply to it", applied="%.2f" % money(total - memo["open"][(entity, qbo_id)]))
        job._qbo_fail("", _(
            "QuickBooks %(label)s %(number)s (%(document)s in Odoo) has %(open)s open, less than the %(amount)s this "
            "would apply to it: %(why)s. Correct it in QuickBooks (or the reconciliation in Odoo), then retry.",
            label=_("invoice") if entity == "Invoice" else _("credit memo"), number=row.get("DocNumber") or qbo_id,
            document=document.display_name if document else "?", open="%.2f" % memo["open"][(entity, qbo_id)],
            amount="%.2f" % amount, why=why), "")

    def _qbo_wait_behind(self, job, busy):
        """Another payment applied to the same document is changing first (it frees what this one needs): this
        job steps back, without an attempt, until a little after that one is due, so they never share a batch
        in the wrong order."""
        now = fields.Datetime.now()
        # One claimed with this job (later in its batch) is sent now; one claimed elsewhere by its lease's end.
        due = min([now if not other.next_attempt_at or other.batch_key == job.batch_key else other.next_attempt_at
                   for other in busy] + [now + timedelta(seconds=BUSY_WAIT_CAP)])
        job.write({"state": "pending", "batch_key": False, "waits": job.waits + 1,
                   "next_attempt_at": max(due, now) + timedelta(seconds=BUSY_WAIT_AFTER),
                   "error_message": _("Waiting for another payment applied to the same document to change first.")})

    def _qbo_note_balances(self, job):
        """The QuickBooks balances of the documents this job changed: what was read before sending, less what
        QuickBooks accepted (so the invoice shows its QuickBooks balance without another call)."""
        memo = self._qbo_batch_memo()
        delta = memo["delta"].pop(job.id, None)
        if not delta:
            return
        for (entity, qbo_id), amount in delta.items():
            if (entity, qbo_id) not in memo["rows"]:
                continue
            row = memo["rows"][(entity, qbo_id)]
            row[OPEN_FIELDS[entity]] = money(float(row.get(OPEN_FIELDS[entity]) or 0.0) - amount)
            binding = self.env["qbo.binding"].browse(memo["bindings"].get((entity, qbo_id)))
            if not binding or binding.qbo_balance == row[OPEN_FIELDS[entity]]:
                continue
            try:
                # Informative only: when another worker noted this document meanwhile, its figure stays and
                # this batch's results are kept rather than rolled back over it.
                # Plain SQL, so the expected conflict is not logged as a bad query.
                with self.env.cr.savepoint(flush=True):
                    self.env.cr.execute("UPDATE qbo_binding SET qbo_balance = %s, write_uid = %s, "
                                        "write_date = now() AT TIME ZONE 'UTC' WHERE id = %s",
                                        [row[OPEN_FIELDS[entity]], self.env.uid, binding.id], log_exceptions=False)
            except psycopg2.errors.SerializationFailure:
                pass
            binding.invalidate_recordset(["qbo_balance", "write_date", "write_uid"])

    def _qbo_hold_endings(self, connection, jobs):
        """Endings (void, delete) of ``jobs`` wait while a payment of the same customer is still to be sent.

        QuickBooks refuses to end a document a payment still uses, and the
        payment's pending update is what lets go of it. Endings are queued after
        every push (see qbo.handler._qbo_ending_priority), so this only holds an
        ending whose payment is waiting out a fault.
        """
        endings = jobs.filtered(lambda job: job.state == "running" and job.operation != "push")
        if not endings:
            return
        busy = self.env["qbo.sync.job"].search([
            ("connection_id", "=", connection.id), ("state", "in", ("pending", "running")),
            ("qbo_entity", "=", "Payment"), ("operation", "=", "push"), ("id", "not in", jobs.ids)])
        partners = self._qbo_partners_of(busy | endings)
        by_partner = defaultdict(lambda: self.env["qbo.sync.job"])
        for job in busy.filtered(lambda job: job.id in partners):
            by_partner[partners[job.id]] |= job
        for job in endings:
            waiting_for = by_partner.get(partners.get(job.id))
            if waiting_for and job.waits < MAX_WAITS:
                self._qbo_wait_behind(job, waiting_for)

    def _qbo_partners_of(self, jobs):
        """{job id: the commercial partner of its record}, a few queries for all (records gone are left out)."""
        partners = {}
        for res_model in set(jobs.mapped("res_model")):
            mine = jobs.filtered(lambda job: job.res_model == res_model)
            records = self.env[res_model].browse(mine.mapped("res_id")).exists()
            owner = {record.id: (record.commercial_partner_id if res_model == "account.move"
                                 else record.partner_id).commercial_partner_id.id for record in records}
            partners.update({job.id: owner[job.res_id] for job in mine if job.res_id in owner})
        return partners

