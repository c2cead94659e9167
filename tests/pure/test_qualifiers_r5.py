"""Yes / no / not sure where the words around the answer change it (fifth round).

Each test sends a message, as a person would type it, to the open question through the real
interpretation step and the trial's readings, and checks what would be stored: a question about
the question gives no answer (never a yes that would exclude); an event with a time of life ("as a
baby", "de bebé", "两岁时") is history, not the present state an exclusion asks about; "active,
being treated" is still active; 好吧 / 可以吧 agree, and an A-not-A (要不要, 会不会) asks. None of these
messages is in a phrase bank.
"""

from __future__ import annotations

import pytest

from bot.trial import TRIAL
from bot.understanding import parsing
from bot.understanding.interpret import CONFIRM, Message, OpenQuestion, interpret

ANSWERED = TRIAL.passing_answers({"prescreen_consent": "yes"})


def reading(text, slot, lang, kind=None):
    answered = {k: v for k, v in ANSWERED.items() if k != slot}
    question = OpenQuestion(slot, kind) if kind else OpenQuestion.of(TRIAL, slot)
    return interpret(Message(text, language=lang), question, TRIAL, answered)


# --- a question about the question asserts nothing ------------------------------------------------

ASKING = [
    ("en", "organ_transplant", "does it matter whether he's had a transplant?"),
    ("en", "severe_mental_disorder", "why do you need to know if she has depression"),
    ("en", "organ_transplant", "is it a problem if he had a kidney transplant"),
    ("es", "severe_mental_disorder", "¿por qué quieren saber si tiene depresión?"),
    ("es", "organ_transplant", "¿importa si le trasplantaron un riñón?"),
    ("es", "active_infectious_disease", "¿importa si tuvo hepatitis?"),
    ("zh", "severe_mental_disorder", "为啥要问是否有抑郁症"),
    ("zh", "organ_transplant", "是不是做过移植很重要吗"),
    ("zh", "active_infectious_disease", "如果有乙肝会怎么样"),
]


@pytest.mark.parametrize("lang, slot, text", ASKING)
def test_a_question_about_the_question_stores_no_answer(lang, slot, text):
    assert reading(text, slot, lang).answer is None


@pytest.mark.parametrize("lang, slot, text, expected", [
    ("en", "uncontrolled_diabetes", "does it count if he is diabetic? he isnt", "no"),
    ("es", "uncontrolled_diabetes", "¿importa si es diabética? no lo es", "no"),
    ("zh", "uncontrolled_diabetes", "问有没有糖尿病干嘛？没有", "no"),
])
def test_the_answer_beside_a_question_about_the_question_is_kept(lang, slot, text, expected):
    assert reading(text, slot, lang).answer == expected


def test_if_is_a_condition_outside_a_question_and_si_with_its_accent_is_yes():
    assert parsing.parse_tri("yes if that counts", "en") == "yes"
    assert parsing.parse_tri("sí, si eso cuenta", "es") == "yes"
    assert parsing.parse_tri("desgraciadamente si", "es") == "yes"


def test_a_no_said_twice_is_no_a_not_a_question():
    assert parsing.parse_tri("不是不是", "zh") == "no"
    assert parsing.parse_tri("没有没有", "zh") == "no"
    assert parsing.parse_tri("有没有", "zh") is None


# --- history, with a time of life, at questions about now -----------------------------------------

@pytest.mark.parametrize("lang, slot, text", [
    ("en", "brain_pressure_or_consciousness", "she had a seizure with a fever when she was 3, none since"),
    ("es", "brain_pressure_or_consciousness", "de chiquito tuvo una convulsión con fiebre, nunca más"),
    ("zh", "brain_pressure_or_consciousness", "一岁时高烧惊厥过一次，之后再也没有"),
    ("es", "respiratory_failure", "de recién nacida estuvo intubada, ahora respira perfecto"),
    ("zh", "respiratory_failure", "刚出生时上过几天呼吸机 现在好好的"),
])
def test_an_event_long_ago_is_no_to_a_question_about_now(lang, slot, text):
    assert reading(text, slot, lang).answer == "no"


@pytest.mark.parametrize("lang, text", [
    ("en", "had a heart transplant as a baby"),
    ("es", "de bebé le hicieron un trasplante de hígado"),
    ("zh", "两岁时做过肝移植"),
])
def test_a_transplant_long_ago_is_still_yes_because_e14_asks_about_ever(lang, text):
    assert reading(text, "organ_transplant", lang).answer == "yes"


# --- active and being treated is still active (E16) ------------------------------------------------

@pytest.mark.parametrize("lang, text", [
    ("en", "she's got active hepatitis C, on antivirals since may"),
    ("es", "tiene hepatitis C activa, ya empezó antivirales"),
    ("zh", "丙肝活动性的 在抗病毒治疗"),
])
def test_an_active_infection_under_treatment_is_yes(lang, text):
    assert reading(text, "active_infectious_disease", lang).answer == "yes"


# --- 吧 agrees, an A-not-A asks, at the assistant's own questions ------------------------------------

@pytest.mark.parametrize("slot, kind, text", [
    ("contact_consent", None, "那行吧"),
    ("prescreen_consent", None, "也可以吧"),
    ("handoff_confirm", CONFIRM, "就这样吧"),
    ("answer_check", CONFIRM, "可以吧"),
])
def test_a_yes_softened_with_ba_is_a_yes(slot, kind, text):
    assert reading(text, slot, "zh", kind).answer == "yes"


@pytest.mark.parametrize("slot, kind, text", [
    ("contact_consent", None, "会不会打电话"),
    ("contact_consent", None, "要不要留电话"),
    ("answer_check", CONFIRM, "要不要改"),
    ("prescreen_consent", None, "能不能等一下"),
])
def test_an_a_not_a_question_is_no_no(slot, kind, text):
    assert reading(text, slot, "zh", kind).answer is None


@pytest.mark.parametrize("slot, kind, text", [
    ("contact_consent", None, "不用了吧"),
    ("answer_check", CONFIRM, "不对吧"),
    ("prescreen_consent", None, "不好吧"),
])
def test_a_no_softened_with_ba_stays_a_no(slot, kind, text):
    assert reading(text, slot, "zh", kind).answer == "no"


# --- "not that I know" with evidence is never a yes ---------------------------------------------------

@pytest.mark.parametrize("lang, text", [
    ("en", "not that i know of, his last spinal tap was clear"),
    ("es", "que yo sepa no, la última punción salió limpia"),
    ("zh", "据我所知没有，上次腰穿是干净的"),
])
def test_not_that_i_know_with_a_clear_test_is_no_or_not_sure(lang, text):
    assert reading(text, "csf_blasts_high", lang).answer in ("no", "unsure")
