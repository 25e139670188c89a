"""The first hour in a real browser (headless Chromium): Connect in a pop-up, the checklist, the bulk confirm of
suggested mappings and the import's preview. The tours are in static/tests/tours/qbo_first_hour_tours.js."""
from unittest.mock import patch

from odoo.tests import tagged
from odoo.tests.common import ChromeBrowser

from .common import US_REALM, QboHttpCase


@tagged("post_install", "-at_install")
class TestQboFirstHourTours(QboHttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A person's click on Connect may open a pop-up; a tour's click is not a person's, and Chromium would
        # block it. Let it through, so that the tour sees what a person sees.
        spawn = ChromeBrowser._spawn_chrome
        patcher = patch.object(ChromeBrowser, "_spawn_chrome",
                               lambda browser, cmd: spawn(browser, cmd[:-1] + ["--disable-popup-blocking"] + cmd[-1:]))
        patcher.start()
        cls.addClassCleanup(patcher.stop)

    def setUp(self):
        super().setUp()
        self.connection.invoice_send_policy = "manual"   # as a new connection starts
        self.form_url = "/odoo/action-account_quickbooks_online.qbo_connection_action/%d" % self.connection.id

    def test_connect_in_a_popup_brings_the_opening_tab_back_connected(self):
        self.start_tour(self.form_url, "qbo_connect_popup", login="qbo_manager", timeout=120)
        self.connection.invalidate_recordset()
        self.assertEqual((self.connection.state, self.connection.realm_id), ("connected", US_REALM))
        self.assertEqual(self.connection.connected_by_id, self.manager)

    def test_connect_without_a_popup_goes_to_intuit_in_the_same_tab(self):
        self.start_tour(self.form_url, "qbo_connect_without_popup", login="qbo_manager", timeout=60)

    def test_the_checklist_confirms_suggestions_in_bulk_and_previews_the_import(self):
        self.connect_with_tokens()
        self.start_tour(self.form_url, "qbo_setup_checklist", login="qbo_manager", timeout=180)
        Mapping = self.env["qbo.account.mapping"]
        rows = Mapping.search([("connection_id", "=", self.connection.id)])
        self.assertTrue(rows.filtered(lambda row: row.method == "similar" and row.state == "mapped"),
                        "the suggestions were confirmed")
        self.assertFalse(rows.filtered(lambda row: row.state == "suggested"))
        run = self.env["qbo.import.run"].search([("connection_id", "=", self.connection.id)])
        self.assertEqual(run.state, "done")
        self.assertFalse(run.create_accounts, "the import only mapped accounts, by default")
        self.assertTrue(self.env["qbo.binding"].search_count([("connection_id", "=", self.connection.id),
                                                             ("qbo_entity", "=", "Customer")]))
