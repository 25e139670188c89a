from odoo import models


class ProductProduct(models.Model):
    """Product variants are QuickBooks Items (qbo.handler.item says what goes)."""

    _name = "product.product"
    _inherit = ["product.product", "qbo.push.mixin"]
