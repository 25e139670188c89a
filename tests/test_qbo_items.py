"""Products pushed as QuickBooks Items: queued, batched, accounts from the mapping, linked instead of duplicated."""
from odoo import Command
from odoo.tests import tagged

from .common import US_REALM
from .common_lists import QboListsCase


@tagged("post_install", "-at_install")
class TestQboItems(QboListsCase):

    def setUp(self):
        super().setUp()
        self.company = self.connection.company_id
        self.connection.push_products = True
        self.update_lists()
        Account = self.env["account.account"]
        self.income = Account.create({"code": "QX4000", "name": "QX product sales", "account_type": "income",
                                      "company_ids": [Command.set(self.company.ids)]})
        self.expense = Account.create({"code": "QX5000", "name": "QX product costs",
                                       "account_type": "expense_direct_cost",
                                       "company_ids": [Command.set(self.company.ids)]})
        self.env["qbo.account.mapping"]._qbo_propose(self.connection)
        self.map(self.income, "Sales of Product Income")
        self.map(self.expense, "Cost of Goods Sold")
        self.category = self.env["product.category"].with_company(self.company).create({
            "name": "QX goods", "property_account_income_categ_id": self.income.id,
            "property_account_expense_categ_id": self.expense.id})
        self.Job = self.env["qbo.sync.job"]

    def map(self, account, qbo_name):
        row = self.env["qbo.account.mapping"].search([("connection_id", "=", self.connection.id),
                                                      ("account_id", "=", account.id)])
        row.write({"qbo_account_id": self.rows("account").filtered(lambda r: r.name == qbo_name).id})

    def products(self, count, prefix="QX item", **values):
        return self.env["product.product"].create([dict({
            "name": "%s %03d" % (prefix, n), "categ_id": self.category.id, "list_price": 10 + n,
            "standard_price": 4, "type": "service" if n % 2 else "consu", "taxes_id": [Command.clear()],
            "default_code": "%s-%03d" % (prefix.replace(" ", "").upper(), n)}, **values) for n in range(count)])

    def jobs(self, products):
        return self.Job.search([("res_model", "=", "product.product"), ("res_id", "in", products.ids)])

    def items(self, prefix):
        return {i["Name"]: i for i in self.qbo(US_REALM, "Item").values() if i["Name"].startswith(prefix)}

    def test_products_are_queued_before_customers_and_created_in_batches(self):
        products = self.products(35)
        jobs = self.jobs(products)
        self.assertEqual((len(jobs), set(jobs.mapped("qbo_entity")), set(jobs.mapped("priority"))), (35, {"Item"}, {5}))
        before = len(self.qbo(US_REALM, "Item"))
        self.emulator_admin.clear_counters()
        self.Job._qbo_process(self.connection)
        self.assertEqual(set(jobs.mapped("state")), {"done"}, jobs.mapped("error_message"))
        self.assertEqual(self.batch_calls(), 2)
        self.assertEqual(len(self.qbo(US_REALM, "Item")), before + 35)
        items = self.items("QX item")
        sales = self.qbo_account(US_REALM, "Sales of Product Income")["Id"]
        costs = self.qbo_account(US_REALM, "Cost of Goods Sold")["Id"]
        first, second = items["QX item 000"], items["QX item 001"]
        self.assertEqual((first["Type"], first["Sku"], first["UnitPrice"], first["PurchaseCost"]),
                         ("NonInventory", "QXITEM-000", 10, 4))
        self.assertEqual(second["Type"], "Service")
        self.assertEqual({(i["IncomeAccountRef"]["value"], i["ExpenseAccountRef"]["value"]) for i in items.values()},
                         {(sales, costs)})
        self.assertFalse(first["Taxable"])
        bindings = self.env["qbo.binding"].search([("res_model", "=", "product.product"),
                                                   ("res_id", "in", products.ids)])
        self.assertEqual(sorted(bindings.mapped("qbo_id")), sorted(i["Id"] for i in items.values()))

    def test_an_item_with_the_same_sku_or_name_is_linked_not_duplicated(self):
        existing = {i["Name"]: i for i in self.qbo(US_REALM, "Item").values()}
        by_sku = self.products(1, prefix="Pipes QX", default_code="SP-1002", type="consu")
        by_name = self.products(1, prefix="Gardening", type="service", default_code=False)
        by_name.name = "Gardening"
        new = self.products(1, prefix="Brand new QX")
        count = len(existing)
        self.emulator_admin.clear_counters()
        self.Job._qbo_process(self.connection)
        self.assertEqual(set(self.jobs(by_sku | by_name | new).mapped("state")), {"done"})
        after = self.qbo(US_REALM, "Item")
        self.assertEqual(len(after), count + 1)
        pipes = after[existing["Sprinkler Pipes"]["Id"]]
        self.assertEqual((pipes["Name"], pipes["Sku"], pipes["SyncToken"]), ("Pipes QX 000", "SP-1002", "1"))
        self.assertEqual(after[existing["Gardening"]["Id"]]["SyncToken"], "1")
        binding = self.env["qbo.binding"].search([("res_model", "=", "product.product"), ("res_id", "=", by_sku.id)])
        self.assertEqual(binding.qbo_id, existing["Sprinkler Pipes"]["Id"])
        counters = self.emulator_admin.counters(US_REALM)
        self.assertEqual((counters["POST batch"], counters["POST query"]), (1, 2))   # one Sku, one Name query

    def test_an_item_with_an_unmapped_account_fails_naming_it_and_the_batch_goes_on(self):
        unmapped = self.env["account.account"].create({"code": "QX4999", "name": "QX unmapped sales",
                                                       "account_type": "income",
                                                       "company_ids": [Command.set(self.company.ids)]})
        products = self.products(3)
        bad = products[1]
        bad.with_company(self.company).property_account_income_id = unmapped
        self.emulator_admin.clear_counters()
        self.Job._qbo_process(self.connection)
        jobs = self.jobs(products)
        failed = jobs.filtered(lambda job: job.res_id == bad.id)
        self.assertEqual(failed.state, "failed")
        self.assertIn("QX4999 QX unmapped sales", failed.error_message)
        self.assertIn("QuickBooks Online → Account Mapping", failed.error_message)
        self.assertEqual(set((jobs - failed).mapped("state")), {"done"})
        self.assertEqual(self.batch_calls(), 1)
        self.assertEqual(sorted(self.items("QX item")), ["QX item 000", "QX item 002"])

    def test_the_product_form_syncs_now_shows_the_refusal_and_retries(self):
        unmapped = self.env["account.account"].create({"code": "QX4998", "name": "QX other sales",
                                                       "account_type": "income",
                                                       "company_ids": [Command.set(self.company.ids)]})
        product = self.products(1, prefix="QX form now")
        template = product.product_tmpl_id.with_user(self.plain_user)
        product.with_company(self.company).property_account_income_id = unmapped
        result = template.action_qbo_sync_now()
        self.assertEqual(result["params"]["type"], "danger")
        self.assertIn("QX4998 QX other sales", result["params"]["message"])
        template.invalidate_recordset()
        self.assertIn("QX4998", template.qbo_sync_error)
        self.assertIn("QuickBooks Online refused this Item", product.message_ids[:1].body or
                      product.product_tmpl_id.message_ids[0].body)
        self.env["qbo.account.mapping"]._qbo_propose(self.connection)   # a new account gets its row
        self.map(unmapped, "Sales of Product Income")
        result = template.action_qbo_retry_failed()
        self.assertEqual(result["params"]["type"], "success")
        template.invalidate_recordset()
        self.assertEqual((template.qbo_binding_count, template.qbo_sync_error), (1, False))
        action = template.action_qbo_open_bindings()
        self.assertEqual(self.env["qbo.binding"].search(action["domain"]).res_id, product.id)
        self.assertIn("QX form now 000", self.items("QX form now"))

    def test_payload_names_and_taxes(self):
        product = self.products(1, prefix="Pots: large\tones " + "x" * 120)
        payload = self.env["qbo.handler.item"]._qbo_to_qbo(self.connection, product)
        self.assertEqual(len(payload["Name"]), 100)
        self.assertTrue(payload["Name"].startswith("Pots- large ones x"))
        group = self.env["account.tax.group"].create({"name": "QX", "company_id": self.company.id})
        tax = self.env["account.tax"].create({"name": "QX 8", "amount": 8, "type_tax_use": "sale",
                                             "company_id": self.company.id, "tax_group_id": group.id})
        product.taxes_id = tax
        self.env["qbo.tax.mapping"]._qbo_propose(self.connection)
        self.assertTrue(self.env["qbo.handler.item"]._qbo_to_qbo(self.connection, product)["Taxable"])

    def test_variants_become_items_of_their_own_name(self):
        size = self.env["product.attribute"].create({"name": "QX size", "value_ids": [
            Command.create({"name": "Small"}), Command.create({"name": "Large"})]})
        template = self.env["product.template"].create({
            "name": "QX pot", "categ_id": self.category.id, "taxes_id": [Command.clear()],
            "attribute_line_ids": [Command.create({"attribute_id": size.id,
                                                   "value_ids": [Command.set(size.value_ids.ids)]})]})
        self.assertEqual(len(self.jobs(template.product_variant_ids)), 2)
        self.Job._qbo_process(self.connection)
        self.assertEqual(set(self.jobs(template.product_variant_ids).mapped("state")), {"done"})
        self.assertEqual(sorted(self.items("QX pot")), ["QX pot (Large)", "QX pot (Small)"])

    def test_editing_the_product_form_queues_the_item_again(self):
        product = self.products(1, prefix="QX form")
        self.Job._qbo_process(self.connection)
        product.product_tmpl_id.write({"list_price": 99})
        job = self.jobs(product).filtered(lambda job: job.state == "pending")
        self.assertEqual(len(job), 1)
        self.Job._qbo_process(self.connection)
        self.assertEqual(self.items("QX form")["QX form 000"]["UnitPrice"], 99)

    def test_no_job_without_the_flag_or_under_the_import_guard(self):
        self.assertTrue(self.jobs(self.products(1, prefix="Flag on")))
        self.assertFalse(self.jobs(self.env["product.product"].with_context(qbo_no_export=True).create(
            {"name": "Imported QX"})))
        self.connection.push_products = False
        product = self.products(1, prefix="Flag off")
        product.list_price = 99
        self.assertFalse(self.jobs(product))

    def test_a_failed_matching_query_keeps_the_batch_for_a_retry(self):
        products = self.products(2, prefix="Retry QX")
        self.emulator_admin.faults(query={"fail_next": 1, "fail_status": 503})
        self.emulator_admin.clear_counters()
        self.Job._qbo_process(self.connection)
        jobs = self.jobs(products)
        # Nothing was sent, so the jobs wait to be claimed afresh, in a new batch under a new key.
        self.assertEqual(set(jobs.mapped("state")), {"pending"})
        self.assertEqual(set(jobs.mapped("batch_key")), {False})
        self.assertEqual(set(jobs.mapped("attempts")), {1})
        self.assertEqual(self.batch_calls(), 0)
        self.assertFalse(self.items("Retry QX"))
        # The batch waits for its back-off; let it come due now.
        self.env["qbo.sync.job"].flush_model()
        self.env.cr.execute("UPDATE qbo_sync_job SET next_attempt_at = now() - interval '1 minute' WHERE id IN %s",
                            [tuple(jobs.ids)])
        jobs.invalidate_recordset()
        self.Job._qbo_process(self.connection)
        self.assertEqual(set(jobs.mapped("state")), {"done"})
        self.assertEqual(sorted(self.items("Retry QX")), ["Retry QX 000", "Retry QX 001"])
