from odoo import _, api, fields, models
from odoo.exceptions import UserError

class QboBinding(models.Model):
    """The link between one Odoo record and one QuickBooks object in one company.

    A partner can be bound twice in the same company, as Customer and as Vendor.
    The SyncToken is kept for sparse updates; the payload hash lets unchanged
    records stay unsent.
    """

    _name = "qbo.binding"
    _inherit = ["qbo.record.mixin"]
    _description = "QuickBooks Online link"
    _order = "id desc"

    qbo_id = fields.Char("QuickBooks ID", index=True, copy=False)
    sync_token = fields.Char("SyncToken", copy=False,
                             help="QuickBooks' version of the object; an update must quote the latest one.")
    payload_hash = fields.Char(copy=False, help="Hash of the last payload sent; an unchanged record is not re-sent.")
    synced_at = fields.Datetime("Synced at", copy=False)
    state = fields.Selection([("pending", "Pending"), ("synced", "Synced"), ("error", "Error")],
                             default="pending", required=True, index=True)
    last_error = fields.Text(copy=False)
    name_suffix = fields.Char(copy=False, help="Added to the display name in QuickBooks because another type of "
                                               "QuickBooks record (a customer for a vendor, say) has the name.")
    record_name = fields.Char("Record", compute="_compute_record_name")
    qbo_name = fields.Char("Name in QuickBooks", compute="_compute_record_name",
                           help="The name QuickBooks holds when it differs from Odoo's: a vendor whose name a "
                                "QuickBooks customer has is created with the connection's suffix, e.g. "
                                "“Azure Interior (Vendor)”.")
    qbo_url = fields.Char("QuickBooks page", compute="_compute_qbo_url")
    partner_id = fields.Many2one("res.partner", "Partner", compute="_compute_partner_id", store=True, index=True,
                                 help="The linked partner, for customer and vendor links.")
    part = fields.Char(default="", copy=False,
                       help="Which of the record's QuickBooks objects this is, when one Odoo record is several of "
                            "them (an invoice split by month: its month). Empty for the usual one.")
    # What QuickBooks last reported of a document (invoices, credit notes, ...).
    qbo_doc_number = fields.Char("QuickBooks number", copy=False)
    qbo_total = fields.Float("QuickBooks total", digits=(16, 2), copy=False)
    qbo_tax = fields.Float("QuickBooks tax", digits=(16, 2), copy=False)
    qbo_balance = fields.Float("QuickBooks balance", digits=(16, 2), copy=False,
                               help="What is still to pay, as QuickBooks last reported it.")
    qbo_due_date = fields.Date("QuickBooks due date", copy=False)
    mismatch = fields.Text(copy=False, help="QuickBooks' figures differ from Odoo's: both are shown.")

    _sql_constraints = [
        ("record_unique", "unique(connection_id, res_model, res_id, qbo_entity, part)",
         "This record is already linked to a QuickBooks object of this type."),
        ("qbo_unique", "unique(connection_id, qbo_entity, qbo_id)",
         "This QuickBooks object is already linked to another Odoo record."),
    ]

    @api.depends("res_model", "res_id", "qbo_entity", "qbo_id")
    def _compute_display_name(self):
        for binding in self:
            record = self.env[binding.res_model].browse(binding.res_id).exists() if binding.res_model else None
            binding.display_name = "%s%s → %s %s" % (
                record.display_name if record else "?", " (%s)" % binding.part if binding.part else "",
                binding.qbo_entity, binding.qbo_id or "(new)")

    @api.depends("res_model", "res_id", "name_suffix")
    def _compute_record_name(self):
        for binding in self:
            record = self.env[binding.res_model].browse(binding.res_id).exists() if binding.res_model else None
            binding.record_name = record.display_name if record else _("(deleted)")
            binding.qbo_name = False
            if record and binding.name_suffix:
                # As the processor sends it: the handler's name, cut to leave room for the suffix.
                handler = self.env["qbo.handler"]._qbo_get(binding.qbo_entity, binding.res_model)
                name = handler._qbo_display_name(record) if hasattr(handler, "_qbo_display_name") \
                    else record.display_name
                binding.qbo_name = name[:500 - len(binding.name_suffix)] + binding.name_suffix

    @api.depends("qbo_entity", "qbo_id", "connection_id.realm_id")
    def _compute_qbo_url(self):
        entities = {handler._qbo_entity: handler for handler in self.env["qbo.handler"]._qbo_all()}
        for binding in self:
            handler = entities.get(binding.qbo_entity)
            binding.qbo_url = handler._qbo_app_url(binding.connection_id, binding.qbo_id) \
                if handler is not None else False

    def action_qbo_view_in_quickbooks(self):
        """Open the linked record in the QuickBooks web app (or the emulator's page for it)."""
        self.ensure_one()
        if not self.qbo_url:
            raise UserError(_("This record is not in QuickBooks yet."))
        return {"type": "ir.actions.act_url", "url": self.qbo_url, "target": "new"}

    def action_qbo_open_record(self):
        self.ensure_one()
        return {"type": "ir.actions.act_window", "res_model": self.res_model, "res_id": self.res_id,
                "view_mode": "form", "target": "current"}

    @api.depends("res_model", "res_id")
    def _compute_partner_id(self):
        for binding in self:
            binding.partner_id = binding.res_id if binding.res_model == "res.partner" else False

    @api.model
    def _qbo_bound(self, connection, res_model, entity, ids):
        """{id: its links of ``entity`` (every part)} for these records of ``res_model``. While a batch is built
        (see batch_memo) each record is looked up once, and a batch's records in one query."""
        memo = self.env.cr.cache.get("qbo_batch_memo")
        known = memo.setdefault(("bound", connection.id, res_model, entity), {}) if memo is not None else {}
        missing = [res_id for res_id in ids if res_id not in known]
        if missing:
            for res_id in missing:
                known[res_id] = self.browse()
            for binding in self.search([("connection_id", "=", connection.id), ("res_model", "=", res_model),
                                        ("qbo_entity", "=", entity), ("res_id", "in", missing)]):
                known[binding.res_id] |= binding
        return {res_id: known[res_id] for res_id in ids}

    @api.model
    def _qbo_find(self, connection, record, entity, part=""):
        return self.search([("connection_id", "=", connection.id), ("res_model", "=", record._name),
                            ("res_id", "=", record.id), ("qbo_entity", "=", entity), ("part", "=", part or "")],
                           limit=1)

    @api.model
    def _qbo_get_or_create(self, connection, record, entity, part=""):
        binding = self._qbo_find(connection, record, entity, part)
        return binding or self.create({"connection_id": connection.id, "res_model": record._name,
                                       "res_id": record.id, "qbo_entity": entity, "part": part or ""})

    @api.model
    def _qbo_link(self, connection, record, entity, qbo_object, payload_hash=False):
        """Record that ``record`` is ``qbo_object`` (QuickBooks JSON with Id and SyncToken); QuickBooks is not called.

        ``payload_hash`` is the digest of what Odoo would send when the two are
        known to be equal (a record just imported), so that nothing is re-sent.
        """
        qbo_id = str(qbo_object["Id"])
        other = self.search([("connection_id", "=", connection.id), ("qbo_entity", "=", entity),
                             ("qbo_id", "=", qbo_id), "!", "&", ("res_model", "=", record._name),
                             ("res_id", "=", record.id)], limit=1)
        if other:
            raise UserError(_("The QuickBooks %(entity)s %(qbo_id)s is already linked to %(other)s; it cannot be "
                              "linked to %(record)s too.", entity=entity, qbo_id=qbo_id,
                              other=other.display_name.split(" → ")[0], record=record.display_name))
        binding = self._qbo_get_or_create(connection, record, entity)
        binding.write({"qbo_id": qbo_id, "sync_token": qbo_object.get("SyncToken"), "state": "synced",
                       "synced_at": fields.Datetime.now(), "last_error": False, "payload_hash": payload_hash})
        return binding
