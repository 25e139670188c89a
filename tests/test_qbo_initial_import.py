"""The initial import: link what Odoo has, create the rest, page by page, resumable, nothing sent back."""
from unittest.mock import patch

from odoo.tests import Form, tagged

from ..wizards import qbo_initial_import
from .common import US_REALM
from .connected_common import QboConnectedCase

PRESET_CUSTOMERS, PRESET_VENDORS, PRESET_ITEMS = 29, 26, 19   # emulator/presets/us.py


@tagged("post_install", "-at_install")
class TestQboInitialImport(QboConnectedCase):

    def setUp(self):
        super().setUp()
        self.Binding = self.env["qbo.binding"]
        self.Run = self.env["qbo.import.run"]

    def import_now(self, **options):
        wizard = self.env["qbo.initial.import"].with_user(self.manager).with_context(
            active_model="qbo.connection", active_id=self.connection.id).create(options)
        wizard.action_import()
        return wizard.run_id.sudo()

    def step(self, run, entity):
        return run.step_ids.filtered(lambda s: s.entity == entity)

    def bindings(self, entity):
        return self.Binding.search([("connection_id", "=", self.connection.id), ("qbo_entity", "=", entity)])

    def test_us_company_import_links_creates_and_sends_nothing_back(self):
        Partner = self.env["res.partner"].with_context(qbo_no_export=True)
        cool = Partner.create({"name": "Cool Cars Ltd", "email": "cool_cars@intuit.com"})
        pump = self.env["product.product"].create({"name": "Fountain pump", "default_code": "P461-17"})
        jobs_before = self.env["qbo.sync.job"].search_count([])
        self.emulator_admin.clear_counters()

        run = self.import_now()

        self.assertEqual(run.state, "done")
        customers, vendors, items = (self.step(run, e) for e in ("Customer", "Vendor", "Item"))
        self.assertEqual((customers.linked_count, customers.created_count, customers.skipped_count,
                          customers.error_count), (1, PRESET_CUSTOMERS - 1, 0, 0))
        self.assertEqual((vendors.linked_count, vendors.created_count, vendors.error_count),
                         (0, PRESET_VENDORS, 0))
        self.assertEqual((items.linked_count, items.created_count, items.skipped_count, items.error_count),
                         (1, PRESET_ITEMS - 2, 1, 0))
        self.assertEqual(items.skip_reasons, {"Category items are not products": 1})
        self.assertEqual(len(self.bindings("Customer")), PRESET_CUSTOMERS)
        self.assertEqual(len(self.bindings("Vendor")), PRESET_VENDORS)
        self.assertEqual(len(self.bindings("Item")), PRESET_ITEMS - 1)
        self.assertEqual(set((self.bindings("Customer") | self.bindings("Vendor")).mapped("state")), {"synced"})
        # Linked, not duplicated.
        cool_binding = self.bindings("Customer").filtered(lambda b: b.partner_id == cool)
        self.assertEqual(cool_binding.qbo_id, self.qbo_id("Customer", "Cool Cars"))
        self.assertEqual(cool.customer_rank, 1)
        self.assertEqual(self.bindings("Item").filtered(lambda b: b.res_id == pump.id).qbo_id,
                         self.qbo_id("Item", "Pump"))
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Cool Cars")]))
        # Values brought over.
        amy = self.env["res.partner"].search([("name", "=", "Amy's Bird Sanctuary")])
        self.assertEqual((amy.email, amy.phone, amy.street, amy.city, amy.zip, amy.state_id.code,
                          amy.country_id.code, amy.customer_rank, amy.is_company),
                         ("Birds@Intuit.com", "(650) 555-3311", "4581 Finch St.", "Bayshore", "94326", "CA", "US",
                          1, True))
        hall = self.env["res.partner"].search([("name", "=", "Hall Properties")])
        self.assertEqual((hall.supplier_rank, hall.customer_rank, hall.vat), (1, 0, False),
                         "a masked tax ID is not a tax ID")
        # Sub-customers hang under their parents.
        freeman = self.env["res.partner"].search([("name", "=", "Freeman Sporting Goods")])
        self.assertEqual(set(self.env["res.partner"].search([("parent_id", "=", freeman.id)]).mapped("name")),
                         {"0969 Ocean View Road", "55 Twin Lane"})
        barnett = self.env["res.partner"].search([("name", "=", "Barnett Design")])
        self.assertEqual(barnett.parent_id.name, "Shara Barnett")
        self.assertEqual(barnett.city, "Middlefield")
        # Products.
        pipes = self.env["product.product"].search([("default_code", "=", "SP-1002")])
        self.assertEqual((pipes.name, pipes.type, pipes.list_price, pipes.standard_price),
                         ("Sprinkler Pipes", "consu", 4, 2.5))
        design = self.env["product.product"].search([("name", "=", "Design")])
        self.assertEqual((design.type, design.list_price), ("service", 75))
        # Nothing queued for QuickBooks, nothing written there; a page per list was enough.
        self.assertEqual(self.env["qbo.sync.job"].search_count([]), jobs_before)
        calls = self.qbo_calls()
        self.assertEqual(set(calls) - {"total"}, {"POST query"})
        self.assertEqual(calls["POST query"], 4)   # accounts, customers, vendors, items

        partners, products = self.env["res.partner"].search_count([]), self.env["product.product"].search_count([])
        again = self.import_now()
        self.assertNotEqual(again, run)
        self.assertEqual((again.created_count, again.linked_count, again.error_count), (0, 0, 0))
        self.assertEqual(self.step(again, "Customer").skip_reasons, {"already linked": PRESET_CUSTOMERS})
        self.assertEqual(self.step(again, "Vendor").skip_reasons, {"already linked": PRESET_VENDORS})
        self.assertEqual(self.env["res.partner"].search_count([]), partners)
        self.assertEqual(self.env["product.product"].search_count([]), products)

    def test_inactive_records_are_skipped_or_archived_on_request(self):
        qbo_id = self.qbo_id("Customer", "Kate Whelan")
        self.emulator_admin.patch(US_REALM, "Customer", {"Active": False}, qbo_id)
        run = self.import_now()
        customers = self.step(run, "Customer")
        self.assertEqual(customers.skip_reasons, {"inactive in QuickBooks": 1})
        self.assertEqual(customers.created_count, PRESET_CUSTOMERS - 1)
        self.assertIn("Id %s): skipped: inactive in QuickBooks" % qbo_id, customers.log)
        again = self.import_now(include_inactive=True)
        self.assertEqual(self.step(again, "Customer").created_count, 1)
        kate = self.bindings("Customer").filtered(lambda b: b.qbo_id == qbo_id).partner_id
        self.assertFalse(kate.active)

    def test_more_than_1000_customers_page_and_a_crash_resumes_without_duplicates(self):
        self.qbo_create("Customer", [{"DisplayName": "Bulk %04d" % n, "PrimaryEmailAddr": {
            "Address": "bulk%d@example.com" % n}} for n in range(1100)])
        total = PRESET_CUSTOMERS + 1100
        run = self.Run._qbo_start(self.connection)
        customers = self.step(run, "Customer")
        self.assertTrue(run._qbo_run_page())   # the accounts
        self.emulator_admin.clear_counters()
        self.assertTrue(run._qbo_run_page())   # page 1, saved
        self.assertEqual((customers.position, customers.created_count, customers.pages), (1001, 1000, 1))

        # The worker dies in the middle of page 2: that page's transaction is lost.
        Handler = type(self.env["qbo.handler.customer"])
        original = Handler._qbo_import_partner
        seen = []

        def dying(handler, *args, **kwargs):
            seen.append(1)
            if len(seen) == 50:
                raise MemoryError("worker killed")
            return original(handler, *args, **kwargs)
        with patch.object(Handler, "_qbo_import_partner", dying), self.assertRaises(MemoryError):
            run._qbo_run_page()
        self.env.invalidate_all()
        self.assertEqual((customers.position, customers.created_count), (1001, 1000))
        self.assertEqual(len(self.bindings("Customer")), 1000)

        self.assertFalse(run._qbo_run(), "resumed to the end")
        self.assertEqual(run.state, "done")
        self.assertEqual((customers.created_count, customers.pages, customers.position), (total, 2, total + 1))
        bindings = self.bindings("Customer")
        self.assertEqual(len(bindings), total)
        self.assertEqual(len(set(bindings.mapped("qbo_id"))), total)
        self.assertEqual(len(set(bindings.mapped("partner_id"))), total)
        self.assertEqual(self.env["res.partner"].search_count([("name", "=like", "Bulk %")]), 1100)
        self.assertEqual(self.env["res.partner"].search_count([("name", "=", "Bulk 1050")]), 1)
        # Two customer pages (one of them read twice because of the crash), then one each for vendors and items.
        self.assertEqual(self.qbo_calls()["POST query"], 1 + 2 + 1 + 1)
        self.assertEqual(self.env["qbo.sync.job"].search_count([("res_model", "=", "res.partner"),
                                                                ("res_id", "in", bindings.mapped("res_id"))]), 0)

    def test_a_sub_customer_whose_parent_is_on_a_later_page_gets_it_first(self):
        run = self.Run._qbo_start(self.connection)
        customers = self.step(run, "Customer")
        freeman = self.qbo_id("Customer", "Freeman Sporting Goods")
        rows = [row for row in self.qbo_rows("Customer") if (row.get("ParentRef") or {}).get("value") == freeman]
        self.assertEqual(len(rows), 2)
        self.env["qbo.handler.customer"]._qbo_import_rows(run, customers, rows)   # the jobs' page, without their parent
        self.assertEqual(customers.created_count, 3)
        parent = self.bindings("Customer").filtered(lambda b: b.qbo_id == freeman).partner_id
        self.assertEqual(parent.name, "Freeman Sporting Goods")
        self.assertEqual(len(parent.child_ids), 2)
        self.assertFalse(run._qbo_run())
        self.assertEqual(customers.created_count, PRESET_CUSTOMERS, "the parent is not counted twice")
        self.assertEqual(customers.skipped_count, 2, "the two jobs, linked already")
        self.assertEqual(len(self.bindings("Customer")), PRESET_CUSTOMERS)

    def test_background_import_runs_from_the_scheduled_action(self):
        wizard = self.env["qbo.initial.import"].with_user(self.manager).create(
            {"connection_id": self.connection.id, "in_background": True})
        wizard.action_import()
        run = wizard.run_id.sudo()
        self.assertEqual((run.state, run.in_background), ("running", True))
        self.assertFalse(self.bindings("Customer"), "nothing imported while the user waits")
        self.assertTrue(self.env.ref("account_quickbooks_online.ir_cron_qbo_import").sudo().active)
        # The scheduled action saves after every page. QuickBooks fails once first: the run waits, then goes on.
        commits, rollbacks = [], []
        self.emulator_admin.faults(query={"fail_next": 1, "fail_status": 503})
        with patch.object(self.env.cr, "commit", lambda: commits.append(1)), \
                patch.object(self.env.cr, "rollback", lambda: rollbacks.append(1)):
            self.Run._cron_qbo_import()
            self.assertEqual((run.state, len(rollbacks), len(commits)), ("running", 1, 1))
            self.assertTrue(run.last_error)
            self.Run._cron_qbo_import()
        self.assertEqual(run.state, "done")
        self.assertFalse(run.last_error)
        self.assertEqual(len(commits), 1 + 4, "the error, then one page per list")
        self.assertEqual(run.created_count - self.step(run, "Account").created_count,
                         PRESET_CUSTOMERS + PRESET_VENDORS + PRESET_ITEMS - 1)

    def test_a_large_company_goes_on_in_the_background_after_the_first_pages(self):
        wizard = self.env["qbo.initial.import"].with_user(self.manager).create({"connection_id": self.connection.id})
        with patch.object(qbo_initial_import, "INLINE_PAGES", 2):   # accounts, then customers
            wizard.action_import()
        run = wizard.run_id.sudo()
        self.assertEqual((run.state, run.in_background), ("running", True))
        self.assertIn("goes on in the background", wizard.note)
        self.assertEqual(self.step(run, "Customer").state, "done")
        self.assertEqual(self.step(run, "Vendor").state, "todo")
        self.assertEqual(len(self.bindings("Customer")), PRESET_CUSTOMERS)
        self.assertFalse(self.bindings("Vendor"))
        with patch.object(self.env.cr, "commit", lambda: None):
            self.Run._cron_qbo_import()
        self.assertEqual(run.state, "done")
        self.assertEqual(len(self.bindings("Vendor")), PRESET_VENDORS)

    def test_accounts_are_mapped_by_number_or_name_and_the_rest_created(self):
        company = self.connection.company_id
        Account = self.env["account.account"].with_company(company)
        # An Odoo account numbered like a QuickBooks one, and one named like another.
        qbo_accounts = {row["Name"]: row for row in self.qbo_rows("Account")}
        checking = qbo_accounts["Checking"]
        numbered = Account.create({"name": "Our bank", "code": "QX1001", "account_type": "asset_cash"})
        self.emulator_admin.patch(US_REALM, "Account", {"AcctNum": "QX1001"}, obj_id=checking["Id"])
        named = Account.create({"name": "Advertising", "code": "QX6001", "account_type": "expense"})
        run = self.import_now(account_policy="create")
        self.assertTrue(run.create_accounts)
        accounts = self.step(run, "Account")
        active = [row for row in self.qbo_rows("Account") if row.get("Active", True)]
        self.assertEqual(accounts.error_count, 0, accounts.log)
        self.assertEqual(accounts.linked_count + accounts.created_count + accounts.skipped_count,
                         len(self.qbo_rows("Account")))
        Mapping = self.env["qbo.account.mapping"]

        def mapped_to(account):
            return Mapping.search([("connection_id", "=", self.connection.id), ("account_id", "=", account.id)])
        self.assertEqual(mapped_to(numbered).qbo_account_id.qbo_id, checking["Id"])
        self.assertEqual(mapped_to(named).qbo_account_id.name, "Advertising")
        self.assertEqual(mapped_to(named).method, "manual", "a later proposal keeps it")
        # Every active QuickBooks account now has an Odoo account mapped to it.
        targets = set(Mapping.search([("connection_id", "=", self.connection.id)]).mapped("qbo_account_id.qbo_id"))
        self.assertEqual({row["Id"] for row in active} - targets, set())
        created = Mapping.search([("connection_id", "=", self.connection.id),
                                  ("note", "=", "Created in Odoo by the initial import")])
        self.assertEqual(len(created), accounts.created_count)
        receivable = created.filtered(lambda m: m.qbo_account_id.account_type == "Accounts Receivable")
        for mapping in receivable:
            self.assertEqual(mapping.account_id.account_type, "asset_receivable")
        # A second import finds them all linked.
        run.state = "done"
        again = self.step(self.import_now(), "Account")
        self.assertEqual((again.linked_count, again.created_count), (0, 0))

    def test_by_default_accounts_are_only_mapped_and_odoo_chart_is_left_alone(self):
        Account = self.env["account.account"].with_company(self.connection.company_id)
        chart = Account.search_count([])
        run = self.import_now()
        accounts = self.step(run, "Account")
        self.assertFalse(run.create_accounts)
        self.assertEqual(Account.search_count([]), chart, "no QuickBooks account added to Odoo's chart")
        self.assertEqual(accounts.created_count, 0)
        self.assertGreater(accounts.skip_reasons.get("no Odoo account with this number or name", 0), 50)
        # What the chart has by name is linked: Odoo's "Cost of Goods Sold" is QuickBooks' too.
        cogs = Account.search([("name", "=", "Cost of Goods Sold")])
        row = self.env["qbo.account.mapping"].search([("connection_id", "=", self.connection.id),
                                                      ("account_id", "=", cogs.id)])
        self.assertEqual((row.qbo_account_id.name, row.method), ("Cost of Goods Sold", "manual"))
        self.assertEqual(accounts.linked_count, len(self.env["qbo.account.mapping"].search(
            [("connection_id", "=", self.connection.id), ("note", "=", "Linked by the initial import")])))

    def test_the_preview_counts_what_the_import_does_and_writes_nothing(self):
        Partner = self.env["res.partner"].with_context(qbo_no_export=True)
        Partner.create({"name": "Cool Cars Ltd", "email": "cool_cars@intuit.com"})
        self.env["product.product"].create({"name": "Fountain pump", "default_code": "P461-17"})
        Account = self.env["account.account"].with_company(self.connection.company_id)
        def counts():
            return tuple(self.env[model].search_count([]) for model in (
                "res.partner", "product.product", "qbo.binding", "qbo.import.run", "qbo.account.mapping",
                "qbo.sync.job")) + (Account.search_count([]),)
        before = counts()
        wizard = self.env["qbo.initial.import"].with_user(self.manager).with_context(
            active_model="qbo.connection", active_id=self.connection.id).create({"account_policy": "create"})
        wizard.action_preview()
        self.assertTrue(wizard.previewed)
        self.assertEqual(counts(), before, "the preview wrote nothing")
        preview = {line.name: (line.to_link, line.to_create, line.to_skip, line.complete)
                   for line in wizard.preview_line_ids}
        self.assertEqual(list(preview), ["Accounts", "Customers", "Vendors", "Products (items)"])
        self.assertEqual(preview["Customers"], (1, PRESET_CUSTOMERS - 1, 0, True))
        self.assertEqual(preview["Vendors"], (0, PRESET_VENDORS, 0, True))
        self.assertEqual(preview["Products (items)"], (1, PRESET_ITEMS - 2, 1, True))
        self.assertIn("Category items are not products", wizard.preview_line_ids[3].reasons)
        # Another choice clears the preview; the import then does what its preview said.
        with Form(wizard) as form:
            form.account_policy = "map"
            self.assertFalse(form.previewed)
        wizard.action_preview()
        accounts_preview = wizard.preview_line_ids[0]
        self.assertEqual(accounts_preview.to_create, 0)
        wizard.action_import()
        run = wizard.run_id.sudo()
        for line, step in zip(wizard.preview_line_ids, run.step_ids):
            self.assertEqual((line.to_link, line.to_create, line.to_skip, line.errors),
                             (step.linked_count, step.created_count, step.skipped_count, step.error_count), line.name)
