"""Whole Spanish conversations through the trained model and the real action server.

The counterpart of tests/test_conversations_en.py: the web page sends metadata.language = "es"
with every message (``chat("es")``), people answer in ordinary Spanish, and every reply must be
Spanish.
"""

from __future__ import annotations

import pytest
from profiles_i18n import (
    ELIGIBLE_ADULT_ES,
    PARENT_OF_SEVEN_ES,
    answer,
    answer_until_done,
    assert_in_language,
    assert_transcript_in_language,
    bot_lines,
    outcome,
    run_profile,
)

pytestmark = pytest.mark.conversation
LANG = "es"


def replies_to(c, text):
    return [m.get("text") or "" for m in c.say(text)]


def test_opening_is_spanish_says_not_recruiting_and_not_medical_advice(chat):
    c = chat(LANG)
    reply = c.texts("hola")
    assert "aún no está reclutando" in reply
    assert "no es un consejo médico" in reply
    assert c.requested_slot == "prescreen_consent"
    assert c.slot("language") == "es"
    assert_transcript_in_language(c, LANG)


def test_eligible_adult_is_likely_eligible_and_told_honestly(chat):
    c = chat(LANG)
    asked = run_profile(c, LANG, ELIGIBLE_ADULT_ES)
    assert outcome(c) == ("likely_eligible", [], [])
    assert c.slot("respondent") == "patient"
    assert c.slot("patient_age") == 31.0
    assert c.slot("car_t_loss_months") == 4.0
    assert c.slot("ecog") == 1.0
    assert c.slot("sex") == "male"
    assert "pregnant_or_breastfeeding" not in asked  # male
    assert "guardian_can_consent" not in asked  # adult
    last = "\n".join(bot_lines(c, last=4))
    assert "no significa que el paciente esté inscrito" in last
    assert "aún no está reclutando" in last
    assert_transcript_in_language(c, LANG)


def test_parent_of_a_seven_year_old_hears_su_hijo_o_hija_and_skips_what_does_not_apply(chat):
    c = chat(LANG)
    c.say("hola")
    answer(c, PARENT_OF_SEVEN_ES, ["prescreen_consent"])
    reply = c.texts(PARENT_OF_SEVEN_ES["respondent"])
    assert "su hijo o hija" in reply  # ¿Qué edad tiene su hijo o hija?
    asked = ["prescreen_consent", "respondent"] + answer_until_done(c, PARENT_OF_SEVEN_ES, "no")
    assert c.slot("respondent") == "guardian"
    assert c.slot("patient_age") == 7.0
    assert c.slot("car_t_loss_months") == 3.0
    assert c.slot("ecog") == 0.0
    assert {"sex", "pregnant_or_breastfeeding", "guardian_can_consent"}.isdisjoint(asked)
    assert outcome(c) == ("likely_eligible", [], [])
    questions = "\n".join(bot_lines(c)).lower()
    assert questions.count("su hijo o hija") >= 5
    assert_transcript_in_language(c, LANG)


@pytest.mark.parametrize(
    "age_text,expected_age",
    [("diez meses", 10 / 12), ("cuarenta y cinco años", 45.0)],
)
def test_too_young_or_too_old_stops_at_the_age_with_I3(chat, age_text, expected_age):
    c = chat(LANG)
    asked = run_profile(c, LANG, {**ELIGIBLE_ADULT_ES, "patient_age": age_text})
    assert asked == ["prescreen_consent", "respondent", "patient_age"]
    assert c.slot("patient_age") == pytest.approx(expected_age, abs=1e-3)
    assert outcome(c) == ("not_eligible", ["I3"], [])
    result = "\n".join(bot_lines(c, last=4))
    assert "de 1 a 39 años" in result
    assert "médico" in result  # what to do next
    assert_transcript_in_language(c, LANG)


@pytest.mark.parametrize("age_text,expected_age", [("un año y medio", 1.5), ("tiene doce años y medio", 12.5)])
def test_half_years_are_understood(chat, age_text, expected_age):
    c = chat(LANG)
    c.say("hola")
    answer(c, PARENT_OF_SEVEN_ES, ["prescreen_consent", "respondent"])
    c.say(age_text)
    assert c.slot("patient_age") == pytest.approx(expected_age)
    assert c.requested_slot == "b_all_diagnosis"


def test_car_t_loss_after_eight_months_is_not_eligible_by_I2(chat):
    c = chat(LANG)
    asked = run_profile(c, LANG, {**ELIGIBLE_ADULT_ES, "car_t_loss_months": "ocho meses después"})
    assert c.slot("car_t_loss_months") == 8.0
    assert asked[-1] == "car_t_loss_months"
    assert outcome(c) == ("not_eligible", ["I2"], [])
    assert "en los 6 meses siguientes" in "\n".join(bot_lines(c, last=4))
    assert_transcript_in_language(c, LANG)


def test_two_unsure_exclusions_need_review_and_name_the_documents(chat):
    c = chat(LANG)
    run_profile(c, LANG, {**ELIGIBLE_ADULT_ES, "kidney_problem": "no sé", "csf_blasts_high": "no estoy seguro"})
    assert c.slot("kidney_problem") == "unsure"
    assert c.slot("csf_blasts_high") == "unsure"
    assert outcome(c) == ("needs_review", [], ["E7", "E12"])
    result = "\n".join(bot_lines(c, last=6))
    assert "creatinina" in result and "punción lumbar" in result
    assert_transcript_in_language(c, LANG)


def test_what_does_that_mean_mid_form_explains_and_asks_again(chat):
    c = chat(LANG)
    c.say("hola")
    answer(c, ELIGIBLE_ADULT_ES, ["prescreen_consent", "respondent", "patient_age", "b_all_diagnosis",
                                  "relapsed_or_refractory"])
    assert c.requested_slot == "had_car_t"
    replies = replies_to(c, "¿qué significa eso?")
    assert "sistema inmunitario" in replies[0]  # the CAR-T explanation, in Spanish
    assert "¿Ha recibido usted terapia de células CAR-T?" in replies[-1]  # the same question again
    assert c.requested_slot == "had_car_t"
    assert c.slot("had_car_t") is None
    reply = c.texts("¿y por qué me lo pregunta?")
    assert "I2" in reply and "6 meses" in reply
    assert c.requested_slot == "had_car_t"
    c.say("sí")
    assert c.slot("had_car_t") == "yes"
    assert_transcript_in_language(c, LANG)


def test_correcting_an_answer_re_evaluates_the_result(chat):
    c = chat(LANG)
    run_profile(c, LANG, {**ELIGIBLE_ADULT_ES, "patient_age": "cuarenta y cinco años"})
    assert outcome(c) == ("not_eligible", ["I3"], [])
    reply = c.texts("quiero cambiar una respuesta")
    assert "¿Qué respuesta le gustaría cambiar?" in reply
    c.say('/change_answer{"topic": "patient_age"}')
    assert c.requested_slot == "patient_age"
    c.say("treinta y un años")
    assert c.slot("patient_age") == 31.0
    answer_until_done(c, ELIGIBLE_ADULT_ES, "no")
    assert outcome(c) == ("likely_eligible", [], [])
    assert_transcript_in_language(c, LANG)


def test_correction_in_one_message_mid_form(chat):
    c = chat(LANG)
    c.say("hola")
    answer(c, PARENT_OF_SEVEN_ES, ["prescreen_consent", "respondent", "patient_age"])
    assert c.slot("patient_age") == 7.0
    c.say("perdón, me equivoqué, en realidad tiene ocho años")
    assert c.slot("patient_age") == 8.0
    assert c.requested_slot == "b_all_diagnosis"
    assert_transcript_in_language(c, LANG)


def test_emergency_mid_form_comes_first_and_loses_nothing(chat):
    c = chat(LANG)
    c.say("hola")
    answer(c, PARENT_OF_SEVEN_ES, ["prescreen_consent", "respondent", "patient_age"])
    replies = replies_to(c, "mi hijo no puede respirar")
    assert "120" in replies[0]
    assert "emergencia" in replies[0]
    assert c.requested_slot == "b_all_diagnosis"
    assert "su hijo o hija" in replies[-1]  # the same question again
    assert c.slot("patient_age") == 7.0
    assert c.slot("respondent") == "guardian"
    assert_transcript_in_language(c, LANG)


def test_start_over_clears_answers(chat):
    c = chat(LANG)
    c.say("hola")
    answer(c, ELIGIBLE_ADULT_ES, ["prescreen_consent", "respondent", "patient_age"])
    reply = c.texts("empezar de nuevo")
    assert "empezamos de nuevo" in reply
    assert c.slot("patient_age") is None
    assert c.requested_slot == "prescreen_consent"
    assert_transcript_in_language(c, LANG)


def test_declining_consent_ends_politely_and_stores_nothing(chat):
    c = chat(LANG)
    c.say("hola")
    reply = c.texts("no, gracias")
    assert "No se ha guardado nada" in reply
    assert c.slot("respondent") is None and c.slot("prescreen_outcome") is None
    assert_transcript_in_language(c, LANG)


def test_trial_question_mid_form_is_answered_from_the_trial_text(chat):
    c = chat(LANG)
    c.say("hola")
    c.say("vale")
    reply = c.texts("¿en qué hospital se hace el ensayo?")
    assert "Beijing GoBroad Hospital" in reply
    assert c.requested_slot == "respondent"
    reply = c.texts("¿cuánto cuesta participar?")
    assert "coordinador" in reply
    assert c.requested_slot == "respondent"
    assert_in_language(bot_lines(c), LANG)
