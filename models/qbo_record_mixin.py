from odoo import fields, models


class QboRecordMixin(models.AbstractModel):
    """Which Odoo record, as which QuickBooks type, in which company's QuickBooks."""

    _name = "qbo.record.mixin"
    _description = "QuickBooks Online record reference"

    connection_id = fields.Many2one("qbo.connection", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="connection_id.company_id", store=True, index=True)
    res_model = fields.Char("Odoo model", required=True, index=True)
    res_id = fields.Many2oneReference("Odoo record", model_field="res_model", required=True, index=True)
    qbo_entity = fields.Char("QuickBooks type", required=True, help="Customer, Vendor, Item, Account, ...")
