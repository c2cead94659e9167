"""The Rasa speed fixes change nothing but speed: same schema checks, same event classes."""

from __future__ import annotations

import jsonschema
import pytest
import rasa.shared.utils.common
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event

from bot import rasa_speedups

rasa_speedups.apply()
SCHEMA = RemoteAction.action_response_format_spec()
ACTION = RemoteAction("action_x", None)


@pytest.mark.parametrize(
    "result",
    [{"events": [], "responses": []}, {"events": [{"event": "slot", "name": "a", "value": 1}], "responses": [{"text": "hi"}]}],
)
def test_valid_action_results_pass_as_before(result):
    jsonschema.validate(result, SCHEMA)
    assert ACTION._validate_action_result(result) is True


@pytest.mark.parametrize("result", [{"events": "nope"}, {"events": [{"no_event_key": 1}]}, {"responses": 5}])
def test_invalid_action_results_fail_as_before(result):
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(result, SCHEMA)
    with pytest.raises(jsonschema.ValidationError):
        ACTION._validate_action_result(result)


def test_every_event_type_resolves_to_the_same_class():
    for cls in rasa.shared.utils.common.all_subclasses(Event):
        assert Event.resolve_by_type(cls.type_name) is next(
            c for c in rasa.shared.utils.common.all_subclasses(Event) if c.type_name == cls.type_name
        )
    with pytest.raises(ValueError):
        Event.resolve_by_type("no_such_event")
