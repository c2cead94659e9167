"""Whole Simplified Chinese conversations through the trained model and the real action server.

The counterpart of tests/test_conversations_en.py: the web page sends metadata.language = "zh"
with every message (``chat("zh")``), people answer in ordinary Chinese, and every reply must be
Chinese.
"""

from __future__ import annotations

import pytest
from profiles_i18n import (
    ELIGIBLE_ADULT_ZH,
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
LANG = "zh"


def test_opening_is_chinese_says_not_recruiting_and_not_medical_advice(chat):
    c = chat(LANG)
    reply = c.texts("你好")
    assert "尚未开始招募" in reply
    assert "不是医疗建议" in reply
    assert c.requested_slot == "prescreen_consent"
    assert c.slot("language") == "zh"
    assert_transcript_in_language(c, LANG)


def test_eligible_adult_is_likely_eligible_and_told_honestly(chat):
    c = chat(LANG)
    asked = run_profile(c, LANG, ELIGIBLE_ADULT_ZH)
    assert outcome(c) == ("likely_eligible", [], [])
    assert c.slot("respondent") == "patient"
    assert c.slot("patient_age") == 31.0
    assert c.slot("car_t_loss_months") == 4.0
    assert c.slot("ecog") == 1.0
    assert c.slot("sex") == "male"
    assert "pregnant_or_breastfeeding" not in asked  # male
    assert "guardian_can_consent" not in asked  # adult
    last = "\n".join(bot_lines(c, last=4))
    assert "并不代表患者已经入组" in last
    assert "尚未开始招募" in last
    assert_transcript_in_language(c, LANG)


def test_parent_of_a_seven_year_old_hears_your_child_and_skips_what_does_not_apply(chat):
    c = chat(LANG)
    c.say("你好")
    answer(c, PARENT_OF_SEVEN_ZH, ["prescreen_consent"])
    reply = c.texts(PARENT_OF_SEVEN_ZH["respondent"])
    assert "您的孩子" in reply  # 您的孩子今年多大？
    asked = ["prescreen_consent", "respondent"] + answer_until_done(c, PARENT_OF_SEVEN_ZH, "没有")
    assert c.slot("respondent") == "guardian"
    assert c.slot("patient_age") == 7.0
    assert c.slot("car_t_loss_months") == 3.0
    assert c.slot("ecog") == 0.0
    assert {"sex", "pregnant_or_breastfeeding", "guardian_can_consent"}.isdisjoint(asked)
    assert outcome(c) == ("likely_eligible", [], [])
    questions = "\n".join(bot_lines(c))
    assert questions.count("您的孩子") >= 5
    assert_transcript_in_language(c, LANG)


@pytest.mark.parametrize(
    "age_text,expected_age",
    [("十个月大", 10 / 12), ("45岁", 45.0)],
)
def test_too_young_or_too_old_stops_at_the_age_with_I3(chat, age_text, expected_age):
    c = chat(LANG)
    asked = run_profile(c, LANG, {**ELIGIBLE_ADULT_ZH, "patient_age": age_text})
    assert asked == ["prescreen_consent", "respondent", "patient_age"]
    assert c.slot("patient_age") == pytest.approx(expected_age, abs=1e-3)
    assert outcome(c) == ("not_eligible", ["I3"], [])
    result = "\n".join(bot_lines(c, last=4))
    assert "1至39岁" in result
    assert "医生" in result  # what to do next
    assert_transcript_in_language(c, LANG)


@pytest.mark.parametrize("age_text,expected_age", [("十二岁半", 12.5), ("一岁半", 1.5)])
def test_half_years_are_understood(chat, age_text, expected_age):
    c = chat(LANG)
    c.say("你好")
    answer(c, PARENT_OF_SEVEN_ZH, ["prescreen_consent", "respondent"])
    c.say(age_text)
    assert c.slot("patient_age") == pytest.approx(expected_age)
    assert c.requested_slot == "b_all_diagnosis"


def test_car_t_loss_after_eight_months_is_not_eligible_by_I2(chat):
    c = chat(LANG)
    asked = run_profile(c, LANG, {**ELIGIBLE_ADULT_ZH, "car_t_loss_months": "八个月后"})
    assert c.slot("car_t_loss_months") == 8.0
    assert asked[-1] == "car_t_loss_months"
    assert outcome(c) == ("not_eligible", ["I2"], [])
    assert "6个月内" in "\n".join(bot_lines(c, last=4))
    assert_transcript_in_language(c, LANG)


def test_two_unsure_exclusions_need_review_and_name_the_documents(chat):
    c = chat(LANG)
    run_profile(c, LANG, {**ELIGIBLE_ADULT_ZH, "kidney_problem": "不知道", "csf_blasts_high": "这个我不太清楚"})
    assert c.slot("kidney_problem") == "unsure"
    assert c.slot("csf_blasts_high") == "unsure"
    assert outcome(c) == ("needs_review", [], ["E7", "E12"])
    result = "\n".join(bot_lines(c, last=6))
    assert "肌酐" in result and "腰椎穿刺" in result
    assert_transcript_in_language(c, LANG)


def test_what_does_that_mean_mid_form_explains_and_asks_again(chat):
    c = chat(LANG)
    c.say("你好")
    answer(c, ELIGIBLE_ADULT_ZH, ["prescreen_consent", "respondent", "patient_age", "b_all_diagnosis",
                                  "relapsed_or_refractory"])
    assert c.requested_slot == "had_car_t"
    replies = bot_lines_of(c, "这是什么意思？")
    assert "免疫细胞" in replies[0]  # the CAR-T explanation, in Chinese
    assert "是否接受过CAR-T细胞治疗" in replies[-1]  # then the same question again
    assert c.requested_slot == "had_car_t"
    assert c.slot("had_car_t") is None
    reply = c.texts("为什么要问这个？")
    assert "I2" in reply and "6个月内" in reply
    assert c.requested_slot == "had_car_t"
    c.say("是的")
    assert c.slot("had_car_t") == "yes"
    assert_transcript_in_language(c, LANG)


def bot_lines_of(c, text):
    return [m.get("text") or "" for m in c.say(text)]


def test_correcting_an_answer_re_evaluates_the_result(chat):
    c = chat(LANG)
    run_profile(c, LANG, {**ELIGIBLE_ADULT_ZH, "patient_age": "45岁"})
    assert outcome(c) == ("not_eligible", ["I3"], [])
    reply = c.texts("我想修改一个回答")
    assert "您想修改哪一个回答" in reply
    c.say('/change_answer{"topic": "patient_age"}')
    assert c.requested_slot == "patient_age"
    c.say("三十一岁")
    assert c.slot("patient_age") == 31.0
    answer_until_done(c, ELIGIBLE_ADULT_ZH, "没有")
    assert outcome(c) == ("likely_eligible", [], [])
    assert_transcript_in_language(c, LANG)


def test_correction_in_one_message_mid_form(chat):
    c = chat(LANG)
    c.say("你好")
    answer(c, PARENT_OF_SEVEN_ZH, ["prescreen_consent", "respondent", "patient_age"])
    assert c.slot("patient_age") == 7.0
    c.say("不好意思，说错了，他其实八岁")
    assert c.slot("patient_age") == 8.0
    assert c.requested_slot == "b_all_diagnosis"
    assert_transcript_in_language(c, LANG)


def test_emergency_mid_form_comes_first_and_loses_nothing(chat):
    c = chat(LANG)
    c.say("你好")
    answer(c, PARENT_OF_SEVEN_ZH, ["prescreen_consent", "respondent", "patient_age"])
    replies = bot_lines_of(c, "我儿子喘不上气")
    assert "120" in replies[0]
    assert "紧急" in replies[0]
    assert c.requested_slot == "b_all_diagnosis"
    assert "您的孩子" in replies[-1]  # the same question again
    assert c.slot("patient_age") == 7.0
    assert c.slot("respondent") == "guardian"
    assert_transcript_in_language(c, LANG)


def test_start_over_clears_answers(chat):
    c = chat(LANG)
    c.say("你好")
    answer(c, ELIGIBLE_ADULT_ZH, ["prescreen_consent", "respondent", "patient_age"])
    reply = c.texts("重新开始")
    assert "从头开始" in reply
    assert c.slot("patient_age") is None
    assert c.requested_slot == "prescreen_consent"
    assert_transcript_in_language(c, LANG)


def test_declining_consent_ends_politely_and_stores_nothing(chat):
    c = chat(LANG)
    c.say("你好")
    reply = c.texts("不用了，谢谢")
    assert "没有保存任何信息" in reply
    assert c.slot("respondent") is None and c.slot("prescreen_outcome") is None
    assert_transcript_in_language(c, LANG)


def test_trial_question_mid_form_is_answered_from_the_trial_text(chat):
    c = chat(LANG)
    c.say("你好")
    c.say("好的")
    reply = c.texts("这个试验在哪家医院做？")
    assert "北京高博医院" in reply
    assert c.requested_slot == "respondent"
    reply = c.texts("参加要花多少钱？")
    assert "研究协调员" in reply
    assert c.requested_slot == "respondent"
    assert_in_language(bot_lines(c), LANG)
