"""Sync now, link and unlink from list views, and the Customers / Vendors link lists."""
import ast
from unittest.mock import patch

from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..wizards import qbo_bulk_action
from .connected_common import QboConnectedCase


@tagged("post_install", "-at_install")
class TestQboBulkWizards(QboConnectedCase):

    def setUp(self):
        super().setUp()
        self.Partner = self.env["res.partner"].with_context(qbo_no_export=True)
        self.Job = self.env["qbo.sync.job"]

    def bulk(self, records, operation, entity=None):
        values = {"operation": operation}
        if entity:
            values["entity"] = entity
        wizard = self.env["qbo.bulk.action"].with_user(self.manager).with_context(
            active_model=records._name, active_ids=records.ids).create(values)
        action = wizard.action_apply()
        return wizard, action

    def customers(self, count, prefix):
        return self.Partner.create([{"name": "%s %02d" % (prefix, n), "customer_rank": 1} for n in range(count)])

    def test_sync_now_reports_synced_failed_and_unchanged(self):
        good = self.customers(4, "Bulk Sync")
        clash = self.Partner.create({"name": "Amy's Bird Sanctuary", "customer_rank": 1})
        wizard, action = self.bulk(good | clash, "sync")
        self.assertEqual((action["res_model"], action["res_id"]), ("qbo.bulk.action", wizard.id))
        self.assertEqual((wizard.synced_count, wizard.unchanged_count, wizard.failed_count, wizard.waiting_count),
                         (4, 0, 1, 0))
        self.assertIn("Amy's Bird Sanctuary: ", wizard.details)
        self.assertIn("already exists (Id 1)", wizard.details)
        self.assertEqual(len([c for c in self.qbo_rows("Customer") if c["DisplayName"].startswith("Bulk Sync")]), 4)

        good[0].with_context(qbo_no_export=False).phone = "555-0101"
        self.emulator_admin.clear_counters()
        again, _action = self.bulk(good | clash, "sync")
        self.assertEqual((again.synced_count, again.unchanged_count, again.failed_count), (1, 3, 1))
        self.assertEqual(self.qbo_calls()["POST batch"], 1, "only the changed and the failed one were sent")

    def test_vendors_are_synced_as_vendors(self):
        partners = self.customers(2, "Bulk Vendor")
        wizard, _action = self.bulk(partners, "sync", entity="Vendor")
        self.assertEqual(wizard.synced_count, 2)
        self.assertEqual(len([v for v in self.qbo_rows("Vendor") if v["DisplayName"].startswith("Bulk Vendor")]), 2)

    def test_many_records_are_left_to_the_scheduled_action(self):
        partners = self.customers(5, "Bulk Later")
        self.emulator_admin.clear_counters()
        with patch.object(qbo_bulk_action, "INLINE_LIMIT", 3):
            wizard, _action = self.bulk(partners, "sync")
        self.assertEqual((wizard.waiting_count, wizard.synced_count), (5, 0))
        self.assertFalse(self.qbo_calls().get("total"))
        jobs = self.Job.search([("res_model", "=", "res.partner"), ("res_id", "in", partners.ids)])
        self.assertEqual(set(jobs.mapped("state")), {"pending"})
        self.assertEqual(len(jobs), 5)

    def test_unlink_forgets_links_and_cancels_queued_changes_only(self):
        partners = self.customers(3, "Bulk Unlink")
        self.bulk(partners, "sync")
        partners[0].with_context(qbo_no_export=False).phone = "555-0102"   # queues a change
        pending = self.Job.search([("res_id", "=", partners[0].id), ("res_model", "=", "res.partner"),
                                   ("state", "=", "pending")])
        self.assertEqual(len(pending), 1)
        self.emulator_admin.clear_counters()
        wizard, _action = self.bulk(partners, "unlink")
        self.assertEqual((wizard.unlinked_count, wizard.cancelled_count), (3, 1))
        self.assertFalse(self.qbo_calls().get("total"), "QuickBooks is not touched")
        self.assertFalse(self.env["qbo.binding"].search([("res_model", "=", "res.partner"),
                                                        ("res_id", "in", partners.ids)]))
        self.assertEqual(pending.state, "cancelled")
        self.assertEqual(len([c for c in self.qbo_rows("Customer") if c["DisplayName"].startswith("Bulk Unlink")]), 3)
        self.assertEqual(partners.mapped("active"), [True] * 3)

    def test_link_opens_the_match_wizard_with_proposals(self):
        partners = self.Partner.create([{"name": "Cool Cars"}, {"name": "Nobody In QuickBooks"}])
        _wizard, action = self.bulk(partners, "link")
        self.assertEqual(action["res_model"], "qbo.partner.match")
        match = self.env["qbo.partner.match"].browse(action["res_id"])
        self.assertEqual(match.state, "proposed")
        self.assertEqual({line.partner_id.name: line.match_state for line in match.line_ids},
                         {"Cool Cars": "matched", "Nobody In QuickBooks": "new"})

    def test_products_from_their_lists(self):
        template = self.env["product.template"].create({"name": "Bulk Product"})
        product = template.product_variant_id
        pump = {"Id": self.qbo_id("Item", "Pump"), "SyncToken": "0"}
        self.env["qbo.binding"]._qbo_link(self.connection, product, "Item", pump)
        wizard = self.env["qbo.bulk.action"].with_user(self.manager).with_context(
            active_model="product.template", active_ids=template.ids).create({"operation": "unlink"})
        self.assertEqual((wizard.res_model, wizard.res_ids, wizard.entity), ("product.product", product.ids, "Item"))
        wizard.action_apply()
        self.assertEqual(wizard.unlinked_count, 1)
        self.assertFalse(self.env["qbo.binding"].search([("res_model", "=", "product.product"),
                                                        ("res_id", "=", product.id)]))
        sync = self.env["qbo.bulk.action"].with_user(self.manager).with_context(
            active_model="product.product", active_ids=product.ids).create({"operation": "sync"})
        sync.action_apply()
        # Whether QuickBooks takes it depends on the account mapping; it was sent and reported either way.
        job = self.Job.search([("res_model", "=", "product.product"), ("res_id", "=", product.id)])
        self.assertEqual((job.qbo_entity, len(job)), ("Item", 1))
        self.assertIn(job.state, ("done", "failed"))
        self.assertEqual(sync.synced_count + sync.failed_count, 1)

    def test_products_are_linked_to_items_by_sku_then_name_without_writing(self):
        Product = self.env["product.product"]
        by_sku = Product.create({"name": "Fountain pump", "default_code": "P461-17"})
        by_name = Product.create({"name": "Design"})
        unknown = Product.create({"name": "Nothing like it in QuickBooks"})
        self.emulator_admin.clear_counters()
        wizard = self.env["qbo.bulk.action"].with_user(self.manager).with_context(
            active_model="product.product", active_ids=(by_sku | by_name | unknown).ids).create({"operation": "link"})
        wizard.action_apply()
        self.assertEqual((wizard.linked_count, wizard.already_linked_count), (2, 0))
        self.assertIn("Not found: Nothing like it in QuickBooks", wizard.details)
        bindings = self.env["qbo.binding"].search([("res_model", "=", "product.product"),
                                                   ("res_id", "in", (by_sku | by_name | unknown).ids)])
        self.assertEqual({b.res_id: b.qbo_id for b in bindings},
                         {by_sku.id: self.qbo_id("Item", "Pump"), by_name.id: self.qbo_id("Item", "Design")})
        self.assertEqual(set(bindings.mapped("state")), {"synced"})
        self.assertEqual(set(self.qbo_calls()) - {"total"}, {"POST query"}, "read, nothing written")

    def test_customer_and_vendor_link_lists(self):
        partners = self.customers(2, "Listed")
        self.bulk(partners, "sync")
        # A name is unique across QuickBooks customers and vendors: with no vendor suffix set, it is refused.
        self.connection.vendor_name_suffix = False
        self.bulk(partners[0], "sync", entity="Vendor")
        customers = ast.literal_eval(self.env.ref("account_quickbooks_online.qbo_binding_action_customers").domain)
        vendors = ast.literal_eval(self.env.ref("account_quickbooks_online.qbo_binding_action_vendors").domain)
        Binding = self.env["qbo.binding"].with_user(self.plain_user)
        listed = Binding.search(customers + [("partner_id", "ilike", "Listed"), ("state", "=", "synced")])
        self.assertEqual(listed.partner_id, partners)
        self.assertTrue(all(listed.mapped("qbo_id")))
        self.assertFalse(Binding.search(customers + [("partner_id", "ilike", "Listed"), ("state", "=", "error")]))
        failed = Binding.search(vendors + [("partner_id", "ilike", "Listed"), ("state", "=", "error")])
        self.assertEqual(failed.partner_id, partners[0])
        self.assertIn("A QuickBooks Customer is already named", failed.last_error)

    def test_only_quickbooks_managers_run_bulk_actions_and_imports(self):
        partners = self.customers(1, "Guarded")
        for model in ("qbo.bulk.action", "qbo.partner.match", "qbo.initial.import"):
            with self.assertRaises(AccessError):
                self.env[model].with_user(self.plain_user).with_context(
                    active_model="res.partner", active_ids=partners.ids).create({"connection_id": self.connection.id})
        runs = self.env["qbo.import.run"].with_user(self.plain_user)
        self.assertEqual((runs.has_access("read"), runs.has_access("create")), (True, False))
