"""Whole English conversations through the trained model and the real action server."""

from __future__ import annotations

import pytest

from tests.support.profiles import ELIGIBLE_ADULT_EN, PARENT_OF_SEVEN_EN
from tests.support.profiles_i18n import answer, answer_until_done, outcome

pytestmark = pytest.mark.conversation


def run_profile(c, answers, default="no"):
    """Greet, then answer whatever is asked until the form ends; returns the slots asked."""
    c.say("hi")
    return answer_until_done(c, answers, default)


def test_opening_says_what_this_is_and_that_the_trial_is_not_recruiting(chat):
    c = chat()
    reply = c.texts("hello")
    assert "not yet recruiting" in reply
    assert "not medical advice" in reply
    assert c.requested_slot == "prescreen_consent"


def test_eligible_adult_is_likely_eligible_and_told_honestly(chat):
    c = chat()
    asked = run_profile(c, ELIGIBLE_ADULT_EN)
    assert outcome(c) == ("likely_eligible", [], [])
    assert c.slot("patient_age") == 31.0
    assert c.slot("car_t_loss_months") == 4.0
    assert c.slot("ecog") == 1.0
    assert "pregnant_or_breastfeeding" not in asked  # male
    assert "guardian_can_consent" not in asked  # adult
    last = "\n".join(c.transcript[-4:])
    assert "not enrolled" in last or "does not mean" in last
    assert "not yet recruiting" in last


def test_parent_of_a_seven_year_old_hears_your_child_and_skips_what_does_not_apply(chat):
    c = chat()
    c.say("hi")
    c.say(PARENT_OF_SEVEN_EN["prescreen_consent"])
    reply = c.texts(PARENT_OF_SEVEN_EN["respondent"])
    assert "your child" in reply
    asked = ["prescreen_consent", "respondent"] + run_profile_from_here(c, PARENT_OF_SEVEN_EN)
    assert c.slot("respondent") == "guardian"
    assert c.slot("patient_age") == 7.0
    assert {"sex", "pregnant_or_breastfeeding", "guardian_can_consent"}.isdisjoint(asked)
    assert outcome(c) == ("likely_eligible", [], [])


def run_profile_from_here(c, answers, default="no"):
    return answer_until_done(c, answers, default)


@pytest.mark.parametrize("age_text,expected_age", [("10 months", 10 / 12), ("45", 45.0)])
def test_too_young_or_too_old_stops_at_the_age_with_I3(chat, age_text, expected_age):
    c = chat()
    asked = run_profile(c, {**ELIGIBLE_ADULT_EN, "patient_age": age_text})
    assert asked == ["prescreen_consent", "respondent", "patient_age"]
    assert c.slot("patient_age") == pytest.approx(expected_age, abs=1e-3)
    assert outcome(c) == ("not_eligible", ["I3"], [])
    result = "\n".join(c.transcript[-4:])
    assert "aged 1 to 39" in result
    assert "doctor" in result  # what to do next


def test_relapse_since_car_t_is_not_eligible_by_I2(chat):
    c = chat()
    run_profile(c, {**ELIGIBLE_ADULT_EN, "relapse_since_car_t": "yes unfortunately it came back"})
    assert outcome(c) == ("not_eligible", ["I2"], [])


def test_car_t_loss_after_eight_months_is_not_eligible_by_I2(chat):
    c = chat()
    asked = run_profile(c, {**ELIGIBLE_ADULT_EN, "car_t_loss_months": "8 months after"})
    assert c.slot("car_t_loss_months") == 8.0
    assert asked[-1] == "car_t_loss_months"
    assert outcome(c) == ("not_eligible", ["I2"], [])


def test_two_unsure_exclusions_need_review_and_name_the_documents(chat):
    c = chat()
    run_profile(c, {**ELIGIBLE_ADULT_EN, "kidney_problem": "I don't know", "csf_blasts_high": "not sure"})
    assert outcome(c) == ("needs_review", [], ["E7", "E12"])
    last_user = max(i for i, line in enumerate(c.transcript) if line.startswith("USER:"))
    result = "\n".join(c.transcript[last_user:])
    assert "creatinine" in result and "lumbar puncture" in result
    assert "next couple of months" in result  # I6: the study doctor confirms life expectancy
    assert c.requested_slot == "contact_consent"  # the hand-off is offered


def test_what_does_that_mean_mid_form_explains_and_asks_again(chat):
    c = chat()
    c.say("hi")
    answer(c, ELIGIBLE_ADULT_EN, ["prescreen_consent", "respondent", "patient_age", "b_all_diagnosis", "relapsed_or_refractory"])
    assert c.requested_slot == "had_car_t"
    reply = c.texts("what does that mean?")
    assert "immune cells" in reply  # the CAR-T explanation
    assert "CAR-T cell therapy?" in reply  # then the same question again
    assert c.requested_slot == "had_car_t"
    assert c.slot("had_car_t") is None
    reply = c.texts("why do you ask?")
    assert "I2" in reply
    c.say("yes")
    assert c.slot("had_car_t") == "yes"


def test_correcting_an_answer_re_evaluates_the_result(chat):
    c = chat()
    run_profile(c, {**ELIGIBLE_ADULT_EN, "patient_age": "45"})
    assert outcome(c) == ("not_eligible", ["I3"], [])
    c.say("I want to change an answer")
    c.say('/change_answer{"topic": "patient_age"}')
    assert c.requested_slot == "patient_age"
    c.say("31")
    run_profile_from_here(c, ELIGIBLE_ADULT_EN)
    assert outcome(c) == ("likely_eligible", [], [])


def test_correction_in_one_message_mid_form(chat):
    c = chat()
    c.say("hi")
    answer(c, PARENT_OF_SEVEN_EN, ["prescreen_consent", "respondent", "patient_age"])
    assert c.slot("patient_age") == 7.0
    reply = c.texts("sorry, actually he is 8")
    assert c.slot("patient_age") == 8.0
    assert "updated your answer for “Age”" in reply, reply
    assert c.requested_slot == "b_all_diagnosis"


def test_emergency_mid_form_comes_first_and_loses_nothing(chat):
    c = chat()
    c.say("hi")
    answer(c, ELIGIBLE_ADULT_EN, ["prescreen_consent", "respondent", "patient_age"])
    replies = c.say("help, my son can't breathe")
    assert "120" in replies[0]["text"]
    assert c.requested_slot == "b_all_diagnosis"
    assert c.slot("patient_age") == 31.0


def test_start_over_clears_answers(chat):
    c = chat()
    c.say("hi")
    answer(c, ELIGIBLE_ADULT_EN, ["prescreen_consent", "respondent", "patient_age"])
    c.say("start over")
    assert c.requested_slot == "confirm_answer"  # clearing answers is confirmed first
    c.say("yes")
    assert c.slot("patient_age") is None
    assert c.requested_slot == "respondent"


def test_declining_consent_ends_politely_and_stores_nothing(chat):
    c = chat()
    c.say("hi")
    reply = c.texts("no thank you")
    assert "Nothing has been stored" in reply
    assert c.slot("respondent") is None and c.slot("prescreen_outcome") is None


def test_trial_question_mid_form_is_answered_from_the_trial_text(chat):
    c = chat()
    c.say("hi")
    c.say("yes")
    reply = c.texts("where is the trial?")
    assert "Beijing GoBroad Hospital" in reply
    assert c.requested_slot == "respondent"
    reply = c.texts("how much does it cost?")
    assert "coordinator" in reply


def test_a_bone_marrow_transplant_is_not_taken_as_an_organ_transplant(chat):
    c = chat()
    c.say("hi")
    while c.requested_slot != "organ_transplant":
        c.say(ELIGIBLE_ADULT_EN.get(c.requested_slot, "no"))
    reply = c.texts("yes, a bone marrow transplant")
    assert "doesn't count as an organ transplant" in reply  # read as "no" to E14, and said why
    assert c.slot("organ_transplant") == "no"
    run_profile_from_here(c, ELIGIBLE_ADULT_EN)
    assert c.slot("prescreen_outcome") == "likely_eligible"


def test_a_bare_number_in_a_correction_is_not_taken_as_the_age(chat):
    c = chat()
    c.say("hi")
    answer(c, ELIGIBLE_ADULT_EN, ["prescreen_consent", "respondent", "patient_age"])
    reply = c.texts("I want to change my answer to 3")
    assert c.slot("patient_age") == 31.0
    assert "Which answer" in reply
