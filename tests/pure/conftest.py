"""The pure layer: no trained model and no server process. A test here that asks for one fails
at collection, so the layer stays fast and means what it says."""

from __future__ import annotations

import pytest

# Fixtures that load the model or start servers (tests/fixtures/agent.py, servers.py, web.py).
NOT_HERE = {"agent", "chat", "action_server_url", "stack", "web_stack", "open_chat", "browser"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    for item in items:
        used = NOT_HERE & set(getattr(item, "fixturenames", ()))
        if used and "tests/pure/" in str(item.fspath):
            raise pytest.UsageError(f"{item.nodeid} is in tests/pure/ but uses {sorted(used)}: move it to "
                                    "tests/agent/ or tests/stack/")
