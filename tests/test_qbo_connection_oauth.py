"""Connecting a company through the OAuth callback controller, and every refusal of it."""
import time

from odoo.tests import tagged

from .common import UK_REALM, US_REALM, QboHttpCase


@tagged("post_install", "-at_install")
class TestQboConnectionOAuth(QboHttpCase):

    def assert_nothing_stored(self, connection=None, realm_id=False):
        connection = connection or self.connection
        connection.invalidate_recordset()
        self.assertEqual(connection.state, "not_connected")
        self.assertEqual(connection.realm_id, realm_id)
        self.assertFalse(connection.sudo().access_token)
        self.assertFalse(connection.sudo().refresh_token)

    def test_full_connect_flow_through_the_controller(self):
        location = self.consent(self.connection, self.manager)
        self.assertTrue(location.startswith(self.base_url() + "/qbo/oauth/callback?"))
        response = self.callback(location)
        self.assertEqual(response.status_code, 303)
        # Without a pop-up the tab comes back to the form under its menu action, which gives it its breadcrumb.
        self.assertTrue(response.headers["Location"].endswith(
            "/odoo/action-account_quickbooks_online.qbo_connection_action/%d" % self.connection.id))
        connection = self.connection
        connection.invalidate_recordset()
        self.assertEqual(connection.state, "connected")
        self.assertEqual(connection.status, "connected")
        self.assertEqual(connection.realm_id, US_REALM)
        self.assertEqual(connection.qbo_country_code, "US")
        self.assertEqual(connection.qbo_currency_code, "USD")
        self.assertTrue(connection.qbo_automated_sales_tax)
        self.assertFalse(connection.qbo_multicurrency)
        self.assertTrue(connection.qbo_company_name)
        self.assertEqual(connection.connected_by_id, self.manager)
        self.assertTrue(connection.sudo().access_token and connection.sudo().refresh_token)
        self.assertFalse(connection.warning_message)
        self.assertEqual(self.token_requests(), 1)
        self.assertTrue(any("Connected to QuickBooks Online company" in (message.body or "")
                            for message in connection.message_ids))

    def test_connect_in_a_popup_refreshes_the_opener_and_closes(self):
        result = self.connection.with_user(self.manager).action_qbo_connect()
        popup, tab = result["params"]["popup_url"], result["params"]["tab_url"]
        self.assertNotEqual(popup, tab)
        response = self.callback(self.consent(self.connection, self.manager, mode="popup"))
        self.assertEqual(response.status_code, 200)
        self.assertIn("opener.location.reload()", response.text)
        self.assertIn("window.close()", response.text)
        self.assertIn('data-form-url="/odoo/action-account_quickbooks_online.qbo_connection_action/%d"'
                      % self.connection.id, response.text)
        self.connection.invalidate_recordset()
        self.assertEqual(self.connection.state, "connected")

    def test_only_one_of_the_two_connect_links_can_be_used(self):
        result = self.connection.with_user(self.manager).action_qbo_connect()
        self.assertEqual(self.callback(self.consent(self.connection, self.manager)).status_code, 303)
        self.connection.sudo().write({"state": "not_connected", "access_token": False, "refresh_token": False,
                                      "realm_id": False})
        # The pop-up link of an earlier click is as dead as the tab link of this one.
        from urllib.parse import parse_qs, quote, urlsplit
        state = parse_qs(urlsplit(result["params"]["popup_url"]).query)["state"][0]
        response = self.callback("/qbo/oauth/callback?code=x&realmId=%s&state=%s" % (US_REALM, quote(state)))
        self.assertEqual(response.status_code, 403)
        self.assert_nothing_stored()

    def test_test_connection_says_what_it_proved(self):
        self.connect()
        result = self.connection.with_user(self.plain_user).action_qbo_test()
        message = result["params"]["message"]
        self.assertEqual(result["params"]["type"], "success")
        self.assertIn("read and write", message)
        self.assertIn("nothing was changed", message)
        self.assertNotIn("read access", message)

    def test_mismatched_country_and_currency_are_warned(self):
        self.connect(realm_id=UK_REALM)
        self.assertEqual(self.connection.qbo_currency_code, "GBP")
        self.assertIn("GB", self.connection.warning_message)
        self.assertIn("GBP", self.connection.warning_message)

    def test_missing_state_is_refused(self):
        location = self.consent(self.connection, self.manager)
        response = self.callback(location.replace("state=", "nostate="))
        self.assertEqual(response.status_code, 403)
        self.assert_nothing_stored()

    def test_forged_state_is_refused(self):
        location = self.consent(self.connection, self.manager)
        head, _, tail = location.partition("state=")
        state, _, rest = tail.partition("&")
        forged = state[:-4] + ("AAAA" if not state.endswith("AAAA") else "BBBB")
        response = self.callback(head + "state=" + forged + "&" + rest)
        self.assertEqual(response.status_code, 403)
        self.assertIn("not valid", response.text)
        self.assert_nothing_stored()

    def test_expired_state_is_refused(self):
        location = self.consent(self.connection, self.manager)
        state = self.connection._qbo_sign_state({"c": self.connection.id, "co": self.company.id,
                                                 "u": self.manager.id, "n": self.connection.sudo().oauth_nonce,
                                                 "exp": int(time.time()) - 1})
        head, _, tail = location.partition("state=")
        _old, _, rest = tail.partition("&")
        response = self.callback(head + "state=" + state + "&" + rest)
        self.assertEqual(response.status_code, 403)
        self.assertIn("expired", response.text)
        self.assert_nothing_stored()

    def test_replayed_state_is_refused(self):
        location = self.consent(self.connection, self.manager)
        self.assertEqual(self.callback(location).status_code, 303)
        self.connection.sudo().write({"state": "not_connected", "access_token": False, "refresh_token": False,
                                      "realm_id": False})
        response = self.callback(location)
        self.assertEqual(response.status_code, 403)
        self.assertIn("already used", response.text)
        self.assert_nothing_stored()

    def test_user_without_the_manager_group_is_refused(self):
        location = self.consent(self.connection, self.manager)
        response = self.callback(location, login="qbo_user")
        self.assertEqual(response.status_code, 403)
        self.assertIn("managers", response.text)
        self.assert_nothing_stored()

    def test_state_of_another_user_is_refused(self):
        other = self.manager.copy({"login": "qbo_manager_2", "password": "qbo_manager_2"})
        location = self.consent(self.connection, self.manager)
        response = self.callback(location, login=other.login)
        self.assertEqual(response.status_code, 403)
        self.assert_nothing_stored()

    def test_realm_linked_to_another_company_is_refused(self):
        other_company = self.env["res.company"].create({"name": "Second Company", "currency_id":
                                                        self.env.ref("base.USD").id})
        other = self.env["qbo.connection"].search([("company_id", "=", other_company.id)])
        other.write({"environment": "emulator", "emulator_url": self.emulator.url})
        self.manager.write({"company_ids": [(4, other_company.id)]})
        self.connect(other)
        response = self.callback(self.consent(self.connection, self.manager, US_REALM))
        self.assertEqual(response.status_code, 403)
        self.assertIn("already linked", response.text)
        self.assert_nothing_stored()

    def test_cancelled_consent_stores_nothing(self):
        location = self.consent(self.connection, self.manager, action="cancel")
        response = self.callback(location)
        self.assertIn("access_denied", response.text)
        self.assert_nothing_stored()

    def test_connect_needs_app_credentials(self):
        self.env["ir.config_parameter"].sudo().set_param("account_quickbooks_online.client_secret", "")
        from odoo.exceptions import UserError
        with self.assertRaisesRegex(UserError, "Client ID and Client Secret"):
            self.connection.with_user(self.manager).action_qbo_connect()
