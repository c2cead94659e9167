"""2. Event classes looked up by type name from a cache.

`Event.resolve_by_type` walks every Event subclass for each event it deserialises; the mapping from
type name to class is fixed once the classes are imported, so it is cached. A name it does not
know (no such event) goes to Rasa's own lookup, which gives Rasa's own answer or error.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Optional, Text, Type

import rasa.shared.utils.common
from rasa.shared.core.events import Event

_original_resolve = Event.__dict__["resolve_by_type"].__func__


@lru_cache(maxsize=None)
def _event_class(type_name: Text) -> Optional[Type[Event]]:
    for cls in rasa.shared.utils.common.all_subclasses(Event):
        if cls.type_name == type_name:
            return cls
    return None


def resolve_by_type(type_name: Text, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
    cls = _event_class(type_name)
    return cls if cls is not None else _original_resolve(type_name, default)


PATCHES = ((Event, "resolve_by_type", staticmethod(resolve_by_type)),)
