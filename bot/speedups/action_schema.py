"""1. Action results checked against a schema compiled once, and first by event name.

`RemoteAction._validate_action_result` calls `jsonschema.validate`, which re-checks the (constant)
response schema itself on every action call: about 60 ms per call here, twice a turn. We build the
validator once and validate against the same schema. The schema says each returned event must
match exactly one of 23 event schemas (`oneOf`), and checking all 23 for every event was then the
largest part left; since each of the 23 fixes a different `"event"` name, a result is first checked
against just the schema its events name, and only one that fails that goes through the whole schema
(which gives the error Rasa reports).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, Optional, Text

import jsonschema
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@lru_cache(maxsize=1)
def _action_result_validator():
    schema = RemoteAction.action_response_format_spec()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@lru_cache(maxsize=1)
def _validators_by_event() -> Optional[Dict[Text, Any]]:
    """One validator per `"event"` name (the item's own properties plus that event's schema), and
    one for `responses`; None (always the whole schema) if the schema is not shaped as expected."""
    schema = RemoteAction.action_response_format_spec()
    cls = jsonschema.validators.validator_for(schema)
    try:
        events, responses = schema["properties"]["events"], schema["properties"]["responses"]
        item = events["items"]
        base = {k: v for k, v in item.items() if k != "oneOf"}
        names = [option["properties"]["event"]["const"] for option in item["oneOf"]]
    except (KeyError, TypeError):
        return None
    if (set(schema) != {"type", "properties"} or set(schema["properties"]) != {"events", "responses"}
            or set(events) != {"type", "items"} or len(set(names)) != len(names)):
        return None
    by_event = {name: cls({"allOf": [base, option]}) for name, option in zip(names, item["oneOf"], strict=True)}
    return {"events": by_event, "responses": cls(responses)}


def _valid_by_event_name(result: Any) -> bool:
    """True only if `result` is valid; False means "check it against the whole schema"."""
    validators = _validators_by_event()
    if validators is None or not isinstance(result, dict):
        return False
    events = result.get("events", [])
    if not isinstance(events, list):
        return False
    for event in events:
        name = event.get("event") if isinstance(event, dict) else None
        validator = validators["events"].get(name) if isinstance(name, str) else None
        if validator is None or not validator.is_valid(event):
            return False
    return "responses" not in result or validators["responses"].is_valid(result["responses"])


def validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    """What Rasa's `_validate_action_result` returns or raises, without re-checking the schema."""
    if _valid_by_event_name(result):
        return True
    # the error `jsonschema.validate` would raise: the best match among all errors
    error = jsonschema.exceptions.best_match(_action_result_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from "
        f"the Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


PATCHES = ((RemoteAction, "_validate_action_result", validate_action_result),)
