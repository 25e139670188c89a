#!/usr/bin/env python3
"""Click through the first hour in headless Chromium against a fresh `make demo`, and take screenshots.

Logs into Odoo, shows Settings → Integrations, opens Invoicing (Accounting) →
Configuration → QuickBooks Online → Connections and the company's connection,
clicks Connect, signs in on the emulator's Intuit page in the pop-up that opens,
picks the US company, checks that the pop-up closes and the opening tab shows
the connection Connected, and clicks Test on the Settings card. Then it follows
the setup checklist: Update lists, the account mapping it proposes (and a bulk
confirm of the suggestions), partners sent with Sync now (one QuickBooks refuses,
its name being taken; a vendor gets the vendor suffix), the refusal banner, the
Sync Queue and the refused job, the Customers and Vendors links, and the
import's preview. Drives Chromium through the DevTools protocol with
websocket-client (which Odoo's own browser tests use); nothing leaves localhost.
Exits non-zero, saying which step did not happen. The connection must not be
connected yet.

    make demo &    # then, once it serves:
    python3 tools/screenshots.py [--url http://127.0.0.1:8069] [--out static/description/screenshots]
"""
import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

try:
    import websocket   # websocket-client, which Odoo's browser tests use too
except ImportError:
    sys.exit("websocket-client is missing: python3 -m pip install websocket-client")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
US_REALM = "9341452727711001"
US_COMPANY = "Craig's Design and Landscaping Services"
WIDTH, HEIGHT = 1366, 768


class Browser:
    """Headless Chromium and one DevTools connection to it; pages are flattened sessions."""

    def __init__(self, executable):
        self.profile = tempfile.mkdtemp(prefix="qbo-chromium-")
        self.process = subprocess.Popen(
            [executable, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--hide-scrollbars", "--window-size=%d,%d" % (WIDTH, HEIGHT), "--remote-debugging-port=0",
             "--remote-allow-origins=*", "--user-data-dir=" + self.profile, "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        for _attempt in range(100):
            if os.path.exists(port_file) and len(open(port_file).read().split()) == 2:
                break
            time.sleep(0.1)
        else:
            raise RuntimeError("Chromium did not open its DevTools port")
        port, path = open(port_file).read().split()
        self.ws = websocket.create_connection("ws://127.0.0.1:%s%s" % (port, path), timeout=60,
                                              suppress_origin=True)
        self.next_id = 0
        self.events = []
        self.call("Target.setDiscoverTargets", discover=True)

    def call(self, method, session=None, **params):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        while True:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError("%s: %s" % (method, reply["error"]))
                return reply.get("result", {})
            self.events.append(reply)

    def page(self, target_id=None):
        if target_id is None:
            target_id = self.call("Target.createTarget", url="about:blank")["targetId"]
        return Page(self, target_id)

    def new_window(self, known, timeout=30):
        """The id of a page target that appeared since ``known`` (a set of ids)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            for target in self.call("Target.getTargets")["targetInfos"]:
                if target["type"] == "page" and target["targetId"] not in known:
                    return target["targetId"]
            time.sleep(0.2)
        raise RuntimeError("no new window opened")

    def page_ids(self):
        return {t["targetId"] for t in self.call("Target.getTargets")["targetInfos"] if t["type"] == "page"}

    def close(self):
        try:
            self.call("Browser.close")
        except Exception:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    def __init__(self, browser, target_id):
        self.browser, self.target_id = browser, target_id
        self.session = browser.call("Target.attachToTarget", targetId=target_id, flatten=True)["sessionId"]
        self.call("Page.enable")
        self.call("Emulation.setDeviceMetricsOverride", width=WIDTH, height=HEIGHT, deviceScaleFactor=1,
                  mobile=False)

    def call(self, method, **params):
        return self.browser.call(method, session=self.session, **params)

    def js(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError("%s: %s" % (expression[:80], result["exceptionDetails"].get("text")))
        return result["result"].get("value")

    def peek(self, expression):
        """The expression's value, or None while the page is between two documents."""
        try:
            return self.js(expression)
        except RuntimeError:
            return None

    def wait(self, expression, what, timeout=90):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                value = self.js("(v => v instanceof Node || v)(%s)" % expression)   # a node is not serialisable
            except RuntimeError:   # the page is between two documents
                value = None
            if value:
                return value
            time.sleep(0.25)
        raise RuntimeError("timed out waiting for %s (page %s)" % (what, self.js("location.href")))

    def goto(self, url):
        self.call("Page.navigate", url=url)

    def click(self, selector, what):
        """A real mouse click in the middle of the first visible element matching ``selector``."""
        box = self.wait("""(() => {
            const el = [...document.querySelectorAll(%s)].find(e => e.offsetParent !== null);
            if (!el) return null;
            el.scrollIntoView({block: "center"});
            const r = el.getBoundingClientRect();
            return {x: r.x + r.width / 2, y: r.y + r.height / 2};
        })()""" % json.dumps(selector), what)
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=box["x"], y=box["y"], button="left", clickCount=1)

    def type(self, selector, text):
        self.js("document.querySelector(%s).focus()" % json.dumps(selector))
        self.js("document.querySelector(%s).select && document.querySelector(%s).select()"
                % (json.dumps(selector), json.dumps(selector)))
        self.call("Input.insertText", text=text)

    def odoo_idle(self):
        """Wait until Odoo has no RPC running and no spinner showing."""
        time.sleep(0.5)
        self.wait("!document.querySelector('.o_blockUI, .o_loading_indicator') && document.readyState == 'complete'",
                  "Odoo to finish loading")
        time.sleep(0.5)

    def screenshot(self, path):
        self.call("Input.dispatchMouseEvent", type="mouseMoved", x=WIDTH - 2, y=HEIGHT - 2)   # no hover tooltip
        # Odoo's bus shows "The page is out of date" when a fresh page finds its shared
        # worker already connected (quick reloads in one browser): not about this addon.
        self.js("""[...document.querySelectorAll('.o_notification')]
            .filter(n => n.innerText.includes('The page is out of date'))
            .forEach(n => n.querySelector('.o_notification_close').click())""")
        time.sleep(0.3)
        data = self.call("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as handle:
            handle.write(base64.b64decode(data))
        print("saved %s" % os.path.relpath(path), flush=True)


def check(condition, message):
    if not condition:
        raise RuntimeError(message)


def text_of(selector):
    return "[...document.querySelectorAll(%s)].map(e => e.innerText).join('\\n')" % json.dumps(selector)


def run(args):
    os.makedirs(args.out, exist_ok=True)
    shot = lambda name: os.path.join(args.out, name)  # noqa: E731
    browser = Browser(args.chromium)
    try:
        odoo = browser.page()
        for _attempt in range(3):   # a fresh server can fail its very first requests; try again then
            odoo.goto(args.url + "/web/login")
            odoo.wait("document.readyState == 'complete' && document.querySelector('input[name=login]')",
                      "the login form")
            odoo.type("input[name=login]", args.login)
            odoo.type("input[name=password]", args.password)
            odoo.js("document.querySelector('form.oe_login_form').requestSubmit()")
            # The first load after login builds the web client's assets: that can take minutes.
            outcome, deadline = None, time.time() + 300
            while outcome is None and time.time() < deadline:
                time.sleep(1)
                outcome = odoo.peek("""document.querySelector('.o_main_navbar') ? 'in'
                    : document.querySelector('.oe_login_form .alert-danger') ? 'refused' : null""")
                if outcome is None and time.time() > deadline - 270 and odoo.peek(
                        "!!document.querySelector('input[name=login]')"):
                    outcome = "again"   # still on the login form after 30 s: the submit was lost
            check(outcome != "refused", "Odoo refused the login %s / %s" % (args.login, args.password))
            if outcome == "in":
                break
        else:
            raise RuntimeError("could not log into Odoo at %s" % args.url)
        print("logged in as %s" % args.login, flush=True)

        settings_url = args.url + "/odoo/settings"

        def show_integrations(page, name):
            page.goto(settings_url)
            page.wait("document.querySelector('#qbo_setting .o_kanban_record')", "the QuickBooks settings block")
            page.odoo_idle()
            page.js("""(() => {
                const setting = document.querySelector('#qbo_setting');
                setting.scrollIntoView({block: 'start'});
                let box = setting.parentElement;
                while (box && box.scrollHeight <= box.clientHeight) box = box.parentElement;
                if (box) box.scrollTop -= 24;
            })()""")
            time.sleep(0.5)
            page.screenshot(shot(name))
            return page.js(text_of("#qbo_setting"))

        block = show_integrations(odoo, "integrations_settings_not_connected.png")
        check("Not connected" in block, "Settings: no Not connected card:\n" + block)

        # Invoicing (Accounting in Enterprise) → Configuration → QuickBooks Online → Connections, through the menus.
        odoo.click(".o_navbar_apps_menu .dropdown-toggle", "the apps menu")
        odoo.click("a.o_app[data-menu-xmlid='account.menu_finance']", "the Invoicing app")
        odoo.click(".o_menu_sections [data-menu-xmlid='account.menu_finance_configuration']", "the Configuration menu")
        odoo.wait("document.querySelector(\"[data-menu-xmlid='account_quickbooks_online.qbo_connection_menu']\")",
                  "the QuickBooks Online section of Configuration")
        odoo.js("document.querySelectorAll('.o-dropdown--menu').forEach(menu => menu.scrollTop = menu.scrollHeight)")
        time.sleep(0.5)
        odoo.screenshot(shot("configuration_menu.png"))
        odoo.click("a[data-menu-xmlid='account_quickbooks_online.qbo_connection_menu']", "the Connections menu item")
        odoo.wait("document.querySelector('.o_qbo_connection_kanban .o_kanban_record')", "the connections kanban")
        odoo.odoo_idle()
        odoo.screenshot(shot("connections_kanban.png"))

        odoo.click(".o_qbo_connection_kanban .o_kanban_record .fw-bold", "a connection card")
        connect = ".o_form_view div[name=setup_connect] button.btn-primary[name=action_qbo_connect]"
        odoo.wait("document.querySelector(%s)" % json.dumps(connect), "the setup checklist with Connect highlighted")
        odoo.odoo_idle()
        odoo.screenshot(shot("connection_form.png"))
        form_url = odoo.js("location.href")

        known = browser.page_ids()
        odoo.click(connect, "Connect")
        popup_id = browser.new_window(known)
        intuit = browser.page(popup_id)
        intuit.wait("document.querySelector('form input[name=email]')", "the emulator's consent page")
        check("/connect/oauth2" in intuit.js("location.href"), "Connect did not open the emulator's consent page")
        check(odoo.js("location.href") == form_url, "the page that opened the pop-up went elsewhere")
        time.sleep(0.5)
        intuit.screenshot(shot("emulator_consent.png"))
        intuit.type("input[name=email]", args.qbo_user)
        intuit.type("input[name=password]", args.qbo_password)
        intuit.click("input[name=realm_id][value='%s']" % US_REALM, "the US company")
        intuit.click("button.primary[value=approve]", "the emulator's Connect button")

        # The pop-up closes itself and the tab that opened it reloads, Connected, with its breadcrumb.
        deadline = time.time() + 60
        while popup_id in browser.page_ids() and time.time() < deadline:
            time.sleep(0.2)
        check(popup_id not in browser.page_ids(), "the Connect pop-up did not close itself")
        odoo.wait("document.querySelector('.o_form_view div[name=setup_lists] button.btn-primary')",
                  "the opening tab reloaded with Update lists as the next step")
        odoo.odoo_idle()
        form = odoo.js(text_of(".o_form_view .o_form_sheet"))
        for expected in ("Connected", US_COMPANY, US_REALM):
            check(expected in form, "the connection form does not show %r:\n%s" % (expected, form))
        check("QuickBooks Online" in odoo.js(text_of(".o_breadcrumb")), "the form lost its breadcrumb")
        odoo.screenshot(shot("connection_connected.png"))
        print("connected in the opening tab: %s, realm %s; the pop-up closed" % (US_COMPANY, US_REALM), flush=True)

        block = show_integrations(odoo, "integrations_settings.png")
        check("Connected" in block and US_COMPANY in block, "Settings: no Connected card:\n" + block)

        # The card's Test button works from the Settings page too, and says what it proved.
        odoo.click("#qbo_setting button[name=action_qbo_test]", "the Test button in Settings")
        toast = wait_toast(odoo, "QuickBooks Online works", "the Test notification")
        check("read and write" in toast, "Test from Settings said: " + toast)
        print("Test from Settings: %s" % " ".join(toast.split()), flush=True)
        show_setup(odoo, args, shot, form_url)
        show_sync(odoo, args, shot)
        show_import(odoo, args, shot, form_url)
    finally:
        browser.close()


def rpc(page, model, method, args, kwargs=None):
    """Call a model method over Odoo's JSON-RPC from inside the logged-in page."""
    payload = {"jsonrpc": "2.0", "method": "call",
               "params": {"model": model, "method": method, "args": args, "kwargs": kwargs or {}}}
    answer = page.js("""fetch('/web/dataset/call_kw', {method: 'POST', headers: {'Content-Type': 'application/json'},
        body: %s}).then(r => r.json())""" % json.dumps(json.dumps(payload)))
    check("error" not in answer, "%s.%s failed: %s" % (model, method, answer.get("error")))
    return answer["result"]


def wait_toast(page, needle, what):
    """The text of the notifications once one says ``needle`` (Odoo's own "page is out of date" may be there too)."""
    return page.wait("(t => t.includes(%s) && t)(%s)" % (json.dumps(needle), text_of(".o_notification")), what)


def close_notifications(page):
    page.js("document.querySelectorAll('.o_notification .o_notification_close').forEach(b => b.click())")
    time.sleep(0.3)


def show_setup(page, args, shot, form_url):
    """The checklist's Update lists, the account mapping it proposes, and the suggestions confirmed in bulk."""
    page.goto(form_url)
    # Primary, or secondary when the daily "read lists" scheduled action was quicker: it proposes either way.
    page.click(".o_form_view div[name=setup_lists] button[name=action_qbo_setup_lists]", "Update lists")
    toast = wait_toast(page, "Accounts:", "the Update lists notification")
    check("Payment terms:" in toast, "Update lists said: " + toast)
    page.wait("document.querySelector('.o_form_view div[name=setup_mappings] button.btn-primary')",
              "Review mappings as the next step")
    page.odoo_idle()
    close_notifications(page)
    page.screenshot(shot("setup_checklist.png"))
    print("Update lists: %s" % " ".join(toast.split())[:200], flush=True)

    page.click(".o_form_view div[name=setup_mappings] button.btn-primary[name=action_qbo_review_mappings]",
               "Review mappings")
    page.wait("document.querySelector('.o_list_view .o_data_row [name=state]')", "the accounts to map")
    page.odoo_idle()
    rows = page.js(text_of(".o_list_view .o_data_row"))
    check("To confirm" in rows and "Ambiguous" in rows, "the account mapping shows no suggestion:\n" + rows)
    page.screenshot(shot("account_mapping.png"))
    page.js("""[...document.querySelectorAll('.o_list_view .o_data_row')]
        .filter(row => row.querySelector('[name=state]').innerText.includes('To confirm'))
        .forEach(row => row.querySelector('.o_list_record_selector input').click())""")
    page.click(".o_control_panel button[name=action_qbo_confirm_suggestions]", "Confirm suggestions")
    toast = wait_toast(page, "confirmed", "the confirmation of the suggestions")
    print("Confirm suggestions: %s" % " ".join(toast.split())[:160], flush=True)


def show_sync(page, args, shot):
    """A partner QuickBooks refuses, the Sync Queue offering the link, the refused job, the Customers and Vendors
    links (a vendor under the vendor suffix)."""
    partners = rpc(page, "res.partner", "create", [[
        {"name": "Amy's Bird Sanctuary", "customer_rank": 1, "email": "amy@example.com", "is_company": True},
        {"name": "Blue Heron Outfitters", "customer_rank": 1, "email": "heron@example.com", "is_company": True},
        {"name": "Cedar Lane Nursery", "supplier_rank": 1, "email": "cedar@example.com", "is_company": True},
        {"name": "Cool Cars", "supplier_rank": 1, "email": "cars@example.com", "is_company": True}]])
    for partner_id in partners[1:]:
        rpc(page, "res.partner", "action_qbo_sync_now", [[partner_id]])
    # Saving them woke the scheduled action: let it finish with Amy's first, as a person reading the form would.
    deadline = time.time() + 60
    while time.time() < deadline and rpc(page, "qbo.sync.job", "search_count", [[
            ("res_model", "=", "res.partner"), ("res_id", "=", partners[0]), ("state", "in", ["pending", "running"])]]):
        time.sleep(1)
    page.goto("%s/odoo/res.partner/%d" % (args.url, partners[0]))
    page.click(".o_form_view button[name=action_qbo_sync_now]", "Sync to QuickBooks on the partner")
    toast = wait_toast(page, "refused", "the Sync now notification")
    page.wait("document.querySelector('.o_form_view .alert-danger [name=qbo_sync_error]')", "the refusal banner")
    page.wait("document.querySelector('.o_form_view .alert-danger button[name=action_qbo_link_conflict]')",
              "Link to it in the refusal banner")
    page.odoo_idle()
    page.screenshot(shot("partner_refused.png"))
    print("Sync now refused as expected: %s" % " ".join(toast.split())[:160], flush=True)

    page.goto(args.url + "/odoo/action-account_quickbooks_online.qbo_sync_job_action")
    page.wait("document.querySelector('.o_list_view .o_data_row button[name=action_qbo_link_existing]')",
              "the failed job with Link to it in the Sync Queue")
    page.odoo_idle()
    page.screenshot(shot("sync_queue.png"))
    page.click(".o_list_view .o_data_row:has(button[name=action_qbo_link_existing]) td[name=record_name]",
               "the refused job")
    page.wait("document.querySelector('.o_form_view .oe_title') && "
              "document.querySelector('.o_form_view .oe_title').innerText.includes('→ Customer')",
              "the job's form, titled by its record and type")
    page.odoo_idle()
    page.screenshot(shot("sync_job.png"))

    page.goto(args.url + "/odoo/action-account_quickbooks_online.qbo_binding_action_customers")
    page.wait("document.querySelector('.o_list_view .o_data_row')", "the Customers links")
    page.odoo_idle()
    page.screenshot(shot("customer_links.png"))
    page.goto(args.url + "/odoo/action-account_quickbooks_online.qbo_binding_action_vendors")
    page.wait("[...document.querySelectorAll('.o_list_view .o_data_row')].some(r => r.innerText.includes('(Vendor)'))",
              "the Vendors links, one under its QuickBooks name")
    page.odoo_idle()
    page.screenshot(shot("vendor_links.png"))


def show_import(page, args, shot, form_url):
    """The import wizard: what it brings in, the preview's counts, then the import."""
    page.goto(form_url)
    page.click(".o_form_view div[name=setup_import] button", "Import from QuickBooks")
    page.click(".modal .modal-footer button[name=action_preview]", "Preview")
    page.wait("document.querySelector('.modal div[name=preview] .o_data_row')", "the import preview")
    page.odoo_idle()
    preview = page.js(text_of(".modal div[name=preview]"))
    check("Customers" in preview and "Products" in preview, "the preview shows:\n" + preview)
    page.js("document.querySelectorAll('.modal-body').forEach(body => body.scrollTop = body.scrollHeight)")
    time.sleep(0.3)
    page.screenshot(shot("import_preview.png"))
    page.click(".modal .modal-footer button[name=action_import]", "Import")
    page.wait("document.querySelector('.modal .o_field_widget[name=run_state]') && "
              "document.querySelector('.modal .o_field_widget[name=run_state]').innerText.includes('Done')",
              "the import done", timeout=180)
    print("Import previewed and done", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:%s" % os.environ.get("DEMO_PORT", "8069"))
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--qbo-user", default="demo@example.com")
    parser.add_argument("--qbo-password", default="demo")
    parser.add_argument("--out", default=os.path.join(ROOT, "static", "description", "screenshots"))
    parser.add_argument("--chromium", default=next(filter(None, map(shutil.which, (
        "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"))), None))
    args = parser.parse_args()
    if not args.chromium:
        print("Chromium not found: install it (Debian: apt-get install chromium) or pass --chromium")
        return 2
    args.url = args.url.rstrip("/")
    try:
        run(args)
    except RuntimeError as error:
        print("FAILED: %s" % error)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
