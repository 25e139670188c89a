"""A standalone QuickBooks Online Accounting API v3 + Intuit OAuth 2.0 emulator.

Run it with ``python -m emulator``; tests start it in-process with
``EmulatorServer(port=0).start()``. See emulator/README.md.
"""
from .server import (DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_PASSWORD, DEMO_USER, Emulator,
                     EmulatorServer, Settings)

__all__ = ["Emulator", "EmulatorServer", "Settings", "DEMO_CLIENT_ID", "DEMO_CLIENT_SECRET",
           "DEMO_USER", "DEMO_PASSWORD"]
