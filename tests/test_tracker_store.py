"""The in-memory tracker store gives back exactly what Rasa's own in-memory store gives, a fresh
copy each time, and forgets a conversation on "delete my data"."""

from __future__ import annotations

import asyncio

import pytest
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionExecutionRejected,
    ActiveLoop,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from bot.tracker_store import DELETE_FLAG, ForgetfulTrackerStore

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [inform]
slots:
  patient_age: {type: float, mappings: [{type: custom}]}
  language: {type: text, mappings: [{type: custom}]}
  data_deleted: {type: bool, mappings: [{type: custom}]}
responses:
  utter_ask_patient_age: [{text: "How old?"}]
"""
)


def session(age_text: str, age: float, lang: str = "en") -> list:
    return [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        SlotSet("language", lang),
        ActionExecuted("action_listen"),
        UserUttered(age_text, {"name": "inform", "confidence": 0.9}, [{"entity": "number", "value": age}]),
        SlotSet("patient_age", age),
        BotUttered("Thanks", metadata={"utter_action": "utter_ask_patient_age"}),
        ActionExecuted("action_listen"),
    ]


def run(coro):
    return asyncio.new_event_loop().run_until_complete(coro)


@pytest.mark.parametrize("sessions", [1, 2, 3])
def test_reads_match_rasas_own_in_memory_store(sessions):
    events = [e for i in range(sessions) for e in session(f"{20 + i} years", 20.0 + i, ["en", "zh", "es"][i])]
    tracker = DialogueStateTracker.from_events("s1", events, DOMAIN.slots)
    ours, rasas = ForgetfulTrackerStore(DOMAIN), InMemoryTrackerStore(DOMAIN)
    run(ours.save(tracker))
    run(rasas.save(tracker))

    for read in ("retrieve", "retrieve_full_tracker"):
        got = run(getattr(ours, read)("s1"))
        want = run(getattr(rasas, read)("s1"))
        assert got.current_state(EventVerbosity.ALL) == want.current_state(EventVerbosity.ALL), read
        assert got.get_slot("patient_age") == 20.0 + sessions - 1
    # the last session only, unless all are asked for
    assert len(run(ours.retrieve("s1")).events) == len(session("x", 1))
    assert len(run(ours.retrieve_full_tracker("s1")).events) == len(events)


def test_each_read_is_a_fresh_copy_so_an_unsaved_turn_changes_nothing():
    store = ForgetfulTrackerStore(DOMAIN)
    run(store.save(DialogueStateTracker.from_events("s2", session("7", 7.0), DOMAIN.slots)))
    first = run(store.retrieve("s2"))
    first.update(SlotSet("patient_age", 99.0))
    assert run(store.retrieve("s2")).get_slot("patient_age") == 7.0
    assert run(store.retrieve("unknown")) is None


def test_a_conversation_inside_a_form_reads_back_as_rasas_store_gives_it_and_stays_apart():
    """Inside a form: the active loop and the latest action are Rasa's to change in place."""
    events = session("7", 7.0) + [ActionExecuted("prescreen_form"), ActiveLoop("prescreen_form"),
                                  SlotSet("requested_slot", "patient_age"), ActionExecuted("action_listen")]
    tracker = DialogueStateTracker.from_events("s4", events, DOMAIN.slots)
    ours, rasas = ForgetfulTrackerStore(DOMAIN), InMemoryTrackerStore(DOMAIN)
    run(ours.save(tracker))
    run(rasas.save(tracker))
    got, want = run(ours.retrieve("s4")), run(rasas.retrieve("s4"))
    assert got.current_state(EventVerbosity.ALL) == want.current_state(EventVerbosity.ALL)
    assert got.active_loop == want.active_loop and got.active_loop.name == "prescreen_form"

    got.update(ActionExecutionRejected("prescreen_form"))  # Rasa marks the loop rejected in place
    got.latest_action["action_name"] = "changed"
    again = run(ours.retrieve("s4"))
    assert not again.active_loop.rejected
    assert again.latest_action == want.latest_action


def test_conversations_beyond_the_live_ones_are_packed_and_read_back_the_same():
    """With room for two live conversations, the least recently used of three is pickled; it
    reads back as Rasa's own store gives it, comes back to life when saved, and can be deleted."""
    ours, rasas = ForgetfulTrackerStore(DOMAIN, live_conversations=2), InMemoryTrackerStore(DOMAIN)
    for i, sender in enumerate(["a", "b", "c"]):
        tracker = DialogueStateTracker.from_events(sender, session(str(10 + i), 10.0 + i), DOMAIN.slots)
        run(ours.save(tracker))
        run(rasas.save(tracker))
    assert list(ours.live) == ["b", "c"] and list(ours.store) == ["a"]
    assert sorted(run(ours.keys())) == ["a", "b", "c"]
    for sender in ["a", "b", "c"]:
        got, want = run(ours.retrieve(sender)), run(rasas.retrieve(sender))
        assert got.current_state(EventVerbosity.ALL) == want.current_state(EventVerbosity.ALL)

    packed = run(ours.retrieve("a"))
    packed.update(SlotSet("patient_age", 99.0))  # an unsaved change to a packed conversation
    assert run(ours.retrieve("a")).get_slot("patient_age") == 10.0
    run(ours.save(packed))  # "a" is live again, "b" is now the least recently used
    assert list(ours.live) == ["c", "a"] and list(ours.store) == ["b"]
    assert run(ours.retrieve("a")).get_slot("patient_age") == 99.0

    run(ours.delete("b"))
    run(ours.delete("a"))
    assert sorted(run(ours.keys())) == ["c"] and run(ours.retrieve("b")) is None


def test_delete_flag_forgets_the_whole_conversation():
    store = ForgetfulTrackerStore(DOMAIN)
    tracker = DialogueStateTracker.from_events("s3", session("7", 7.0), DOMAIN.slots)
    run(store.save(tracker))
    assert "s3" in run(store.keys())
    tracker.update(SlotSet(DELETE_FLAG, True))
    run(store.save(tracker))
    assert run(store.retrieve("s3")) is None
    assert run(store.retrieve_full_tracker("s3")) is None
