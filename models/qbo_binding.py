from odoo import api, fields, models


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

    _sql_constraints = [
        ("record_unique", "unique(connection_id, res_model, res_id, qbo_entity)",
         "This record is already linked to a QuickBooks object of this type."),
        ("qbo_unique", "unique(connection_id, qbo_entity, qbo_id)",
         "This QuickBooks object is already linked to another Odoo record."),
    ]

    @api.depends("res_model", "res_id", "qbo_entity", "qbo_id")
    def _compute_display_name(self):
        for binding in self:
            record = self.env[binding.res_model].browse(binding.res_id).exists() if binding.res_model else None
            binding.display_name = "%s → %s %s" % (record.display_name if record else "?", binding.qbo_entity,
                                                   binding.qbo_id or "(new)")

    @api.model
    def _qbo_get_or_create(self, connection, record, entity):
        binding = self.search([("connection_id", "=", connection.id), ("res_model", "=", record._name),
                               ("res_id", "=", record.id), ("qbo_entity", "=", entity)], limit=1)
        return binding or self.create({"connection_id": connection.id, "res_model": record._name,
                                       "res_id": record.id, "qbo_entity": entity})
