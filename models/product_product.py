from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .. import qbo
from ..qbo import paging

# Changes to these fields are what QuickBooks shows of an item.
QBO_ITEM_FIELDS = {"name", "default_code", "list_price", "lst_price", "standard_price", "description_sale",
                   "description_purchase", "active", "type", "is_storable", "categ_id",
                   "property_account_income_id", "property_account_expense_id", "taxes_id", "supplier_taxes_id"}
ITEM_NAME_MAX = 100     # QuickBooks caps an Item's Name (and Sku) at 100 characters
ITEM_PRIORITY = 5       # items go before the customers (10) and documents that use them


class ProductProduct(models.Model):
    _name = "product.product"
    _inherit = ["product.product", "qbo.push.mixin"]

    # The opening stock of an Inventory item: QuickBooks takes it when the item is created, and an update
    # must not pretend the stock is still what it was then.
    _qbo_create_only_fields = ("QtyOnHand", "InvStartDate")

    _qbo_watched_fields = QBO_ITEM_FIELDS
    _qbo_push_flag = "push_products"

    def _qbo_push_targets(self):
        return [(self, "Item", ITEM_PRIORITY)]

    # ------------------------------------------------------------------ payload
    def _qbo_item_name(self):
        """The product's name with its variant values, as Item names are unique in QuickBooks.

        The colon separates parent and sub-item in QuickBooks, so a name may not contain one.
        """
        name = self.name or ""
        variant = self.product_template_attribute_value_ids._get_combination_name()
        if variant:
            name = "%s (%s)" % (name, variant)
        name = name.replace(":", "-").replace("\t", " ").replace("\n", " ").strip()
        return name[:ITEM_NAME_MAX]

    def _qbo_item_type(self):
        if self.type == "service":
            return "Service"
        # is_storable exists only with the stock module; without it nothing is tracked as inventory.
        if self.type == "consu" and "is_storable" in self._fields and self.is_storable:
            return "Inventory"
        return "NonInventory"   # consumables, and combos (a QuickBooks bundle cannot be created by the API)

    def _qbo_payload(self, connection, entity):
        """The QuickBooks Item for this product; a UserError names an account or tax without mapping."""
        self.ensure_one()
        product = self.with_company(connection.company_id)
        item_type = product._qbo_item_type()
        accounts = product.product_tmpl_id._get_product_accounts()
        payload = {"Name": product._qbo_item_name(), "Type": item_type, "Active": product.active,
                   "UnitPrice": product.lst_price, "PurchaseCost": product.standard_price}
        if product.default_code:
            payload["Sku"] = product.default_code[:ITEM_NAME_MAX]
        if product.description_sale:
            payload["Description"] = product.description_sale
        if product.description_purchase:
            payload["PurchaseDesc"] = product.description_purchase
        if not accounts.get("income"):
            raise UserError(_("The product %(product)s has no income account, neither its own nor its category's "
                              "%(category)s.", product=product.display_name, category=product.categ_id.display_name))
        payload["IncomeAccountRef"] = connection._qbo_account_ref(accounts["income"])
        if accounts.get("expense"):
            payload["ExpenseAccountRef"] = connection._qbo_account_ref(accounts["expense"])
        if item_type == "Inventory":
            payload.update(product._qbo_inventory_values(connection, accounts))
        payload.update(product._qbo_item_tax_values(connection))
        return payload

    def _qbo_inventory_values(self, connection, accounts):
        values = {}
        asset = accounts.get("stock_valuation")
        if asset:
            values["AssetAccountRef"] = connection._qbo_account_ref(asset)
        else:
            raise UserError(_("The product %s is tracked in stock but its category has no stock valuation "
                              "account to give QuickBooks as the inventory asset account.", self.display_name))
        # Sent on create only (see _qbo_create_only_fields): QuickBooks takes the opening quantity then.
        values["QtyOnHand"] = self.qty_available if "qty_available" in self._fields else 0
        values["InvStartDate"] = fields.Date.to_string(fields.Date.context_today(self))
        return values

    def _qbo_item_tax_values(self, connection):
        Mapping = self.env["qbo.tax.mapping"].sudo()
        company = connection.company_id
        sale_taxes = self.taxes_id.filtered(lambda tax: tax.company_id == company)
        rows = Mapping.search([("connection_id", "=", connection.id), ("tax_id", "in", sale_taxes.ids)])
        if connection._qbo_tax_mode() != "global":
            return {"Taxable": any(row.us_treatment == "TAX" for row in rows)}
        values = {}
        for field, taxes in (("SalesTaxCodeRef", sale_taxes),
                             ("PurchaseTaxCodeRef", self.supplier_taxes_id.filtered(
                                 lambda tax: tax.company_id == company))):
            codes = Mapping.search([("connection_id", "=", connection.id), ("tax_id", "in", taxes.ids)]) \
                .qbo_tax_code_id
            if len(codes) == 1:
                values[field] = {"value": codes.qbo_id, "name": codes.name}
        return values

    # ------------------------------------------------------------------ linking before creating
    @api.model
    def _qbo_prepare_batch(self, connection, entity, products):
        """Link products not yet in QuickBooks to an existing Item with their Sku, else their exact name,
        so that they update it instead of creating a duplicate. Two queries for the whole batch."""
        if entity != "Item":
            return
        Binding = self.env["qbo.binding"].sudo()
        bound = Binding.search([("connection_id", "=", connection.id), ("res_model", "=", self._name),
                                ("res_id", "in", products.ids), ("qbo_entity", "=", "Item"),
                                ("qbo_id", "!=", False)])
        todo = products.filtered(lambda product: product.id not in set(bound.mapped("res_id")))
        if not todo:
            return

        def find(field, values):
            if not values:
                return {}
            where = "%s IN (%s)" % (field, ", ".join(paging.quote(value) for value in sorted(values)))
            rows = paging.read_pages(lambda sql: connection._qbo_call(lambda client: client.query(sql)), "Item",
                                     where, select="*, Sku")
            return {(row.get(field) or "").casefold(): row for row in rows}
        try:
            by_sku = find("Sku", {product.default_code[:ITEM_NAME_MAX] for product in todo if product.default_code})
        except qbo.QboValidationError:
            by_sku = {}   # a QuickBooks edition refusing to filter on Sku: fall back to names alone
        matches = {}
        for product in todo:
            row = by_sku.get((product.default_code or "")[:ITEM_NAME_MAX].casefold()) if product.default_code \
                else None
            if row:
                matches[product] = row
        by_name = find("Name", {product._qbo_item_name() for product in todo if product not in matches})
        for product in todo:
            if product not in matches and by_name.get(product._qbo_item_name().casefold()):
                matches[product] = by_name[product._qbo_item_name().casefold()]
        taken = set(Binding.search([("connection_id", "=", connection.id), ("qbo_entity", "=", "Item"),
                                    ("qbo_id", "in", [row["Id"] for row in matches.values()])]).mapped("qbo_id"))
        for product, row in matches.items():
            if row["Id"] in taken:
                continue   # already the Item of another product: let QuickBooks say the name is taken
            taken.add(row["Id"])
            Binding._qbo_get_or_create(connection, product, "Item").write(
                {"qbo_id": row["Id"], "sync_token": row.get("SyncToken"), "state": "pending"})
