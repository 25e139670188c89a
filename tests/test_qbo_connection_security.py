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
