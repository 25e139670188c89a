from odoo import models

from .. import qbo
from .qbo_handler import LEVEL_ITEMS

ITEM_NAME_MAX = 100


class QboHandlerAccountItem(models.AbstractModel):
    """"The account's item": a service Item per mapped Odoo income account.

    QuickBooks posts a document line to its Item's income account. A line
    whose Odoo account is not its product's (or that has no product) goes
    through the Item of that account, created once, so the revenue lands on
    the QuickBooks account mapped from the line's account.
    """

    _name = "qbo.handler.account.item"
    _inherit = "qbo.handler"
    _description = "Account's item"

    _qbo_entity = "Item"
    _qbo_model = "qbo.account.mapping"
    _qbo_level = LEVEL_ITEMS
    _qbo_ending = None
    _qbo_app_page = ("item", "itemId")

    def _qbo_item_name(self, row):
        account = row.account_id.with_company(row.connection_id.company_id)
        name = "%s %s" % (account.code or "", account.name or "")
        return name.replace(":", "-").replace("\t", " ").replace("\n", " ").strip()[:ITEM_NAME_MAX]

    def _qbo_to_qbo(self, connection, row):
        return {"Name": self._qbo_item_name(row), "Type": "Service", "Active": True,
                "IncomeAccountRef": connection._qbo_account_ref(row.account_id),
                "Description": self.env._("Odoo account %s", row.account_id.display_name)}

    def _qbo_prepare_batch(self, connection, rows):
        """An Item of that name already in QuickBooks (from an earlier link, or made by hand) is used, not
        duplicated. One query for the batch."""
        Binding = self.env["qbo.binding"].sudo()
        bound = set(Binding.search([("connection_id", "=", connection.id), ("res_model", "=", rows._name),
                                    ("res_id", "in", rows.ids), ("qbo_entity", "=", "Item"),
                                    ("qbo_id", "!=", False)]).mapped("res_id"))
        todo = rows.filtered(lambda row: row.id not in bound)
        if not todo:
            return
        names = {self._qbo_item_name(row) for row in todo}
        found = {item["Name"].casefold(): item for item in connection._qbo_api().query_all(
            "Item", "Name IN %s" % qbo.quote_list(sorted(names)))}
        taken = set(Binding.search([("connection_id", "=", connection.id), ("qbo_entity", "=", "Item"),
                                    ("qbo_id", "in", [item["Id"] for item in found.values()])]).mapped("qbo_id"))
        for row in todo:
            item = found.get(self._qbo_item_name(row).casefold())
            if item and item["Id"] not in taken:
                taken.add(item["Id"])
                Binding._qbo_get_or_create(connection, row, "Item").write(
                    {"qbo_id": item["Id"], "sync_token": item.get("SyncToken"), "state": "pending"})
