"""Form validation with trackers built inline from events, in the style of rasa-sdk's own
tests/pure/test_forms.py: what a person types becomes a stored answer, or the question is asked again."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
from rasa_sdk.executor import CollectingDispatcher

from actions.forms import ValidatePrescreenForm

# What the action server receives: endpoints.yml enables selective domain, so no domain at all.
DOMAIN: Dict[str, Any] = {}
ADULT = {"prescreen_consent": "yes", "respondent": "patient"}


def tracker_for(
    requested: str,
    raw_text: str,
    *,
    entities: Optional[List[Dict[str, Any]]] = None,
    intent: str = "inform",
    slots: Optional[Dict[str, Any]] = None,
    language: str = "en",
) -> Tracker:
    """The tracker the action server receives right after Rasa filled `requested` from text."""
    known = {**(slots or {}), "requested_slot": requested, "language": language, requested: raw_text}
    latest = {"text": raw_text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities or []}
    events = [
        ActionExecuted("action_listen"),
        UserUttered(raw_text, parse_data=latest),
        ActionExecuted("prescreen_form"),
        SlotSet(requested, raw_text),
    ]
    return Tracker(
        "test-sender", known, latest, events, False, None,
        {"name": "prescreen_form", "validate": True, "rejected": False}, "action_listen",
    )


def ent(name: str, value: Any) -> Dict[str, Any]:
    return {"entity": name, "value": value, "start": 0, "end": 1, "extractor": "AnswerExtractor"}


async def run_form(tracker: Tracker):
    dispatcher = CollectingDispatcher()
    events = await ValidatePrescreenForm().run(dispatcher, tracker, DOMAIN)
    sets = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    return sets, [m.get("response") for m in dispatcher.messages]


async def test_age_in_words_is_stored_in_years_and_the_next_question_is_the_diagnosis():
    sets, said = await run_form(tracker_for("patient_age", "he's seven", entities=[ent("number", 7.0)], slots=ADULT))
    assert sets["patient_age"] == 7.0
    assert sets["requested_slot"] == "b_all_diagnosis"
    assert said == []


async def test_age_in_months_is_converted_to_years():
    sets, _ = await run_form(tracker_for("patient_age", "18 months", entities=[ent("duration_months", 18.0)], slots=ADULT))
    assert sets["patient_age"] == 1.5


@pytest.mark.parametrize("value", [200, -3, 121])
async def test_out_of_range_age_is_asked_again_not_stored(value):
    sets, said = await run_form(tracker_for("patient_age", str(value), entities=[ent("number", float(value))], slots=ADULT))
    assert sets["patient_age"] is None
    assert sets["requested_slot"] == "patient_age"
    assert said == ["utter_not_understood_age"]


async def test_a_typed_age_too_young_is_said_back_before_it_ends_anything():
    sets, _ = await run_form(tracker_for("patient_age", "10 months", entities=[ent("duration_months", 10.0)], slots=ADULT))
    assert sets["patient_age"] is None
    assert sets["pending_answer"]["value"] == pytest.approx(10 / 12, abs=1e-3)
    assert "10 months old" in sets["check_statement"]
    assert sets["requested_slot"] == "answer_check"


async def test_yes_to_the_check_keeps_the_age_and_ends_the_form():
    pending = {"slot": "patient_age", "value": 10 / 12}
    sets, _ = await run_form(tracker_for("answer_check", "yes", slots={**ADULT, "pending_answer": pending}))
    assert sets["patient_age"] == pytest.approx(10 / 12)
    assert sets["requested_slot"] is None


async def test_no_to_the_check_asks_the_age_again():
    pending = {"slot": "patient_age", "value": 10 / 12}
    sets, said = await run_form(tracker_for("answer_check", "no", slots={**ADULT, "pending_answer": pending}))
    assert sets.get("patient_age") is None and sets["pending_answer"] is None
    assert sets["requested_slot"] == "patient_age"
    assert said == ["utter_check_try_again"]


async def test_unsure_age_is_a_real_answer():
    sets, _ = await run_form(
        tracker_for("patient_age", "not sure", entities=[ent("tri", "unsure")], intent="dont_know", slots=ADULT)
    )
    assert sets["patient_age"] == "unsure"
    assert sets["requested_slot"] == "b_all_diagnosis"


async def test_nonsense_answer_to_yes_no_question_is_asked_again():
    slots = {**ADULT, "patient_age": 30.0}
    sets, said = await run_form(tracker_for("b_all_diagnosis", "banana", slots=slots))
    assert sets["b_all_diagnosis"] is None
    assert sets["requested_slot"] == "b_all_diagnosis"
    assert said == ["utter_not_understood_tri"]


@pytest.mark.parametrize(
    "payload,stored",
    [('/affirm{"tri": "yes", "q": "b_all_diagnosis"}', "yes"), ('/deny{"tri": "no", "q": "b_all_diagnosis"}', "no"),
     ('/dont_know{"tri": "unsure", "q": "b_all_diagnosis"}', "unsure")],
)
async def test_yes_no_unsure_from_a_button(payload, stored):
    slots = {**ADULT, "patient_age": 30.0}
    sets, _ = await run_form(tracker_for("b_all_diagnosis", payload, slots=slots))
    assert sets["b_all_diagnosis"] == stored


async def test_a_button_of_an_earlier_question_answers_nothing():
    slots = {**ADULT, "patient_age": 30.0}
    sets, said = await run_form(tracker_for("b_all_diagnosis", '/affirm{"tri": "yes", "q": "prescreen_consent"}', slots=slots))
    assert sets["b_all_diagnosis"] is None
    assert said == ["utter_stale_button"]


async def test_yes_from_intent_when_no_entity_was_parsed():
    slots = {**ADULT, "patient_age": 30.0}
    sets, _ = await run_form(tracker_for("b_all_diagnosis", "absolutely", intent="affirm", slots=slots))
    assert sets["b_all_diagnosis"] == "yes"


async def test_definite_failure_from_a_button_stops_the_form():
    slots = {**ADULT, "patient_age": 30.0, "b_all_diagnosis": "yes", "relapsed_or_refractory": "yes", "had_car_t": "yes"}
    sets, _ = await run_form(tracker_for("car_t_activity_lost", '/deny{"tri": "no", "q": "car_t_activity_lost"}', slots=slots))
    assert sets["car_t_activity_lost"] == "no"
    assert sets["requested_slot"] is None


async def test_a_typed_definite_failure_is_checked_first():
    slots = {**ADULT, "patient_age": 30.0, "b_all_diagnosis": "yes", "relapsed_or_refractory": "yes", "had_car_t": "yes"}
    sets, _ = await run_form(tracker_for("car_t_activity_lost", "nope", intent="deny", slots=slots))
    assert sets["car_t_activity_lost"] is None
    assert sets["requested_slot"] == "answer_check"


async def test_car_t_months_from_bare_number_and_boundary():
    slots = {**ADULT, "patient_age": 30.0, "b_all_diagnosis": "yes", "relapsed_or_refractory": "yes",
             "had_car_t": "yes", "car_t_activity_lost": "yes"}
    sets, _ = await run_form(tracker_for("car_t_loss_months", "6", entities=[ent("number", 6.0)], slots=slots))
    assert sets["car_t_loss_months"] == 6.0
    assert sets["requested_slot"] == "relapse_since_car_t"
    sets, _ = await run_form(tracker_for("car_t_loss_months", "6.1", entities=[ent("number", 6.1)], slots=slots))
    assert sets["requested_slot"] == "answer_check"  # over 6 months: said back before it counts
    assert sets["pending_answer"] == {"slot": "car_t_loss_months", "value": 6.1}


async def test_respondent_guardian_sets_how_chinese_questions_refer_to_the_patient():
    sets, _ = await run_form(
        tracker_for("respondent", "我是孩子妈妈", entities=[ent("respondent_kind", "guardian")],
                    slots={"prescreen_consent": "yes"}, language="zh")
    )
    assert sets["respondent"] == "guardian"
    assert sets["patient_ref"] == "您的孩子"
    assert sets["requested_slot"] == "patient_age"


async def test_typed_payload_cannot_store_an_invalid_choice():
    sets, said = await run_form(
        tracker_for("respondent", '/inform{"respondent_kind": "admin"}', entities=[ent("respondent_kind", "admin")],
                    slots={"prescreen_consent": "yes"})
    )
    assert sets["respondent"] is None
    assert said == ["utter_not_understood_choice"]


async def test_ecog_from_button_payload_and_never_from_a_bare_number():
    slots = {**ADULT, "patient_age": 30.0, "b_all_diagnosis": "yes", "relapsed_or_refractory": "yes",
             "had_car_t": "yes", "car_t_activity_lost": "yes", "car_t_loss_months": 3.0,
             "relapse_since_car_t": "no", "severe_allergies": "no"}
    sets, _ = await run_form(tracker_for("ecog", '/inform{"ecog_level": 1}', entities=[ent("ecog_level", 1)], slots=slots))
    assert sets["ecog"] == 1.0
    sets, said = await run_form(tracker_for("ecog", "2", entities=[ent("number", 2.0)], slots=slots))
    assert sets["ecog"] is None and said == ["utter_not_understood_choice"]


async def test_consent_no_ends_the_form_without_more_questions():
    sets, _ = await run_form(tracker_for("prescreen_consent", "no thanks", entities=[ent("tri", "no")], intent="deny"))
    assert sets["prescreen_consent"] == "no"
    assert sets["requested_slot"] is None


async def test_teen_answering_alone_is_asked_about_a_guardian():
    slots = {**ADULT, "patient_age": 16.0, "b_all_diagnosis": "yes", "relapsed_or_refractory": "yes", "had_car_t": "yes",
             "car_t_activity_lost": "yes", "car_t_loss_months": 2.0}
    sets, _ = await run_form(tracker_for("relapse_since_car_t", "no", entities=[ent("tri", "no")], intent="deny", slots=slots))
    assert sets["requested_slot"] == "guardian_can_consent"


async def test_prefilled_answers_are_kept_when_the_form_is_reopened():
    """After a correction the form re-validates stored answers: they must survive unchanged."""
    slots = {**ADULT, "patient_age": 30.0, "b_all_diagnosis": "yes"}
    tracker = Tracker(
        "s", {**slots, "requested_slot": None}, {"text": "", "intent": {"name": "change_answer"}, "entities": []},
        [ActionExecuted("prescreen_form"), *[SlotSet(k, v) for k, v in slots.items()]], False, None,
        {"name": "prescreen_form"}, "prescreen_form",
    )
    dispatcher = CollectingDispatcher()
    events = await ValidatePrescreenForm().run(dispatcher, tracker, DOMAIN)
    sets = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert sets.get("patient_age", 30.0) == 30.0
    assert sets["requested_slot"] == "relapsed_or_refractory"
    assert ActiveLoop(None) not in events


async def test_emergency_wording_comes_first_and_the_answer_still_counts():
    slots = {**ADULT, "patient_age": 30.0}
    sets, said = await run_form(
        tracker_for("b_all_diagnosis", "yes, but he can't breathe", entities=[ent("tri", "yes")],
                    intent="emergency", slots=slots)
    )
    assert said[0] == "utter_emergency"
    assert sets["b_all_diagnosis"] == "yes"


async def test_a_pure_emergency_gets_no_did_not_understand_after_it():
    slots = {**ADULT, "patient_age": 30.0}
    sets, said = await run_form(tracker_for("b_all_diagnosis", "she is having a seizure", intent="emergency", slots=slots))
    assert said == ["utter_emergency"]
    assert sets["b_all_diagnosis"] is None and sets["requested_slot"] == "b_all_diagnosis"


# --- checks about the conversation itself: never a loop, never an end without a yes -----------

ASKED_SO_FAR = {**ADULT, "patient_age": 24.0, "b_all_diagnosis": "yes"}


@pytest.mark.parametrize("topic, kept", [("stop", "utter_kept_stop"), ("delete", "utter_kept_delete"),
                                         ("restart", "utter_kept_restart")])
async def test_a_second_unreadable_reply_to_are_you_sure_keeps_everything_and_goes_on(topic, kept):
    slots = {**ASKED_SO_FAR, "confirm_topic": topic, "reask_count": 1.0}
    sets, said = await run_form(tracker_for("confirm_answer", "hmm ok whatever", slots=slots))
    assert said == [kept]
    assert sets["confirm_topic"] is None
    assert sets["requested_slot"] == "relapsed_or_refractory"  # the screening's own next question
    assert "paused" not in sets and "b_all_diagnosis" not in sets  # nothing stopped, nothing cleared


async def test_the_first_unreadable_reply_to_are_you_sure_says_what_is_needed_and_asks_again():
    slots = {**ASKED_SO_FAR, "confirm_topic": "stop"}
    sets, said = await run_form(tracker_for("confirm_answer", "hmm ok whatever", slots=slots))
    assert sets["requested_slot"] == "confirm_answer" and sets["reask_count"] == 1.0
    assert said and said[0].startswith("utter_not_understood")


async def test_a_conversation_left_clarifying_a_check_is_not_stuck():
    # Saved by an earlier release: "Please tap yes or no" was open for the stop question after it
    # had been answered, and a tap there broke the form (no validate_confirm_answer).
    slots = {**ASKED_SO_FAR, "clarify_for": "confirm_answer", "reask_count": 2.0}
    sets, said = await run_form(tracker_for("clarify", '/deny{"tri": "no", "q": "confirm_answer"}', intent="deny",
                                            entities=[ent("tri", "no")], slots=slots))
    assert sets["clarify_for"] is None
    assert sets["requested_slot"] == "relapsed_or_refractory"
    assert said == ["utter_kept_stop"]


async def test_a_second_unreadable_reply_to_a_held_answer_asks_the_question_again():
    slots = {**ADULT, "pending_answer": {"slot": "patient_age", "value": 45.0},
             "check_statement": "you are 45", "reask_count": 1.0}
    sets, said = await run_form(tracker_for("answer_check", "hmm ok whatever", slots=slots))
    assert said == ["utter_check_try_again"]
    assert sets["pending_answer"] is None and sets.get("patient_age") is None
    assert sets["requested_slot"] == "patient_age"


@pytest.mark.parametrize("text, language", [("继续", "zh"), ("算了，还是继续吧", "zh"), ("carry on", "en"),
                                            ("ok lets continue", "en"), ("sigamos", "es"), ("seguir", "es")])
async def test_carry_on_typed_at_do_you_want_to_stop_keeps_going(text, language):
    slots = {**ASKED_SO_FAR, "confirm_topic": "stop"}
    sets, said = await run_form(tracker_for("confirm_answer", text, slots=slots, language=language))
    assert said == ["utter_kept_stop"]
    assert "paused" not in sets and sets["requested_slot"] == "relapsed_or_refractory"


async def test_not_wanting_to_continue_at_do_you_want_to_stop_stops():
    slots = {**ASKED_SO_FAR, "confirm_topic": "stop"}
    sets, said = await run_form(tracker_for("confirm_answer", "不想继续了", slots=slots, language="zh"))
    assert sets.get("paused") is True
