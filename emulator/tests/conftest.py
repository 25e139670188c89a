import dataclasses
import logging
import os

import pytest

from emulator import EmulatorServer
from emulator.policy import Policy
from emulator.testing import AdminClient, quickbooks

US = "9341452727711001"
UK = "9341452727711002"

os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")
logging.getLogger("emulator.http").setLevel(logging.WARNING)


@pytest.fixture(scope="session")
def server():
    server = EmulatorServer(port=0).start()
    yield server
    server.stop()


@pytest.fixture
def admin(server):
    """A fresh emulator for each test: both presets, Intuit's limits, no faults."""
    client = AdminClient(server.url)
    client.reset()
    client.clear_faults(seed=0)
    client.clock(reset=True)
    client.configure(limits={"requests_per_minute": 500, "concurrent": 10, "batch_per_minute": 40,
                             "batch_max_items": 30, "time_scale": 1.0, "throttle_shape": "fault",
                             "enabled": True},
                     policy=dataclasses.asdict(Policy()), latency={"enabled": False},
                     webhook={"url": None})
    return client


@pytest.fixture
def qb(server, admin):
    """python-quickbooks connected to the US company."""
    tokens = admin.grant(US)
    return quickbooks(server.url, US, tokens["access_token"], tokens["refresh_token"])


@pytest.fixture
def qb_uk(server, admin):
    tokens = admin.grant(UK)
    return quickbooks(server.url, UK, tokens["access_token"], tokens["refresh_token"])
