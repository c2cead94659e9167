"""Speed fixes for Rasa 3.6 internals, applied when the Rasa server loads our components.

Each fix below came from profiling whole screenings under load (py-spy, cProfile): Rasa redoing
work whose result it already had, or doing it by a slow general route. Each is tested against
Rasa's own code (tests/test_rasa_speedups.py, tests/test_rasa_trackers.py).

1. `RemoteAction._validate_action_result` calls `jsonschema.validate`, which re-checks the
   (constant) response schema itself on every action call: about 60 ms per call here, twice a
   turn. We build the validator once and validate against the same schema. The schema says
   each returned event must match exactly one of 23 event schemas (`oneOf`), and checking all
   23 for every event was then the largest part left; since each of the 23 fixes a different
   `"event"` name, a result is first checked against just the schema its events name, and only
   one that fails that goes through the whole schema (which gives the error Rasa reports).
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

6. `DialogueStateTracker.applied_events` (the events left once reverted turns and repeated form
   executions are taken out) is recomputed from the first event several times a turn, and each
   form answer makes it scan back over the whole list again: quadratic in the length of the
   screening, about a fifth of Rasa's time per turn by the end. Rasa only ever appends events, so
   each tracker keeps its last result and the events it came from; when those events are still
   the start of the tracker's events (checked object by object) and no new form appears in the
   rest, only the new events are folded in, by the same steps as Rasa's own loop.

7. Rasa copies a tracker by replaying every event onto a blank one (`DialogueStateTracker.copy`,
   before each action and when a form starts) and builds each form's validation tracker the
   same way (`FormAction._temporary_tracker`): several full replays a turn, longer each turn.
   `copy_tracker` copies the state instead: a new event list holding the same events (Rasa only
   appends to it), new slot objects and a new active loop and latest-action dictionary, and
   the ids a replay leaves unset left unset. The tracker store reads and saves with it too.

8. Rasa runs its NLU and policy graphs with `dask.get`, dask's single-threaded scheduler, twice
   a turn; for graphs of a dozen nodes its bookkeeping (ordering, task states, callbacks) cost
   as much as a third of the time in the nodes themselves. `_run_graph` computes the same nodes
   with the same inputs in a plain depth-first pass, still one thread, and gives the same result
   and the same errors.

Behaviour is unchanged: the same schema, the same errors, the same classes, the same JSON values,
the same intent probabilities, the same applied events, copies and graph results.
"""

from __future__ import annotations

import copy
import gc
import json
import operator
from functools import lru_cache
from itertools import islice
from typing import Any, Dict, Hashable, Iterable, List, Optional, Set, Text, Type

import aiohttp
import jsonschema
import numpy as np
import rasa.shared.utils.common
import ujson
from rasa.core.actions.action import RemoteAction
from rasa.core.actions.forms import FormAction
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.constants import DEFAULT_SENDER_ID, DOCS_BASE_URL
from rasa.shared.core.constants import REQUESTED_SLOT
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

_APPLIED = False


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


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
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


_original_run_graph = DaskGraphRunner.run
_original_applied_events = DialogueStateTracker.applied_events
_APPLIED_CACHE = "_applied_events_cache"


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


def _applied_events(self: DialogueStateTracker) -> List[Event]:
    """Point 6: Rasa's result, folding in only the events added since the last call."""
    events = self.events
    if getattr(events, "maxlen", None) is not None:  # a capped history drops its first events
        return _original_applied_events(self)
    cached = self.__dict__.get(_APPLIED_CACHE)
    if cached is not None:
        seen, loop_names, applied = cached
        if len(events) >= len(seen) and all(map(operator.is_, seen, events)):
            new = list(islice(events, len(seen), None))
            if _loop_names(new) <= loop_names:
                result = _fold(self, new, loop_names, list(applied))
                self.__dict__[_APPLIED_CACHE] = (tuple(events), loop_names, tuple(result))
                return result
    loop_names = _loop_names(events)
    result = _fold(self, events, loop_names, [])
    self.__dict__[_APPLIED_CACHE] = (tuple(events), loop_names, tuple(result))
    return result


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
    """Point 7: what `tracker.copy()` gives, without replaying the events. The copy shares
    nothing Rasa changes in place with the original; the events themselves are shared."""
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


_original_temporary_tracker = FormAction._temporary_tracker


def _temporary_tracker(self: FormAction, current_tracker: DialogueStateTracker,
                       additional_events: List[Event], domain: Any) -> DialogueStateTracker:
    """Point 7: Rasa's form validation tracker (the conversation since the last restart, then
    the form's own events) as a copy, when the copy is the same thing: no restart to cut at, the
    domain's slots, and none of the settings `from_events` would drop."""
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


def _compute(graph: Dict[Text, Any], key: Any, done: Dict[Any, Any]) -> Any:
    """A dask graph key's value as `dask.get` computes it: a task is a tuple whose first item is
    callable, called with its other items' values; a graph input is a plain tuple kept as it is;
    a list's items are computed; anything else that is not a key stands for itself."""
    if isinstance(key, list):
        return [_compute(graph, item, done) for item in key]
    if not isinstance(key, Hashable) or key not in graph:
        return key
    if key in done:
        return done[key]
    task = graph[key]
    if isinstance(task, tuple) and task and callable(task[0]):
        value = task[0](*(_compute(graph, arg, done) for arg in task[1:]))
    else:
        value = task
    done[key] = value
    return value


def _run_graph(self: DaskGraphRunner, inputs: Optional[Dict[Text, Any]] = None,
               targets: Optional[List[Text]] = None) -> Dict[Text, Any]:
    """Point 8: `DaskGraphRunner.run` without dask's scheduler."""
    run_targets = targets if targets else self._graph_schema.target_names
    run_graph = self._build_dask_graph(self._graph_schema.minimal_graph_schema(run_targets))
    if inputs:
        self._add_inputs_to_graph(inputs, run_graph)
    try:
        done: Dict[Any, Any] = {}
        return dict(_compute(run_graph, target, done) for target in run_targets)
    except RuntimeError as e:
        raise GraphRunError("Error running runner.") from e


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
    DialogueStateTracker.applied_events = _applied_events
    DialogueStateTracker.copy = copy_tracker
    FormAction._temporary_tracker = _temporary_tracker
    DaskGraphRunner.run = _run_graph
    _APPLIED = True
