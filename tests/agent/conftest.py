"""The agent layer: the trained model in-process (tests/fixtures/agent.py: ``agent``, ``chat``)
with a real action server and lead database. The model must exist: `make test` trains it first."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def model_for_every_agent_test(trained_model):
    """Every test here needs the model, also those that run Rasa in a subprocess."""
    return trained_model
