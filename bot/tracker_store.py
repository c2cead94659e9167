"""A tracker store that forgets a conversation when the person asks us to delete their data.

The action server cannot touch Rasa's tracker store, so `action_delete_data` sets the slot
`data_deleted`; when Rasa next saves that tracker, this store drops every stored event for the
conversation instead. The next message starts a fresh conversation.

Conversations are kept in memory (they vanish on restart): only consented leads are meant to
outlive the Rasa process, and those live in the lead store.

Conversations in progress are kept as tracker objects rather than as Rasa's JSON: Rasa's
in-memory store re-parses the JSON and replays every event twice on each read (about 2.8 ms for a
finished screening, several times a turn under load). Each read and each save instead copies the
tracker's state (`tracker.copy()`, with bot/speedups on): a new event list holding the same event objects,
new slot objects, a new active loop and latest-action dictionary. Rasa only appends events, so
sharing them is safe, and a copy costs about 0.05 ms where pickling cost about 1 ms a turn.

A finished screening takes about 260 KB as objects but 47 KB pickled, and conversations stay
until the process ends (or "delete my data"). So only the `live_conversations` most recently
used ones (endpoints.yml; 100 by default) stay as objects; older ones are pickled, and unpickled
when someone comes back to them. The pickled bytes are made by this process and never leave it.

Two Rasa events change the message before them when applied (`DefinePrevUserUtteredFeaturization`
marks how it is featurized, `EntitiesAdded` adds entities) and set the same thing each time they
are replayed, so the shared message reads the same. The one difference from Rasa's own store: a
turn that raised after such an event and was never saved would leave that mark on the stored
message. Rasa saves even when an action fails (it logs the error and carries on), so only a bug
inside Rasa could lead there.
"""

from __future__ import annotations

import pickle
from collections import OrderedDict
from itertools import islice
from typing import Any, Dict, Iterable, Optional, Text

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker, get_trackers_for_conversation_sessions

DELETE_FLAG = "data_deleted"


class ForgetfulTrackerStore(InMemoryTrackerStore):
    def __init__(
        self,
        domain: Domain,
        event_broker: Optional[EventBroker] = None,
        host: Optional[str] = None,
        live_conversations: int = 100,
        **kwargs: Any,
    ) -> None:
        super().__init__(domain, event_broker, **kwargs)
        self.live: "OrderedDict[Text, DialogueStateTracker]" = OrderedDict()  # least recent first
        self.store: Dict[Text, bytes] = {}  # type: ignore[assignment]  # the others, pickled
        self.live_conversations = max(1, int(live_conversations))

    async def save(self, tracker: DialogueStateTracker) -> None:
        if tracker.get_slot(DELETE_FLAG):
            await self.delete(tracker.sender_id)
            return
        await self.stream_events(tracker)
        self.store.pop(tracker.sender_id, None)
        self.live[tracker.sender_id] = tracker.copy()
        self.live.move_to_end(tracker.sender_id)
        while len(self.live) > self.live_conversations:
            sender_id, idle = self.live.popitem(last=False)
            self.store[sender_id] = pickle.dumps(idle, protocol=pickle.HIGHEST_PROTOCOL)

    async def _retrieve(self, sender_id: Text, fetch_all_sessions: bool) -> Optional[DialogueStateTracker]:
        """A fresh copy each time, so a turn that fails half-way leaves the stored one untouched;
        only the last session unless all are asked for, as Rasa's own store does."""
        if sender_id in self.live:
            self.live.move_to_end(sender_id)
            tracker = self.live[sender_id].copy()
        elif sender_id in self.store:
            tracker = pickle.loads(self.store[sender_id])
        else:
            return None
        if fetch_all_sessions or not _has_later_session(tracker):
            return tracker
        return get_trackers_for_conversation_sessions(tracker)[-1]

    async def keys(self) -> Iterable[Text]:
        return [*self.live, *self.store]

    async def delete(self, sender_id: str) -> None:
        self.live.pop(sender_id, None)
        self.store.pop(sender_id, None)


def _has_later_session(tracker: DialogueStateTracker) -> bool:
    """True when a session starts after the first event (Rasa's split would give two or more)."""
    return any(
        isinstance(event, ActionExecuted) and event.action_name == ACTION_SESSION_START_NAME
        for event in islice(tracker.events, 1, None)
    )
