"""Who may see and touch a connection, its tokens and the app's secret."""
import os

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import QboHttpCase


@tagged("post_install", "-at_install")
class TestQboConnectionSecurity(QboHttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Company B"})
        cls.connection_b = cls.env["qbo.connection"].search([("company_id", "=", cls.company_b.id)])

    def test_every_company_gets_one_connection(self):
        self.assertEqual(len(self.connection_b), 1)
        self.assertEqual(self.connection_b.state, "not_connected")

    def test_a_user_of_company_a_cannot_see_or_act_on_company_b(self):
        self.assertFalse(self.env["qbo.connection"].with_user(self.manager).search(
            [("company_id", "=", self.company_b.id)]))
        with self.assertRaises(AccessError):
            self.connection_b.with_user(self.manager).read(["state"])
        with self.assertRaises(AccessError):
            self.connection_b.with_user(self.manager).action_qbo_connect()
        with self.assertRaises(AccessError):
            self.connection_b.with_user(self.manager).action_qbo_disconnect()
        with self.assertRaises(AccessError):
            self.connection_b.with_user(self.manager).action_qbo_test()

    def test_a_non_manager_cannot_read_tokens_or_connect(self):
        self.connect()
        connection = self.connection.with_user(self.plain_user)
        self.assertEqual(connection.status, "connected")
        for field in ("access_token", "refresh_token", "oauth_nonce"):
            with self.assertRaises(AccessError):
                connection.read([field])
        with self.assertRaises(AccessError):
            connection.action_qbo_connect()
        with self.assertRaises(AccessError):
            connection.action_qbo_disconnect()

    def test_a_user_outside_accounting_sees_nothing(self):
        outsider = new_test_user(self.env, "qbo_outsider", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.connection.with_user(outsider).read(["state"])

    def test_the_client_secret_is_for_system_administrators_only(self):
        settings = self.env["res.config.settings"]
        self.assertIn("qbo_client_secret", settings.fields_get())
        self.assertNotIn("qbo_client_secret", settings.with_user(self.manager).fields_get())
        self.assertTrue(settings.create({}).qbo_redirect_uri.endswith("/qbo/oauth/callback"))

    def test_neutralization_wipes_tokens_and_secret(self):
        self.connect()
        path = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "neutralize.sql")
        with open(path) as handle:
            self.env.cr.execute(handle.read())
        self.env.registry.clear_cache()
        self.connection.invalidate_recordset()
        self.assertFalse(self.connection.sudo().access_token or self.connection.sudo().refresh_token)
        self.assertEqual(self.connection.state, "not_connected")
        self.assertFalse(self.env["ir.config_parameter"].sudo().get_param(
            "account_quickbooks_online.client_secret"))


@tagged("post_install", "-at_install")
class TestQboManagerWithoutSystemRights(QboHttpCase):
    """An accounting administrator manages QuickBooks, but where the app's credentials go is the system
    administrator's: otherwise pointing the emulator URL at any server and clicking Disconnect would send it
    the app's client ID and secret."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Company B"})
        cls.connection_b = cls.env["qbo.connection"].search([("company_id", "=", cls.company_b.id)])
        cls.connection_b.sudo().write({"realm_id": "9341452727711999", "state": "connected",
                                       "access_token": "b-access", "refresh_token": "b-refresh"})
        account_b = cls.env["account.account"].create({"name": "B income", "code": "B400", "account_type": "income",
                                                       "company_ids": [cls.company_b.id]})
        partner = cls.env["res.partner"].with_context(qbo_no_export=True).create({"name": "B customer"})
        cls.records_b = {
            "qbo.connection": cls.connection_b,
            "qbo.account.mapping": cls.env["qbo.account.mapping"].create(
                {"connection_id": cls.connection_b.id, "account_id": account_b.id}),
            "qbo.sync.job": cls.env["qbo.sync.job"].create(
                {"connection_id": cls.connection_b.id, "res_model": "res.partner", "res_id": partner.id,
                 "qbo_entity": "Customer"}),
            "qbo.binding": cls.env["qbo.binding"].create(
                {"connection_id": cls.connection_b.id, "res_model": "res.partner", "res_id": partner.id,
                 "qbo_entity": "Customer", "qbo_id": "77"}),
            "qbo.connection.token": cls.connection_b.sudo().token_id,
        }
        cls.env["qbo.connection.health"]._qbo_note_error(cls.connection_b, "B's own trouble")
        cls.records_b["qbo.connection.health"] = cls.env["qbo.connection.health"].search(
            [("connection_id", "=", cls.connection_b.id)])

    def test_the_manager_is_no_system_administrator(self):
        self.assertTrue(self.manager.has_group("account_quickbooks_online.group_qbo_manager"))
        self.assertFalse(self.manager.has_group("base.group_system"))

    def test_a_manager_cannot_read_tokens_or_the_secret(self):
        self.connect()
        connection = self.connection.with_user(self.manager)
        self.assertEqual(connection.status, "connected")
        for field in ("access_token", "refresh_token", "oauth_nonce", "token_id"):
            with self.assertRaises(AccessError):
                connection.read([field])
        with self.assertRaises(AccessError):
            self.env["qbo.connection.token"].with_user(self.manager).search([])
        self.assertNotIn("qbo_client_secret", self.env["res.config.settings"].with_user(self.manager).fields_get())

    def test_a_manager_cannot_change_where_calls_go(self):
        connection = self.connection.with_user(self.manager)
        self.assertEqual(connection.environment_label, "Emulator (%s)" % self.emulator.url)
        for values in ({"emulator_url": "http://attacker.example/"}, {"environment": "sandbox"}):
            with self.assertRaises(AccessError):
                connection.write(values)
        with self.assertRaises(AccessError):
            connection.read(["environment", "emulator_url"])
        self.assertEqual(self.connection.sudo().emulator_url, self.emulator.url)

    def test_an_emulator_off_this_machine_is_refused(self):
        from unittest.mock import patch

        from odoo.exceptions import ValidationError
        from odoo.tools import config
        connection = self.connection.sudo()
        with patch.dict(config.options, {"test_enable": False}):
            for url in ("http://attacker.example:8765/", "http://10.0.0.8:8765/", "https://quickbooks.example/"):
                with self.assertRaises(ValidationError), self.env.cr.savepoint():
                    connection.write({"emulator_url": url})
            for url in ("http://127.0.0.1:8765/", "http://localhost:8765/", "http://[::1]:8765/"):
                connection.write({"emulator_url": url})

    def test_a_manager_cannot_reach_another_companys_records(self):
        for model, record in self.records_b.items():
            self.assertTrue(record, model)
            Model = self.env[model].with_user(self.manager)
            if model == "qbo.connection.token":
                with self.assertRaises(AccessError):
                    Model.search([])
                continue
            self.assertFalse(Model.search([("id", "=", record.id)]), "%s of company B is invisible" % model)
            with self.assertRaises(AccessError):
                Model.browse(record.id).read(["company_id"])
