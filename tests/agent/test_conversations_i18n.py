"""Whole Simplified Chinese and Spanish conversations through the trained model and the real
action server.

The counterpart of tests/agent/test_conversations_en.py: the web page sends metadata.language with
every message (``chat(lang)``), people answer in ordinary Chinese or Spanish, and every reply must
be in that language. Each test runs once per language; `SAY` is what the person types and `HEAR`
what the replies must contain.
"""

from __future__ import annotations

import pytest

from tests.support.profiles_i18n import (
    ELIGIBLE_ADULT_ES,
    ELIGIBLE_ADULT_ZH,
    PARENT_OF_SEVEN_ES,
    PARENT_OF_SEVEN_ZH,
    answer,
    answer_until_done,
    assert_in_language,
    assert_transcript_in_language,
    bot_lines,
    outcome,
    run_profile,
)

pytestmark = pytest.mark.conversation
LANGS = ["zh", "es"]

ADULT = {"zh": ELIGIBLE_ADULT_ZH, "es": ELIGIBLE_ADULT_ES}
PARENT = {"zh": PARENT_OF_SEVEN_ZH, "es": PARENT_OF_SEVEN_ES}

SAY = {
    "zh": {
        "hello": "你好", "no": "没有", "ok": "好的", "yes": "是的",
        "eight_months_after": "八个月后", "dont_know": "不知道", "not_sure": "这个我不太清楚",
        "what_does_that_mean": "这是什么意思？", "why_ask": "为什么要问这个？",
        "forty_five": "45岁", "change_an_answer": "我想修改一个回答", "thirty_one": "三十一岁",
        "correction_eight": "不好意思，说错了，他其实八岁", "emergency": "我儿子喘不上气",
        "start_over": "重新开始", "no_thanks": "不用了，谢谢",
        "which_hospital": "这个试验在哪家医院做？", "what_cost": "参加要花多少钱？",
    },
    "es": {
        "hello": "hola", "no": "no", "ok": "vale", "yes": "sí",
        "eight_months_after": "ocho meses después", "dont_know": "no sé", "not_sure": "no estoy seguro",
        "what_does_that_mean": "¿qué significa eso?", "why_ask": "¿y por qué me lo pregunta?",
        "forty_five": "cuarenta y cinco años", "change_an_answer": "quiero cambiar una respuesta",
        "thirty_one": "treinta y un años",
        "correction_eight": "perdón, me equivoqué, en realidad tiene ocho años",
        "emergency": "mi hijo no puede respirar", "start_over": "empezar de nuevo", "no_thanks": "no, gracias",
        "which_hospital": "¿en qué hospital se hace el ensayo?", "what_cost": "¿cuánto cuesta participar?",
    },
}

HEAR = {
    "zh": {
        "not_recruiting": "尚未开始招募", "not_medical_advice": "不是医疗建议",
        "not_enrolled": "并不代表您已经入组", "your_child": "您的孩子",
        "age_range": "1至39岁", "doctor": "医生", "within_6_months": "6个月内",
        "documents": ("肌酐", "腰椎穿刺"), "car_t_explained": "免疫细胞",
        "car_t_question": "是否接受过CAR-T细胞治疗", "why_car_t": ("I2", "6个月内"),
        "which_answer": "您想修改哪一个回答", "emergency": "紧急", "started_over": "从头开始",
        "nothing_saved": "没有保存任何信息", "hospital": "北京高博医院", "coordinator": "研究协调员",
    },
    "es": {
        "not_recruiting": "aún no está reclutando", "not_medical_advice": "no es un consejo médico",
        "not_enrolled": "no significa que usted esté inscrito", "your_child": "su hijo o hija",
        "age_range": "de 1 a 39 años", "doctor": "médico", "within_6_months": "en los 6 meses siguientes",
        "documents": ("creatinina", "punción lumbar"), "car_t_explained": "sistema inmunitario",
        "car_t_question": "¿Ha recibido usted terapia de células CAR-T?", "why_car_t": ("I2", "6 meses"),
        "which_answer": "¿Qué respuesta le gustaría cambiar?", "emergency": "emergencia",
        "started_over": "empezamos de nuevo", "nothing_saved": "No se ha guardado nada",
        "hospital": "Beijing GoBroad Hospital", "coordinator": "coordinador",
    },
}

TOO_YOUNG_OR_OLD = [("zh", "十个月大", 10 / 12), ("zh", "45岁", 45.0),
                    ("es", "diez meses", 10 / 12), ("es", "cuarenta y cinco años", 45.0)]
HALF_YEARS = [("zh", "十二岁半", 12.5), ("zh", "一岁半", 1.5),
              ("es", "un año y medio", 1.5), ("es", "tiene doce años y medio", 12.5)]


def replies_to(c, text):
    return [m.get("text") or "" for m in c.say(text)]


@pytest.mark.parametrize("lang", LANGS)
def test_opening_is_in_the_language_says_not_recruiting_and_not_medical_advice(chat, lang):
    c = chat(lang)
    reply = c.texts(SAY[lang]["hello"])
    assert HEAR[lang]["not_recruiting"] in reply
    assert HEAR[lang]["not_medical_advice"] in reply
    assert c.requested_slot == "prescreen_consent"
    assert c.slot("language") == lang
    assert_transcript_in_language(c, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_eligible_adult_is_likely_eligible_and_told_honestly(chat, lang):
    c = chat(lang)
    asked = run_profile(c, lang, ADULT[lang])
    assert outcome(c) == ("likely_eligible", [], [])
    assert c.slot("respondent") == "patient"
    assert c.slot("patient_age") == 31.0
    assert c.slot("car_t_loss_months") == 4.0
    assert c.slot("ecog") == 1.0
    assert c.slot("sex") == "male"
    assert "pregnant_or_breastfeeding" not in asked  # male
    assert "guardian_can_consent" not in asked  # adult
    last = "\n".join(bot_lines(c, last=4))
    assert HEAR[lang]["not_enrolled"] in last
    assert HEAR[lang]["not_recruiting"] in last
    assert_transcript_in_language(c, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_parent_of_a_seven_year_old_hears_your_child_and_skips_what_does_not_apply(chat, lang):
    c = chat(lang)
    c.say(SAY[lang]["hello"])
    answer(c, PARENT[lang], ["prescreen_consent"])
    reply = c.texts(PARENT[lang]["respondent"])
    assert HEAR[lang]["your_child"] in reply  # 您的孩子今年多大？ / ¿Qué edad tiene su hijo o hija?
    asked = ["prescreen_consent", "respondent"] + answer_until_done(c, PARENT[lang], SAY[lang]["no"])
    assert c.slot("respondent") == "guardian"
    assert c.slot("patient_age") == 7.0
    assert c.slot("car_t_loss_months") == 3.0
    assert c.slot("ecog") == 0.0
    assert {"sex", "pregnant_or_breastfeeding", "guardian_can_consent"}.isdisjoint(asked)
    assert outcome(c) == ("likely_eligible", [], [])
    questions = "\n".join(bot_lines(c)).lower()
    assert questions.count(HEAR[lang]["your_child"]) >= 5
    assert_transcript_in_language(c, lang)


@pytest.mark.parametrize("lang,age_text,expected_age", TOO_YOUNG_OR_OLD)
def test_too_young_or_too_old_stops_at_the_age_with_I3(chat, lang, age_text, expected_age):
    c = chat(lang)
    asked = run_profile(c, lang, {**ADULT[lang], "patient_age": age_text})
    assert asked == ["prescreen_consent", "respondent", "patient_age"]
    assert c.slot("patient_age") == pytest.approx(expected_age, abs=1e-3)
    assert outcome(c) == ("not_eligible", ["I3"], [])
    result = "\n".join(bot_lines(c, last=4))
    assert HEAR[lang]["age_range"] in result
    assert HEAR[lang]["doctor"] in result  # what to do next
    assert_transcript_in_language(c, lang)


@pytest.mark.parametrize("lang,age_text,expected_age", HALF_YEARS)
def test_half_years_are_understood(chat, lang, age_text, expected_age):
    c = chat(lang)
    c.say(SAY[lang]["hello"])
    answer(c, PARENT[lang], ["prescreen_consent", "respondent"])
    c.say(age_text)
    assert c.slot("patient_age") == pytest.approx(expected_age)
    assert c.requested_slot == "b_all_diagnosis"


@pytest.mark.parametrize("lang", LANGS)
def test_car_t_loss_after_eight_months_is_not_eligible_by_I2(chat, lang):
    c = chat(lang)
    asked = run_profile(c, lang, {**ADULT[lang], "car_t_loss_months": SAY[lang]["eight_months_after"]})
    assert c.slot("car_t_loss_months") == 8.0
    assert asked[-1] == "car_t_loss_months"
    assert outcome(c) == ("not_eligible", ["I2"], [])
    assert HEAR[lang]["within_6_months"] in "\n".join(bot_lines(c, last=4))
    assert_transcript_in_language(c, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_two_unsure_exclusions_need_review_and_name_the_documents(chat, lang):
    c = chat(lang)
    run_profile(c, lang, {**ADULT[lang], "kidney_problem": SAY[lang]["dont_know"],
                          "csf_blasts_high": SAY[lang]["not_sure"]})
    assert c.slot("kidney_problem") == "unsure"
    assert c.slot("csf_blasts_high") == "unsure"
    assert outcome(c) == ("needs_review", [], ["E7", "E12"])
    result = "\n".join(bot_lines(c, last=6))
    creatinine, lumbar_puncture = HEAR[lang]["documents"]
    assert creatinine in result and lumbar_puncture in result
    assert_transcript_in_language(c, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_what_does_that_mean_mid_form_explains_and_asks_again(chat, lang):
    c = chat(lang)
    c.say(SAY[lang]["hello"])
    answer(c, ADULT[lang], ["prescreen_consent", "respondent", "patient_age", "b_all_diagnosis",
                            "relapsed_or_refractory"])
    assert c.requested_slot == "had_car_t"
    replies = replies_to(c, SAY[lang]["what_does_that_mean"])
    assert HEAR[lang]["car_t_explained"] in replies[0]  # the CAR-T explanation, in the language
    assert HEAR[lang]["car_t_question"] in replies[-1]  # then the same question again
    assert c.requested_slot == "had_car_t"
    assert c.slot("had_car_t") is None
    reply = c.texts(SAY[lang]["why_ask"])
    criterion, window = HEAR[lang]["why_car_t"]
    assert criterion in reply and window in reply
    assert c.requested_slot == "had_car_t"
    c.say(SAY[lang]["yes"])
    assert c.slot("had_car_t") == "yes"
    assert_transcript_in_language(c, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_correcting_an_answer_re_evaluates_the_result(chat, lang):
    c = chat(lang)
    run_profile(c, lang, {**ADULT[lang], "patient_age": SAY[lang]["forty_five"]})
    assert outcome(c) == ("not_eligible", ["I3"], [])
    reply = c.texts(SAY[lang]["change_an_answer"])
    assert HEAR[lang]["which_answer"] in reply
    c.say('/change_answer{"topic": "patient_age"}')
    assert c.requested_slot == "patient_age"
    c.say(SAY[lang]["thirty_one"])
    assert c.slot("patient_age") == 31.0
    answer_until_done(c, ADULT[lang], SAY[lang]["no"])
    assert outcome(c) == ("likely_eligible", [], [])
    assert_transcript_in_language(c, lang)


UPDATED_AGE = {"zh": "更新了“年龄”", "es": "respuesta sobre “Edad”"}


@pytest.mark.parametrize("lang", LANGS)
def test_correction_in_one_message_mid_form(chat, lang):
    c = chat(lang)
    c.say(SAY[lang]["hello"])
    answer(c, PARENT[lang], ["prescreen_consent", "respondent", "patient_age"])
    assert c.slot("patient_age") == 7.0
    reply = c.texts(SAY[lang]["correction_eight"])
    assert c.slot("patient_age") == 8.0
    assert UPDATED_AGE[lang] in reply, reply  # says which answer changed, not just "that answer"
    assert c.requested_slot == "b_all_diagnosis"
    assert_transcript_in_language(c, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_emergency_mid_form_comes_first_and_loses_nothing(chat, lang):
    c = chat(lang)
    c.say(SAY[lang]["hello"])
    answer(c, PARENT[lang], ["prescreen_consent", "respondent", "patient_age"])
    replies = replies_to(c, SAY[lang]["emergency"])
    assert "120" in replies[0]
    assert HEAR[lang]["emergency"] in replies[0]
    assert c.requested_slot == "b_all_diagnosis"
    assert HEAR[lang]["your_child"] in replies[-1]  # the same question again
    assert c.slot("patient_age") == 7.0
    assert c.slot("respondent") == "guardian"
    assert_transcript_in_language(c, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_start_over_clears_answers(chat, lang):
    c = chat(lang)
    c.say(SAY[lang]["hello"])
    answer(c, ADULT[lang], ["prescreen_consent", "respondent", "patient_age"])
    c.say(SAY[lang]["start_over"])
    assert c.requested_slot == "confirm_answer"  # clearing answers is confirmed first
    assert c.slot("patient_age") is not None
    reply = c.texts(SAY[lang]["yes"])
    assert HEAR[lang]["started_over"] in reply
    assert c.slot("patient_age") is None
    assert c.requested_slot == "respondent"
    assert_transcript_in_language(c, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_declining_consent_ends_politely_and_stores_nothing(chat, lang):
    c = chat(lang)
    c.say(SAY[lang]["hello"])
    reply = c.texts(SAY[lang]["no_thanks"])
    assert HEAR[lang]["nothing_saved"] in reply
    assert c.slot("respondent") is None and c.slot("prescreen_outcome") is None
    assert_transcript_in_language(c, lang)


@pytest.mark.parametrize("lang", LANGS)
def test_trial_question_mid_form_is_answered_from_the_trial_text(chat, lang):
    c = chat(lang)
    c.say(SAY[lang]["hello"])
    c.say(SAY[lang]["ok"])
    reply = c.texts(SAY[lang]["which_hospital"])
    assert HEAR[lang]["hospital"] in reply
    assert c.requested_slot == "respondent"
    reply = c.texts(SAY[lang]["what_cost"])
    assert HEAR[lang]["coordinator"] in reply
    assert c.requested_slot == "respondent"
    assert_in_language(bot_lines(c), lang)
