"""The lead store a process uses, built once from the environment (``bot.settings``).

The action server's actions all reach the database through here, so there is one store (and one
connection pool) per process, and no action module holds it for the others.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Tuple

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def lead_store() -> Tuple["LeadStore", "Settings"]:  # noqa: F821 - imported lazily below
    from bot.leads.store import LeadStore
    from bot.settings import Settings

    settings = Settings.from_env()
    return LeadStore(settings), settings


def record_funnel(conversation_id: str, stage: str) -> None:
    """Counts for the coordinator's funnel; never allowed to break the conversation."""
    try:
        store, _ = lead_store()
        store.record_funnel(conversation_id, stage)
    except Exception as error:  # a funnel count is not worth failing a family's conversation
        log.warning("funnel %s not recorded: %s", stage, type(error).__name__)


def record_started(conversation_id: str) -> None:
    """The person agreed to answer the questions: the funnel's "started" (once per conversation)."""
    try:
        store, _ = lead_store()
        store.record_screening_started(conversation_id)
    except Exception as error:
        log.warning("funnel started not recorded: %s", type(error).__name__)
