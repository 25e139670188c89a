#!/usr/bin/env python3
"""Payments benchmark: customer payments pushed from Odoo to the emulator, applied to their invoices.

2,000 invoices are posted and sent first (not measured), then each is paid
in full by a payment of its own, registered through Odoo's payment wizard
(which queues the payments' jobs); the outbox then sends the payments in
batches of 30 under Intuit's limits, each applied to its invoice, after one
query per batch for the invoices' open balances. The figures: requests per
payment (every request the emulator received meanwhile, throttled answers
included) and Odoo's CPU per payment while sending (``time.process_time()``;
the emulator is another process). The run is checked: every payment exactly
once in the emulator, every invoice's balance zero, else it says so loudly
and exits non-zero. Shares its processes and database handling with
bench_sync.py; the database is dropped at the end.

A script, not a test: Odoo never imports it.
"""
import argparse
import os
import sys
import time
from collections import Counter

TOOLS = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, TOOLS)
from bench_sync import (US_REALM, BenchFailure, bench_session, connect_to_emulator, drain_outbox,  # noqa: E402
                        failed_loudly, new_profile, parse_bench_arguments, print_profile, say,
                        use_demo_app)

CUSTOMERS = 100
TARGETS = {"requests_per_payment": 0.1, "cpu_ms_per_payment": 5.0}


def prepare(odoo, registry, url, admin, scale, count):
    """The connection, its lists and mappings, ``count`` invoices sent; returns what the run needs."""
    from odoo import Command
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        use_demo_app(env, scale)
        connection = connect_to_emulator(odoo, env["qbo.connection"].search([("company_id", "=", env.company.id)]),
                                         url, admin, documents_from=False, invoice_send_policy="posted")
        cr.commit()   # the tokens are read and refreshed on a cursor of their own
        env["qbo.list.item"]._qbo_update_lists(connection)
        connection._qbo_propose_all()
        accounts = env["qbo.list.item"].search([("connection_id", "=", connection.id), ("list_type", "=", "account")])
        Account = env["account.account"]
        income = Account.search([("code", "=", "400000")] + Account._check_company_domain(env.company), limit=1)
        expense = env["product.category"].search([], limit=1).property_account_expense_categ_id
        for account, name in ((income, "Sales of Product Income"), (expense, "Cost of Goods Sold")):
            env["qbo.account.mapping"]._qbo_rows(connection, "account_id", account).write(
                {"qbo_account_id": accounts.filtered(lambda row: row.name == name).id})
        bank = env["account.journal"].search([("type", "=", "bank")] +
                                             env["account.journal"]._check_company_domain(env.company), limit=1)
        env["qbo.journal.mapping"]._qbo_journal_rows(connection, bank).write(
            {"qbo_account_id": accounts.filtered(lambda row: row.name == "Checking").id})
        product = env["product.product"].create({"name": "Bench service", "type": "service",
                                                 "taxes_id": [Command.clear()],
                                                 "property_account_income_id": income.id})
        customers = env["res.partner"].create([{"name": "Bench Payer %03d" % n, "customer_rank": 1}
                                               for n in range(CUSTOMERS)])
        invoices = env["account.move"].create([{
            "move_type": "out_invoice", "partner_id": customers[n % CUSTOMERS].id,
            "invoice_date": odoo.fields.Date.today(),
            "invoice_line_ids": [Command.create({"product_id": product.id, "quantity": 1,
                                                 "price_unit": 100 + n % 900 + (n % 97) / 100.0,
                                                 "tax_ids": [Command.clear()]})]} for n in range(count)])
        invoices.action_post()
        cr.commit()
        say("Sending the %d invoices and their customers first (not measured) ..." % count)
        jobs = env["qbo.sync.job"]
        while jobs._qbo_process(connection, commit=True):
            pass
        sent = env["qbo.binding"].search_count([("res_model", "=", "account.move"), ("res_id", "in", invoices.ids),
                                                ("qbo_entity", "=", "Invoice"), ("qbo_id", "!=", False)])
        if sent != count:
            raise BenchFailure("only %d of the %d invoices reached the emulator" % (sent, count))
        say("Registering %d payments, one per invoice, through Odoo's payment wizard ..." % count)
        started = time.process_time()
        env["account.payment.register"].with_context(active_model="account.move", active_ids=invoices.ids).create(
            {"journal_id": bank.id, "group_payment": False})._create_payments()
        cr.commit()
        save_cpu = time.process_time() - started
        payments = env["account.payment"].search([("partner_type", "=", "customer")])
        queued = env["qbo.sync.job"].search_count([("res_model", "=", "account.payment"),
                                                   ("res_id", "in", payments.ids), ("state", "=", "pending")])
        if len(payments) != count or queued != count:
            raise BenchFailure("registering %d payments made %d payments and queued %d jobs"
                               % (count, len(payments), queued))
        return connection.id, invoices.ids, payments.ids, save_cpu


def run(odoo, registry, connection_id, payment_ids, admin, profile=None):
    admin.clear_counters()
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        wall, cpu = drain_outbox(odoo, env, connection_id, "account.payment", payment_ids, profile)
        names = env["account.payment"].browse(payment_ids).mapped("name")
    return {"wall": wall, "cpu": cpu, "counters": admin.counters(US_REALM), "names": names}


def check(admin, names, invoice_ids, registry, odoo):
    data = admin.dump(US_REALM)["data"]
    seen = Counter(payment.get("PaymentRefNum") for payment in data["Payment"].values())
    missing = [name for name in names if not seen[name]]
    doubled = [name for name in names if seen[name] > 1]
    if missing or doubled:
        raise BenchFailure("%d payments missing in the emulator (e.g. %s), %d there more than once (e.g. %s)"
                           % (len(missing), missing[:3], len(doubled), doubled[:3]))
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        ids = env["qbo.binding"].search([("res_model", "=", "account.move"), ("res_id", "in", invoice_ids),
                                         ("qbo_entity", "=", "Invoice")]).mapped("qbo_id")
    open_ = [qbo_id for qbo_id in ids if data["Invoice"][qbo_id]["Balance"]]
    if open_:
        raise BenchFailure("%d invoices still have a balance in the emulator (e.g. %s)" % (len(open_), open_[:3]))


def report(result, count, scale, save_cpu):
    counters = result["counters"]
    requests = sum(value for key, value in counters.items() if " " in key)
    per_payment = requests / count
    cpu_ms = result["cpu"] * 1000.0 / count
    say()
    say("Payments benchmark: %d customer payments, each applied to its invoice, time scale %g" % (count, scale))
    row = "%-34s %22s   %s"
    say(row % ("", "outbox (batches of 30)", "target"))
    say(row % ("requests per payment", "%.4f" % per_payment,
               "<= %.2f  %s" % (TARGETS["requests_per_payment"],
                                "met" if per_payment <= TARGETS["requests_per_payment"] else "MISSED")))
    say(row % ("  requests (batch calls, queries)", "%d (%d, %d)" % (
        requests, counters.get("POST batch", 0), counters.get("POST query", 0) + counters.get("GET query", 0)), ""))
    say(row % ("Odoo CPU ms per payment", "%.2f" % cpu_ms,
               "<= %g ms  %s" % (TARGETS["cpu_ms_per_payment"],
                                 "met" if cpu_ms <= TARGETS["cpu_ms_per_payment"] else "MISSED")))
    say(row % ("  wall time", "%.1f s" % result["wall"], ""))
    say()
    say("Requests: a batch call of 30 payments and one query for the open balances of their invoices, throttled")
    say("  answers included. Registering the payments (Odoo's wizard, which also queues their jobs) took")
    say("  %.2f ms of CPU per payment more. Checked: every payment exactly once in the" % (save_cpu * 1000.0 / count))
    say("  emulator, every invoice's balance zero.")
    return per_payment <= TARGETS["requests_per_payment"] and cpu_ms <= TARGETS["cpu_ms_per_payment"]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--payments", type=int, default=2000, help="payments to send (default 2000)")
    args = parse_bench_arguments(parser, "the sending")
    profile = new_profile(args.profile)
    try:
        with bench_session("bench-payments", args.time_scale) as (odoo, registry, url, admin):
            connection_id, invoice_ids, payment_ids, save_cpu = prepare(odoo, registry, url, admin,
                                                                        args.time_scale, args.payments)
            say("Outbox: sending %d queued payments ..." % args.payments)
            result = run(odoo, registry, connection_id, payment_ids, admin, profile)
            check(admin, result["names"], invoice_ids, registry, odoo)
            met = report(result, args.payments, args.time_scale, save_cpu)
            say("All targets met." if met else "Some targets MISSED (see above).")
            print_profile(profile, args.profile, "Sending")
        return 0
    except BenchFailure as failure:
        return failed_loudly("PAYMENTS BENCHMARK", failure)


if __name__ == "__main__":
    sys.exit(main())
