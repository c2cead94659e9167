"""The tracker speed patches (bot/speedups/applied_events.py and tracker_copy.py, points 6 and 7) give
exactly what Rasa 3.6's own code gives, on random conversations: the same applied events, the same
copies, the same form validation trackers. The patches are on here, as in the server, and Rasa's
originals (kept by those modules) are the reference."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rasa.core.actions.forms import FormAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    DefinePrevUserUtteredFeaturization,
    EntitiesAdded,
    FollowupAction,
    LoopInterrupted,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from bot import speedups
from bot.speedups import applied_events, tracker_copy

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module", autouse=True)
def speedups_on():
    """The patches on for this module whichever pass of `make test` it is (with RASA_SPEEDUPS=0 too),
    and as they were afterwards."""
    was_on = speedups.active()
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv(speedups.SWITCH, raising=False)
        assert speedups.apply(), speedups.stock_reason()
    yield
    if not was_on:
        speedups.revert()

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [inform, affirm]
entities: [number]
slots:
  patient_age: {type: float, mappings: [{type: custom}]}
  language: {type: text, initial_value: en, mappings: [{type: custom}]}
forms:
  form_a: {required_slots: [patient_age]}
  form_b: {required_slots: [language]}
responses:
  utter_x: [{text: "x"}]
"""
)
ACTIONS = ["action_listen", "form_a", "form_b", "utter_x", "action_session_start", "validate_form_a"]
FORMS = ["form_a", "form_b"]

events = st.one_of(
    st.sampled_from(ACTIONS).map(ActionExecuted),
    st.sampled_from(["inform", "affirm"]).map(
        lambda intent: UserUttered("hi", {"name": intent, "confidence": 1.0}, [{"entity": "number", "value": 7}])
    ),
    st.tuples(st.sampled_from(["patient_age", "language", "requested_slot"]),
              st.one_of(st.none(), st.floats(0, 50), st.sampled_from(["en", "zh", "patient_age"]))).map(
        lambda kv: SlotSet(*kv)
    ),
    st.sampled_from(FORMS + [None]).map(ActiveLoop),
    st.booleans().map(LoopInterrupted),
    st.sampled_from(FORMS).map(ActionExecutionRejected),
    st.sampled_from([ActionReverted, UserUtteranceReverted, Restarted, SessionStarted, ConversationPaused,
                     ConversationResumed]).map(lambda cls: cls()),
    st.just("bot").map(lambda _: BotUttered("x", metadata={"utter_action": "utter_x"})),
    st.sampled_from(ACTIONS).map(FollowupAction),
    st.booleans().map(DefinePrevUserUtteredFeaturization),
    st.just("entities").map(lambda _: EntitiesAdded([{"entity": "number", "value": 8}])),
)
# forms run many times in a real screening: weight the sequences towards form turns
form_turns = st.sampled_from(FORMS).map(
    lambda form: [ActionExecuted("action_listen"), UserUttered("7", {"name": "inform", "confidence": 1.0}),
                  ActionExecuted(form), SlotSet("patient_age", 7.0)]
)
conversations = st.lists(st.one_of(events.map(lambda e: [e]), form_turns), max_size=40).map(
    lambda chunks: [e for chunk in chunks for e in chunk]
)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def rasas_copy(tracker: DialogueStateTracker) -> DialogueStateTracker:
    """Rasa 3.6's `DialogueStateTracker.copy`: a replay of every event onto a blank tracker."""
    return tracker.travel_back_in_time(float("inf"))


def state(tracker: DialogueStateTracker) -> Dict[str, Any]:
    """Everything a tracker holds, events by identity."""
    return {
        "events": [id(e) for e in tracker.events],
        "slots": {name: slot.value for name, slot in tracker.slots.items()},
        "slot_types": {name: type(slot) for name, slot in tracker.slots.items()},
        "active_loop": tracker.active_loop,
        "latest_action": tracker.latest_action,
        "followup_action": tracker.followup_action,
        "paused": tracker.is_paused(),
        "latest_message": same_object_or_value(tracker.latest_message, tracker.events),
        "latest_bot_utterance": tracker.latest_bot_utterance,
        "ids": (tracker.sender_id, tracker.sender_source, tracker.model_id, tracker.assistant_id),
        "settings": (tracker.is_rule_tracker, tracker._max_event_history, type(tracker.slots)),
        "dump": tracker.current_state(EventVerbosity.ALL),
    }


def same_object_or_value(message: Any, evts: Any) -> Any:
    """Which event the latest message is, or (a blank tracker's own empty message) what it says."""
    found = [i for i, e in enumerate(evts) if e is message]
    return ("event", found[-1]) if found else ("own", message.text, message.intent_name, message.entities)


def untimed(dump: Dict[str, Any]) -> Dict[str, Any]:
    """A tracker dump without clock times (the form's own new events are made a moment apart)."""
    dump = {k: v for k, v in dump.items() if k != "latest_event_time"}
    dump["events"] = [{k: v for k, v in e.items() if k != "timestamp"} for e in dump["events"]]
    return dump


def ids(evts: List[Any]) -> List[int]:
    return [id(e) for e in evts]


@SETTINGS
@given(conversations, st.lists(st.booleans(), min_size=40, max_size=40))
@example(  # a form that runs twice before it is first activated: earlier events count differently
    [ActionExecuted("form_b"), UserUttered("x"), ActionExecuted("form_b"), ActiveLoop("form_b")], [False] * 40
)
def test_applied_events_match_rasa_after_every_event_and_across_copies(evts, copy_after):
    """Asked after each new event, as Rasa does during a turn, and on copies made along the way
    (as the tracker store and Rasa's action runs make them)."""
    tracker = DialogueStateTracker("s", DOMAIN.slots)
    for i, event in enumerate(evts):
        tracker.update(event)
        assert ids(tracker.applied_events()) == ids(applied_events._original_applied_events(tracker))
        if copy_after[i % len(copy_after)]:
            tracker = tracker_copy.copy_tracker(tracker)
    assert ids(tracker.applied_events()) == ids(applied_events._original_applied_events(tracker))


@SETTINGS
@given(conversations)
def test_a_tracker_copy_is_what_rasas_replay_gives(evts):
    tracker = DialogueStateTracker.from_events("s", evts, DOMAIN.slots)
    tracker.model_id, tracker.assistant_id, tracker.sender_source = "model", "assistant", "file.yml"
    assert state(tracker.copy()) == state(rasas_copy(tracker))


@SETTINGS
@given(conversations, st.sampled_from(FORMS), st.lists(events, max_size=3))
def test_a_forms_validation_tracker_is_what_rasas_replay_gives(evts, form, extra):
    tracker = DialogueStateTracker.from_events("s", evts, DOMAIN.slots)
    action = FormAction(form, None)
    ours = action._temporary_tracker(tracker, list(extra), DOMAIN)
    rasas = tracker_copy._original_temporary_tracker(action, tracker, list(extra), DOMAIN)
    assert untimed(ours.current_state(EventVerbosity.ALL)) == untimed(rasas.current_state(EventVerbosity.ALL))
    ours_state, rasas_state = state(ours), state(rasas)
    for s in (ours_state, rasas_state):
        s.pop("events"), s.pop("dump"), s.pop("latest_message")
    assert ours_state == rasas_state


def test_a_copy_shares_nothing_rasa_changes_in_place():
    tracker = DialogueStateTracker.from_events("s", [
        ActionExecuted("action_listen"), UserUttered("7", {"name": "inform", "confidence": 1.0}),
        ActionExecuted("form_a"), ActiveLoop("form_a"), SlotSet("patient_age", 7.0),
    ], DOMAIN.slots)
    before = state(tracker)
    copy = tracker.copy()
    copy.update(SlotSet("patient_age", 9.0))
    copy.update(ActionExecutionRejected("form_a"))  # marks the active loop as rejected in place
    copy.update(LoopInterrupted(True))
    copy.latest_action["action_name"] = "changed"
    assert copy.get_slot("patient_age") == 9.0 and copy.active_loop.rejected
    assert state(tracker) == before


@pytest.mark.parametrize("slots", [None, DOMAIN.slots], ids=["any-slot tracker", "domain slots"])
def test_copies_of_a_tracker_without_a_domain_or_with_a_capped_history_match_too(slots):
    evts = [SlotSet("language", "zh"), ActionExecuted("action_listen")] * 5
    tracker = DialogueStateTracker.from_events("s", evts, slots, max_event_history=4)
    assert state(tracker.copy()) == state(rasas_copy(tracker))
    assert ids(tracker.applied_events()) == ids(applied_events._original_applied_events(tracker))


def test_slots_are_copied_as_copy_copy_copies_them_and_odd_classes_go_through_copy_copy():
    import copy as copy_module

    for slot in Domain.load(str(ROOT / "domain")).slots:  # every slot type the bot has
        ours, theirs = tracker_copy._plain_copy(slot), copy_module.copy(slot)
        assert type(ours) is type(theirs) and vars(ours) == vars(theirs) and ours is not slot

    class Custom:
        def __init__(self):
            self.copied = False

        def __copy__(self):
            other = Custom()
            other.copied = True
            return other

    class Slotted:
        __slots__ = ("x",)

        def __init__(self):
            self.x = 1

    assert tracker_copy._plain_copy(Custom()).copied
    assert tracker_copy._plain_copy(Slotted()).x == 1
