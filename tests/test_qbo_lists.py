"""Reading QuickBooks' lists into the cache: every page, both presets, idempotent, archiving what left."""
import json

import requests

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import UK_REALM, US_REALM
from .common_lists import QboListsCase

ENTITY_OF = {"account": "Account", "tax_rate": "TaxRate", "tax_code": "TaxCode", "term": "Term",
             "payment_method": "PaymentMethod", "class": "Class", "department": "Department",
             "currency": "CompanyCurrency"}


@tagged("post_install", "-at_install")
class TestQboLists(QboListsCase):

    def assert_counts_match(self, realm_id):
        dump = self.emulator_admin.dump(realm_id)["data"]
        for list_type, entity in ENTITY_OF.items():
            self.assertEqual(len(self.rows(list_type, active_test=False)), len(dump[entity]),
                             "%s rows of %s" % (list_type, realm_id))

    def test_us_lists_match_the_company_and_a_second_run_changes_nothing(self):
        totals = self.update_lists()
        self.assert_counts_match(US_REALM)
        self.assertEqual(totals["created"], len(self.env["qbo.list.item"].search(
            [("connection_id", "=", self.connection.id)])))
        checking = self.rows("account").filtered(lambda r: r.name == "Checking")
        self.assertEqual((checking.account_type, checking.account_sub_type, checking.acct_num,
                          checking.classification, checking.currency_code),
                         ("Bank", "Checking", "1010", "Asset", "USD"))
        self.assertEqual(self.rows("account").filtered(lambda r: r.name == "Fuel").fully_qualified_name,
                         "Automobile:Fuel")
        mountain_view = self.rows("tax_code").filtered(lambda r: r.name == "Mountain View")
        self.assertAlmostEqual(mountain_view.rate_value, 9.125)
        self.assertEqual(self.rows("term").filtered(lambda r: r.name == "Net 60").due_days, 60)
        self.assertEqual(self.rows("payment_method").filtered(lambda r: r.name == "Visa").method_type, "CREDIT_CARD")
        self.assertTrue(self.connection.qbo_automated_sales_tax)
        self.assertEqual(self.connection.qbo_currency_code, "USD")
        self.assertFalse(self.connection.qbo_book_close_date)
        self.assertTrue(self.connection.qbo_lists_updated_at)

        writes = self.env["qbo.list.item"].search([("connection_id", "=", self.connection.id)])
        stamps = {row.id: row.write_date for row in writes}
        self.assertEqual(self.update_lists(), {"created": 0, "updated": 0, "archived": 0})
        self.assert_counts_match(US_REALM)
        self.assertEqual({row.id: row.write_date for row in writes}, stamps)

    def test_uk_lists_preferences_and_tax_rates(self):
        self.link(UK_REALM)
        self.update_lists()
        self.assert_counts_match(UK_REALM)
        connection = self.connection
        self.assertEqual((connection.qbo_currency_code, connection.qbo_multicurrency,
                          connection.qbo_automated_sales_tax, str(connection.qbo_book_close_date),
                          connection.qbo_country_code), ("GBP", True, False, "2023-12-31", "GB"))
        self.assertEqual(connection._qbo_tax_mode(), "global")
        standard = self.rows("tax_code").filtered(lambda r: r.name == "20.0% S")
        self.assertEqual((standard.rate_value, standard.purchase_rate_value, standard.tax_on_sales,
                          standard.tax_on_purchases), (20.0, 20.0, True, True))
        self.assertEqual(sorted(self.rows("currency").mapped("currency_code")), ["EUR", "USD"])
        self.assertEqual(self.rows("account").filtered(lambda r: r.name == "EUR Bank").currency_code, "EUR")

    def test_an_account_inactive_or_gone_in_quickbooks_becomes_inactive(self):
        self.update_lists()
        savings = self.qbo_account(US_REALM, "Savings")
        self.emulator_admin.patch(US_REALM, "Account", {"Active": False}, savings["Id"])
        totals = self.update_lists()
        self.assertEqual(totals["updated"], 1)
        row = self.rows("account", active_test=False).filtered(lambda r: r.qbo_id == savings["Id"])
        self.assertFalse(row.active)
        self.assert_counts_match(US_REALM)
        # An entry QuickBooks no longer returns at all is archived, never deleted.
        self.env["qbo.list.item"].create({"connection_id": self.connection.id, "list_type": "term",
                                          "qbo_id": "9999", "name": "Gone"})
        self.assertEqual(self.update_lists()["archived"], 1)
        gone = self.rows("term", active_test=False).filtered(lambda r: r.qbo_id == "9999")
        self.assertEqual((len(gone), gone.active), (1, False))

    def test_more_than_1000_accounts_are_read_page_by_page(self):
        self.update_lists()
        before = len(self.rows("account"))
        url = "%sv3/company/%s/batch?minorversion=75" % (self.emulator.url, US_REALM)
        headers = {"Authorization": "Bearer " + self.connection.sudo().access_token,
                   "Content-Type": "application/json", "Accept": "application/json"}
        for start in range(0, 1050, 30):
            body = {"BatchItemRequest": [
                {"bId": str(n), "operation": "create",
                 "Account": {"Name": "Bulk account %04d" % n, "AccountType": "Expense"}}
                for n in range(start, min(start + 30, 1050))]}
            answer = requests.post(url, data=json.dumps(body), headers=headers, timeout=30).json()
            self.assertFalse([item for item in answer["BatchItemResponse"] if "Fault" in item])
        total = before + 1050
        self.emulator_admin.clear_counters()
        self.update_lists()
        self.assertEqual(len(self.rows("account")), total)
        queries = self.emulator_admin.counters(US_REALM)["POST query"]
        # Accounts take two pages; each of the seven other lists one.
        self.assertEqual(queries, (total // 1000 + 1) + 7)

    def test_cron_reads_every_connected_company(self):
        self.env["qbo.connection"]._cron_qbo_update_lists()
        self.assert_counts_match(US_REALM)
        self.assertTrue(self.env.ref("account_quickbooks_online.ir_cron_qbo_update_lists").active)

    def test_update_lists_button_needs_a_manager(self):
        result = self.connection.with_user(self.manager).action_qbo_setup_lists()
        self.assertEqual(result["params"]["type"], "success")
        with self.assertRaises(AccessError):
            self.connection.with_user(self.plain_user).action_qbo_setup_lists()

    def test_resetting_the_links_forgets_the_lists_and_mappings(self):
        self.connection.with_user(self.manager).action_qbo_propose_mappings()
        self.assertTrue(self.rows("account"))
        self.assertTrue(self.env["qbo.account.mapping"].search([("connection_id", "=", self.connection.id)]))
        self.connection.sudo().state = "not_connected"
        wizard = self.env["qbo.connection.reset"].with_user(self.manager).create(
            {"connection_id": self.connection.id})
        wizard.action_reset()
        for model in ("qbo.list.item", "qbo.account.mapping", "qbo.tax.mapping", "qbo.term.mapping",
                      "qbo.journal.mapping"):
            self.assertFalse(self.env[model].with_context(active_test=False).search(
                [("connection_id", "=", self.connection.id)]), model)
        self.assertFalse(self.connection.qbo_lists_updated_at)

    def test_lists_and_mappings_are_company_bound_and_read_only_for_users(self):
        self.connection.with_user(self.manager).action_qbo_propose_mappings()
        other_company = self.env["res.company"].create({"name": "QX other company"})
        other = self.env["qbo.connection"].search([("company_id", "=", other_company.id)]) or \
            self.env["qbo.connection"].create({"company_id": other_company.id})
        self.env["qbo.list.item"].create({"connection_id": other.id, "list_type": "term", "qbo_id": "1",
                                          "name": "Elsewhere"})
        as_user = self.env["qbo.list.item"].with_user(self.plain_user)
        self.assertEqual(as_user.search_count([]), len(self.rows("account") | self.rows("term") |
                                                       self.rows("tax_code") | self.rows("tax_rate") |
                                                       self.rows("payment_method") | self.rows("class") |
                                                       self.rows("department") | self.rows("currency")))
        self.assertFalse(as_user.search([("name", "=", "Elsewhere")]))
        mapping = self.env["qbo.account.mapping"].search([("connection_id", "=", self.connection.id)], limit=1)
        self.assertTrue(mapping.with_user(self.plain_user).state)
        with self.assertRaises(AccessError):
            mapping.with_user(self.plain_user).write({"qbo_account_id": False})
        mapping.with_user(self.manager).write({"qbo_account_id": self.rows("account")[:1].id})
        self.assertEqual(mapping.method, "manual")
