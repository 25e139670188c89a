from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .. import qbo

INLINE_LIMIT = 300    # records sent while the user waits; more are left to the scheduled action
MAX_DETAILS = 200     # failure lines shown; the counts stay exact
LINK_CHUNK = 100      # products matched per pair of QuickBooks queries


class QboBulkAction(models.TransientModel):
    """Sync now, link or unlink many partners or products at once, from their list view."""

    _name = "qbo.bulk.action"
    _description = "QuickBooks Online bulk action"

    connection_id = fields.Many2one("qbo.connection", required=True, ondelete="cascade",
                                    default=lambda self: self.env["qbo.connection"].search(
                                        [("company_id", "=", self.env.company.id)], limit=1).id)
    company_id = fields.Many2one(related="connection_id.company_id")
    operation = fields.Selection([("sync", "Sync now"), ("link", "Link"), ("unlink", "Unlink")], required=True,
                                 default="sync")
    res_model = fields.Char(required=True, readonly=True)
    res_ids = fields.Json(readonly=True)
    record_count = fields.Integer("Records", compute="_compute_record_count")
    entity = fields.Selection("_qbo_entity_selection", string="As", required=True,
                              help="Which QuickBooks type the records are sent as, or unlinked from.")
    state = fields.Selection([("draft", "Choose"), ("done", "Done")], default="draft", required=True)
    synced_count = fields.Integer("Synced", readonly=True)
    unchanged_count = fields.Integer("Unchanged", readonly=True)
    failed_count = fields.Integer("Failed", readonly=True)
    waiting_count = fields.Integer("Waiting", readonly=True, help="Queued: sent by the scheduled action.")
    linked_count = fields.Integer("Linked", readonly=True)
    already_linked_count = fields.Integer("Linked already", readonly=True)
    unlinked_count = fields.Integer("Unlinked", readonly=True)
    cancelled_count = fields.Integer("Jobs cancelled", readonly=True)
    details = fields.Text(readonly=True)

    @api.model
    def _qbo_entity_selection(self):
        return [(handler._qbo_entity, handler._description) for handler in self.env["qbo.handler"]._qbo_all()
                if handler._qbo_bulk]

    @api.depends("res_ids")
    def _compute_record_count(self):
        for wizard in self:
            wizard.record_count = len(wizard.res_ids or [])

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        model, ids = context.get("active_model"), context.get("active_ids") or []
        if model == "product.template":   # QuickBooks items are product variants
            model = "product.product"
            ids = self.env["product.template"].browse(ids).with_context(active_test=False).product_variant_ids.ids
        if model:
            values.update(res_model=model, res_ids=list(ids))
            if "entity" in fields_list and not values.get("entity"):
                handlers = [handler for handler in self.env["qbo.handler"]._qbo_of_model(model) if handler._qbo_bulk]
                records = self.env[model].browse(ids)
                if context.get("res_partner_search_mode") == "supplier":   # the Purchase → Vendors list
                    handlers = [handler for handler in handlers if handler._qbo_entity == "Vendor"] or handlers
                elif model in ("account.move", "account.payment"):   # the type most of the selection is
                    # (invoices or credit notes; payments received or refunds)
                    handlers = sorted(handlers, key=lambda handler: (-len(handler._qbo_wants(records)),
                                                                     not handler._qbo_default_for_model))
                else:
                    handlers = [handler for handler in handlers if handler._qbo_default_for_model] or handlers
                values["entity"] = handlers[0]._qbo_entity if handlers else False
        return values

    def _qbo_handler(self):
        return self.env["qbo.handler"]._qbo_get(self.entity, self.res_model)

    def _qbo_records(self):
        self.ensure_one()
        models_ = {handler._qbo_model: handler for handler in self.env["qbo.handler"]._qbo_all() if handler._qbo_bulk}
        if self.res_model not in models_:
            raise UserError(_("These records cannot be synchronised with QuickBooks from a list."))
        if self._qbo_handler()._qbo_model != self.res_model:
            raise UserError(_("%(records)s cannot go to QuickBooks as %(entity)s.",
                              records=self.env[self.res_model]._description, entity=self._qbo_handler()._description))
        return self.env[self.res_model].browse(self.res_ids or []).exists()

    def action_apply(self):
        self.ensure_one()
        self.connection_id._qbo_check_manager()
        records = self._qbo_records()
        if not records:
            raise UserError(_("Select at least one record."))
        return getattr(self, "_qbo_apply_%s" % self.operation)(records)

    # ------------------------------------------------------------------ sync now
    def _qbo_apply_sync(self, records):
        connection = self.connection_id
        if connection.state != "connected":
            raise UserError(connection._qbo_not_connected_message())
        Job = self.env["qbo.sync.job"]
        Binding = self.env["qbo.binding"]
        # A record was really sent when its QuickBooks version moved; "done" alone may mean "unchanged".
        before = {binding.res_id: (binding.qbo_id, binding.sync_token) for binding in Binding.search([
            ("connection_id", "=", connection.id), ("res_model", "=", records._name),
            ("res_id", "in", records.ids), ("qbo_entity", "=", self.entity)])}
        jobs = Job._qbo_enqueue(connection, records, self.entity)
        if len(records) > INLINE_LIMIT:
            self.write({"state": "done", "waiting_count": len(jobs), "details": _(
                "%s records are many to send while you wait: they were queued and the scheduled action sends "
                "them in batches now. Follow them in QuickBooks Online → Sync Queue.", len(records))})
            return self._qbo_reopen()
        try:
            # The same processor as the scheduled action, for these jobs (and what they depend on) only.
            report = Job._qbo_process_inline(connection, jobs)
        except qbo.QboError as error:
            raise UserError(connection._qbo_error_message(error))
        counts = {"synced": 0, "unchanged": 0, "failed": 0, "waiting": 0}
        details = []
        for job in jobs:
            if job.state == "done":
                binding = job.binding_id
                fresh = binding.qbo_id and (binding.qbo_id, binding.sync_token) != before.get(job.res_id)
                counts["synced" if fresh else "unchanged"] += 1
            elif job.state in ("failed", "cancelled"):
                counts["failed"] += 1
                if len(details) < MAX_DETAILS:
                    details.append("%s: %s" % (job.record_name, job.error_message or _("refused")))
            else:
                counts["waiting"] += 1
                if len(details) < MAX_DETAILS and job.error_message:
                    details.append(_("%(record)s: will be retried (%(reason)s)", record=job.record_name,
                                     reason=job.error_message))
        if counts["waiting"] and report.get("reason"):
            details.insert(0, _("%(count)s queued and sent in the background: %(reason)s", count=counts["waiting"],
                                reason=report["reason"]))
        self.write({"state": "done", "synced_count": counts["synced"], "unchanged_count": counts["unchanged"],
                    "failed_count": counts["failed"], "waiting_count": counts["waiting"],
                    "details": "\n".join(details) or False})
        return self._qbo_reopen()

    # ------------------------------------------------------------------ link / unlink
    def _qbo_apply_link(self, records):
        if self.res_model == "product.product":
            return self._qbo_link_products(records)
        if self.res_model != "res.partner":
            raise UserError(_("Only customers, vendors and products are linked from a list. Invoices, credit "
                              "notes and payments are linked as they are sent; an invoice whose number QuickBooks "
                              "already has offers that link on the refused invoice."))
        wizard = self.env["qbo.partner.match"].create({
            "connection_id": self.connection_id.id, "entity": self.entity,
            "partner_ids": [fields.Command.set(records.ids)]})
        return wizard.action_propose()

    def _qbo_link_products(self, records):
        """Link products to the QuickBooks Items with their Sku, else their name; create nothing, write nothing.

        The same matching as a push uses (two queries per chunk); a linked Item
        is not overwritten until its product changes in Odoo.
        """
        connection = self.connection_id
        if connection.state != "connected":
            raise UserError(connection._qbo_not_connected_message())
        Binding = self.env["qbo.binding"]
        domain = [("connection_id", "=", connection.id), ("res_model", "=", records._name),
                  ("qbo_entity", "=", "Item"), ("qbo_id", "!=", False)]
        already = Binding.search(domain + [("res_id", "in", records.ids)])
        todo = records - records.browse(already.mapped("res_id"))
        try:
            for start in range(0, len(todo), LINK_CHUNK):
                self._qbo_handler()._qbo_prepare_batch(connection, todo[start:start + LINK_CHUNK])
        except qbo.QboError as error:
            raise UserError(connection._qbo_error_message(error))
        linked = Binding.search(domain + [("res_id", "in", todo.ids)])
        linked.write({"state": "synced", "synced_at": fields.Datetime.now(), "payload_hash": False})
        missing = todo - todo.browse(linked.mapped("res_id"))
        lines = [_("%(linked)s linked to an existing QuickBooks item, %(already)s linked already, %(missing)s "
                   "not found in QuickBooks (Sync now creates them).", linked=len(linked), already=len(already),
                   missing=len(missing))]
        lines += [self.env._("Not found: %s", product.display_name) for product in missing[:MAX_DETAILS]]
        self.write({"state": "done", "linked_count": len(linked), "already_linked_count": len(already),
                    "details": "\n".join(lines)})
        return self._qbo_reopen()

    def _qbo_apply_unlink(self, records):
        """Forget the links (QuickBooks is not touched) and cancel what was waiting to be sent."""
        domain = [("connection_id", "=", self.connection_id.id), ("res_model", "=", records._name),
                  ("res_id", "in", records.ids), ("qbo_entity", "=", self.entity)]
        jobs = self.env["qbo.sync.job"].search(domain + [("state", "in", ("pending", "failed"))])
        jobs.action_qbo_cancel()
        bindings = self.env["qbo.binding"].search(domain)
        count = len(bindings)
        bindings.unlink()
        self.write({"state": "done", "unlinked_count": count, "cancelled_count": len(jobs), "details": _(
            "QuickBooks was not changed: its records stay as they are, no longer linked to these Odoo records.")})
        return self._qbo_reopen()

    def _qbo_reopen(self):
        return {"type": "ir.actions.act_window", "res_model": self._name, "res_id": self.id, "view_mode": "form",
                "target": "new", "name": _("QuickBooks")}
