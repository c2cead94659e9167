"""Yes/no answers a careful reader gets right (round 5, second pass).

Three classes a tester found in Chromium, each checked in the three languages through the real
interpretation step and the trial's readings, with messages that are in no phrase bank:

- at a question about A or B, "not A, but B" is a yes (it was stored as no: an excluded patient
  reached the coordinator as likely eligible);
- a mild, common condition named at a question about a severe one is for the study doctor
  (unsure), never a yes;
- plural subjects, an unaccented "si" and regional slang are still a yes.
"""

from __future__ import annotations

import pytest

from bot.trial import TRIAL
from bot.understanding.interpret import Message, OpenQuestion, interpret

ANSWERED = {slot: "yes" for slot in TRIAL.slots}


def understood(text, slot, lang):
    return interpret(Message(text, language=lang), OpenQuestion.of(TRIAL, slot), TRIAL, ANSWERED)


PART_AFFIRMED = [
    ("en", "pregnant_or_breastfeeding", "im not pregnant but i am still breastfeeding my daughter"),
    ("en", "active_infectious_disease", "no hiv, but he does have hepatitis c"),
    ("en", "heart_failure_or_arrhythmia", "not heart failure, but she has a serious arrhythmia"),
    ("es", "pregnant_or_breastfeeding", "embarazada no estoy, pero sí le doy el pecho a mi niña"),
    ("es", "active_infectious_disease", "sifilis no, pero tiene hepatitis b"),
    ("es", "uncontrolled_infection", "sepsis no, pero tiene una infeccion que no se la controlan"),
    ("zh", "pregnant_or_breastfeeding", "没有怀孕，不过还在喂母乳"),
    ("zh", "active_infectious_disease", "没有丙肝，但是有乙肝"),
    ("zh", "heart_failure_or_arrhythmia", "心衰没有，但是有严重的心律失常"),
]


@pytest.mark.parametrize("lang,slot,text", PART_AFFIRMED)
def test_one_part_denied_the_other_affirmed_is_yes(lang, slot, text):
    assert understood(text, slot, lang).answer == "yes"


BOTH_DENIED = [
    ("en", "pregnant_or_breastfeeding", "not pregnant, not breastfeeding"),
    ("es", "pregnant_or_breastfeeding", "no estoy embarazada ni dando el pecho"),
    ("zh", "pregnant_or_breastfeeding", "没怀孕，也没哺乳"),
    ("en", "active_infectious_disease", "no hiv, no hepatitis"),
    ("es", "active_infectious_disease", "ni vih ni hepatitis"),
    ("zh", "active_infectious_disease", "没有乙肝，也没有艾滋"),
]


@pytest.mark.parametrize("lang,slot,text", BOTH_DENIED)
def test_both_parts_denied_stays_no(lang, slot, text):
    assert understood(text, slot, lang).answer == "no"


MILD_AT_SEVERE = [
    ("en", "severe_mental_disorder", "she has adhd and some anxiety"),
    ("en", "heart_failure_or_arrhythmia", "yes he has a heart murmur"),
    ("en", "respiratory_failure", "he's asthmatic"),
    ("es", "severe_mental_disorder", "si, tiene tdah"),
    ("es", "heart_failure_or_arrhythmia", "tiene un soplo en el corazon"),
    ("es", "respiratory_failure", "es asmatico"),
    ("zh", "severe_mental_disorder", "有，孩子有多动症"),
    ("zh", "heart_failure_or_arrhythmia", "有心脏杂音"),
    ("zh", "respiratory_failure", "有哮喘"),
]


@pytest.mark.parametrize("lang,slot,text", MILD_AT_SEVERE)
def test_a_mild_condition_at_a_severe_question_is_unsure(lang, slot, text):
    assert understood(text, slot, lang).answer == "unsure"


SEVERE_STILL_YES = [
    ("en", "severe_mental_disorder", "yes he has adhd and schizophrenia"),
    ("es", "severe_mental_disorder", "tiene ansiedad y esquizofrenia"),
    ("zh", "severe_mental_disorder", "有焦虑，还有精神分裂"),
]


@pytest.mark.parametrize("lang,slot,text", SEVERE_STILL_YES)
def test_the_severe_condition_named_beside_a_mild_one_is_not_softened(lang, slot, text):
    assert understood(text, slot, lang).answer == "yes"


SLANG_YES = [
    ("en", "guardian_can_consent", "yessir my parents can both sign"),
    ("en", "had_car_t", "yes maam, in june"),
    ("es", "guardian_can_consent", "mis papás si firman"),
    ("es", "car_t_activity_lost", "simón, ya no sirven"),
    ("es", "guardian_can_consent", "simon que si, mis jefes pueden firmar"),
    ("zh", "had_car_t", "嗯呐 做过"),
    ("zh", "guardian_can_consent", "可以滴 爸妈都能签"),
    ("zh", "b_all_diagnosis", "是哒"),
]


@pytest.mark.parametrize("lang,slot,text", SLANG_YES)
def test_plural_subjects_and_slang_are_yes(lang, slot, text):
    found = understood(text, slot, lang)
    assert found.answer == "yes"
    assert found.emergency is None
