"""Two workers needing a fresh token at once spend the refresh token once.

This runs on real, separately committed cursors (not the test transaction),
as two Odoo workers would; what it commits it restores afterwards.
"""
import threading
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from ..emulator.testing import quickbooks
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
