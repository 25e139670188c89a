#!/usr/bin/env python3
"""Sync benchmark: new customers pushed from Odoo to the emulator under Intuit's limits.

Two ways of sending the same customers, in one run, against one emulator
process throttling like Intuit (500 requests and 10 concurrent per minute and
realm, 40 batch calls a minute), its minute shortened by ``--time-scale``:

* the addon's outbox: partners saved in Odoo queue sync jobs, which
  ``qbo.sync.job._qbo_process`` sends in batches of 30, paced by the addon's
  own rate limiter (its window shortened by the same scale);
* a baseline the way commercial connectors work: python-quickbooks
  ``Customer(...).save(qb=...)`` once per partner, no batching, no pacing,
  and on a 429 a pause of one (Intuit) second and the same call again.

The emulator runs as a separate process so that ``time.process_time()`` here
is Odoo's CPU alone. Requests are counted by the emulator (throttled answers
included). Both runs are checked: every customer must exist in the emulator
exactly once, else the script says so loudly and exits non-zero. The database
is created for the run and dropped at the end, also on failure.

A script, not a test: Odoo never imports it.
"""
import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from datetime import timedelta

TOOLS = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, TOOLS)
from run_tests import MODULE, ROOT, database_options, find_odoo, free_port, link_addon, odoo_command  # noqa: E402

sys.path.insert(0, ROOT)
os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
from emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET  # noqa: E402
from emulator.testing import AdminClient, quickbooks  # noqa: E402

US_REALM = "9341452727711001"
LIMITS = {"requests_per_minute": 500, "concurrent": 10, "batch_per_minute": 40}
BATCH_SIZE = 30
TARGETS = {"requests_per_record": 0.05, "fewer_requests": 20.0, "cpu_ms_per_record": 3.0, "ceiling_share": 0.90}
NAME = "Bench Customer %05d"


class BenchFailure(Exception):
    pass


def say(text=""):
    print(text, flush=True)


# ---------------------------------------------------------------------- processes
def start_emulator(scale):
    port = free_port()
    command = [sys.executable, "-m", "emulator", "--port", str(port), "--preset", "us", "--time-scale", str(scale),
               "--requests-per-minute", str(LIMITS["requests_per_minute"]),
               "--concurrent", str(LIMITS["concurrent"]),
               "--batch-per-minute", str(LIMITS["batch_per_minute"]), "--log-level", "WARNING"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
    url = "http://127.0.0.1:%d/" % port
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchFailure("the emulator exited at start (code %s)" % process.returncode)
        try:
            urllib.request.urlopen(url + "_emulator/counters", timeout=2).read()
            return process, url
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise BenchFailure("the emulator did not answer on %s within 30 s" % url)


def install_addon(root, addons, workdir, database):
    say("Installing %s into the new database %s (about a minute) ..." % (MODULE, database))
    command = odoo_command(root, addons, workdir, database) + [
        "-i", MODULE, "--stop-after-init", "--without-demo", "all", "--log-level", "warn",
        "--http-port", str(free_port()), "--max-cron-threads", "0"]
    result = subprocess.run(command, cwd=workdir, capture_output=True, text=True)
    if result.returncode != 0 or " ERROR " in result.stderr + result.stdout:
        sys.stdout.write(result.stdout[-5000:] + result.stderr[-5000:])
        raise BenchFailure("installing the addon failed (exit code %d)" % result.returncode)


def open_registry(root, addons, workdir, database):
    """Odoo in this process: the registry of the freshly installed database."""
    sys.path.insert(0, root)
    import odoo
    from odoo.modules.registry import Registry
    odoo.tools.config.parse_config(["-d", database, "--addons-path", ",".join(addons + [workdir]),
                                    "--data-dir", os.path.join(workdir, "data"), "--log-level", "warn"]
                                   + database_options())
    return odoo, Registry(database)


def close_odoo(database):
    if "odoo" in sys.modules:
        from odoo.modules.registry import Registry
        from odoo.sql_db import close_all
        Registry.delete(database)
        close_all()


# ---------------------------------------------------------------------- the two runs
def use_demo_app(env, scale):
    """The emulator's demo app as the OAuth client, and Intuit's limits (the defaults) with their minute shortened
    like the emulator's."""
    params = env["ir.config_parameter"]
    params.set_param("account_quickbooks_online.client_id", DEMO_CLIENT_ID)
    params.set_param("account_quickbooks_online.client_secret", DEMO_CLIENT_SECRET)
    params.set_param("account_quickbooks_online.rate_window_seconds", repr(60.0 / scale))


def connect_to_emulator(odoo, connection, url, admin, realm=US_REALM, **values):
    """Link ``connection`` to the emulator's ``realm`` with fresh tokens; ``values`` are further settings."""
    tokens = admin.grant(realm)
    connection.write(dict(values, environment="emulator", emulator_url=url, state="connected", realm_id=realm,
                          access_token=tokens["access_token"], refresh_token=tokens["refresh_token"],
                          access_token_expires_at=odoo.fields.Datetime.now() + timedelta(hours=1)))
    return connection


def prepare(odoo, registry, url, admin, scale, count):
    """Point the company's connection at the emulator, then save ``count`` customers (queues jobs)."""
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        use_demo_app(env, scale)
        connection = connect_to_emulator(odoo, env["qbo.connection"].search([("company_id", "=", env.company.id)]),
                                         url, admin)
        cr.commit()
        started = time.process_time()
        partners = env["res.partner"].create([{"name": NAME % n, "customer_rank": 1,
                                               "email": "bench%05d@example.com" % n} for n in range(count)])
        cr.commit()
        save_cpu = time.process_time() - started
        queued = env["qbo.sync.job"].search_count([("res_model", "=", "res.partner"),
                                                   ("res_id", "in", partners.ids), ("state", "=", "pending")])
        if queued != count:
            raise BenchFailure("saving %d customers queued %d sync jobs" % (count, queued))
        return connection.id, partners.ids, save_cpu


def drain_outbox(odoo, env, connection_id, res_model, ids, profile=None):
    """Run the outbox for the connection until it reports no work left; every job of ``ids`` must end done.
    Returns the wall and CPU seconds it took."""
    connection = env["qbo.connection"].browse(connection_id)
    jobs = env["qbo.sync.job"]
    if profile:
        profile.enable()
    wall, cpu = time.perf_counter(), time.process_time()
    rounds = 0
    while jobs._qbo_process(connection, commit=True):
        rounds += 1
        if rounds > 10 + len(ids) // BATCH_SIZE:
            raise BenchFailure("the outbox keeps reporting work left; is the connection still connected?")
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    if profile:
        profile.disable()
    mine = jobs.search([("res_model", "=", res_model), ("res_id", "in", ids)])
    states = Counter(mine.mapped("state"))
    if states != Counter({"done": len(ids)}):
        failed = mine.filtered(lambda job: job.state != "done")[:3]
        raise BenchFailure("outbox jobs did not all end done: %s; e.g. %s" % (
            dict(states), [(job.error_code, job.error_message) for job in failed]))
    return wall, cpu


def run_outbox(odoo, registry, connection_id, partner_ids, admin, profile=None):
    admin.clear_counters()
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        wall, cpu = drain_outbox(odoo, env, connection_id, "res.partner", partner_ids, profile)
        names = [partner["name"] for partner in env["res.partner"].browse(partner_ids).read(["name"])]
    return {"wall": wall, "cpu": cpu, "counters": admin.counters(US_REALM), "names": names}


COMPANY_REALM = "93414527%08d"


def run_companies(odoo, registry, url, admin, scale, companies, per_company):
    """``companies`` companies of ``per_company`` new customers each, sent twice: by the scheduled action (which
    serves the companies in turn, a batch each), then company by company (one company's queue drained before the
    next one's), as the queue's processor did before. Returns both runs' figures."""
    from unittest.mock import patch
    say("Many companies: %d companies x %d new customers ..." % (companies, per_company))
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        connections = env["qbo.connection"]
        for n in range(companies):
            realm = COMPANY_REALM % n
            admin.call("POST", "realms", {"preset": "us", "realm_id": realm, "company_name": "Bench %02d" % n})
            company = env["res.company"].create({"name": "Bench Company %02d" % n})
            connections |= connect_to_emulator(
                odoo, env["qbo.connection"].search([("company_id", "=", company.id)]), url, admin, realm)
        connection_ids = connections.ids
        cr.commit()
    with registry.cursor() as cr:
        # The environment's own class: loading a chart of accounts (the invoice run) may have set the registry up
        # again since ``registry`` was opened.
        Job = type(odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})["qbo.sync.job"])
    original = Job._qbo_send
    runs = {}
    for way in ("in turn", "company by company"):
        time.sleep(60.0 / scale)   # every company's rate limit full again
        names = []
        with registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            for connection in env["qbo.connection"].browse(connection_ids):
                prefix = "%s %s" % (way, connection.company_id.name)
                names += env["res.partner"].create([
                    {"name": "%s %03d" % (prefix, n), "customer_rank": 1, "company_id": connection.company_id.id}
                    for n in range(per_company)]).mapped("name")
            cr.commit()
        admin.clear_counters()
        finished = {}

        def recording(model, connection, batch):
            result = original(model, connection, batch)
            finished[connection.id] = time.perf_counter()
            return result
        with patch.object(Job, "_qbo_send", recording), registry.cursor() as cr:
            env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
            jobs = env["qbo.sync.job"]
            started = time.perf_counter()
            if way == "in turn":
                while jobs.search_count([("connection_id", "in", connection_ids),
                                         ("state", "in", ("pending", "running"))]):
                    jobs._cron_qbo_process_jobs()
            else:
                for connection in env["qbo.connection"].browse(connection_ids):
                    while jobs._qbo_process(connection, commit=True):
                        pass
            wall = time.perf_counter() - started
        requests = 0
        for n in range(companies):
            counters = admin.counters(COMPANY_REALM % n)
            requests += sum(value for key, value in counters.items() if " " in key)
            stored = Counter(customer["DisplayName"] for customer in
                             admin.dump(COMPANY_REALM % n)["data"]["Customer"].values())
            mine = [name for name in names if name.startswith("%s Bench Company %02d " % (way, n))]
            if len(mine) != per_company or any(stored[name] != 1 for name in mine):
                raise BenchFailure("%s: company %d does not hold each of its %d customers exactly once"
                                   % (way, n, per_company))
        ends = sorted(finished[connection_id] - started for connection_id in connection_ids)
        runs[way] = {"wall": wall, "requests_per_record": requests / (companies * per_company),
                     "first_half": sum(1 for end in ends if end <= wall / 2) / companies,
                     "median_end": ends[len(ends) // 2] / wall, "last_end": ends[-1] / wall,
                     "first_end": ends[0] / wall,
                     "seconds": (ends[0], ends[len(ends) // 2], ends[-1])}
    return runs


def report_companies(runs, companies, per_company):
    say()
    say("Many companies: %d companies x %d new customers, each company its own QuickBooks company and limits"
        % (companies, per_company))
    row = "%-48s %16s %20s"
    say(row % ("", "in turn (cron)", "company by company"))
    first, second = runs["in turn"], runs["company by company"]
    say(row % ("requests per record", "%.4f" % first["requests_per_record"],
               "%.4f" % second["requests_per_record"]))
    say(row % ("wall time", "%.1f s" % first["wall"], "%.1f s" % second["wall"]))
    say(row % ("companies finished within the first half of the run", share(first["first_half"]),
               share(second["first_half"])))
    say(row % ("first / median / last company finished, share of run",
               "%.0f / %.0f / %.0f %%" % tuple(100 * first[key] for key in ("first_end", "median_end", "last_end")),
               "%.0f / %.0f / %.0f %%" % tuple(100 * second[key] for key in ("first_end", "median_end",
                                                                             "last_end"))))
    say(row % ("first / median / last company finished, seconds", "%.1f / %.1f / %.1f" % first["seconds"],
               "%.1f / %.1f / %.1f" % second["seconds"]))
    say("In turn, every company gets a batch before any gets its next one, so all finish together near the end of")
    say("  a shorter run; company by company, the first finish early and the last wait for all the others, while")
    say("  each company's own rate limit makes it wait between its batches.")


INVOICE_REALM = "9341452727719901"


def setup_invoice_company(odoo, env, url, admin):
    """A new company with the generic chart, linked to a fresh US QuickBooks company, its lists read and the
    accounts and taxes the bench's invoices use mapped."""
    from odoo import Command
    admin.call("POST", "realms", {"preset": "us", "realm_id": INVOICE_REALM, "company_name": "Bench Invoices"})
    company = env["res.company"].create({"name": "Bench Invoices", "country_id": env.ref("base.us").id})
    env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
    env.user.company_ids |= company
    connection = connect_to_emulator(odoo, env["qbo.connection"].search([("company_id", "=", company.id)]), url,
                                     admin, INVOICE_REALM, push_partners=False)
    env["qbo.list.item"]._qbo_update_lists(connection)
    env = env(context=dict(env.context, allowed_company_ids=[company.id]))
    tax = env["account.tax"].create({"name": "Bench tax 8%", "amount": 8, "type_tax_use": "sale",
                                     "company_id": company.id})
    connection.with_env(env)._qbo_propose_all()
    accounts = env["qbo.list.item"].search([("connection_id", "=", connection.id), ("list_type", "=", "account")])
    category = env["product.category"].search([], limit=1)
    for account, name in ((category.property_account_income_categ_id, "Sales of Product Income"),
                          (category.property_account_expense_categ_id, "Cost of Goods Sold")):
        env["qbo.account.mapping"]._qbo_rows(connection, "account_id", account).write(
            {"qbo_account_id": accounts.filtered(lambda row: row.name == name).id})
    customers = env["res.partner"].create([{"name": "Bench Invoice Customer %02d" % n, "customer_rank": 1,
                                            "company_id": company.id} for n in range(50)])
    products = env["product.product"].create([{"name": "Bench Item %02d" % n, "type": "service",
                                               "list_price": 10 + n, "taxes_id": [Command.clear()]}
                                              for n in range(20)])
    journal = env["account.journal"].search([("type", "=", "sale"), ("company_id", "=", company.id)], limit=1)
    return env, connection, tax, customers, products, journal


def draft_invoices(env, count, lines, tax, customers, products, journal, offset=0):
    from odoo import Command
    values = []
    for n in range(offset, offset + count):
        values.append({
            "move_type": "out_invoice", "partner_id": customers[n % len(customers)].id, "journal_id": journal.id,
            "invoice_date": odoo_today(env),
            "invoice_line_ids": [Command.create({
                "product_id": products[(n + k) % len(products)].id, "quantity": 1 + (n + k) % 4,
                "price_unit": round(9.99 + ((n * 7 + k * 3) % 50) * 1.37, 2),
                "tax_ids": [Command.set(tax.ids if k % 2 == 0 else [])]}) for k in range(lines)]})
    return env["account.move"].create(values)


def odoo_today(env):
    from odoo import fields
    return fields.Date.context_today(env.user)


def run_invoices(odoo, registry, url, admin, count, lines, posted_count, profile=None):
    """Posting with the hooks active versus automatic sending off, then sending ``count`` invoices."""
    say("Invoices: %d invoices of %d lines posted with sending off, %d with it on, then %d sent ..."
        % (posted_count, lines, posted_count, count))
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        env, connection, tax, customers, products, journal = setup_invoice_company(odoo, env, url, admin)
        cr.commit()
        Job = env["qbo.sync.job"]
        # What the invoices need goes first, measured apart.
        Job._qbo_enqueue(connection, customers, "Customer")
        Job._qbo_enqueue(connection, products, "Item")
        admin.clear_counters()
        while Job._qbo_process(connection, commit=True):
            pass
        dependency_requests = sum(value for key, value in admin.counters(INVOICE_REALM).items() if " " in key)
        connection.invoice_send_policy = "manual"
        draft_invoices(env, 50, lines, tax, customers, products, journal).action_post()   # warm the caches
        cr.commit()
        # In turns of 50, so that whatever else the machine does weighs on both alike.
        timings = {"manual": 0.0, "posted": 0.0}
        for start in range(0, posted_count, 50):
            size = min(50, posted_count - start)
            for policy in ("manual", "posted") if start % 100 == 0 else ("posted", "manual"):
                connection.invoice_send_policy = policy
                moves = draft_invoices(env, size, lines, tax, customers, products, journal)
                cr.commit()
                started = time.process_time()
                moves.action_post()
                timings[policy] += time.process_time() - started
                cr.commit()
        hooked = Job.search([("connection_id", "=", connection.id), ("qbo_entity", "=", "Invoice")])
        if len(hooked) != posted_count:
            raise BenchFailure("posting %d invoices with sending on queued %d jobs" % (posted_count, len(hooked)))
        connection.invoice_send_policy = "posted"
        moves = draft_invoices(env, count - posted_count, lines, tax, customers, products, journal,
                               offset=posted_count)
        moves.action_post()
        cr.commit()
        admin.clear_counters()
        if profile:
            profile.enable()
        started_cpu, started_wall = time.process_time(), time.perf_counter()
        while Job._qbo_process(connection, commit=True):
            pass
        cpu, wall = time.process_time() - started_cpu, time.perf_counter() - started_wall
        if profile:
            profile.disable()
        requests = sum(value for key, value in admin.counters(INVOICE_REALM).items() if " " in key)
        sent = env["account.move"].search([("company_id", "=", connection.company_id.id),
                                           ("move_type", "=", "out_invoice"), ("state", "=", "posted")])
        jobs = Job.search([("connection_id", "=", connection.id), ("qbo_entity", "=", "Invoice"),
                           ("state", "=", "done")])
        to_send = {move.name: move.amount_total for move in sent.browse(jobs.mapped("res_id"))}
    stored = {}
    for invoice in admin.dump(INVOICE_REALM)["data"]["Invoice"].values():
        if invoice.get("DocNumber") in to_send:
            stored.setdefault(invoice["DocNumber"], []).append(invoice["TotalAmt"])
    doubled = [name for name, totals in stored.items() if len(totals) > 1]
    missing = [name for name in to_send if name not in stored]
    wrong = [name for name, totals in stored.items() if round(totals[0], 2) != round(to_send[name], 2)]
    if len(to_send) != count or doubled or missing or wrong:
        raise BenchFailure("invoices: %d of %d sent; %d missing, %d doubled, %d with another total (e.g. %s)"
                           % (len(to_send), count, len(missing), len(doubled), len(wrong),
                              (missing + doubled + wrong)[:3]))
    return {"post_ratio": timings["posted"] / timings["manual"], "post_on": timings["posted"],
            "post_off": timings["manual"], "requests": requests, "dependency_requests": dependency_requests,
            "requests_per_invoice": requests / count, "cpu_ms_per_invoice": cpu * 1000.0 / count,
            "wall": wall, "count": count, "posted_count": posted_count, "lines": lines}


def report_invoices(figures):
    say()
    say("Invoices: %(count)d invoices of %(lines)d lines to a fresh QuickBooks company" % figures)
    row = "%-58s %14s   %s"
    say(row % ("posting %d invoices, sending on / off (CPU)" % figures["posted_count"],
               "%.3f" % figures["post_ratio"], "<= 1.05  %s" % verdict(figures["post_ratio"] <= 1.05)))
    say(row % ("  CPU seconds with sending on, off", "%.2f, %.2f" % (figures["post_on"], figures["post_off"]), ""))
    say(row % ("requests per invoice (the invoices' own)", "%.4f" % figures["requests_per_invoice"],
               "<= 0.05  %s" % verdict(figures["requests_per_invoice"] <= 0.05)))
    say(row % ("  requests for the invoices, for their customers and items",
               "%d, %d" % (figures["requests"], figures["dependency_requests"]), ""))
    say(row % ("Odoo CPU ms per invoice", "%.2f" % figures["cpu_ms_per_invoice"],
               "<= 10 ms  %s" % verdict(figures["cpu_ms_per_invoice"] <= 10)))
    say(row % ("  wall time", "%.1f s" % figures["wall"], ""))
    say("Every invoice is in QuickBooks exactly once, its total equal to Odoo's to the cent.")
    return figures["post_ratio"] <= 1.05 and figures["requests_per_invoice"] <= 0.05 and \
        figures["cpu_ms_per_invoice"] <= 10


def is_throttled(error):
    return str(getattr(error, "error_code", "")) == "3001" or "status code '429'" in str(error.message)


def run_baseline(odoo, registry, partner_ids, url, admin, scale):
    """One python-quickbooks save per partner; on a 429 wait one Intuit second and send it again."""
    from quickbooks.exceptions import QuickbooksException
    from quickbooks.objects import Customer, EmailAddress
    admin.reset(presets=["us"])   # a fresh company, fresh throttle windows, counters at zero
    tokens = admin.grant(US_REALM)
    qb = quickbooks(url, US_REALM, tokens["access_token"], tokens["refresh_token"])
    pause = 1.0 / scale
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        wall, cpu = time.perf_counter(), time.process_time()
        throttled = 0
        partners = env["res.partner"].browse(partner_ids).read(["name", "email"])
        for partner in partners:
            customer = Customer()
            customer.DisplayName = partner["name"]
            customer.PrimaryEmailAddr = EmailAddress()
            customer.PrimaryEmailAddr.Address = partner["email"]
            while True:
                try:
                    customer.save(qb=qb)
                    break
                except QuickbooksException as error:
                    if not is_throttled(error):
                        raise BenchFailure("baseline save of %s failed: %s" % (partner["name"], error.message))
                    throttled += 1
                    time.sleep(pause)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return {"wall": wall, "cpu": cpu, "counters": admin.counters(US_REALM), "client_throttled": throttled,
            "names": [partner["name"] for partner in partners]}


def check_customers(admin, names, label):
    """Every name exactly once among the emulator's customers; else a BenchFailure naming the damage."""
    seen = Counter(customer["DisplayName"] for customer in admin.dump(US_REALM)["data"]["Customer"].values())
    missing = [name for name in names if seen[name] == 0]
    doubled = [name for name in names if seen[name] > 1]
    if missing or doubled:
        raise BenchFailure("%s: %d of %d customers missing in the emulator (e.g. %s), %d there more than once "
                           "(e.g. %s)" % (label, len(missing), len(names), missing[:3], len(doubled), doubled[:3]))


# ---------------------------------------------------------------------- figures
def figures(run, count, scale, limit, per_call):
    """The run's figures; ``limit`` calls a minute of ``per_call`` records each bind this way of sending."""
    counters = run["counters"]
    # Keys "METHOD resource" count requests; "throttled" and "replayed" count some of them again.
    requests = sum(value for key, value in counters.items() if " " in key)
    minutes = run["wall"] * scale / 60.0      # Intuit minutes the run lasted
    records_per_minute = count / minutes
    ceiling_records_per_minute = limit * per_call
    calls = -(-count // per_call)
    # Intuit's window slides, so from an idle realm ``limit`` calls may go at once and ``limit`` more
    # each minute after: no run of ``calls`` calls can take less than this many minutes.
    fastest_minutes = (calls - 1) // limit
    return {
        "requests": requests, "throttled": counters.get("throttled", 0),
        "batches": counters.get("POST batch", 0),
        "requests_per_record": requests / count,
        "cpu_ms_per_record": run["cpu"] * 1000.0 / count,
        "records_per_minute": records_per_minute,
        "ceiling": ceiling_records_per_minute,
        "ceiling_share": records_per_minute / ceiling_records_per_minute,
        "idle_share": fastest_minutes / minutes if fastest_minutes else None,
        "wall": run["wall"], "minutes": minutes,
    }


def share(value):
    return "%.1f %%" % (100 * value) if value is not None else "n/a"


def verdict(ok):
    return "met" if ok else "MISSED"


def report(ours, base, count, scale, save_cpu):
    ratio = base["requests"] / ours["requests"] if ours["requests"] else float("inf")
    say()
    say("Sync benchmark: %d new customers from Odoo to the QuickBooks Online emulator" % count)
    say("Intuit's limits per realm: %d requests/min, %d concurrent, %d batch calls/min; time scale %g "
        "(an Intuit minute lasts %.1f s)" % (LIMITS["requests_per_minute"], LIMITS["concurrent"],
                                             LIMITS["batch_per_minute"], scale, 60.0 / scale))
    say()
    row = "%-34s %20s %22s   %s"
    say(row % ("", "outbox (batches of 30)", "one call per record", "target (outbox)"))
    say(row % ("requests per record", "%.4f" % ours["requests_per_record"], "%.4f" % base["requests_per_record"],
               "<= %.2f  %s" % (TARGETS["requests_per_record"],
                                verdict(ours["requests_per_record"] <= TARGETS["requests_per_record"]))))
    say(row % ("  requests sent (of them throttled)", "%d (%d)" % (ours["requests"], ours["throttled"]),
               "%d (%d)" % (base["requests"], base["throttled"]), ""))
    say(row % ("Odoo CPU ms per record", "%.2f" % ours["cpu_ms_per_record"], "%.2f" % base["cpu_ms_per_record"],
               "<= %g ms  %s" % (TARGETS["cpu_ms_per_record"],
                                 verdict(ours["cpu_ms_per_record"] <= TARGETS["cpu_ms_per_record"]))))
    say(row % ("share of the rate ceiling", "%.1f %%" % (100 * ours["ceiling_share"]),
               "%.1f %%" % (100 * base["ceiling_share"]),
               ">= %d %%  %s" % (100 * TARGETS["ceiling_share"],
                                 verdict(ours["ceiling_share"] >= TARGETS["ceiling_share"]))))
    say(row % ("  records per Intuit minute", "%.0f of %d" % (ours["records_per_minute"], ours["ceiling"]),
               "%.0f of %d" % (base["records_per_minute"], base["ceiling"]), ""))
    say(row % ("  share of the fastest from idle", share(ours["idle_share"]), share(base["idle_share"]), ""))
    say(row % ("  wall time (Intuit minutes)", "%.1f s (%.2f)" % (ours["wall"], ours["minutes"]),
               "%.1f s (%.2f)" % (base["wall"], base["minutes"]), ""))
    say(row % ("requests, baseline / outbox", "%.1fx fewer" % ratio, "",
               ">= %gx  %s" % (TARGETS["fewer_requests"], verdict(ratio >= TARGETS["fewer_requests"]))))
    say()
    say("Requests: every request the emulator received for the realm, throttled (429) answers included.")
    say("Odoo CPU: time.process_time() of the Odoo process while it sends (the emulator is another process;")
    say("  PostgreSQL's own CPU is not included). Saving the %d partners, which queues their jobs, took %.2f ms"
        % (count, save_cpu * 1000.0 / count))
    say("  of CPU per record more. The baseline's CPU is python-quickbooks' alone: it writes nothing back to Odoo.")
    say("Share of the rate ceiling: records sent per Intuit minute over the run's wall time, divided by the most")
    say("  Intuit's limits allow for that way of sending: %d batch calls x %d customers = %d a minute for the outbox,"
        % (LIMITS["batch_per_minute"], BATCH_SIZE, LIMITS["batch_per_minute"] * BATCH_SIZE))
    say("  %d requests = %d customers a minute for one call per record." % (LIMITS["requests_per_minute"],
                                                                          LIMITS["requests_per_minute"]))
    say("  A run starting from an idle realm can beat that for a while: Intuit's minute slides, so all of a")
    say("  minute's calls may go at once, then all of the next minute's a minute later. \"Fastest from idle\" is")
    say("  the fewest whole minutes such bursts need for the run's calls (N calls, limit L: (N - 1) // L),")
    say("  divided by the minutes the run took.")
    say("Both runs checked: all %d customers exist in the emulator exactly once." % count)
    return all((ours["requests_per_record"] <= TARGETS["requests_per_record"],
                ours["cpu_ms_per_record"] <= TARGETS["cpu_ms_per_record"],
                ours["ceiling_share"] >= TARGETS["ceiling_share"], ratio >= TARGETS["fewer_requests"]))


@contextlib.contextmanager
def bench_session(prefix, scale):
    """An emulator process and a new database with the addon, for one benchmark; both gone afterwards.

    Yields (odoo, registry, url, admin), or raises BenchFailure."""
    root, addons = find_odoo()
    if root is None:
        raise BenchFailure(addons)
    workdir = link_addon("qbo-%s-" % prefix)
    database = "qbo_%s_%d_%d" % (prefix.replace("-", "_"), os.getpid(), int(time.time()))
    emulator = None
    try:
        emulator, url = start_emulator(scale)
        admin = AdminClient(url)
        install_addon(root, addons, workdir, database)
        odoo, registry = open_registry(root, addons, workdir, database)
        yield odoo, registry, url, admin
    finally:
        close_odoo(database)
        if emulator is not None:
            emulator.terminate()
            emulator.wait(timeout=10)
        subprocess.run(["dropdb", "--if-exists", "--force", database], capture_output=True)
        shutil.rmtree(workdir, ignore_errors=True)


def parse_bench_arguments(parser, profiled):
    """Add the options every benchmark has (time scale, profiling ``profiled``) and parse the command line."""
    parser.add_argument("--time-scale", type=float, default=10.0,
                        help="Intuit minutes last 60/scale seconds, in the emulator and in Odoo's limiter "
                             "(default 10)")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="profile %s with cProfile (which slows it) and print the addon's N costliest "
                             "functions by own time" % profiled)
    return parser.parse_args()


def new_profile(functions):
    if not functions:
        return None
    import cProfile
    return cProfile.Profile(time.process_time)


def print_profile(profile, functions, what):
    if not profile:
        return
    import pstats
    say()
    say("%s profiled (CPU seconds; cProfile's own overhead inflates the figures above):" % what)
    stats = pstats.Stats(profile, stream=sys.stdout)
    stats.sort_stats("tottime").print_stats(functions)
    say("The addon's own functions, by cumulative time:")
    stats.sort_stats("cumulative").print_stats(MODULE, functions)


def failed_loudly(name, failure):
    say()
    say("!" * 78)
    say("!!! %s FAILED: %s" % (name, failure))
    say("!" * 78)
    return 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=2000, help="customers to send (default 2000)")
    parser.add_argument("--invoices", type=int, default=2000,
                        help="five-line invoices sent in the invoice run (default 2000; 0 skips it); the first 500 "
                             "also measure posting with sending on and off")
    parser.add_argument("--profile-invoices", action="store_true",
                        help="with --profile, profile the invoice run instead of the customers' outbox run")
    parser.add_argument("--companies", type=int, default=50,
                        help="companies in the many-companies run (default 50; 0 skips it)")
    parser.add_argument("--per-company", type=int, default=100, help="new customers per company (default 100)")
    args = parse_bench_arguments(parser, "the outbox run")
    profile = new_profile(args.profile)
    try:
        with bench_session("bench", args.time_scale) as (odoo, registry, url, admin):
            connection_id, partner_ids, save_cpu = prepare(odoo, registry, url, admin, args.time_scale, args.records)
            say("Outbox: sending %d queued customers ..." % args.records)
            ours = run_outbox(odoo, registry, connection_id, partner_ids, admin,
                              None if args.profile_invoices else profile)
            check_customers(admin, ours["names"], "outbox")
            say("Baseline: %d python-quickbooks saves ..." % args.records)
            base = run_baseline(odoo, registry, partner_ids, url, admin, args.time_scale)
            check_customers(admin, base["names"], "baseline")
            ours_figures = figures(ours, args.records, args.time_scale, LIMITS["batch_per_minute"], BATCH_SIZE)
            base_figures = figures(base, args.records, args.time_scale, LIMITS["requests_per_minute"], 1)
            if base["client_throttled"] != base_figures["throttled"]:
                raise BenchFailure("the baseline saw %d throttled answers, the emulator counted %d"
                                   % (base["client_throttled"], base_figures["throttled"]))
            met = report(ours_figures, base_figures, args.records, args.time_scale, save_cpu)
            if args.invoices:
                invoice_figures = run_invoices(odoo, registry, url, admin, args.invoices, 5,
                                               min(500, args.invoices), profile if args.profile_invoices else None)
                met = report_invoices(invoice_figures) and met
            if args.companies:
                runs = run_companies(odoo, registry, url, admin, args.time_scale, args.companies,
                                     args.per_company)
                report_companies(runs, args.companies, args.per_company)
                met = met and runs["in turn"]["requests_per_record"] <= TARGETS["requests_per_record"]
            say("All targets met." if met else "Some targets MISSED (see above).")
            print_profile(profile, args.profile, "The invoice run" if args.profile_invoices else "The outbox run")
        return 0
    except BenchFailure as failure:
        return failed_loudly("SYNC BENCHMARK", failure)


if __name__ == "__main__":
    sys.exit(main())
