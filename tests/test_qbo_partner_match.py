"""Matching Odoo partners with QuickBooks customers and vendors, and the match wizard."""
from odoo.exceptions import UserError
from odoo.tests import tagged

from .connected_common import QboConnectedCase


@tagged("post_install", "-at_install")
class TestQboPartnerMatch(QboConnectedCase):

    def setUp(self):
        super().setUp()
        self.Partner = self.env["res.partner"].with_context(qbo_no_export=True)
        self.Matcher = self.env["qbo.partner.matcher"]

    def partners(self, *values):
        return self.Partner.create([dict(v, customer_rank=1) for v in values])

    def match(self, partners, entity="Customer"):
        results, rows = self.Matcher._qbo_match(self.connection, partners, entity)
        return {partner.name: (results[partner.id]["state"], results[partner.id]["criterion"],
                               sorted(rows[qbo_id].get("DisplayName") for qbo_id in results[partner.id]["ids"]))
                for partner in partners}

    def open_wizard(self, partners, entity="Customer"):
        wizard = self.env["qbo.partner.match"].with_user(self.manager).with_context(
            active_model="res.partner", active_ids=partners.ids).create({"entity": entity})
        wizard.action_propose()
        return wizard

    def test_email_then_name_then_tax_id_with_matched_ambiguous_and_new(self):
        self.qbo_create("Customer", [{"DisplayName": "Tax Only Holdings", "PrimaryTaxIdentifier": "GB 123 4567 89"}])
        partners = self.partners(
            {"name": "Amy Lauterbach", "email": "BIRDS@intuit.com"},                  # email, any case
            {"name": "cool  CARS"},                                                   # name, case and spaces
            {"name": "Freeman Sporting Goods", "email": "sporting_goods@intuit.com"}, # 3 by email, 1 by name
            {"name": "Shara", "email": "Design@intuit.com"},                          # 2 by email, none by name
            {"name": "Holdings Ltd", "vat": "GB123456789"},                           # tax ID
            {"name": "Brand New Landscapes"},                                         # nothing
        )
        self.assertEqual(self.match(partners), {
            "Amy Lauterbach": ("matched", "email", ["Amy's Bird Sanctuary"]),
            "cool  CARS": ("matched", "name", ["Cool Cars"]),
            "Freeman Sporting Goods": ("matched", "email", ["Freeman Sporting Goods"]),
            "Shara": ("ambiguous", "email", ["Barnett Design", "Shara Barnett"]),
            "Holdings Ltd": ("matched", "vat", ["Tax Only Holdings"]),
            "Brand New Landscapes": ("new", False, []),
        })
        # Each criterion can be switched off.
        self.connection.write({"match_partner_email": False, "match_partner_vat": False})
        self.assertEqual(self.match(partners[0] | partners[4] | partners[1]), {
            "Amy Lauterbach": ("new", False, []),
            "Holdings Ltd": ("new", False, []),
            "cool  CARS": ("matched", "name", ["Cool Cars"]),
        })

    def test_vendors_match_against_vendors_and_masked_tax_ids_never_match(self):
        partners = self.partners({"name": "Hall Props", "vat": "XXXXXX4321"},
                                 {"name": "tania's nursery", "email": "other@example.com"},
                                 {"name": "Amy's Bird Sanctuary"})
        self.assertEqual(self.match(partners, "Vendor"), {
            "Hall Props": ("new", False, []),
            "tania's nursery": ("matched", "name", ["Tania's Nursery"]),
            "Amy's Bird Sanctuary": ("new", False, []),   # a customer, not a vendor
        })

    def test_two_partners_claiming_one_record_go_to_the_closer_one_or_neither(self):
        partners = self.partners({"name": "Cool Cars", "email": "cool_cars@intuit.com"},
                                 {"name": "Grace Pariente", "email": "cool_cars@intuit.com"},
                                 {"name": "Red Rock Diner"}, {"name": "red rock diner"})
        self.assertEqual(self.match(partners), {
            "Cool Cars": ("matched", "email", ["Cool Cars"]),   # email and name agree
            "Grace Pariente": ("new", False, []),              # email only: lost to the closer match
            "Red Rock Diner": ("ambiguous", "name", ["Red Rock Diner"]),
            "red rock diner": ("ambiguous", "name", ["Red Rock Diner"]),
        })

    def test_records_already_linked_are_not_proposed_again(self):
        amy = self.qbo_id("Customer", "Amy's Bird Sanctuary")
        bound, other = self.partners({"name": "Amy (linked)"}, {"name": "Amy again", "email": "birds@intuit.com"})
        self.env["qbo.binding"]._qbo_link(self.connection, bound, "Customer", {"Id": amy, "SyncToken": "0"})
        self.assertEqual(self.match(bound | other), {
            "Amy (linked)": ("linked", False, ["Amy's Bird Sanctuary"]),
            "Amy again": ("new", False, []),
        })

    def test_matching_many_partners_reads_quickbooks_a_page_at_a_time(self):
        self.qbo_create("Customer", [{"DisplayName": "Paged %04d" % n, "PrimaryEmailAddr": {
            "Address": "paged%d@example.com" % n}} for n in range(1000)])
        total = len(self.qbo_rows("Customer"))
        self.assertGreater(total, 1000)
        partners = self.partners(*[{"name": "Someone %d" % n, "email": "paged%d@example.com" % (n * 7)}
                                   for n in range(120)])
        self.emulator_admin.clear_counters()
        results = self.match(partners)
        calls = self.qbo_calls()
        self.assertEqual(calls["POST query"], 2, "ceil(%d / 1000) pages, whatever the number of partners" % total)
        self.assertEqual(calls["total"], 2)
        self.assertEqual(results["Someone 5"], ("matched", "email", ["Paged 0035"]))
        self.assertEqual({state for state, _c, _n in results.values()}, {"matched"})

    def test_confirm_links_without_writing_to_quickbooks(self):
        partners = self.partners({"name": "Amy Lauterbach", "email": "birds@intuit.com"},
                                 {"name": "Shara", "email": "design@intuit.com"},
                                 {"name": "Typed By Hand"}, {"name": "Left Alone"})
        amy, shara, typed, alone = partners
        wizard = self.open_wizard(partners)
        lines = {line.partner_id: line for line in wizard.line_ids}
        self.assertEqual([lines[p].match_state for p in partners], ["matched", "ambiguous", "new", "new"])
        self.assertEqual(lines[shara].candidates_text.count("("), 2)
        barnett = lines[shara].candidate_ids.filtered(lambda c: c.name == "Shara Barnett")
        lines[shara].write({"candidate_id": barnett.id, "decision": "link"})
        kookies = self.qbo_id("Customer", "Kookies by Kathy")
        lines[typed].write({"typed_qbo_id": kookies, "decision": "link"})
        lines[alone].decision = "skip"
        self.emulator_admin.clear_counters()
        wizard.action_confirm()
        calls = self.qbo_calls()
        self.assertEqual(set(calls) - {"total"}, {"POST query"}, "only one read, for the Id typed by hand")
        self.assertEqual(calls["POST query"], 1)
        bindings = self.env["qbo.binding"].search([("res_model", "=", "res.partner"), ("res_id", "in", partners.ids)])
        self.assertEqual({b.partner_id: b.qbo_id for b in bindings}, {
            amy: self.qbo_id("Customer", "Amy's Bird Sanctuary"), shara: barnett.qbo_id, typed: kookies})
        self.assertEqual(set(bindings.mapped("state")), {"synced"})
        self.assertEqual(set(bindings.mapped("sync_token")), {"0"})
        self.assertTrue(all(bindings.mapped("synced_at")))
        self.assertFalse(self.env["qbo.sync.job"].search([("res_model", "=", "res.partner"),
                                                         ("res_id", "in", partners.ids)]))
        self.assertIn("3 linked", wizard.summary)

    def test_create_in_quickbooks_queues_a_job_and_calls_nothing(self):
        partners = self.partners({"name": "Brand New Landscapes"}, {"name": "Another New One"})
        wizard = self.open_wizard(partners, entity="Vendor")
        self.assertEqual(set(wizard.line_ids.mapped("decision")), {"create"})
        self.emulator_admin.clear_counters()
        wizard.action_confirm()
        self.assertFalse(self.qbo_calls().get("total"))
        jobs = self.env["qbo.sync.job"].search([("res_model", "=", "res.partner"), ("res_id", "in", partners.ids)])
        self.assertEqual(len(jobs), 2)
        self.assertEqual(set(jobs.mapped("qbo_entity")), {"Vendor"})
        self.assertEqual(set(jobs.mapped("state")), {"pending"})
        self.assertFalse(self.env["qbo.binding"].search([("res_model", "=", "res.partner"), ("qbo_id", "!=", False),
                                                        ("res_id", "in", partners.ids)]))

    def test_confirm_refuses_one_record_for_two_partners_and_unknown_ids(self):
        partners = self.partners({"name": "First"}, {"name": "Second"})
        wizard = self.open_wizard(partners)
        cool = self.qbo_id("Customer", "Cool Cars")
        wizard.line_ids.write({"typed_qbo_id": cool, "decision": "link"})
        with self.assertRaisesRegex(UserError, "First and Second are both linked"):
            wizard.action_confirm()
        wizard.line_ids[0].typed_qbo_id = "999999"
        with self.assertRaisesRegex(UserError, "no Customer with the Id 999999"):
            wizard.action_confirm()
        self.assertFalse(self.env["qbo.binding"].search([("res_model", "=", "res.partner"),
                                                        ("res_id", "in", partners.ids)]))

    def test_from_the_connection_it_offers_every_unlinked_customer(self):
        self.partners({"name": "Cool Cars"}, {"name": "Unlinked Customer"})
        wizard = self.env["qbo.partner.match"].with_user(self.manager).with_context(
            active_model="qbo.connection", active_id=self.connection.id).create({"entity": "Customer"})
        self.assertEqual(wizard.connection_id, self.connection)
        wizard.action_propose()
        names = set(wizard.line_ids.partner_id.mapped("name"))
        self.assertIn("Cool Cars", names)
        self.assertIn("Unlinked Customer", names)
        self.assertFalse(wizard.line_ids.partner_id.filtered(lambda p: not p.customer_rank))
