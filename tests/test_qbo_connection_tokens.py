"""Token lifecycle: refresh with a margin and rotation, 401 retry, invalid_grant, cron, disconnect, reset."""
from datetime import timedelta

from intuitlib.exceptions import AuthClientError

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from ..emulator.testing import auth_client
from .common import UK_REALM, US_REALM, QboHttpCase


@tagged("post_install", "-at_install")
class TestQboConnectionTokens(QboHttpCase):

    def test_refresh_rotates_the_refresh_token(self):
        connection = self.connect().sudo()
        old_access, old_refresh = connection.access_token, connection.refresh_token
        self.emulator_admin.clock(advance=86401)   # Intuit changes the refresh token's value about daily
        before = self.token_requests()
        token = connection._qbo_refresh(force=True)
        connection.invalidate_recordset()
        self.assertEqual(self.token_requests(), before + 1)
        self.assertEqual(connection.access_token, token)
        self.assertNotEqual(token, old_access)
        self.assertNotEqual(connection.refresh_token, old_refresh)
        self.assertEqual(connection.status, "connected")

    def test_access_token_is_refreshed_before_it_expires(self):
        connection = self.connect().sudo()
        connection.access_token_expires_at = fields.Datetime.now() + timedelta(seconds=60)
        connection.flush_recordset()   # the refresh reads the row from its own transaction
        self.assertEqual(connection.status, "needs_refresh")
        before = self.token_requests()
        token = connection._qbo_access_token()
        self.assertEqual(self.token_requests(), before + 1)
        self.assertEqual(connection._qbo_access_token(), token, "a fresh token is reused")
        self.assertEqual(self.token_requests(), before + 1)
        self.assertEqual(connection.status, "connected")

    def test_a_401_gets_one_refresh_and_a_retry(self):
        self.connect()
        self.emulator_admin.clock(advance=3601)   # Intuit expired the access token; Odoo does not know yet
        before = self.token_requests()
        result = self.connection.with_user(self.manager).action_qbo_test()
        self.assertEqual(result["params"]["type"], "success", result["params"]["message"])
        self.assertEqual(self.token_requests(), before + 1)
        self.assertTrue(self.connection.last_call_at)

    def test_invalid_grant_expires_the_session_and_tells_people(self):
        connection = self.connect()
        self.emulator_admin.clock(advance=102 * 86400)   # past the refresh token's rolling lifetime
        with self.assertRaisesRegex(UserError, "no longer accepts"):
            connection._qbo_refresh(force=True)
        connection.invalidate_recordset()
        self.assertEqual(connection.state, "expired")
        self.assertEqual(connection.status, "expired")
        self.assertFalse(connection.sudo().refresh_token)
        self.assertIn("invalid_grant", connection.last_error)
        activity = connection.activity_ids.filtered(lambda a: a.user_id == self.manager)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.summary, "Reconnect QuickBooks Online")
        self.assertTrue(any("Intuit no longer accepts" in (message.body or "") for message in connection.message_ids))
        with self.assertRaisesRegex(UserError, "expired"):
            connection._qbo_access_token()

    def test_transient_refresh_failure_means_needs_refresh(self):
        connection = self.connect()
        self.emulator_admin.faults(**{"oauth.token": {"fail_next": 1, "fail_status": 503}})
        with self.assertRaisesRegex(UserError, "did not answer properly"):
            connection._qbo_refresh(force=True)
        connection.invalidate_recordset()
        self.assertEqual(connection.state, "connected")
        self.assertEqual(connection.status, "needs_refresh")
        self.assertEqual(self.env["qbo.connection"].search([("status", "=", "needs_refresh")]), connection)
        connection._qbo_refresh(force=True)
        connection.invalidate_recordset()
        self.assertEqual(connection.status, "connected")
        self.assertEqual(self.env["qbo.connection"].search([("status", "=", "connected")]), connection)

    def test_cron_refreshes_tokens_near_expiry(self):
        connection = self.connect().sudo()
        connection.access_token_expires_at = fields.Datetime.now() + timedelta(minutes=10)
        connection.flush_recordset()
        before = self.token_requests()
        self.env["qbo.connection"]._cron_qbo_refresh_tokens()
        self.assertEqual(self.token_requests(), before + 1)
        self.env["qbo.connection"]._cron_qbo_refresh_tokens()
        self.assertEqual(self.token_requests(), before + 1, "a fresh token is left alone")

    def test_cron_warns_thirty_days_before_the_connection_ends(self):
        self.emulator_admin.configure(policy={"refresh_token_ttl": 20 * 86400})
        connection = self.connect()
        self.assertLess(connection.refresh_token_expires_at, fields.Datetime.now() + timedelta(days=30))
        self.env["qbo.connection"]._cron_qbo_refresh_tokens()
        self.env["qbo.connection"]._cron_qbo_refresh_tokens()
        warnings = connection.activity_ids.filtered(lambda a: a.summary == "QuickBooks Online connection ends soon")
        self.assertIn(self.manager, warnings.user_id)
        self.assertEqual(len(warnings.filtered(lambda a: a.user_id == self.manager)), 1, "warned once per person")

    def test_disconnect_revokes_at_intuit_and_keeps_the_realm(self):
        connection = self.connect()
        refresh_token = connection.sudo().refresh_token
        result = connection.with_user(self.manager).action_qbo_disconnect()
        self.assertEqual(result["params"]["type"], "success")
        self.assertEqual(self.emulator_admin.counters("_oauth").get("POST revoke"), 1)
        connection.invalidate_recordset()
        self.assertEqual(connection.state, "not_connected")
        self.assertFalse(connection.sudo().access_token or connection.sudo().refresh_token)
        self.assertEqual(connection.realm_id, US_REALM, "the link to the QuickBooks company is kept")
        client = auth_client(self.emulator.url, refresh_token=refresh_token)
        with self.assertRaises(AuthClientError):
            client.refresh()

    def test_reconnect_to_the_same_realm_resumes(self):
        self.connect()
        self.connection.with_user(self.manager).action_qbo_disconnect()
        self.connect()
        self.assertEqual(self.connection.realm_id, US_REALM)

    def test_another_realm_is_refused_until_the_links_are_reset(self):
        self.connect()
        self.connection.with_user(self.manager).action_qbo_disconnect()
        response = self.callback(self.consent(self.connection, self.manager, UK_REALM))
        self.assertEqual(response.status_code, 403)
        self.assertIn("reset the connection", response.text)
        self.connection.invalidate_recordset()
        self.assertEqual((self.connection.state, self.connection.realm_id), ("not_connected", US_REALM))
        wizard = self.env["qbo.connection.reset"].with_user(self.manager).create(
            {"connection_id": self.connection.id})
        self.assertIn(US_REALM, wizard.summary)
        wizard.action_reset()
        self.assertFalse(self.connection.realm_id)
        self.connect(realm_id=UK_REALM)
        self.assertEqual(self.connection.realm_id, UK_REALM)

    def test_reset_is_refused_while_connected(self):
        self.connect()
        wizard = self.env["qbo.connection.reset"].with_user(self.manager).create(
            {"connection_id": self.connection.id})
        with self.assertRaisesRegex(UserError, "Disconnect"):
            wizard.action_reset()

    def test_manual_refresh_and_test_buttons_answer_with_a_toast(self):
        self.connect()
        refreshed = self.connection.with_user(self.manager).action_qbo_refresh()
        self.assertEqual(refreshed["tag"], "display_notification")
        tested = self.connection.with_user(self.plain_user).action_qbo_test()
        self.assertEqual(tested["params"]["type"], "success")
        self.assertIn(US_REALM, tested["params"]["message"])
