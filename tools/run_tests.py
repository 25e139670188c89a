#!/usr/bin/env python3
"""`make test`: run the project's tests and end with the line ``N passed, N failed``.

1. The emulator's own tests, under pytest (no Odoo, no database).
2. The addon's Odoo tests: a fresh database, the addon installed with its
   tests (linked into a temporary addons directory under its technical name,
   whatever the checkout's directory is called), then the database dropped.
"""
import argparse
import importlib.util
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REQUIRED = {"werkzeug": "Werkzeug (comes with Odoo's requirements)",
            "quickbooks": "python-quickbooks==0.9.12 (requirements.txt)",
            "intuitlib": "intuit-oauth==1.2.6 (requirements.txt)",
            "pytest": "pytest (requirements-test.txt)"}


def missing_modules():
    return [text for module, text in REQUIRED.items() if importlib.util.find_spec(module) is None]


class Tally:
    """A pytest plugin that counts outcomes the way CI reads them."""

    def __init__(self):
        self.passed = self.failed = self.skipped = 0

    def pytest_runtest_logreport(self, report):
        if report.when == "call" and report.passed:
            self.passed += 1
        elif report.failed:
            self.failed += 1
        elif report.skipped and report.when in ("setup", "call"):
            self.skipped += 1

    def pytest_collectreport(self, report):
        if report.failed:
            self.failed += 1


def run_emulator_tests(extra_args):
    import pytest
    tally = Tally()
    os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
    code = pytest.main(["-q", "-p", "no:cacheprovider", os.path.join(ROOT, "emulator", "tests")] + extra_args,
                       plugins=[tally])
    return tally, code


MODULE = "account_quickbooks_online"
ODOO_SUMMARY = re.compile(r"(\d+) failed, (\d+) error\(s\) of (\d+) tests")


def find_odoo():
    """(python command prefix, addons path) of the Odoo 18 to test with, or an explanation."""
    odoo_path = os.environ.get("ODOO_PATH")
    if odoo_path:
        if not os.path.isdir(os.path.join(odoo_path, "odoo")):
            return None, "ODOO_PATH=%s does not contain the odoo package" % odoo_path
        root = odoo_path
    else:
        spec = importlib.util.find_spec("odoo")
        if spec is None or not spec.submodule_search_locations:
            return None, ("Odoo 18 is not importable: install it so that `python3 -c 'import odoo'` works, "
                          "or set ODOO_PATH to an Odoo 18 source tree")
        root = os.path.dirname(list(spec.submodule_search_locations)[0])
    return root, [os.path.join(root, "odoo", "addons")]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def link_addon(prefix):
    """A new temporary addons directory holding this checkout under the module's name."""
    workdir = tempfile.mkdtemp(prefix=prefix)
    os.symlink(ROOT, os.path.join(workdir, MODULE))
    return workdir


def database_options():
    """Odoo's database connection options from the libpq environment variables, if set."""
    options = []
    for option, variable in (("--db_host", "PGHOST"), ("--db_port", "PGPORT"), ("--db_user", "PGUSER")):
        if os.environ.get(variable):
            options += [option, os.environ[variable]]
    return options


def odoo_command(root, addons, workdir, database):
    """An odoo-bin command line for ``database``, the addon found through ``workdir``."""
    return [sys.executable, "-c", "import sys; sys.path.insert(0, %r); import odoo.cli; odoo.cli.main()" % root,
            "-d", database, "--addons-path", ",".join(addons + [workdir]),
            "--data-dir", os.path.join(workdir, "data")] + database_options()


def run_odoo_tests(test_tags):
    """Install the addon with its tests in a new database; return (passed, failed)."""
    root, addons = find_odoo()
    if root is None:
        print(addons)
        return 0, 1
    workdir = link_addon("qbo-test-")
    database = "qbo_test_%d_%d" % (os.getpid(), int(time.time()))
    command = odoo_command(root, addons, workdir, database) + [
        "-i", MODULE, "--test-enable", "--test-tags", test_tags, "--stop-after-init", "--without-demo", "all",
        "--http-interface", "127.0.0.1", "--http-port", str(free_port()), "--log-level", "test",
        "--max-cron-threads", "0"]
    print("Odoo tests: installing %s with its tests into database %s" % (MODULE, database), flush=True)
    env = dict(os.environ, OAUTHLIB_INSECURE_TRANSPORT="1")
    summary, errors = None, 0
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                                   cwd=workdir)
        for line in process.stdout:
            sys.stdout.write(line)
            match = ODOO_SUMMARY.search(line)
            if match:
                summary = tuple(int(group) for group in match.groups())
            if " ERROR " in line or " CRITICAL " in line:
                errors += 1
        code = process.wait()
    finally:
        subprocess.run(["dropdb", "--if-exists", database], capture_output=True)
        shutil.rmtree(workdir, ignore_errors=True)
    if summary is None:
        print("Odoo did not report a test summary (exit code %d): the addon did not install or run." % code)
        return 0, 1
    failed, erred, total = summary
    passed = max(0, total - failed - erred)
    bad = failed + erred
    if code != 0 and bad == 0:
        print("Odoo exited with %d although its tests passed; counting that as a failure." % code)
        bad = 1
    return passed, bad


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--emulator-only", action="store_true", help="skip the Odoo tests")
    parser.add_argument("--odoo-only", action="store_true", help="skip the emulator's pytest suite")
    parser.add_argument("--test-tags", default="/" + MODULE, help="Odoo --test-tags (default: the whole addon)")
    parser.add_argument("pytest_args", nargs="*", help="extra arguments for pytest (e.g. -k oauth)")
    args = parser.parse_args()
    missing = missing_modules()
    if missing:
        print("Cannot run the tests; these Python packages are missing:")
        for text in missing:
            print("  - " + text)
        print("Install them with: %s -m pip install -r requirements.txt -r requirements-test.txt"
              % os.path.basename(sys.executable))
        print("0 passed, 1 failed")
        return 2
    sys.path.insert(0, ROOT)
    passed = failed = skipped = 0
    if not args.odoo_only:
        tally, code = run_emulator_tests(args.pytest_args)
        if code not in (0, 1):   # 2 interrupted, 3 internal error, 4 usage, 5 nothing collected
            tally.failed += 1
        passed, failed, skipped = tally.passed, tally.failed, tally.skipped
        print("Emulator tests: %d passed, %d failed" % (tally.passed, tally.failed), flush=True)
    if not args.emulator_only:
        odoo_passed, odoo_failed = run_odoo_tests(args.test_tags)
        print("Odoo tests: %d passed, %d failed" % (odoo_passed, odoo_failed), flush=True)
        passed, failed = passed + odoo_passed, failed + odoo_failed
    line = "%d passed, %d failed" % (passed, failed)
    if skipped:
        line += ", %d skipped" % skipped
    print(line)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
