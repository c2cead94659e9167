"""Speed fixes for Rasa 3.6 internals, applied when the Rasa server loads our components.

Profiling a screening showed most of each turn's time in two places that do the same work again
and again, with results that never change:

1. `RemoteAction._validate_action_result` calls `jsonschema.validate`, which re-checks the
   (constant) response schema itself on every action call: about 60 ms per call here, twice a
   turn. We build the validator once and validate against the same schema.
2. `Event.resolve_by_type` walks every Event subclass for each event it deserialises; the
   mapping from type name to class is fixed once the classes are imported, so it is cached.

3. Python's full garbage collection walks every live object, and a loaded Rasa (TensorFlow,
   spaCy, the model) has millions that live as long as the process. Under load a full
   collection ran about every 2 s and stalled every conversation for ~260 ms. Once the server
   has started, `freeze_after_start` moves everything loaded so far out of the collector's
   sight (`gc.freeze`), so later collections only look at conversation-sized garbage.

4. Each action call sends the whole conversation as JSON (up to ~280 KB by the end of a
   screening); the standard library's encoder took about a sixth of Rasa's time per turn.
   Action calls are encoded with ujson (already a Rasa dependency), about twice as fast, and
   fall back to the standard encoder for anything ujson refuses.

5. The intent classifier multiplies each message by its weight matrix; scipy copies the matrix
   (27 x ~15,000) on every call because sklearn hands it over transposed. Keeping the weights in
   column order after loading makes that product copy-free (0.19 -> 0.03 ms), same numbers.

Behaviour is unchanged: the same schema, the same errors, the same classes, the same JSON values,
the same intent probabilities.
"""

from __future__ import annotations

import gc
import json
from functools import lru_cache
from typing import Any, Dict, Optional, Text, Type

import aiohttp
import jsonschema
import numpy as np
import rasa.shared.utils.common
import ujson
from rasa.core.actions.action import RemoteAction
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.utils.endpoints import EndpointConfig

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


def fast_dumps(obj: Any) -> str:
    """JSON text for an action call (point 4)."""
    try:
        return ujson.dumps(obj, ensure_ascii=False, escape_forward_slashes=False)
    except (TypeError, ValueError, OverflowError):
        return json.dumps(obj)


_original_session = EndpointConfig.session


def _session(self: EndpointConfig) -> aiohttp.ClientSession:
    session = _original_session(self)
    session._json_serialize = fast_dumps
    return session


_original_lr_load = LogisticRegressionClassifier.load.__func__


def _lr_load(cls, *args: Any, **kwargs: Any) -> LogisticRegressionClassifier:
    component = _original_lr_load(cls, *args, **kwargs)
    clf = getattr(component, "clf", None)
    if getattr(clf, "coef_", None) is not None:
        clf.coef_ = np.asfortranarray(clf.coef_)
    return component


def freeze_after_start(blueprint: Any) -> None:
    """Registers the gc.freeze() of point 3 on a channel's blueprint; the model is loaded by then
    (Rasa loads it before the server starts). Every channel registers it; the first one freezes."""

    @blueprint.listener("after_server_start")
    async def _freeze(app: Any, loop: Any) -> None:
        if gc.get_freeze_count():
            return
        gc.collect()
        gc.freeze()


def apply() -> None:
    global _APPLIED
    if _APPLIED:
        return
    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = staticmethod(_resolve_by_type)
    EndpointConfig.session = _session
    LogisticRegressionClassifier.load = classmethod(_lr_load)
    _APPLIED = True
