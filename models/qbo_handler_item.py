from odoo import _, fields, models
from odoo.exceptions import UserError, ValidationError

from .. import qbo
from .qbo_handler import LEVEL_ITEMS

# Changes to these fields are what QuickBooks shows of an item.
ITEM_FIELDS = frozenset({
    "name", "default_code", "list_price", "lst_price", "standard_price", "description_sale", "description_purchase",
    "active", "type", "is_storable", "categ_id", "property_account_income_id", "property_account_expense_id",
    "taxes_id", "supplier_taxes_id"})
ITEM_NAME_MAX = 100     # QuickBooks caps an Item's Name (and Sku) at 100 characters
# QuickBooks item types Odoo has a product for; Category and Group/Bundle items are not products.
PRODUCT_TYPES = {"Service": "service", "NonInventory": "consu", "Inventory": "consu"}


class QboHandlerItem(models.AbstractModel):
    """Product variants as QuickBooks Items, linked by Sku or name before anything is created."""

    _name = "qbo.handler.item"
    _inherit = "qbo.handler"
    _description = "Product (Item)"

    _qbo_entity = "Item"
    _qbo_model = "product.product"
    _qbo_level = LEVEL_ITEMS
    _qbo_app_page = ("item", "itemId")
    _qbo_push_flag = "push_products"
    _qbo_watched_fields = ITEM_FIELDS
    # The opening stock of an Inventory item: QuickBooks takes it when the item is created, and an update
    # must not pretend the stock is still what it was then.
    _qbo_create_only_fields = ("QtyOnHand", "InvStartDate")
    _qbo_import_sequence = 40
    _qbo_bulk = True
    _qbo_default_for_model = True

    # ------------------------------------------------------------------ Odoo → QuickBooks
    def _qbo_item_name(self, product):
        """The product's name with its variant values, as Item names are unique in QuickBooks.

        The colon separates parent and sub-item in QuickBooks, so a name may not contain one.
        """
        name = product.name or ""
        variant = product.product_template_attribute_value_ids._get_combination_name()
        if variant:
            name = "%s (%s)" % (name, variant)
        name = name.replace(":", "-").replace("\t", " ").replace("\n", " ").strip()
        return name[:ITEM_NAME_MAX]

    def _qbo_item_type(self, product):
        if product.type == "service":
            return "Service"
        # is_storable exists only with the stock module; without it nothing is tracked as inventory.
        if product.type == "consu" and "is_storable" in product._fields and product.is_storable:
            return "Inventory"
        return "NonInventory"   # consumables, and combos (a QuickBooks bundle cannot be created by the API)

    def _qbo_to_qbo(self, connection, product):
        """The QuickBooks Item for this product; a UserError names an account or tax without mapping."""
        product = product.with_company(connection.company_id)
        item_type = self._qbo_item_type(product)
        accounts = product.product_tmpl_id._get_product_accounts()
        payload = {"Name": self._qbo_item_name(product), "Type": item_type, "Active": product.active,
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
            payload.update(self._qbo_inventory_values(connection, product, accounts))
        payload.update(self._qbo_item_tax_values(connection, product))
        return payload

    def _qbo_inventory_values(self, connection, product, accounts):
        asset = accounts.get("stock_valuation")
        if not asset:
            raise UserError(_("The product %s is tracked in stock but its category has no stock valuation "
                              "account to give QuickBooks as the inventory asset account.", product.display_name))
        # Sent on create only (see _qbo_create_only_fields): QuickBooks takes the opening quantity then.
        return {"AssetAccountRef": connection._qbo_account_ref(asset),
                "QtyOnHand": product.qty_available if "qty_available" in product._fields else 0,
                "InvStartDate": fields.Date.to_string(fields.Date.context_today(product))}

    def _qbo_item_tax_values(self, connection, product):
        Mapping = self.env["qbo.tax.mapping"].sudo()
        company = connection.company_id
        sale_taxes = product.taxes_id.filtered(lambda tax: tax.company_id == company)
        rows = Mapping.search([("connection_id", "=", connection.id), ("tax_id", "in", sale_taxes.ids)])
        if connection._qbo_tax_mode() != "global":
            return {"Taxable": any(row.us_treatment == "TAX" for row in rows)}
        values = {}
        for field, taxes in (("SalesTaxCodeRef", sale_taxes),
                             ("PurchaseTaxCodeRef", product.supplier_taxes_id.filtered(
                                 lambda tax: tax.company_id == company))):
            codes = Mapping.search([("connection_id", "=", connection.id), ("tax_id", "in", taxes.ids)]) \
                .qbo_tax_code_id
            if len(codes) == 1:
                values[field] = {"value": codes.qbo_id, "name": codes.name}
        return values

    def _qbo_prepare_batch(self, connection, products):
        """Link products not yet in QuickBooks to an existing Item with their Sku, else their exact name,
        so that they update it instead of creating a duplicate. Two queries for the whole batch."""
        Binding = self.env["qbo.binding"].sudo()
        bound = Binding.search([("connection_id", "=", connection.id), ("res_model", "=", products._name),
                                ("res_id", "in", products.ids), ("qbo_entity", "=", "Item"),
                                ("qbo_id", "!=", False)])
        todo = products.filtered(lambda product: product.id not in set(bound.mapped("res_id")))
        if not todo:
            return
        api = connection._qbo_api()

        def find(field, values):
            if not values:
                return {}
            rows = api.query_all("Item", "%s IN %s" % (field, qbo.quote_list(sorted(values))), select="*, Sku")
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
        by_name = find("Name", {self._qbo_item_name(product) for product in todo if product not in matches})
        for product in todo:
            if product not in matches and by_name.get(self._qbo_item_name(product).casefold()):
                matches[product] = by_name[self._qbo_item_name(product).casefold()]
        taken = set(Binding.search([("connection_id", "=", connection.id), ("qbo_entity", "=", "Item"),
                                    ("qbo_id", "in", [row["Id"] for row in matches.values()])]).mapped("qbo_id"))
        for product, row in matches.items():
            if row["Id"] in taken:
                continue   # already the Item of another product: let QuickBooks say the name is taken
            taken.add(row["Id"])
            Binding._qbo_get_or_create(connection, product, "Item").write(
                {"qbo_id": row["Id"], "sync_token": row.get("SyncToken"), "state": "pending"})

    # ------------------------------------------------------------------ QuickBooks → Odoo
    def _qbo_from_qbo(self, connection, data):
        """Odoo values for a product template made from a QuickBooks Item (its JSON)."""
        values = {
            "name": (data.get("Name") or "").strip() or self.env._("(no name)"),
            "type": PRODUCT_TYPES.get(data.get("Type"), "consu"),
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
        if data.get("Type") == "Inventory" and "is_storable" in self.env["product.template"]._fields:
            values["is_storable"] = True
        return values

    def _qbo_import_rows(self, run, step, rows):
        connection = run.connection_id
        todo = run._qbo_first_pass(step, rows, "Item", "product.product")
        Product = self.env["product.product"].with_context(qbo_no_export=True, active_test=True)
        Binding = self.env["qbo.binding"]
        taken = set(Binding.search([("connection_id", "=", connection.id), ("qbo_entity", "=", "Item"),
                                    ("res_model", "=", "product.product"), ("qbo_id", "!=", False)]).mapped("res_id"))
        codes = [row["Sku"] for row in todo if row.get("Sku")]
        names = [row.get("Name") for row in todo if row.get("Name")]
        candidates = Product.search(["|", ("company_id", "=", False), ("company_id", "=", connection.company_id.id),
                                     "|", ("default_code", "in", codes), ("name", "in", names)]) if todo else Product
        by_code, by_name = {}, {}
        for product in candidates.filtered(lambda p: p.id not in taken):
            if product.default_code:
                by_code[product.default_code] = by_code.get(product.default_code, Product) | product
            key = (product.name or "").casefold()
            by_name[key] = by_name.get(key, Product) | product
        for row in todo:
            if row.get("Type") not in PRODUCT_TYPES:
                step._qbo_skip(row, _("%s items are not products", row.get("Type") or "?"))
                continue
            found = by_code.get(row.get("Sku")) if row.get("Sku") else None
            found = (found or by_name.get((row.get("Name") or "").casefold(), Product)).filtered(
                lambda p: p.id not in taken)
            if len(found) > 1:
                step._qbo_skip(row, _("several Odoo products match (%s)", ", ".join(found.mapped("display_name"))))
                continue
            try:
                with self.env.cr.savepoint():
                    if found:
                        Binding._qbo_link(connection, found, "Item", row)
                        step.linked_count += 1
                        taken.add(found.id)
                        continue
                    template = self.env["product.template"].with_context(qbo_no_export=True).create(
                        self._qbo_from_qbo(connection, row))
                    product = template.with_context(active_test=False).product_variant_ids[:1]
                    Binding._qbo_link(connection, product, "Item", row, payload_hash=run._qbo_digest(product, "Item"))
                    step.created_count += 1
                    taken.add(product.id)
            except (UserError, ValidationError, ValueError) as error:
                step._qbo_error(row, str(error))
