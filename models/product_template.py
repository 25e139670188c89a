from odoo import models


class ProductTemplate(models.Model):
    _name = "product.template"
    _inherit = ["product.template", "qbo.sync.mixin"]

    def _qbo_sync_records(self):
        return self.with_context(active_test=False).product_variant_ids

    def write(self, vals):
        # The product form edits the template: its variants are what QuickBooks knows as Items.
        result = super().write(vals)
        variants = self.product_variant_ids
        if any(handler._qbo_watched_fields & set(vals) for handler in variants._qbo_handlers()):
            variants._qbo_queue_push()
        return result
