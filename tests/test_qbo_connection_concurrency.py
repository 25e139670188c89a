"""Two workers needing a fresh token at once spend the refresh token once.

This runs on real, separately committed cursors (not the test transaction),
as two Odoo workers would; what it commits it restores afterwards.
"""
import threading
import time
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..emulator.testing import quickbooks
from ..models import qbo_connection_health
from .common import US_REALM, QboRealCursorsCase


@tagged("post_install", "-at_install")
class TestQboTokenConcurrency(QboRealCursorsCase):

    def setUp(self):
        super().setUp()
        tokens = self.admin.grant(US_REALM)
        self.first_token = tokens["access_token"]
        # Already expired: both workers need a fresh one.
        self.connection_id = self.connect_committed(
            tokens, access_token_expires_at=fields.Datetime.now() - timedelta(seconds=1))

    def test_two_workers_refresh_once_and_both_use_the_new_token(self):
        barrier = threading.Barrier(2)
        tokens, errors = [], []

        def worker():
            try:
                with self.committed_env() as env:
                    connection = env["qbo.connection"].browse(self.connection_id)
                    barrier.wait(timeout=30)
                    tokens.append(connection._qbo_access_token())
            except Exception as error:   # reported below, with the thread's own failure
                errors.append(error)

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        self.assertFalse(errors)
        self.assertEqual(len(tokens), 2)
        self.assertEqual(tokens[0], tokens[1], "both workers use the one new token")
        self.assertNotEqual(tokens[0], self.first_token)
        self.assertEqual(self.admin.counters("_oauth").get("POST bearer"), 1, "exactly one token request")
        from quickbooks.objects import CompanyInfo
        info = CompanyInfo.get(US_REALM, qb=quickbooks(self.emulator.url, US_REALM, tokens[1]))
        self.assertEqual(info.Country, "US")
        issued = self.secrets_issued(self.emulator)
        self.assertFalse(self.leaked_secrets(issued))


@tagged("post_install", "-at_install")
class TestQboHealthNoteNeverWaitsForItsCaller(QboRealCursorsCase):
    """Connect writes the realm, then reads the company through the gateway, which notes the call from a cursor
    of its own: that note must never wait for the very transaction that waits for it."""

    def note_while_the_realm_is_written(self):
        """In one worker's transaction, change the connection's realm (unique: a key update) and note a call."""
        outcome = {}

        def worker():
            with self.committed_env() as env:
                connection = env["qbo.connection"].browse(self.connection_id)
                connection.sudo().write({"realm_id": "9341452727719999"})
                env.flush_all()
                started = time.monotonic()
                outcome["values"] = env["qbo.connection.health"]._qbo_note_success(connection, force=True) or \
                    env["qbo.connection.health"]._qbo_update(connection, lambda streak: {"failure_streak": 0})
                outcome["seconds"] = time.monotonic() - started
                env.cr.rollback()
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join(timeout=60)
        self.assertFalse(thread.is_alive(), "the note waited for its own caller")
        return outcome

    def setUp(self):
        super().setUp()
        self.connection_id = self.connect_committed(self.admin.grant(US_REALM))

    def test_a_connection_has_its_health_row_so_the_note_goes_through(self):
        with self.committed_env() as env:
            env.cr.execute("SELECT count(*) FROM qbo_connection_health WHERE connection_id = %s", [self.connection_id])
            self.assertEqual(env.cr.fetchone()[0], 1)
        outcome = self.note_while_the_realm_is_written()
        self.assertTrue(outcome["values"])
        self.assertLess(outcome["seconds"], 3)

    def test_without_its_row_the_note_is_skipped_instead_of_waiting(self):
        with self.committed_env() as env:
            env.cr.execute("DELETE FROM qbo_connection_health WHERE connection_id = %s", [self.connection_id])
        with patch.object(qbo_connection_health, "NOTE_LOCK_TIMEOUT", "1s"):
            outcome = self.note_while_the_realm_is_written()
        self.assertIsNone(outcome["values"])
        self.assertLess(outcome["seconds"], 10)


@tagged("post_install", "-at_install")
class TestQboSyncNowBesideTheScheduledAction(QboRealCursorsCase):
    """A person saves a customer (which wakes the scheduled action) and clicks Sync now at once: both try to send
    it, and the one that makes its link second must not fail the person's click."""

    def test_sync_now_leaves_the_record_to_the_worker_already_sending_it(self):
        connection_id = self.connect_committed(self.admin.grant(US_REALM), push_partners=False)
        with self.committed_env() as env:
            partner = env["res.partner"].create({"name": "QX Red Rock Diner", "customer_rank": 1})
            partner_id = partner.id
        self.addCleanup(self._forget_partner, partner_id)
        worker_holds_link, outcome = threading.Event(), {}

        def scheduled_action():
            with self.committed_env() as env:
                # The worker's link, made and not yet committed when the click comes.
                env["qbo.binding"]._qbo_get_or_create(env["qbo.connection"].browse(connection_id),
                                                      env["res.partner"].browse(partner_id), "Customer")
                env.flush_all()
                worker_holds_link.set()
                time.sleep(2)

        def click():
            worker_holds_link.wait(timeout=30)
            with self.committed_env() as env, mute_logger("odoo.sql_db"):   # the conflict is the point
                result = env["res.partner"].browse(partner_id).action_qbo_sync_now()
                outcome["title"] = result["params"]["title"]
                outcome["message"] = result["params"]["message"]
                env.cr.rollback()
        threads = [threading.Thread(target=scheduled_action), threading.Thread(target=click)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        self.assertEqual(outcome.get("title"), "QX Red Rock Diner is queued for QuickBooks", outcome)
        self.assertIn("the scheduled action is sending it at this very moment", outcome["message"])

    def _forget_partner(self, partner_id):
        with self.committed_env() as env:
            env.cr.execute("DELETE FROM qbo_sync_job WHERE res_model = 'res.partner' AND res_id = %s", [partner_id])
            env.cr.execute("DELETE FROM qbo_binding WHERE res_model = 'res.partner' AND res_id = %s", [partner_id])
            env["res.partner"].browse(partner_id).unlink()
