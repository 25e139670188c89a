"""Partners as QuickBooks customers and vendors, and what a user sees and clicks on the partner."""
import requests

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import TIMEOUT, US_REALM, QboSyncCase


@tagged("post_install", "-at_install")
class TestQboPartnerSync(QboSyncCase):

    def test_a_vendor_is_pushed_with_its_details(self):
        vendor = self.env["res.partner"].create({
            "name": "Acme Supplies", "is_company": True, "supplier_rank": 1, "email": "ap@acme.example",
            "phone": "555-0130", "website": "https://acme.example", "vat": "12-3456789", "street": "1 Main St",
            "city": "Springfield", "zip": "12345", "country_id": self.env.ref("base.us").id,
            "state_id": self.env.ref("base.state_us_5").id})
        jobs = self.jobs_of(vendor)
        self.assertEqual(jobs.mapped("qbo_entity"), ["Vendor"])
        self.process()
        stored = self.qbo_objects("Vendor", "Acme Supplies")
        self.assertEqual(len(stored), 1)
        stored = stored[0]
        self.assertEqual(stored["CompanyName"], "Acme Supplies")
        self.assertEqual(stored["PrimaryEmailAddr"]["Address"], "ap@acme.example")
        self.assertEqual(stored["WebAddr"]["URI"], "https://acme.example")
        self.assertEqual(stored["BillAddr"]["CountrySubDivisionCode"], "CA")
        self.assertFalse(self.qbo_customers("Acme Supplies"), "a vendor only is not made a customer")
        self.assertEqual(self.binding_of(vendor, "Vendor").state, "synced")

    def test_a_partner_both_customer_and_vendor_has_two_links(self):
        partner = self.env["res.partner"].create({"name": "Two Hats", "customer_rank": 1, "supplier_rank": 1})
        self.drain()
        self.assertEqual(sorted(self.jobs_of(partner).mapped("qbo_entity")), ["Customer", "Vendor"])
        self.assertEqual(self.binding_of(partner, "Customer").state, "synced")
        self.assertEqual(self.binding_of(partner, "Vendor").state, "synced")
        partner.invalidate_recordset()
        self.assertEqual(partner.qbo_binding_count, 2)
        action = partner.action_qbo_open_bindings()
        self.assertEqual(self.Binding.search(action["domain"]).mapped("qbo_entity"), ["Vendor", "Customer"])

    def test_archiving_a_customer_deactivates_it_in_quickbooks(self):
        partner = self.customers(1, prefix="Archived")
        self.process()
        partner.action_archive()
        self.process()
        data = self.emulator_admin.dump(US_REALM)["data"]["Customer"][self.binding_of(partner).qbo_id]
        self.assertFalse(data["Active"])

    def test_automatic_push_can_be_turned_off(self):
        self.connection.push_partners = False
        partner = self.customers(1, prefix="Manual")
        self.assertFalse(self.jobs_of(partner))

    def test_sync_now_sends_only_this_partner_and_says_how_it_went(self):
        waiting = self.customers(5, prefix="Waiting")
        partner = self.customers(1, prefix="Urgent")
        self.emulator_admin.clear_counters()
        result = partner.with_user(self.plain_user).action_qbo_sync_now()
        self.assertEqual(result["params"]["type"], "success")
        self.assertEqual(self.binding_of(partner).state, "synced")
        self.assertEqual(set(self.jobs_of(waiting).mapped("state")), {"pending"}, "the rest waits for the cron")
        self.assertEqual(self.emulator_admin.counters(US_REALM)["POST batch"], 1)

    def test_sync_now_reports_a_refusal_and_the_banner_offers_a_retry(self):
        partner = self.env["res.partner"].create({"name": "Broken Mail", "customer_rank": 1, "email": "nope"})
        result = partner.action_qbo_sync_now()
        self.assertEqual(result["params"]["type"], "danger")
        self.assertIn("email", result["params"]["message"].lower())
        partner.invalidate_recordset()
        self.assertTrue(partner.qbo_sync_error)
        partner.with_context(qbo_no_export=True).email = "fixed@example.com"
        result = partner.action_qbo_retry_failed()
        self.assertEqual(result["params"]["type"], "success")
        partner.invalidate_recordset()
        self.assertFalse(partner.qbo_sync_error)
        self.assertEqual(self.qbo_customers("Broken Mail")[0]["PrimaryEmailAddr"]["Address"], "fixed@example.com")

    def test_sync_now_without_a_connection_says_what_to_do(self):
        partner = self.customers(1, prefix="Offline")
        self.connection.state = "not_connected"
        with self.assertRaisesRegex(UserError, "not connected to QuickBooks Online"):
            partner.action_qbo_sync_now()

    def test_view_in_quickbooks_opens_the_record_page(self):
        partner = self.customers(1, prefix="Viewable")
        self.process()
        binding = self.binding_of(partner)
        action = binding.action_qbo_view_in_quickbooks()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertIn("/app/customerdetail?nameId=%s" % binding.qbo_id, action["url"])
        page = requests.get(action["url"], timeout=TIMEOUT)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Viewable 00000", page.text)
        self.connection.environment = "production"
        binding.invalidate_recordset(["qbo_url"])
        self.assertTrue(binding.qbo_url.startswith("https://qbo.intuit.com/app/customerdetail?nameId="))

    def test_payment_terms_travel_when_mapped(self):
        self.env["qbo.list.item"]._qbo_update_lists(self.connection)
        net30 = self.env["account.payment.term"].create({"name": "Net 30", "line_ids": [
            (0, 0, {"value": "percent", "value_amount": 100, "nb_days": 30})]})
        self.env["qbo.term.mapping"]._qbo_propose(self.connection)
        unmapped = self.env["account.payment.term"].create({"name": "Odd 17 days", "line_ids": [
            (0, 0, {"value": "percent", "value_amount": 100, "nb_days": 17})]})
        termed = self.env["res.partner"].create({"name": "Termed Customer", "customer_rank": 1, "supplier_rank": 1,
                                                 "property_payment_term_id": net30.id,
                                                 "property_supplier_payment_term_id": unmapped.id})
        self.drain()
        customer = self.qbo_customers("Termed Customer")[0]
        self.assertEqual(customer["SalesTermRef"]["name"], "Net 30")
        vendor = self.qbo_objects("Vendor", "Termed Customer")[0]
        self.assertNotIn("TermRef", vendor, "an unmapped term is left to QuickBooks' default")
        self.assertEqual(self.binding_of(termed, "Vendor").state, "synced")

    def test_deleting_a_linked_partner_makes_its_customer_inactive_in_quickbooks(self):
        partner = self.customers(1, prefix="Deleted")
        self.process()
        qbo_id = self.binding_of(partner).qbo_id
        partner.write({"phone": "555-0199"})   # a pending change that no longer matters
        never_sent = self.customers(1, prefix="Unsent")
        ids = (partner | never_sent).ids
        (partner | never_sent).unlink()
        jobs = self.Job.search([("res_model", "=", "res.partner"), ("res_id", "in", ids)])
        self.assertEqual(sorted(jobs.mapped(lambda job: (job.operation, job.state))),
                         [("deactivate", "pending"), ("push", "cancelled"), ("push", "cancelled"), ("push", "done")])
        self.process()
        deactivate = jobs.filtered(lambda job: job.operation == "deactivate")
        self.assertEqual((deactivate.state, deactivate.record_name), ("done", "(deleted)"))
        stored = self.emulator_admin.dump(US_REALM)["data"]["Customer"][qbo_id]
        self.assertFalse(stored["Active"], "QuickBooks keeps the customer's history, inactive")
        self.assertFalse(self.Binding.search([("qbo_id", "=", qbo_id), ("qbo_entity", "=", "Customer")]))

    def test_sync_now_clicked_again_after_a_lost_request_replays_instead_of_creating_twice(self):
        partner = self.customers(1, prefix="Clicked")
        with self.answer_lost_once():
            # The user's request rolls back: the claim was never committed.
            with self.assertRaises(ConnectionError), self.env.cr.savepoint():
                partner.action_qbo_sync_now()
            self.assertEqual(self.jobs_of(partner).state, "pending")
            self.assertEqual(len(self.qbo_customers("Clicked")), 1, "QuickBooks did create it")
            result = partner.action_qbo_sync_now()
        self.assertEqual(result["params"]["type"], "success")
        self.assertEqual(self.emulator_admin.counters(US_REALM).get("replayed"), 1)
        self.assertEqual(len(self.qbo_customers("Clicked")), 1, "answered from memory, not created twice")
        self.assertEqual(self.binding_of(partner).qbo_id, self.qbo_customers("Clicked")[0]["Id"])
