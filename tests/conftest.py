"""What every test shares: throwaway places for what servers keep, the speed patches on (or off
with RASA_SPEEDUPS=0), the ``through_rasa`` marker, and the fixtures in tests/fixtures/.

The tests are in three layers, each with its own conftest.py:

- ``tests/pure/``: no trained model and no server process (the trial core, the readers, forms on
  trackers built inline, the domain, the layout, the stores on a real database, the tools' logic);
- ``tests/agent/``: a trained model in-process with a real action server;
- ``tests/stack/``: the servers over HTTP, and the browser.

Every test that goes through the trained agent or the real servers over HTTP is marked
`through_rasa`, and `make test` runs those a second time with RASA_SPEEDUPS=0, so each
conversation is checked on stock Rasa too.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

pytest_plugins = [
    "tests.fixtures.servers",
    "tests.fixtures.agent",
    "tests.fixtures.leads",
    "tests.fixtures.inbox",
    "tests.fixtures.web",
]

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
# Every server a test starts keeps conversations (and a development key) in a throwaway
# directory, never in the repository's var/, which endpoints.yml and run.sh default to.
_THROWAWAY = Path(tempfile.mkdtemp(prefix="prescreen-tests-"))
atexit.register(shutil.rmtree, _THROWAWAY, True)
os.environ.setdefault("TRACKER_STORE_URL", f"sqlite:///{_THROWAWAY / 'conversations.db'}")
os.environ.setdefault("LEADS_KEY_FILE", str(_THROWAWAY / "leads.key"))
# Fixtures that run Rasa: the tests using them run on stock Rasa too. Not the browser's web_stack:
# the page takes a reply as complete after 450 ms without a new message, and stock Rasa, about half
# as fast, leaves such gaps on a loaded machine (a page-timing flake, not a difference in answers).
THROUGH_RASA = {"agent", "stack", "rasa_with_own_action_server"}
# Nor the load tests (test_faults.py, 20 conversations at once): they measure capacity, which the
# patches exist to raise. On stock Rasa, on this shared machine, turns were refused: the channel's
# 1.5 s action-server health check timed out while Rasa's own event loop was busy.
CAPACITY = "under_load"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "through_rasa: goes through the trained agent or the real servers over HTTP (set from the "
        "fixtures a test uses); `make test` runs these again with RASA_SPEEDUPS=0")


@pytest.hookimpl(tryfirst=True)  # before `-m` selects by marker
def pytest_collection_modifyitems(items):
    for item in items:
        if THROUGH_RASA & set(getattr(item, "fixturenames", ())) and CAPACITY not in item.name:
            item.add_marker(pytest.mark.through_rasa)


@pytest.fixture(scope="session", autouse=True)
def rasa_speedups():
    """The speed patches on for the whole session, as the Rasa server puts them on when it starts,
    unless RASA_SPEEDUPS=0 (make test's second pass); True when they are on."""
    from bot import speedups

    yield speedups.apply()
    speedups.revert()
