"""Two speed fixes for Rasa 3.6 internals, applied when the Rasa server loads our components.

Profiling a screening showed most of each turn's time in two places that do the same work again
and again, with results that never change:

1. `RemoteAction._validate_action_result` calls `jsonschema.validate`, which re-checks the
   (constant) response schema itself on every action call: about 60 ms per call here, twice a
   turn. We build the validator once and validate against the same schema.
2. `Event.resolve_by_type` walks every Event subclass for each event it deserialises; the
   mapping from type name to class is fixed once the classes are imported, so it is cached.

Behaviour is unchanged: the same schema, the same errors, the same classes.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, Optional, Text, Type

import jsonschema
import rasa.shared.utils.common
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event

_APPLIED = False


@lru_cache(maxsize=1)
def _action_result_validator():
    schema = RemoteAction.action_response_format_spec()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    try:
        _action_result_validator().validate(result)
        return True
    except jsonschema.ValidationError as e:
        e.message += (
            ". Failed to validate Action server response from API, make sure your response from "
            f"the Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise e


@lru_cache(maxsize=None)
def _event_class(type_name: Text) -> Optional[Type[Event]]:
    for cls in rasa.shared.utils.common.all_subclasses(Event):
        if cls.type_name == type_name:
            return cls
    return None


_original_resolve = Event.resolve_by_type


def _resolve_by_type(type_name: Text, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
    cls = _event_class(type_name)
    return cls if cls is not None else _original_resolve(type_name, default)


def apply() -> None:
    global _APPLIED
    if _APPLIED:
        return
    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = staticmethod(_resolve_by_type)
    _APPLIED = True
