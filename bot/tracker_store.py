"""A tracker store that forgets a conversation when the person asks us to delete their data.

The action server cannot touch Rasa's tracker store, so `action_delete_data` sets the slot
`data_deleted`; when Rasa next saves that tracker, this store drops every stored event for the
conversation instead. The next message starts a fresh conversation.

Conversations are kept in memory (they vanish on restart): only consented leads are meant to
outlive the Rasa process, and those live in the lead store.
"""

from __future__ import annotations

from typing import Any, Optional

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

DELETE_FLAG = "data_deleted"

from bot import rasa_speedups  # noqa: E402  (loaded with the Rasa server: see that module)

rasa_speedups.apply()


class ForgetfulTrackerStore(InMemoryTrackerStore):
    def __init__(
        self,
        domain: Domain,
        event_broker: Optional[EventBroker] = None,
        host: Optional[str] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(domain, event_broker, **kwargs)

    async def save(self, tracker: DialogueStateTracker) -> None:
        if tracker.get_slot(DELETE_FLAG):
            await self.delete(tracker.sender_id)
            return
        await super().save(tracker)

    async def delete(self, sender_id: str) -> None:
        self.store.pop(sender_id, None)
