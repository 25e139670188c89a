from odoo import models


class ResPartner(models.Model):
    """Customers and vendors: queued on save, shown with their QuickBooks links (qbo.handler.customer and
    qbo.handler.vendor say what goes)."""

    _name = "res.partner"
    _inherit = ["res.partner", "qbo.sync.mixin", "qbo.push.mixin"]
