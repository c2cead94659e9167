"""The agent layer: the trained model in-process (tests/fixtures/agent.py: ``agent``, ``chat``)
with a real action server and lead database. The model must exist: `make test` trains it first."""

from __future__ import annotations

import pytest

from tests.fixtures.servers import MODEL


@pytest.fixture(scope="session", autouse=True)
def trained_model():
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` (or `make test`, which trains first)")
    return MODEL
