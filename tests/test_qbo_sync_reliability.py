"""Reliability: a hostile network and Intuit's limits lose nothing and duplicate nothing."""
from collections import Counter

from odoo.tests import tagged

from .common import US_REALM, QboSyncCase

TIME_SCALE = 30     # Intuit's minute lasts 2 s for the emulator and for Odoo's limiter alike


@tagged("post_install", "-at_install")
class TestQboSyncReliability(QboSyncCase):

    def test_1000_partners_through_faults_and_throttling_end_bound_exactly_once(self):
        # Intuit's real limits, time-scaled on both sides, so pacing is exercised, not lifted.
        self.emulator_admin.configure(limits={"batch_per_minute": 40, "requests_per_minute": 500,
                                              "concurrent": 10, "time_scale": TIME_SCALE})
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("account_quickbooks_online.limit_batch_per_window", "40")
        params.set_param("account_quickbooks_online.limit_request_per_window", "500")
        params.set_param("account_quickbooks_online.rate_window_seconds", str(60 / TIME_SCALE))
        # Answers slower than the client waits: QuickBooks did the work, Odoo never heard.
        params.set_param("account_quickbooks_online.http_timeout", "0.5")
        before = len(self.emulator_admin.dump(US_REALM)["data"]["Customer"])
        partners = self.customers(1000, prefix="Reliable")
        self.emulator_admin.clear_faults(seed=20261121)
        self.emulator_admin.faults(**{"*": {"unavailable_rate": 0.10, "reset_rate": 0.05, "slow_rate": 0.02,
                                            "slow_seconds": 1.0}})
        rounds = self.drain(rounds=80)
        self.emulator_admin.clear_faults()

        counters = self.emulator_admin.counters(US_REALM)
        customers = self.emulator_admin.dump(US_REALM)["data"]["Customer"].values()
        names = Counter(c["DisplayName"] for c in customers)
        self.assertEqual(len(customers) - before, 1000, "exactly 1,000 new customers in QuickBooks")
        self.assertEqual(sum(1 for name in names if name.startswith("Reliable")), 1000)
        self.assertFalse([name for name, count in names.items() if count > 1], "no duplicate names")
        bindings = self.Binding.search([("res_model", "=", "res.partner"), ("res_id", "in", partners.ids)])
        self.assertEqual(len(bindings), 1000, "one binding per partner")
        self.assertFalse(bindings.filtered(lambda b: not b.qbo_id), "no binding without a QuickBooks Id")
        self.assertEqual(len(set(bindings.mapped("qbo_id"))), 1000)
        self.assertEqual(set(self.jobs_of(partners).mapped("state")), {"done"})
        # The faults really happened: more batch calls than the 34 a clean run needs. (Replaying a batch
        # whose answer was lost is proven on its own in test_qbo_sync_engine.)
        self.assertGreater(counters["POST batch"], 34, counters)
        self.assertGreater(rounds, 1)
