#!/usr/bin/env python3
"""`make demo`: Odoo with demo data and this addon, connected to the QuickBooks Online emulator.

1. Installs requirements.txt if it is not satisfied yet.
2. Finds Odoo 18 (``import odoo``, or ODOO_PATH) as tools/run_tests.py does.
3. Links the checkout into .demo/addons/account_quickbooks_online.
4. (Re)creates the database (DEMO_DB, default qbo_demo) with Odoo's demo data and the addon.
5. Starts the emulator (EMULATOR_PORT, default 8765) in the background.
6. Points the addon at the emulator, through ``odoo shell``, and keeps Odoo's own calls out off in the demo
   database: partner autocomplete uninstalled, the publisher warranty ("Update Notification") scheduled
   action disabled, the IAP services (SMS, snail mail, enrichment) pointed at a closed port on this machine.
7. Serves Odoo on http://127.0.0.1:DEMO_PORT (default 8069) until Ctrl-C, which stops both. Every Odoo
   process runs with its HTTP(S) proxy set to that closed port (loopback excepted), so whatever Odoo would
   still fetch by itself (a Gravatar picture for an email typed on a contact, a link preview) fails here.
"""
import importlib.metadata
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from run_tests import MODULE, ROOT, find_odoo

DB = os.environ.get("DEMO_DB", "qbo_demo")
PORT = int(os.environ.get("DEMO_PORT", "8069"))
EMULATOR_PORT = int(os.environ.get("EMULATOR_PORT", "8765"))
ODOO_URL = "http://127.0.0.1:%d" % PORT
EMULATOR_URL = "http://127.0.0.1:%d/" % EMULATOR_PORT
DEMO_DIR = os.path.join(ROOT, ".demo")
# The discard port: nothing listens on it, so a call sent there fails at once, on this machine.
CLOSED = "http://127.0.0.1:9"

CONFIGURE = """
company = env.ref("base.main_company")
if company.country_id != env.ref("base.us"):
    company.country_id = env.ref("base.us")
if company.currency_id != env.ref("base.USD"):
    company.currency_id = env.ref("base.USD")
params = env["ir.config_parameter"].sudo()
params.set_param("web.base.url", %(odoo_url)r)
params.set_param("account_quickbooks_online.client_id", %(client_id)r)
params.set_param("account_quickbooks_online.client_secret", %(client_secret)r)
env["qbo.connection"]._qbo_ensure_for_companies()
env["qbo.connection"].search([]).write({"environment": "emulator", "emulator_url": %(emulator_url)r})
# Odoo's own calls out stay off: the IAP services (SMS, snail mail, enrichment, autocomplete) go to a closed
# local port, and the weekly publisher warranty call ("Update Notification") does not run.
for key in ("iap.endpoint", "iap.partner_autocomplete.endpoint", "enrich.endpoint", "sms.endpoint",
            "snailmail.endpoint"):
    params.set_param(key, %(closed)r)
warranty = env.ref("mail.ir_cron_module_update_notification", raise_if_not_found=False)
if warranty:
    warranty.active = False
env.cr.commit()
print("Configured: %%s (%%s, %%s) and %%d QuickBooks connection(s) point at the emulator"
      %% (company.name, company.country_id.code, company.currency_id.name, env["qbo.connection"].search_count([])))
# Partner autocomplete looks company names up from the browser (clearbit.com) and the server (IAP): uninstalled.
autocomplete = env["ir.module.module"].search([("name", "=", "partner_autocomplete"), ("state", "=", "installed")])
if autocomplete:
    autocomplete.button_immediate_uninstall()
    print("Uninstalled partner_autocomplete: the demo calls nothing beyond this machine")
"""


def say(text):
    print("demo: " + text, flush=True)


def fail(text):
    say(text)
    sys.exit(1)


def install_requirements():
    wanted = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", open(os.path.join(ROOT, "requirements.txt")).read(), re.M)
    try:
        if all(importlib.metadata.version(name) == version for name, version in wanted):
            return
    except importlib.metadata.PackageNotFoundError:
        pass
    say("installing requirements.txt")
    if subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-r", "requirements.txt"], cwd=ROOT).returncode:
        fail("could not install requirements.txt; install it by hand: python3 -m pip install -r requirements.txt")


def port_free(port):
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def recreate_database():
    import psycopg2
    try:
        connection = psycopg2.connect(dbname="postgres")
    except psycopg2.OperationalError as error:
        fail("PostgreSQL is not reachable (set PGHOST/PGPORT/PGUSER if it is not local): %s" % error)
    connection.autocommit = True
    with connection.cursor() as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB])
        if cr.fetchone():
            say("database %s exists: dropping it and creating it again" % DB)
            cr.execute('DROP DATABASE "%s" WITH (FORCE)' % DB)
    connection.close()
    shutil.rmtree(os.path.join(DEMO_DIR, "data", "filestore", DB), ignore_errors=True)


def main():
    install_requirements()
    root, addons = find_odoo()
    if root is None:
        fail(addons)
    sys.path.insert(0, ROOT)
    from emulator import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_PASSWORD, DEMO_USER
    for port, what, variable in ((PORT, "Odoo", "DEMO_PORT"), (EMULATOR_PORT, "the emulator", "EMULATOR_PORT")):
        if not port_free(port):
            fail("port %d (for %s) is already in use: stop what uses it or set %s" % (port, what, variable))

    addons_dir = os.path.join(DEMO_DIR, "addons")
    os.makedirs(addons_dir, exist_ok=True)
    link = os.path.join(addons_dir, MODULE)
    if os.path.islink(link) and os.readlink(link) != ROOT:
        os.unlink(link)
    if not os.path.islink(link):
        os.symlink(ROOT, link)
    odoo = [sys.executable, "-c", "import sys; sys.path.insert(0, %r); import odoo.cli; odoo.cli.main()" % root]
    options = ["-d", DB, "--db-filter", "^%s$" % re.escape(DB), "--addons-path", ",".join(addons + [addons_dir]),
               "--data-dir", os.path.join(DEMO_DIR, "data")]
    env = dict(os.environ, OAUTHLIB_INSECURE_TRANSPORT="1")   # the emulator speaks plain http on loopback
    # Whatever Odoo fetches by itself from the internet goes to the closed port; the emulator (loopback) does not.
    for variable in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        env[variable] = CLOSED
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost,::1"

    recreate_database()
    say("creating database %s with Odoo's demo data and %s (a few minutes)" % (DB, MODULE))
    if subprocess.run(odoo + options + ["-i", MODULE, "--stop-after-init", "--no-http", "--log-level", "warn"],
                      env=env).returncode:
        fail("Odoo could not create the database or install %s: see its log above" % MODULE)

    say("starting the QuickBooks Online emulator on %s" % EMULATOR_URL)
    emulator = subprocess.Popen([sys.executable, "-m", "emulator", "--port", str(EMULATOR_PORT),
                                 "--log-level", "WARNING"], cwd=ROOT)
    odoo_server = None
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(0))   # `kill` stops both, like Ctrl-C
    try:
        for _attempt in range(50):
            try:
                urllib.request.urlopen(EMULATOR_URL + ".well-known/openid_configuration", timeout=2).close()
                break
            except OSError:
                if emulator.poll() is not None:
                    fail("the emulator did not start")
                time.sleep(0.2)

        say("pointing the addon at the emulator")
        script = CONFIGURE % {"odoo_url": ODOO_URL, "client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET,
                              "emulator_url": EMULATOR_URL, "closed": CLOSED}
        if subprocess.run(odoo + ["shell"] + options + ["--no-http", "--log-level", "warn"], input=script, text=True,
                          env=env).returncode:
            fail("configuring the addon through odoo shell failed: see the log above")

        print("""
  Odoo:      %(odoo)s   login admin / admin   (database %(db)s)
  Connect:   Invoicing (Accounting) > Configuration > QuickBooks Online > Connections > YourCompany > Connect
             or Settings > General Settings > Integrations > QuickBooks Online > Connect
  Intuit:    the emulator's sign-in page opens: %(user)s / %(password)s, pick
             Craig's Design and Landscaping Services (US), click Connect
  Emulator:  %(emulator)s   Ctrl-C stops Odoo and the emulator
""" % {"odoo": ODOO_URL, "db": DB, "user": DEMO_USER, "password": DEMO_PASSWORD, "emulator": EMULATOR_URL},
              flush=True)
        odoo_server = subprocess.Popen(odoo + options + ["--http-interface", "127.0.0.1", "--http-port", str(PORT),
                                                         "--log-handler", "werkzeug:WARNING"], env=env)
        return odoo_server.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        for process in (odoo_server, emulator):
            if process and process.poll() is None:
                process.terminate()
        for process in (odoo_server, emulator):
            if process:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
        say("stopped Odoo and the emulator")


if __name__ == "__main__":
    sys.exit(main())
