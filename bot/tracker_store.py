"""A tracker store that forgets a conversation when the person asks us to delete their data.

The action server cannot touch Rasa's tracker store, so `action_delete_data` sets the slot
`data_deleted`; when Rasa next saves that tracker, this store drops every stored event for the
conversation instead. The next message starts a fresh conversation.

Conversations are kept in memory (they vanish on restart): only consented leads are meant to
outlive the Rasa process, and those live in the lead store.

They are kept as tracker objects rather than as Rasa's JSON: Rasa's in-memory store re-parses
the JSON and replays every event twice on each read (about 2.8 ms for a finished screening,
several times a turn under load). Each read and each save instead copies the tracker's state
(`rasa_speedups.copy_tracker`): a new event list holding the same event objects, new slot
objects, a new active loop and latest-action dictionary. Rasa only appends events, so sharing
them is safe, and a copy costs about 0.05 ms where pickling cost about 1 ms a turn.

Two Rasa events change the message before them when applied (`DefinePrevUserUtteredFeaturization`
marks how it is featurized, `EntitiesAdded` adds entities) and set the same thing each time they
are replayed, so the shared message reads the same. The one difference from Rasa's own store: a
turn that raised after such an event and was never saved would leave that mark on the stored
message. Rasa saves even when an action fails (it logs the error and carries on), so only a bug
inside Rasa could lead there.
"""

from __future__ import annotations

from itertools import islice
from typing import Any, Dict, Optional, Text

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker, get_trackers_for_conversation_sessions

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
        self.store: Dict[Text, DialogueStateTracker] = {}  # type: ignore[assignment]

    async def save(self, tracker: DialogueStateTracker) -> None:
        if tracker.get_slot(DELETE_FLAG):
            await self.delete(tracker.sender_id)
            return
        await self.stream_events(tracker)
        self.store[tracker.sender_id] = rasa_speedups.copy_tracker(tracker)

    async def _retrieve(self, sender_id: Text, fetch_all_sessions: bool) -> Optional[DialogueStateTracker]:
        """A fresh copy each time, so a turn that fails half-way leaves the stored one untouched;
        only the last session unless all are asked for, as Rasa's own store does."""
        stored = self.store.get(sender_id)
        if stored is None:
            return None
        tracker = rasa_speedups.copy_tracker(stored)
        if fetch_all_sessions or not _has_later_session(tracker):
            return tracker
        return get_trackers_for_conversation_sessions(tracker)[-1]

    async def delete(self, sender_id: str) -> None:
        self.store.pop(sender_id, None)


def _has_later_session(tracker: DialogueStateTracker) -> bool:
    """True when a session starts after the first event (Rasa's split would give two or more)."""
    return any(
        isinstance(event, ActionExecuted) and event.action_name == ACTION_SESSION_START_NAME
        for event in islice(tracker.events, 1, None)
    )
