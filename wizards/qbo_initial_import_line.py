from odoo import fields, models


class QboInitialImportLine(models.TransientModel):
    """One list of the import wizard's preview: what the import would link, create and skip in it."""

    _name = "qbo.initial.import.line"
    _description = "QuickBooks Online import preview"
    _order = "sequence, id"

    wizard_id = fields.Many2one("qbo.initial.import", required=True, ondelete="cascade")
    sequence = fields.Integer()
    name = fields.Char("List", required=True)
    to_link = fields.Integer("To link", help="QuickBooks records Odoo already has: they are linked, not created.")
    to_create = fields.Integer("To create", help="QuickBooks records created in Odoo.")
    to_skip = fields.Integer("To skip", help="QuickBooks records left as they are; why is next to it.")
    errors = fields.Integer("Errors", help="Records that would fail, with the reason in the import's log.")
    reasons = fields.Char("Skipped because")
    complete = fields.Boolean(
        "Whole list", help="The whole list was read for the preview. A very large list is previewed on its first "
                           "pages only; the import counts the rest as it goes.")
