# account_quickbooks_online: developer commands. See README.md.
PYTHON ?= python3

.PHONY: test test-emulator bench emulator demo deps

## Run every test (emulator, then the addon's Odoo tests when Odoo is present) and print "N passed, N failed".
test:
	$(PYTHON) tools/run_tests.py

## Only the emulator's own tests (no Odoo, no database needed).
test-emulator:
	$(PYTHON) tools/run_tests.py --emulator-only

## Benchmarks: print figures; they fail only if a record goes missing or doubles, a job is left undone, or a total or balance differs.
bench:
	$(PYTHON) tools/bench_emulator.py
	$(PYTHON) tools/bench_sync.py
	$(PYTHON) tools/bench_payments.py

## Serve the QuickBooks Online emulator on http://127.0.0.1:8765/ (see emulator/README.md).
emulator:
	$(PYTHON) -m emulator

## Odoo with demo data and the addon, connected to the emulator: http://127.0.0.1:8069 (admin / admin).
demo:
	$(PYTHON) tools/demo.py

## Install the Python dependencies (Odoo 18 itself must already be importable).
deps:
	$(PYTHON) -m pip install -r requirements.txt -r requirements-test.txt
