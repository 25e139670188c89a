from odoo import api, models

from .product_product import QBO_ITEM_FIELDS

# QuickBooks item types Odoo has a product for; Category and Group/Bundle items are not products.
ITEM_TYPES = {"Service": "service", "NonInventory": "consu", "Inventory": "consu"}


class ProductTemplate(models.Model):
    _name = "product.template"
    _inherit = ["product.template", "qbo.sync.mixin"]

    def _qbo_sync_records(self):
        return self.with_context(active_test=False).product_variant_ids

    def _qbo_entities_of(self, record):
        return ["Item"]

    def write(self, vals):
        # The product form edits the template: its variants are what QuickBooks knows as Items.
        result = super().write(vals)
        if QBO_ITEM_FIELDS & set(vals):
            self.product_variant_ids._qbo_queue_push()
        return result

    @api.model
    def _qbo_values_from_item(self, data):
        """Odoo values for a product made from a QuickBooks Item (its JSON)."""
        values = {
            "name": (data.get("Name") or "").strip() or self.env._("(no name)"),
            "type": ITEM_TYPES.get(data.get("Type"), "consu"),
            "list_price": float(data.get("UnitPrice") or 0.0),
            "standard_price": float(data.get("PurchaseCost") or 0.0),
            "active": data.get("Active", True) is not False,
            "sale_ok": True,
        }
        if data.get("Sku"):
            values["default_code"] = data["Sku"]
        if data.get("Description"):
            values["description_sale"] = data["Description"]
        if data.get("PurchaseDesc"):
            values["description_purchase"] = data["PurchaseDesc"]
        # Inventory items track quantities; Odoo does so when stock is installed.
        if data.get("Type") == "Inventory" and "is_storable" in self._fields:
            values["is_storable"] = True
        return values
