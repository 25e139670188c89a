"""The shared rate limit: never more than Intuit's limit in any sliding window, and close to it."""
from odoo.tests import tagged

from .common import US_REALM, QboHttpCase


class FakeTime:
    def __init__(self):
        self.now = 1000.0

    def sleep(self, seconds):
        self.now += seconds

    def time(self):
        return self.now


@tagged("post_install", "-at_install")
class TestQboRateBucketArithmetic(QboHttpCase):

    def test_no_sliding_minute_exceeds_the_limit_and_the_ceiling_is_nearly_reached(self):
        buckets = self.env["qbo.rate.bucket"]
        fake = FakeTime()
        taken = []
        while fake.now < 1000.0 + 600:
            buckets._qbo_acquire("realm-arith", ("request", "batch"), sleep=fake.sleep, clock=fake.time)
            taken.append(fake.now)
        worst = max(sum(1 for t in taken if start <= t < start + 60) for start in taken)
        self.assertLessEqual(worst, 40, "Intuit's 40 batch calls in any 60 s")
        per_minute = len(taken) / 10.0
        self.assertGreaterEqual(per_minute / 40, 0.95, "at least 95% of the ceiling")

    def test_kinds_are_taken_together_or_not_at_all(self):
        buckets = self.env["qbo.rate.bucket"]
        fake = FakeTime()
        for _ in range(4):   # more than the batch bucket's burst of one
            buckets._qbo_acquire("realm-both", ("request", "batch"), sleep=fake.sleep, clock=fake.time)
        limits = buckets._qbo_limits()
        self.assertGreater(buckets._qbo_try_take("realm-both", ("request", "batch"), limits, fake.now), 0)
        self.assertEqual(buckets._qbo_try_take("realm-both", ("request",), limits, fake.now), 0,
                         "a refused batch took no request token")


@tagged("post_install", "-at_install")
class TestQboPacingAgainstIntuitLimits(QboHttpCase):

    def test_pacing_keeps_429_away_at_intuits_batch_limit(self):
        # The emulator enforces Intuit's 40 batches a minute, with a minute lasting 2 s; Odoo is told the same.
        self.emulator_admin.configure(limits={"time_scale": 30, "requests_per_minute": 500, "batch_per_minute": 40})
        params = self.env["ir.config_parameter"].sudo()
        params.set_param("account_quickbooks_online.rate_window_seconds", "2")
        self.connect_with_tokens()
        self.env["res.partner"].create([{"name": "Paced %04d" % n, "customer_rank": 1} for n in range(1500)])
        self.emulator_admin.clear_counters()
        self.env["qbo.sync.job"]._qbo_process(self.connection)
        counters = self.emulator_admin.counters(US_REALM)
        self.assertEqual(counters["POST batch"], 50)
        self.assertFalse(counters.get("throttled"), "paced below Intuit's limit, never refused")
        self.assertFalse(self.env["qbo.sync.job"].search([("state", "!=", "done"),
                                                          ("res_model", "=", "res.partner")]))
