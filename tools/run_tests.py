#!/usr/bin/env python3
"""`make test`: run the project's tests and end with the line ``N passed, N failed``.

The emulator's tests run under pytest (they need no Odoo). The addon's Odoo
tests join them here once the addon has models to test; until then this
runner says so instead of pretending.
"""
import argparse
import importlib.util
import os
import sys

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


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--emulator-only", action="store_true", help="skip the Odoo tests")
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
    tally, code = run_emulator_tests(args.pytest_args)
    if code not in (0, 1):   # 2 interrupted, 3 internal error, 4 usage, 5 nothing collected
        tally.failed += 1
    line = "%d passed, %d failed" % (tally.passed, tally.failed)
    if tally.skipped:
        line += ", %d skipped" % tally.skipped
    print(line)
    return 0 if tally.failed == 0 and code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
