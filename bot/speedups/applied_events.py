"""6. A tracker's applied events folded in incrementally instead of recomputed.

`DialogueStateTracker.applied_events` (the events left once reverted turns and repeated form
executions are taken out) is recomputed from the first event several times a turn, and each form
answer makes it scan back over the whole list again: quadratic in the length of the screening,
about a fifth of Rasa's time per turn by the end. Rasa only ever appends events, so each tracker
keeps its last result and the events it came from; when those events are still the start of the
tracker's events (checked object by object) and no new form appears in the rest, only the new
events are folded in, by the same steps as Rasa's own loop.
"""

from __future__ import annotations

import operator
from itertools import islice
from typing import Iterable, List, Set, Text

from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

_original_applied_events = DialogueStateTracker.__dict__["applied_events"]
_CACHE = "_applied_events_cache"


def _loop_names(events: Iterable[Event]) -> Set[Text]:
    return {event.name for event in events if isinstance(event, ActiveLoop) and event.name}


def _fold(tracker: DialogueStateTracker, events: Iterable[Event], loop_names: Set[Text],
          applied: List[Event]) -> List[Event]:
    """The body of Rasa 3.6's `applied_events` loop, one event at a time."""
    for event in events:
        if isinstance(event, (Restarted, SessionStarted)):
            applied = []
        elif isinstance(event, ActionReverted):
            tracker._undo_till_previous(ActionExecuted, applied)
        elif isinstance(event, UserUtteranceReverted):
            tracker._undo_till_previous(UserUttered, applied)
            tracker._undo_till_previous(ActionExecuted, applied)
        elif (
            isinstance(event, ActionExecuted)
            and event.action_name in loop_names
            and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)
        ):
            tracker._undo_till_previous_loop_execution(event.action_name, applied)
        else:
            applied.append(event)
    return applied


def applied_events(self: DialogueStateTracker) -> List[Event]:
    """Rasa's result, folding in only the events added since the last call."""
    events = self.events
    if getattr(events, "maxlen", None) is not None:  # a capped history drops its first events
        return _original_applied_events(self)
    cached = self.__dict__.get(_CACHE)
    if cached is not None:
        seen, loop_names, applied = cached
        if len(events) >= len(seen) and all(map(operator.is_, seen, events)):
            new = list(islice(events, len(seen), None))
            if _loop_names(new) <= loop_names:
                result = _fold(self, new, loop_names, list(applied))
                self.__dict__[_CACHE] = (tuple(events), loop_names, tuple(result))
                return result
    loop_names = _loop_names(events)
    result = _fold(self, events, loop_names, [])
    self.__dict__[_CACHE] = (tuple(events), loop_names, tuple(result))
    return result


PATCHES = ((DialogueStateTracker, "applied_events", applied_events),)
