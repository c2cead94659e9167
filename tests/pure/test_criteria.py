"""Boundary and property tests for the trial's pure eligibility rules (``bot/trial``).

Every expectation here comes from the study team's data dictionary
(``/work/shared/trial/data-dictionary.md``): slot names, answer types, the pass rules of I1-I7,
the exclusions E1-E16, which questions are asked when, and the three outcomes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.trial import TRIAL

evaluate, is_applicable, packet = TRIAL.evaluate, TRIAL.is_applicable, TRIAL.packet
next_slot, remaining_slots = TRIAL.next_question, TRIAL.remaining
QUESTION_ORDER = TRIAL.slots
MET = ("pass", "not_applicable", "confirmed_by_study_doctor")  # what counts as met for the outcome

YES, NO, UNSURE = "yes", "no", "unsure"
TRI = (YES, NO, UNSURE)

# The exclusion table of the data dictionary, written out here rather than read from the module,
# so that a renamed slot breaks a test.
EXCLUSIONS: dict[str, str] = {
    "E1": "bendamustine_9_months",
    "E2": "brain_pressure_or_consciousness",
    "E3": "heart_failure_or_arrhythmia",
    "E4": "respiratory_failure",
    "E5": "other_cancer",
    "E6": "dic",
    "E7": "kidney_problem",
    "E8": "uncontrolled_infection",
    "E9": "uncontrolled_diabetes",
    "E10": "severe_mental_disorder",
    "E11": "brain_lesions",
    "E12": "csf_blasts_high",
    "E13": "blood_blasts_high",
    "E14": "organ_transplant",
    "E16": "active_infectious_disease",
}
ALL_IDS = [f"I{n}" for n in range(1, 8)] + [f"E{n}" for n in range(1, 17)]
CAR_T_FOLLOW_UPS = ("car_t_activity_lost", "car_t_loss_months", "relapse_since_car_t")


# --- helpers ----------------------------------------------------------------------------------------


def eligible_adult() -> dict[str, Any]:
    """A 30-year-old male patient answering for himself who passes every criterion."""
    return {
        "prescreen_consent": YES,
        "respondent": "patient",
        "patient_age": 30.0,
        "b_all_diagnosis": YES,
        "relapsed_or_refractory": YES,
        "had_car_t": YES,
        "car_t_activity_lost": YES,
        "car_t_loss_months": 3.0,
        "relapse_since_car_t": NO,
        "severe_allergies": NO,
        "ecog": 1,
        **{slot: NO for slot in EXCLUSIONS.values()},
        "sex": "male",
    }


def with_(**changes: Any) -> dict[str, Any]:
    """``eligible_adult()`` with some answers changed; a value of ``None`` means "not asked yet"."""
    answers = eligible_adult()
    answers.update(changes)
    return {k: v for k, v in answers.items() if v is not None}


def eligible_child(age: float = 7.0, **changes: Any) -> dict[str, Any]:
    """A child whose parent is answering, passing everything."""
    return with_(**{"respondent": "guardian", "patient_age": age, **changes})


def eligible_woman(**changes: Any) -> dict[str, Any]:
    return with_(**{"sex": "female", "pregnant_or_breastfeeding": NO, **changes})


def upto(answers: dict[str, Any], slot: str) -> dict[str, Any]:
    """Only the answers to the questions asked before ``slot`` (in the question order)."""
    order = QUESTION_ORDER
    earlier = set(order[: order.index(slot)])
    return {k: v for k, v in answers.items() if k in earlier}


def verdict(cid: str, answers: dict[str, Any]) -> str:
    return TRIAL.criterion(cid).rule(answers)


def walk(answers: dict[str, Any], answer_for: Callable[[str], Any]) -> list[str]:
    """Follow ``next_slot`` from ``answers``, answering each question with ``answer_for``."""
    answers = dict(answers)
    asked: list[str] = []
    for _ in range(len(QUESTION_ORDER) + 1):
        slot = next_slot(answers)
        if slot is None:
            return asked
        asked.append(slot)
        answers[slot] = answer_for(slot)
    raise AssertionError(f"next_slot did not terminate: {asked}")


def eligible_answer(slot: str, base: dict[str, Any] | None = None) -> Any:
    base = base if base is not None else eligible_woman()
    return base.get(slot, YES)


def assert_outcome(answers: dict[str, Any], outcome: str | None, failed=(), unknown=()) -> None:
    result = evaluate(answers)
    assert result.prescreen_outcome == outcome
    assert result.failed_criteria == list(failed)
    assert result.unknown_criteria == list(unknown)


# --- the baseline -------------------------------------------------------------------------------------


def test_eligible_adult_is_likely_eligible_with_empty_lists():
    assert_outcome(eligible_adult(), "likely_eligible")
    assert next_slot(eligible_adult()) is None
    assert remaining_slots(eligible_adult()) == []


def test_eligible_woman_and_eligible_child_are_likely_eligible():
    assert_outcome(eligible_woman(), "likely_eligible")
    assert_outcome(eligible_child(), "likely_eligible")
    assert next_slot(eligible_woman()) is None
    assert next_slot(eligible_child()) is None


def test_two_unsure_exclusions_need_review_with_both_ids():
    answers = with_(heart_failure_or_arrhythmia=UNSURE, uncontrolled_diabetes=UNSURE)
    assert_outcome(answers, "needs_review", unknown=["E3", "E9"])
    assert next_slot(answers) is None


def test_definite_failure_wins_over_unsure_answers():
    answers = with_(bendamustine_9_months=UNSURE, brain_pressure_or_consciousness=YES)
    result = evaluate(answers)
    assert result.prescreen_outcome == "not_eligible"
    assert result.failed_criteria == ["E2"]
    assert "E1" in result.unknown_criteria


# --- I3 age -----------------------------------------------------------------------------------------

AGE_CASES = [
    (0.99, "fail"),
    (11 / 12, "fail"),  # 11 months old
    (0.5, "fail"),
    (1, "pass"),
    (1.0, "pass"),
    (17.9, "pass"),
    (18, "pass"),
    (39, "pass"),
    (39.9, "pass"),
    (39 + 11 / 12, "pass"),  # 39 years 11 months
    (40, "fail"),
    (40.0, "fail"),
    (45, "fail"),
    (UNSURE, "unknown"),
]


@pytest.mark.parametrize("age, expected", AGE_CASES)
def test_i3_age_boundaries(age, expected):
    assert verdict("I3", {"patient_age": age}) == expected


@pytest.mark.parametrize("age, expected", AGE_CASES)
def test_i3_age_outcome_with_a_guardian_answering(age, expected):
    # A parent answering makes I7 pass at any age, so I3 alone decides.
    answers = eligible_child(age)
    if expected == "fail":
        assert_outcome(answers, "not_eligible", failed=["I3"])
    elif expected == "unknown":
        assert_outcome(answers, "needs_review", unknown=["I3"])
    else:
        assert_outcome(answers, "likely_eligible")


def test_i3_pending_until_age_is_answered():
    assert verdict("I3", {}) == "pending"
    assert next_slot(with_(patient_age=None)) == "patient_age"


@pytest.mark.parametrize("age", [0.99, 11 / 12, 40, 45, 80])
def test_out_of_range_age_stops_right_after_the_age_question(age):
    answers = {"prescreen_consent": YES, "respondent": "patient", "patient_age": age}
    assert next_slot(answers) is None
    assert remaining_slots(answers) == []
    assert_outcome(answers, "not_eligible", failed=["I3"])


def test_age_45_ends_the_walk_after_three_questions():
    asked = walk({}, lambda slot: {"prescreen_consent": YES, "respondent": "patient", "patient_age": 45}[slot])
    assert asked == ["prescreen_consent", "respondent", "patient_age"]


# --- I1 diagnosis -----------------------------------------------------------------------------------


@pytest.mark.parametrize("diagnosis", TRI)
@pytest.mark.parametrize("relapsed", TRI)
def test_i1_both_yes_pass_any_no_fails_otherwise_unknown(diagnosis, relapsed):
    answers = with_(b_all_diagnosis=diagnosis, relapsed_or_refractory=relapsed)
    if NO in (diagnosis, relapsed):
        assert verdict("I1", answers) == "fail"
        assert_outcome(answers, "not_eligible", failed=["I1"])
    elif UNSURE in (diagnosis, relapsed):
        assert verdict("I1", answers) == "unknown"
        assert_outcome(answers, "needs_review", unknown=["I1"])
    else:
        assert verdict("I1", answers) == "pass"
        assert_outcome(answers, "likely_eligible")


def test_i1_no_diagnosis_stops_before_relapsed_question():
    answers = upto(eligible_adult(), "relapsed_or_refractory")
    answers["b_all_diagnosis"] = NO
    assert next_slot(answers) is None
    assert_outcome(answers, "not_eligible", failed=["I1"])


def test_i1_unsure_diagnosis_still_asks_relapsed():
    answers = upto(eligible_adult(), "relapsed_or_refractory")
    answers["b_all_diagnosis"] = UNSURE
    assert next_slot(answers) == "relapsed_or_refractory"
    assert evaluate(answers).prescreen_outcome is None


# --- I2 CAR-T -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "months, expected",
    [
        (0.5, "pass"),
        (1, "pass"),
        (5.9, "pass"),
        (6, "pass"),
        (6.0, "pass"),
        (6.1, "fail"),
        (6.01, "fail"),
        (7, "fail"),
        (8, "fail"),
        (24, "fail"),
        (UNSURE, "unknown"),
    ],
)
def test_i2_loss_within_6_months(months, expected):
    answers = with_(car_t_loss_months=months)
    assert verdict("I2", answers) == expected
    if expected == "fail":
        assert_outcome(answers, "not_eligible", failed=["I2"])
    elif expected == "unknown":
        assert_outcome(answers, "needs_review", unknown=["I2"])
    else:
        assert_outcome(answers, "likely_eligible")


@pytest.mark.parametrize(
    "changes, expected",
    [
        ({"had_car_t": NO}, "fail"),
        ({"car_t_activity_lost": NO}, "fail"),
        ({"relapse_since_car_t": YES}, "fail"),
        ({"had_car_t": UNSURE}, "unknown"),
        ({"car_t_activity_lost": UNSURE}, "unknown"),
        ({"relapse_since_car_t": UNSURE}, "unknown"),
        ({"car_t_loss_months": UNSURE}, "unknown"),
        # a definite failure in one sub-answer is not hidden by an unsure one
        ({"car_t_activity_lost": UNSURE, "relapse_since_car_t": YES}, "fail"),
        ({"car_t_loss_months": UNSURE, "relapse_since_car_t": YES}, "fail"),
        ({"car_t_loss_months": 8, "relapse_since_car_t": UNSURE}, "fail"),
    ],
)
def test_i2_sub_answers(changes, expected):
    answers = with_(**changes)
    assert verdict("I2", answers) == expected
    if expected == "fail":
        assert_outcome(answers, "not_eligible", failed=["I2"])
        assert next_slot(answers) is None
    else:
        assert_outcome(answers, "needs_review", unknown=["I2"])


@pytest.mark.parametrize("had", [NO, UNSURE])
def test_i2_follow_ups_not_asked_without_a_definite_car_t(had):
    answers = upto(eligible_adult(), "had_car_t")
    answers["had_car_t"] = had
    for slot in CAR_T_FOLLOW_UPS:
        assert not is_applicable(slot, answers)
    assert next_slot(answers) not in CAR_T_FOLLOW_UPS
    assert not set(CAR_T_FOLLOW_UPS) & set(remaining_slots(answers))
    asked = walk(answers, eligible_answer)
    assert not set(CAR_T_FOLLOW_UPS) & set(asked)


def test_i2_no_car_t_stops_right_after_the_question():
    answers = upto(eligible_adult(), "had_car_t")
    answers["had_car_t"] = NO
    assert next_slot(answers) is None
    assert_outcome(answers, "not_eligible", failed=["I2"])


def test_i2_unsure_car_t_goes_on_to_the_remaining_questions():
    answers = upto(eligible_adult(), "had_car_t")
    answers["had_car_t"] = UNSURE
    assert next_slot(answers) == "severe_allergies"


def test_i2_follow_ups_asked_in_order_after_yes():
    answers = upto(eligible_adult(), "had_car_t")
    answers["had_car_t"] = YES
    assert next_slot(answers) == "car_t_activity_lost"
    answers["car_t_activity_lost"] = YES
    assert next_slot(answers) == "car_t_loss_months"
    answers["car_t_loss_months"] = 2.0
    assert next_slot(answers) == "relapse_since_car_t"
    assert verdict("I2", answers) == "pending"
    answers["relapse_since_car_t"] = NO
    assert verdict("I2", answers) == "pass"


@pytest.mark.parametrize("lost", [NO, UNSURE])
def test_i2_months_not_asked_unless_activity_was_lost(lost):
    answers = upto(eligible_adult(), "car_t_activity_lost")
    answers["car_t_activity_lost"] = lost
    assert not is_applicable("car_t_loss_months", answers)
    assert next_slot(answers) != "car_t_loss_months"


def test_i2_activity_lost_unsure_still_asks_about_relapse():
    answers = upto(eligible_adult(), "car_t_activity_lost")
    answers["car_t_activity_lost"] = UNSURE
    assert next_slot(answers) == "relapse_since_car_t"


def test_i2_months_over_6_stops_before_relapse_question():
    answers = upto(eligible_adult(), "car_t_loss_months")
    answers["car_t_loss_months"] = 8
    assert next_slot(answers) is None
    assert_outcome(answers, "not_eligible", failed=["I2"])


# --- I4, I5 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("answer, expected", [(YES, "fail"), (NO, "pass"), (UNSURE, "unknown")])
def test_i4_severe_allergies(answer, expected):
    answers = with_(severe_allergies=answer)
    assert verdict("I4", answers) == expected
    outcome = {"fail": "not_eligible", "pass": "likely_eligible", "unknown": "needs_review"}[expected]
    assert evaluate(answers).prescreen_outcome == outcome
    assert ("I4" in evaluate(answers).failed_criteria) == (expected == "fail")
    assert ("I4" in evaluate(answers).unknown_criteria) == (expected == "unknown")


@pytest.mark.parametrize(
    "ecog, expected",
    [(0, "pass"), (1, "pass"), (2, "pass"), (2.0, "pass"), (3, "fail"), (4, "fail"), (UNSURE, "unknown")],
)
def test_i5_ecog(ecog, expected):
    answers = with_(ecog=ecog)
    assert verdict("I5", answers) == expected
    if expected == "fail":
        assert_outcome(answers, "not_eligible", failed=["I5"])
    elif expected == "unknown":
        assert_outcome(answers, "needs_review", unknown=["I5"])
    else:
        assert_outcome(answers, "likely_eligible")


def test_i5_ecog_3_stops_before_the_exclusions():
    answers = upto(eligible_adult(), "ecog")
    answers["ecog"] = 3
    assert next_slot(answers) is None
    assert_outcome(answers, "not_eligible", failed=["I5"])


# --- I7 consent ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("age", [18, 18.0, 25, 39, 39.9])
def test_i7_adult_patient_consents_alone_and_is_not_asked_about_a_guardian(age):
    answers = with_(patient_age=age)
    assert not is_applicable("guardian_can_consent", answers)
    assert verdict("I7", answers) == "pass"
    assert_outcome(answers, "likely_eligible")
    asked = walk(upto(answers, "patient_age") | {"patient_age": age}, eligible_answer)
    assert "guardian_can_consent" not in asked


@pytest.mark.parametrize("answer, expected", [(YES, "pass"), (NO, "fail"), (UNSURE, "unknown")])
@pytest.mark.parametrize("respondent", ["patient", "other"])
def test_i7_minor_not_answered_by_guardian_is_asked_about_guardian(answer, expected, respondent):
    before = with_(patient_age=17.9, respondent=respondent)
    assert is_applicable("guardian_can_consent", before)
    assert next_slot(before) == "guardian_can_consent"
    assert evaluate(before).prescreen_outcome is None
    answers = {**before, "guardian_can_consent": answer}
    assert verdict("I7", answers) == expected
    if expected == "fail":
        assert_outcome(answers, "not_eligible", failed=["I7"])
        assert next_slot(answers) is None
    elif expected == "unknown":
        assert_outcome(answers, "needs_review", unknown=["I7"])
    else:
        assert_outcome(answers, "likely_eligible")


def test_i7_guardian_question_comes_after_the_car_t_questions():
    answers = upto(with_(patient_age=17.9), "guardian_can_consent")
    assert next_slot(answers) == "guardian_can_consent"
    assert remaining_slots(answers)[0] == "guardian_can_consent"


@pytest.mark.parametrize("age", [1, 7, 12, 17.9, UNSURE])
def test_i7_guardian_answering_passes_without_the_question(age):
    answers = eligible_child(age)
    assert not is_applicable("guardian_can_consent", answers)
    assert verdict("I7", answers) == "pass"
    assert "guardian_can_consent" not in walk(upto(answers, "b_all_diagnosis"), eligible_answer)


def test_i7_other_respondent_for_12_year_old_is_asked():
    answers = with_(respondent="other", patient_age=12)
    assert is_applicable("guardian_can_consent", answers)
    assert next_slot(answers) == "guardian_can_consent"
    assert "guardian_can_consent" in walk(upto(answers, "b_all_diagnosis"), eligible_answer)


@pytest.mark.parametrize("respondent, asked", [("patient", True), ("other", True), ("guardian", False)])
def test_i7_unknown_age_asks_about_guardian_unless_guardian_answers(respondent, asked):
    answers = with_(respondent=respondent, patient_age=UNSURE)
    assert is_applicable("guardian_can_consent", answers) is asked
    assert (next_slot(answers) == "guardian_can_consent") is asked


def test_i7_pending_until_age_and_respondent_known():
    assert verdict("I7", {"respondent": "patient"}) == "pending"
    assert verdict("I7", {"patient_age": 30}) == "pending"


def test_i7_stale_guardian_answer_does_not_count_for_an_adult():
    # A 17-year-old's "no" to the guardian question, then the age is corrected to 18.
    minor = with_(patient_age=17, guardian_can_consent=NO)
    assert_outcome(minor, "not_eligible", failed=["I7"])
    corrected = {**minor, "patient_age": 18}
    assert_outcome(corrected, "likely_eligible")


# --- exclusions -------------------------------------------------------------------------------------


def _exclusion_answers(cid: str, slot: str, answer: str) -> dict[str, Any]:
    if cid == "E15":
        return eligible_woman(pregnant_or_breastfeeding=answer)
    return with_(**{slot: answer})


ALL_EXCLUSIONS = sorted({**EXCLUSIONS, "E15": "pregnant_or_breastfeeding"}.items(), key=lambda kv: int(kv[0][1:]))


def test_exclusion_slot_names_match_the_data_dictionary():
    exclusions = {c.id: c.slots[0] for c in TRIAL.criteria if c.kind == "exclusion" and c.id != "E15"}
    assert exclusions == EXCLUSIONS
    assert TRIAL.criterion("E15").slots == ("sex", "pregnant_or_breastfeeding")
    assert [cid for cid, _ in ALL_EXCLUSIONS] == [f"E{n}" for n in range(1, 17)]


@pytest.mark.parametrize("cid, slot", ALL_EXCLUSIONS)
def test_exclusion_yes_is_not_eligible(cid, slot):
    answers = _exclusion_answers(cid, slot, YES)
    assert verdict(cid, answers) == "fail"
    assert_outcome(answers, "not_eligible", failed=[cid])
    assert next_slot(answers) is None


@pytest.mark.parametrize("cid, slot", ALL_EXCLUSIONS)
def test_exclusion_no_passes(cid, slot):
    answers = _exclusion_answers(cid, slot, NO)
    assert verdict(cid, answers) == "pass"
    assert_outcome(answers, "likely_eligible")


@pytest.mark.parametrize("cid, slot", ALL_EXCLUSIONS)
def test_exclusion_unsure_needs_review(cid, slot):
    answers = _exclusion_answers(cid, slot, UNSURE)
    assert verdict(cid, answers) == "unknown"
    assert_outcome(answers, "needs_review", unknown=[cid])


@pytest.mark.parametrize("cid, slot", ALL_EXCLUSIONS)
def test_exclusion_yes_stops_the_questions_immediately(cid, slot):
    base = eligible_woman()
    answers = upto(base, slot)
    assert next_slot(answers) == slot
    answers[slot] = YES
    assert next_slot(answers) is None
    assert remaining_slots(answers) == []
    assert_outcome(answers, "not_eligible", failed=[cid])


@pytest.mark.parametrize("cid, slot", ALL_EXCLUSIONS)
def test_exclusion_pending_until_answered(cid, slot):
    answers = eligible_woman(**{slot: None})
    assert verdict(cid, answers) == "pending"
    assert next_slot(answers) == slot
    assert evaluate(answers).prescreen_outcome is None


# --- E15 pregnancy ------------------------------------------------------------------------------------


@pytest.mark.parametrize("age", [10, 10.0, 14, 18, 39.9])
def test_e15_female_10_and_over_is_asked_about_pregnancy(age):
    answers = with_(patient_age=age, respondent="guardian", sex="female")
    assert is_applicable("sex", answers)
    assert is_applicable("pregnant_or_breastfeeding", answers)
    assert next_slot(answers) == "pregnant_or_breastfeeding"
    assert_outcome({**answers, "pregnant_or_breastfeeding": YES}, "not_eligible", failed=["E15"])
    assert_outcome({**answers, "pregnant_or_breastfeeding": NO}, "likely_eligible")
    assert_outcome({**answers, "pregnant_or_breastfeeding": UNSURE}, "needs_review", unknown=["E15"])


@pytest.mark.parametrize("age", [1, 5, 9, 9.9, 9 + 11 / 12])
def test_e15_under_10_is_asked_neither_sex_nor_pregnancy(age):
    answers = eligible_child(age, sex=None)
    assert not is_applicable("sex", answers)
    assert not is_applicable("pregnant_or_breastfeeding", {**answers, "sex": "female"})
    assert verdict("E15", answers) == "not_applicable"
    assert next_slot(answers) is None
    assert_outcome(answers, "likely_eligible")
    asked = walk(upto(answers, "b_all_diagnosis"), lambda s: eligible_answer(s, eligible_woman()))
    assert "sex" not in asked and "pregnant_or_breastfeeding" not in asked


def test_e15_stale_pregnancy_answer_for_under_10_does_not_count():
    # Age corrected from 12 to 9.9 after a (mistaken) "yes": the question no longer applies.
    answers = eligible_child(12, sex="female", pregnant_or_breastfeeding=YES)
    assert_outcome(answers, "not_eligible", failed=["E15"])
    assert_outcome({**answers, "patient_age": 9.9}, "likely_eligible")


@pytest.mark.parametrize("sex", ["male", "other"])
@pytest.mark.parametrize("age", [10, 18, 30, UNSURE])
def test_e15_non_female_is_never_asked_about_pregnancy(sex, age):
    answers = with_(sex=sex, patient_age=age, respondent="guardian")
    assert not is_applicable("pregnant_or_breastfeeding", answers)
    assert verdict("E15", answers) == "not_applicable"
    assert verdict("E15", {**answers, "pregnant_or_breastfeeding": YES}) == "not_applicable"
    assert "pregnant_or_breastfeeding" not in walk(upto(answers, "sex"), lambda s: eligible_answer(s, answers))


def test_e15_sex_asked_just_before_pregnancy_and_e16_last():
    answers = upto(eligible_woman(), "sex")
    assert next_slot(answers) == "sex"
    answers["sex"] = "female"
    assert next_slot(answers) == "pregnant_or_breastfeeding"
    answers["pregnant_or_breastfeeding"] = NO
    assert next_slot(answers) == "active_infectious_disease"


def test_e15_unknown_age_asks_sex_conservatively():
    answers = eligible_child(UNSURE, sex=None)
    assert next_slot(answers) == "sex"
    answers["sex"] = "female"
    assert next_slot(answers) == "pregnant_or_breastfeeding"


# --- next_slot: order, consent, stopping ---------------------------------------------------------------


def test_full_question_order_for_an_adult_woman():
    asked = walk({}, eligible_answer)
    assert asked == [
        "prescreen_consent",
        "respondent",
        "patient_age",
        "b_all_diagnosis",
        "relapsed_or_refractory",
        "had_car_t",
        "car_t_activity_lost",
        "car_t_loss_months",
        "relapse_since_car_t",
        "severe_allergies",
        "ecog",
        *[EXCLUSIONS[f"E{n}"] for n in range(1, 15)],
        "sex",
        "pregnant_or_breastfeeding",
        "active_infectious_disease",
    ]


def test_question_order_for_a_teenager_answering_alone_includes_guardian_question():
    teen = eligible_woman(patient_age=16, guardian_can_consent=YES)
    asked = walk({}, lambda s: teen.get(s, YES))
    assert asked.index("relapse_since_car_t") + 1 == asked.index("guardian_can_consent")
    assert asked.index("guardian_can_consent") + 1 == asked.index("severe_allergies")
    assert_outcome(teen, "likely_eligible")


def test_remaining_slots_starts_with_next_slot():
    answers = {"prescreen_consent": YES, "respondent": "patient", "patient_age": 30}
    remaining = remaining_slots(answers)
    assert remaining[0] == next_slot(answers) == "b_all_diagnosis"
    assert "guardian_can_consent" not in remaining
    assert "pregnant_or_breastfeeding" not in remaining  # sex not known yet


def test_first_two_questions_are_consent_then_respondent():
    assert next_slot({}) == "prescreen_consent"
    assert next_slot({"prescreen_consent": YES}) == "respondent"
    assert next_slot({"prescreen_consent": YES, "respondent": "guardian"}) == "patient_age"


@pytest.mark.parametrize("consent", [NO, UNSURE])
def test_no_or_unsure_consent_ends_without_an_outcome(consent):
    assert next_slot({"prescreen_consent": consent}) is None
    assert remaining_slots({"prescreen_consent": consent}) == []
    assert_outcome({"prescreen_consent": consent}, None)
    # even with answers left over from before, nothing is judged
    answers = with_(prescreen_consent=consent, patient_age=45)
    assert next_slot(answers) is None
    assert_outcome(answers, None)


def test_no_outcome_before_consent_or_respondent():
    assert_outcome({}, None)
    assert_outcome({"prescreen_consent": YES}, None)
    assert_outcome(with_(respondent=None), None)
    assert next_slot(with_(respondent=None)) == "respondent"


@pytest.mark.parametrize(
    "slot, answer, cid",
    [
        ("patient_age", 45, "I3"),
        ("b_all_diagnosis", NO, "I1"),
        ("relapsed_or_refractory", NO, "I1"),
        ("had_car_t", NO, "I2"),
        ("car_t_activity_lost", NO, "I2"),
        ("car_t_loss_months", 6.1, "I2"),
        ("relapse_since_car_t", YES, "I2"),
        ("severe_allergies", YES, "I4"),
        ("ecog", 4, "I5"),
    ],
)
def test_stops_at_the_first_definite_failure(slot, answer, cid):
    answers = upto(eligible_adult(), slot)
    assert next_slot(answers) == slot
    answers[slot] = answer
    assert next_slot(answers) is None
    assert_outcome(answers, "not_eligible", failed=[cid])


def test_i6_is_never_asked_and_always_left_to_the_study_doctor():
    assert TRIAL.criterion("I6").slots == ()
    assert not TRIAL.criterion("I6").asked
    assert all(TRIAL.criterion_of(slot) != "I6" for slot in QUESTION_ORDER)
    assert not any("life" in slot or "expectancy" in slot for slot in QUESTION_ORDER)
    for answers in (eligible_adult(), with_(ecog=UNSURE), with_(ecog=4), {}):
        result = evaluate(answers)
        assert "I6" not in result.failed_criteria
        assert "I6" not in result.unknown_criteria
        assert result.verdicts["I6"] == "confirmed_by_study_doctor"


# --- corrections ------------------------------------------------------------------------------------------


def test_correction_re_evaluates():
    answers = with_(heart_failure_or_arrhythmia=YES)
    assert_outcome(answers, "not_eligible", failed=["E3"])
    answers["heart_failure_or_arrhythmia"] = NO
    assert_outcome(answers, "likely_eligible")
    answers["patient_age"] = 45
    assert_outcome(answers, "not_eligible", failed=["I3"])
    answers["patient_age"] = UNSURE  # a "don't know" on correction: guardian question now applies
    assert next_slot(answers) == "guardian_can_consent"
    answers["guardian_can_consent"] = YES
    assert_outcome(answers, "needs_review", unknown=["I3"])


def test_correction_can_leave_several_failures_and_all_are_listed():
    # A correction after the walk can make more than one criterion fail at once.
    answers = with_(patient_age=45, heart_failure_or_arrhythmia=YES, dic=UNSURE)
    assert next_slot(answers) is None
    assert_outcome(answers, "not_eligible", failed=["I3", "E3"], unknown=["E6"])


def test_correction_with_stale_car_t_months_does_not_count():
    answers = with_(car_t_loss_months=8)
    assert_outcome(answers, "not_eligible", failed=["I2"])
    answers["car_t_activity_lost"] = UNSURE  # the 8 months is now an inapplicable leftover
    assert not is_applicable("car_t_loss_months", answers)
    assert next_slot(answers) is None
    assert_outcome(answers, "needs_review", unknown=["I2"])
    answers["car_t_activity_lost"] = YES  # back to yes: the 8 months applies again
    assert_outcome(answers, "not_eligible", failed=["I2"])


def test_correction_of_had_car_t_to_unsure_ignores_stale_follow_ups():
    answers = with_(car_t_activity_lost=NO, relapse_since_car_t=YES, car_t_loss_months=12)
    assert_outcome(answers, "not_eligible", failed=["I2"])
    answers["had_car_t"] = UNSURE
    assert_outcome(answers, "needs_review", unknown=["I2"])


def test_correction_clearing_an_answer_asks_it_again():
    answers = with_(ecog=None)
    assert next_slot(answers) == "ecog"
    assert evaluate(answers).prescreen_outcome is None


# --- packet --------------------------------------------------------------------------------------------

PACKET_CASES = [
    eligible_adult(),
    eligible_woman(),
    eligible_child(),
    with_(heart_failure_or_arrhythmia=UNSURE, uncontrolled_diabetes=UNSURE),
    with_(car_t_activity_lost=UNSURE, car_t_loss_months=8),
    with_(patient_age=UNSURE, respondent="other", guardian_can_consent=UNSURE, ecog=UNSURE),
    with_(patient_age=45),
    eligible_woman(pregnant_or_breastfeeding=YES, dic=UNSURE),
    {"prescreen_consent": YES, "respondent": "patient"},
    {},
]


@pytest.mark.parametrize("answers", PACKET_CASES)
def test_packet_lists_every_criterion_once_with_matching_verdicts(answers):
    rows = packet(answers)
    assert [row["id"] for row in rows] == ALL_IDS
    result = evaluate(answers)
    for row in rows:
        assert row["criterion"]
        if row["id"] == "I6":
            assert row["verdict"] == "confirmed_by_study_doctor"
            continue
        assert row["verdict"] == result.verdicts[row["id"]]
        if row["verdict"] == "unknown":
            assert row["documents"]
        else:
            assert "documents" not in row
    if answers.get("prescreen_consent") == YES:
        assert [r["id"] for r in rows if r["verdict"] == "fail"] == sorted(
            result.failed_criteria, key=ALL_IDS.index
        )
        assert [r["id"] for r in rows if r["verdict"] == "unknown"] == sorted(
            result.unknown_criteria, key=ALL_IDS.index
        )


def test_packet_unknown_rows_say_which_documents_help():
    answers = with_(heart_failure_or_arrhythmia=UNSURE, uncontrolled_diabetes=UNSURE)
    by_id = {row["id"]: row for row in packet(answers)}
    assert "heart" in by_id["E3"]["documents"].lower()
    assert "HbA1c" in by_id["E9"]["documents"]
    assert by_id["E3"]["answers"] == {"heart_failure_or_arrhythmia": UNSURE}


def test_packet_leaves_out_a_stale_car_t_months_answer():
    answers = with_(car_t_activity_lost=UNSURE, car_t_loss_months=8)
    i2 = next(row for row in packet(answers) if row["id"] == "I2")
    assert "car_t_loss_months" not in i2["answers"]
    assert i2["answers"]["car_t_activity_lost"] == UNSURE
    assert i2["verdict"] == "unknown"


# --- properties -----------------------------------------------------------------------------------------

numbers_of_years = st.one_of(
    st.sampled_from([0.5, 0.99, 11 / 12, 1, 1.0, 9.9, 10, 17.9, 18, 39, 39.9, 39 + 11 / 12, 40, 45]),
    st.floats(min_value=0, max_value=120, allow_nan=False, allow_infinity=False),
    st.integers(min_value=0, max_value=120),
)
VALUES: dict[str, st.SearchStrategy] = {
    slot: st.sampled_from(TRI)
    for slot in QUESTION_ORDER
    if slot not in {"respondent", "patient_age", "car_t_loss_months", "ecog", "sex"}
}
VALUES.update(
    respondent=st.sampled_from(["patient", "guardian", "other"]),
    patient_age=st.one_of(numbers_of_years, st.just(UNSURE)),
    car_t_loss_months=st.one_of(
        st.sampled_from([0.5, 6, 6.0, 6.1, 8]),
        st.floats(min_value=0, max_value=240, allow_nan=False, allow_infinity=False),
        st.just(UNSURE),
    ),
    ecog=st.one_of(st.integers(min_value=0, max_value=4), st.sampled_from([2.0, 3.0]), st.just(UNSURE)),
    sex=st.sampled_from(["female", "male", "other"]),
)
answer_dicts = st.fixed_dictionaries({}, optional=VALUES)
PROPERTY_SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def test_value_strategies_cover_every_question():
    assert set(VALUES) == set(QUESTION_ORDER)


@PROPERTY_SETTINGS
@given(answer_dicts)
def test_property_evaluate_is_consistent(answers):
    result = evaluate(answers)  # never raises
    rows = packet(answers)
    assert [row["id"] for row in rows] == ALL_IDS
    assert set(result.verdicts) == set(ALL_IDS)
    assert "I6" not in result.failed_criteria + result.unknown_criteria
    assert (len(result.failed_criteria) > 0) == (result.prescreen_outcome == "not_eligible")
    assert (result.prescreen_outcome == "needs_review") == (
        result.prescreen_outcome is not None and not result.failed_criteria and bool(result.unknown_criteria)
    )
    if result.prescreen_outcome == "likely_eligible":
        assert result.unknown_criteria == []
        assert all(v in MET for v in result.verdicts.values())
    slot = next_slot(answers)
    if slot is not None:
        assert answers.get(slot) is None
        assert is_applicable(slot, answers)
        assert remaining_slots(answers)[0] == slot
    else:
        assert remaining_slots(answers) == []
    if answers.get("prescreen_consent") != YES:
        assert result.prescreen_outcome is None
        assert result.failed_criteria == [] and result.unknown_criteria == []
    elif answers.get("respondent") is not None:
        assert (result.prescreen_outcome is None) == (slot is not None)


@PROPERTY_SETTINGS
@given(st.data())
def test_property_following_next_slot_terminates_with_an_outcome(data):
    answers: dict[str, Any] = {}
    for _ in range(len(QUESTION_ORDER)):
        slot = next_slot(answers)
        if slot is None:
            break
        assert slot not in answers
        assert is_applicable(slot, answers)
        answers[slot] = data.draw(VALUES[slot], label=slot)
    assert next_slot(answers) is None, "did not finish within len(QUESTION_ORDER) questions"
    result = evaluate(answers)
    if answers["prescreen_consent"] == YES:
        assert result.prescreen_outcome in {"likely_eligible", "not_eligible", "needs_review"}
        # stopped at the first definite failure: only the last answer can have caused it
        if result.prescreen_outcome == "not_eligible":
            last = list(answers)[-1]
            without_last = {k: v for k, v in answers.items() if k != last}
            assert evaluate(without_last).failed_criteria == []
    else:
        assert result.prescreen_outcome is None
        assert list(answers) == ["prescreen_consent"]


@pytest.mark.parametrize("start", [{"prescreen_consent": YES},
                                   {"prescreen_consent": YES, "respondent": "guardian", "patient_age": 9.0},
                                   {"prescreen_consent": YES, "patient_age": 30.0, "sex": "female"}])
def test_passing_answers_are_a_whole_screening_that_qualifies(start):
    answers = TRIAL.passing_answers(start)
    assert {k: answers[k] for k in start} == start
    assert remaining_slots(answers) == []
    assert evaluate(answers).prescreen_outcome == "likely_eligible"


def test_a_slot_left_empty_counts_as_a_question_still_to_come():
    # Trackers give every slot, unanswered ones as None: the count must not change with them.
    given = {"prescreen_consent": YES, "respondent": "patient", "patient_age": 20.0}
    empty = {slot: None for slot in QUESTION_ORDER if slot not in given}
    assert TRIAL.progress({**given, **empty}) == TRIAL.progress(given)
