"""7. Trackers copied by their state instead of by replaying every event.

Rasa copies a tracker by replaying every event onto a blank one (`DialogueStateTracker.copy`, before
each action and when a form starts) and builds each form's validation tracker the same way
(`FormAction._temporary_tracker`): several full replays a turn, longer each turn. `copy_tracker`
copies the state instead: a new event list holding the same events (Rasa only appends to it), new
slot objects and a new active loop and latest-action dictionary, and the ids a replay leaves unset
left unset. The tracker store (bot/tracker_store.py) reads and saves with `tracker.copy()`, so it
copies this way too when the patches are on.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any, List

from rasa.core.actions.forms import FormAction
from rasa.shared.constants import DEFAULT_SENDER_ID
from rasa.shared.core.constants import REQUESTED_SLOT
from rasa.shared.core.events import ActionExecuted, Event, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

_original_temporary_tracker = FormAction.__dict__["_temporary_tracker"]


@lru_cache(maxsize=None)
def _copies_plainly(cls: type) -> bool:
    """Whether `copy.copy` of an instance only makes a new object with the same attributes."""
    return (
        getattr(cls, "__copy__", None) is None
        and cls.__reduce_ex__ is object.__reduce_ex__
        and cls.__reduce__ is object.__reduce__
        and not any(vars(c).get("__slots__") for c in cls.__mro__)  # attributes all in __dict__
        and cls.__new__ is object.__new__
    )


def _plain_copy(obj: Any) -> Any:
    """`copy.copy(obj)`, without its generic machinery (a tracker has dozens of slots to copy)."""
    cls = type(obj)
    if not _copies_plainly(cls):
        return copy.copy(obj)
    new = object.__new__(cls)
    new.__dict__.update(obj.__dict__)
    return new


def copy_tracker(tracker: DialogueStateTracker) -> DialogueStateTracker:
    """What `tracker.copy()` gives, without replaying the events. The copy shares nothing Rasa
    changes in place with the original; the events themselves are shared."""
    clone = copy.copy(tracker)
    clone.events = tracker._create_events(tracker.events)
    clone.slots = {name: _plain_copy(slot) for name, slot in tracker.slots.items()}  # as init_copy
    if tracker.active_loop is not None:
        clone.active_loop = copy.copy(tracker.active_loop)
    if tracker.latest_action is not None:
        clone.latest_action = dict(tracker.latest_action)
    # a replay starts from `init_copy`, which keeps only these
    clone.sender_id = tracker.sender_id or DEFAULT_SENDER_ID
    clone.sender_source = None
    clone.model_id = None
    clone.assistant_id = None
    return clone


def temporary_tracker(self: FormAction, current_tracker: DialogueStateTracker,
                      additional_events: List[Event], domain: Any) -> DialogueStateTracker:
    """Rasa's form validation tracker (the conversation since the last restart, then the form's
    own events) as a copy, when the copy is the same thing: no restart to cut at, the domain's
    slots, and none of the settings `from_events` would drop."""
    if (
        current_tracker.idx_after_latest_restart()
        or current_tracker.is_rule_tracker
        or current_tracker._max_event_history is not None
        or set(current_tracker.slots) != {slot.name for slot in domain.slots}
    ):
        return _original_temporary_tracker(self, current_tracker, additional_events, domain)
    tracker = copy_tracker(current_tracker)
    for event in [SlotSet(REQUESTED_SLOT, self.get_slot_to_fill(current_tracker)),
                  ActionExecuted(self.name()), *additional_events]:
        tracker.update(event)
    return tracker


PATCHES = (
    (DialogueStateTracker, "copy", copy_tracker),
    (FormAction, "_temporary_tracker", temporary_tracker),
)
