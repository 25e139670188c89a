"""The first hour of a new company: the setup checklist, the sync job in words, the menus."""
from datetime import timedelta

from odoo import fields
from odoo.tests import Form, tagged

from .common import QboHttpCase


@tagged("post_install", "-at_install")
class TestQboFirstHour(QboHttpCase):

    def setUp(self):
        super().setUp()
        # As a new connection starts (an older database may hold another choice).
        self.connection.invoice_send_policy = "manual"

    def steps(self):
        self.connection.invalidate_recordset()
        return {step: self.connection["qbo_setup_%s_done" % step]
                for step in ("connect", "lists", "mappings", "match", "import", "sending")}

    def map_everything_left(self):
        """What a person does in the mappings: confirm the suggestions, pick a candidate for the rest."""
        Mapping = self.env["qbo.account.mapping"]
        todo = Mapping.search([("connection_id", "=", self.connection.id),
                               ("state", "in", ("suggested", "ambiguous", "missing"))])
        todo.with_user(self.manager).action_qbo_confirm_suggestions()
        for row in todo.filtered(lambda row: row.state in ("ambiguous", "missing")):
            candidates = row.candidate_ids or self.env["qbo.list.item"].search(
                [("connection_id", "=", self.connection.id), ("list_type", "=", "account"),
                 ("account_type", "=", "Other Current Asset")])
            row.with_user(self.manager).write({"qbo_account_id": candidates[:1].id})
        for model in ("qbo.tax.mapping", "qbo.journal.mapping"):
            self.assertFalse(self.env[model].search([("connection_id", "=", self.connection.id),
                                                     ("state", "!=", "mapped")]), model)

    def test_the_checklist_walks_a_new_company_through_its_first_hour(self):
        new_company = self.env["res.company"].create({"name": "QX First Hour Inc"})
        self.assertEqual(self.env["qbo.connection"].search([("company_id", "=", new_company.id)]).invoice_send_policy,
                         "manual", "a new company sends invoices on demand until its setup is done")
        self.assertEqual((self.connection.qbo_setup_next, self.connection.qbo_setup_done_count), ("connect", 0))
        self.connect()
        self.assertEqual(self.connection.qbo_setup_next, "lists")

        result = self.connection.with_user(self.manager).action_qbo_setup_lists()
        for text in ("Lists:", "Accounts:", "Taxes:", "Bank and cash journals:", "Payment terms:"):
            self.assertIn(text, result["params"]["message"])
        self.connection.invalidate_recordset()
        self.assertEqual(self.connection.qbo_setup_next, "mappings")
        todo = self.connection.qbo_setup_todo_count
        self.assertEqual(todo, self.connection.qbo_account_todo_count + self.connection.qbo_tax_unmapped_count +
                         self.connection.qbo_journal_unmapped_count)
        self.assertTrue(todo)
        self.assertIn("accounts", self.connection.qbo_setup_mappings_note)
        self.assertEqual(self.connection.action_qbo_review_mappings()["res_model"], "qbo.account.mapping")

        self.map_everything_left()
        self.connection.invalidate_recordset()
        self.assertEqual((self.connection.qbo_setup_todo_count, self.connection.qbo_setup_next), (0, "match"))
        self.assertFalse(self.connection.qbo_setup_ready)

        wizard = self.env["qbo.partner.match"].with_user(self.manager).with_context(
            active_model="qbo.connection", active_id=self.connection.id).create({"entity": "Customer"})
        self.env["res.partner"].with_context(qbo_no_export=True).create({"name": "QX First Hour Customer",
                                                                         "customer_rank": 1})
        wizard.action_propose()
        wizard.line_ids.write({"decision": "skip"})
        wizard.action_confirm()
        self.assertEqual(self.steps()["match"], True)
        self.assertEqual(self.connection.qbo_setup_next, "import")

        importer = self.env["qbo.initial.import"].with_user(self.manager).with_context(
            active_model="qbo.connection", active_id=self.connection.id).create({})
        importer.action_preview()
        importer.action_import()
        self.connection.invalidate_recordset()
        self.assertEqual(self.connection.qbo_setup_next, "sending")
        self.assertTrue(self.connection.qbo_setup_ready)

        result = self.connection.with_user(self.manager).action_qbo_send_invoices_automatically()
        self.assertEqual(result["params"]["type"], "success")
        self.assertEqual(self.connection.invoice_send_policy, "posted")
        self.assertEqual(self.connection.documents_from, fields.Date.context_today(self.connection))
        self.assertEqual((self.connection.qbo_setup_next, self.connection.qbo_setup_done_count), ("done", 6))
        with self.assertRaises(Exception):
            self.connection.with_user(self.plain_user).action_qbo_send_invoices_automatically()

    def test_lists_read_by_the_scheduled_action_are_proposed_on_review(self):
        self.connect_with_tokens()
        self.env["qbo.list.item"]._qbo_update_lists(self.connection)   # as the daily scheduled action does
        self.assertEqual(self.steps()["lists"], True)
        self.assertEqual(self.connection.qbo_setup_next, "mappings")
        action = self.connection.with_user(self.manager).action_qbo_review_mappings()
        self.assertEqual(action["res_model"], "qbo.account.mapping")
        self.assertTrue(self.env["qbo.account.mapping"].search_count([("connection_id", "=", self.connection.id),
                                                                      ("state", "=", "suggested")]))

    def test_the_next_step_is_the_only_primary_button_and_early_sending_asks(self):
        view = self.env.ref("account_quickbooks_online.qbo_connection_view_form")
        arch = self.env["qbo.connection"].with_user(self.manager).get_view(view.id)["arch"]
        for step, method in (("lists", "action_qbo_setup_lists"), ("mappings", "action_qbo_review_mappings"),
                             ("sending", "action_qbo_send_invoices_automatically")):
            self.assertIn('name="%s" type="object" string' % method, arch)
            self.assertIn('class="btn-primary" invisible="qbo_setup_next != \'%s\'"' % step, arch)
        self.assertIn("invisible=\"qbo_setup_next != 'match'\"", arch)
        self.assertIn("invisible=\"qbo_setup_next != 'import'\"", arch)
        # Automatic sending before the setup is done asks first (and only then).
        self.assertRegex(arch, r"invisible=\"qbo_setup_next == 'sending' or qbo_setup_sending_done\"\s+"
                               r"confirm=\"The setup is not finished")
        # The header is no longer a row of equal buttons: the setup steps moved to the checklist.
        header = arch.split("<header>")[1].split("</header>")[0]
        for method in ("action_qbo_setup_lists", "action_qbo_propose_mappings", "action_qbo_connect"):
            self.assertNotIn(method, header)
        # The same choice in the Synchronisation tab warns (the form's onchange works on the unsaved record).
        with self.assertLogs("odoo.tests.form.onchange", "WARNING") as logs, \
                Form(self.connection.with_user(self.manager)) as form:
            form.invoice_send_policy = "posted"
        self.assertIn("The setup is not finished", "\n".join(logs.output))

    def test_a_sync_job_speaks_in_words(self):
        self.connect_with_tokens()
        partner = self.env["res.partner"].create({"name": "Red Rock Diner", "customer_rank": 1})
        job = self.env["qbo.sync.job"].search([("res_model", "=", "res.partner"), ("res_id", "=", partner.id)])
        self.assertEqual(job.display_name, "Red Rock Diner → Customer")
        self.assertEqual(job.next_step, "Sent with the next batch.")
        labels = self.env["qbo.sync.job"].fields_get(["intuit_tid", "attempts", "requeues", "waits", "error_code"])
        self.assertEqual(labels["intuit_tid"]["string"], "Intuit transaction id")
        self.assertEqual(labels["attempts"]["string"], "Failed attempts")
        for name, info in labels.items():
            self.assertTrue(info.get("help"), name)
        # QuickBooks did not answer: retried by itself, and it says when.
        later = fields.Datetime.now() + timedelta(minutes=5)
        job.write({"attempts": 1, "next_attempt_at": later, "retry_until": later + timedelta(hours=24)})
        self.assertIn("Sent again by itself at", job.next_step)
        self.assertIn("then marked failed", job.next_step)
        # Refused: nothing happens by itself, and no next attempt is shown.
        job._qbo_fail("6000", "A business validation error has occurred.", "Something is wrong " * 10)
        self.assertIn("Nothing by itself", job.next_step)
        self.assertFalse(job.next_attempt_at)
        self.assertTrue(job.error_summary.endswith("…"))
        self.assertLess(len(job.error_summary), len(job.error_message))
        # Disconnected: it waits without spending attempts, and says so.
        job.action_qbo_retry()
        self.connection.sudo().state = "not_connected"
        job.invalidate_recordset()
        self.assertIn("to be connected again; waiting costs no attempt", job.next_step)
        self.assertEqual(job.attempts, 0)
        arch = self.env["qbo.sync.job"].get_view(self.env.ref("account_quickbooks_online.qbo_sync_job_view_list").id)
        for method in ("action_qbo_cancel", "action_qbo_open_record", "action_qbo_retry"):
            self.assertIn('name="%s"' % method, arch["arch"])
        self.assertEqual(job.action_qbo_open_record()["res_id"], partner.id)

    def test_the_configuration_menu_has_one_quickbooks_section(self):
        section = self.env.ref("account_quickbooks_online.qbo_configuration_menu")
        self.assertEqual(section.parent_id, self.env.ref("account.menu_finance_configuration"))
        self.assertFalse(section.action)
        self.assertEqual(section.child_id.sorted("sequence").mapped("name"),
                         ["Connections", "Import", "Account Mapping", "Tax Mapping", "Journal Mapping",
                          "Payment Terms"])
        loose = self.env["ir.ui.menu"].search([("parent_id", "=", section.parent_id.id),
                                               ("name", "ilike", "QuickBooks")])
        self.assertEqual(loose, section, "no QuickBooks item outside the section")
