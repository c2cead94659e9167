"""The measurement itself: how `make nlu-report` judges what a person would notice, and that the
phrase banks it reads are well formed (both parts, three languages). Only the dev part's items are
ever shown; the held-out part is read here for its shape alone."""

from __future__ import annotations

import pytest

from tools.phrasebank import LANGUAGES, SPLITS, Item, load, matches
from tools.understanding_report import _state, judge


class FakeTracker:
    def __init__(self, slots):
        self.slots = slots

    def current_slot_values(self):
        return self.slots


def item(type_, question, expect=None, **kw):
    return Item("en", "dev", type_, question, "text", expect, kw.get("digression"), kw.get("emergency"))


def test_numbers_match_within_a_tolerance_and_lists_mean_any_of():
    assert matches(7.0, 7) and matches(0.92, [0.9167, "unsure"]) and matches("no", ["no", "unsure"])
    assert not matches(8.0, 7) and not matches("yes", "no") and not matches(None, "no")


def test_a_stored_right_value_is_understood_and_a_wrong_one_is_wrong():
    it = item("age", "patient_age", 7)
    assert judge(it, {}, FakeTracker({"patient_age": 7.0}), []).result == "understood"
    assert judge(it, {}, FakeTracker({"patient_age": 17.0}), []).result == "wrong"


def test_a_value_said_back_for_checking_counts_as_what_was_understood():
    it = item("tri", "organ_transplant", "yes")
    said_back = FakeTracker({"pending_answer": {"slot": "organ_transplant", "value": "yes"}, "requested_slot": "answer_check"})
    assert judge(it, {}, said_back, ["utter_ask_answer_check"]).result == "understood"
    wrong = FakeTracker({"pending_answer": {"slot": "organ_transplant", "value": "yes"}})
    assert judge(item("tri", "organ_transplant", "no"), {}, wrong, []).result == "wrong"


def test_the_same_question_again_is_re_asked_and_anything_else_derailed():
    it = item("tri", "had_car_t", "yes")
    assert judge(it, {}, FakeTracker({"requested_slot": "had_car_t"}), []).result == "reasked"
    assert judge(it, {}, FakeTracker({"requested_slot": "clarify"}), []).result == "reasked"
    assert judge(it, {}, FakeTracker({"requested_slot": "confirm_answer", "confirm_topic": "stop"}), []).result == "derailed"


def test_emergencies_and_false_alarms_are_judged_by_the_emergency_reply():
    assert judge(item("emergency", "ecog", emergency="breathing"), {}, FakeTracker({}), ["utter_emergency"]).result == "understood"
    assert judge(item("emergency", "ecog", emergency="breathing"), {}, FakeTracker({}), ["utter_ask_ecog"]).result == "derailed"
    alarm = judge(item("false_alarm", "ecog"), {}, FakeTracker({}), ["utter_emergency"])
    assert alarm.alarm and alarm.result == "derailed"


def test_free_text_is_judged_by_what_the_encrypted_draft_kept():
    it = item("free_text", "contact_name", "=Maria")
    assert judge(it, {}, FakeTracker({"contact_name": "given"}), [], {"name": "=Maria"}).result == "understood"
    phone = item("free_text", "contact_details", {"contact_phone": "+86 138 0013 8000"})
    assert judge(phone, {}, FakeTracker({}), [], {"phone": "+8613800138000"}).result == "understood"


def test_each_question_is_reached_with_the_answers_before_it_and_those_that_make_it_apply():
    form, slots = _state(item("tri", "pregnant_or_breastfeeding", "no"))
    assert form == "prescreen_form" and slots["sex"] == "female" and slots["patient_age"] >= 10
    form, slots = _state(item("tri", "guardian_can_consent", "yes"))
    assert slots["patient_age"] < 18 and slots["respondent"] != "guardian"
    form, slots = _state(item("free_text", "contact_time", "evenings"))
    assert form == "handoff_form" and slots["prescreen_outcome"] == "likely_eligible"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("split", SPLITS)
def test_every_phrase_bank_part_is_there_and_well_formed(lang, split):
    from bot.trial import TRIAL

    items = load(lang, split)
    own = {"contact_consent", "contact_name", "contact_details", "contact_time", "contact_message", "handoff_confirm"}
    assert len(items) >= 150
    for it in items:
        assert TRIAL.question(it.question) is not None or it.question in own
        assert it.text
        if it.type == "emergency":
            assert it.emergency
        if it.type == "digressions":
            assert it.digression


def test_a_phone_saved_with_its_country_code_is_the_number_typed():
    from tools.understanding_report import _same_phone

    assert _same_phone("+8613912345678", "139 1234 5678")
    assert not _same_phone("+8613912345679", "13912345678")
    assert not _same_phone("", "")


def test_the_fast_scorer_counts_an_alarm_on_an_answer_as_a_miss():
    from tools.phrasebank import judge_pure

    alarm = judge_pure(Item("en", "dev", "tri", "cns_involvement", "no, but he can't breathe right now", "no"))
    calm = judge_pure(Item("en", "dev", "tri", "cns_involvement", "no, it never reached his brain", "no"))
    assert alarm.alarm and not alarm.ok
    assert calm.ok and not calm.alarm
