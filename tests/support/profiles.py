"""Patient profiles answered in natural language, shared by the in-process conversation tests,
the REST end-to-end test and the benchmark. They live with the simulator
(bot/simulated_patients.py), so the benchmark needs nothing from tests/."""

from __future__ import annotations

from bot.simulated_patients import ELIGIBLE_ADULT_EN, NO_TO_EVERYTHING_ELSE, PARENT_OF_SEVEN_EN, handoff_replies

__all__ = ["ELIGIBLE_ADULT_EN", "NO_TO_EVERYTHING_ELSE", "PARENT_OF_SEVEN_EN", "handoff_replies"]
