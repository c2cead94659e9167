"""Digressions while a question is open, round 5 (no Rasa): what a person would notice.

A language asked for with a verb ("show it in Spanish", "escríbeme en chino", "换成英文") switches
the language; a clause that only tells what someone speaks ("I speak Spanish at home", "我老公只
会说英语") does not. A button's words typed inside a short message ("ok 继续", "vale, sigamos")
press it, but such a partial match never says "yes" to a check that may stop or delete. Each
table is in all three languages."""

from __future__ import annotations

import pytest

from bot.trial import TRIAL
from bot.understanding.interpret import CONFIRM, Message, OpenQuestion, button_table, interpret
from bot.understanding.language import decide

ANSWERED = TRIAL.passing_answers({"prescreen_consent": "yes"})


def read(text, slot, lang, buttons=None):
    answered = {k: v for k, v in ANSWERED.items() if k != slot}
    return interpret(Message(text, language=lang), OpenQuestion.of(TRIAL, slot, buttons), TRIAL, answered)


# --- 1. a language asked for with a verb switches; telling what someone speaks does not ---------

LANGUAGE_REQUESTS = [
    ("show it in Spanish please my husband needs to read", "had_car_t", "en", "es"),
    ("can you write in Chinese", "ecog", "en", "zh"),
    ("put it in spanish", "dic", "en", "es"),
    ("my wife only reads chinese can you show it in chinese", "ecog", "en", "zh"),
    ("escríbeme en chino", "ecog", "es", "zh"),
    ("ponlo en inglés porfa", "had_car_t", "es", "en"),
    ("vale, sigamos en ingles mejor", "sex", "es", "en"),
    ("mi marido solo lee ingles, le puedes escribir en ingles a partir de aqui", "patient_age", "es", "en"),
    ("mi hijo habla mejor ingles, se puede cambiar el idioma", "respondent", "es", "en"),
    ("能不能用西班牙语", "ecog", "zh", "es"),
    ("换成英文吧", "had_car_t", "zh", "en"),
    ("我老公只会说英语 你用英文问吧", "sex", "zh", "en"),
    ("my chinese is not good, english ok?", "respondent", "zh", "en"),
]


@pytest.mark.parametrize("text, slot, lang, wanted", LANGUAGE_REQUESTS)
def test_a_language_asked_for_with_a_verb_switches(text, slot, lang, wanted):
    reading = read(text, slot, lang)
    assert "language" in reading.digressions
    assert reading.language == wanted
    assert decide(text, metadata_language=lang, previous_metadata_language=lang, current=lang,
                  first_message=False).language == wanted


TELLING = [
    ("I speak Spanish at home", "ecog", "en"),
    ("we speak chinese at home, he understands english fine", "ecog", "en"),
    ("his grandma only speaks spanish", "respondent", "en"),
    ("en casa hablamos chino", "ecog", "es"),
    ("mi marido habla inglés", "respondent", "es"),
    ("mi hijo no habla ingles, se puede cambiar el idioma", "respondent", "es"),
    ("我们在家说西班牙语", "ecog", "zh"),
    ("我英语不好", "ecog", "zh"),
    ("我孩子只会说英语", "respondent", "zh"),
]


@pytest.mark.parametrize("text, slot, lang", TELLING)
def test_telling_what_someone_speaks_does_not_switch(text, slot, lang):
    reading = read(text, slot, lang)
    assert reading.language is None
    assert "language" not in reading.digressions
    assert decide(text, metadata_language=lang, previous_metadata_language=lang, current=lang,
                  first_message=False).language == lang


@pytest.mark.parametrize("text, slot, lang, answer, wanted", [
    ("im the dad. can I speak Spanish", "respondent", "en", "guardian", "es"),
    ("no. I can only speak Chinese", "had_car_t", "en", "no", "zh"),
    ("没有 跟我说英文吧", "had_car_t", "zh", "no", "en"),
    ("no, ¿se puede en inglés? mi esposo no habla español", "had_car_t", "es", "no", "en"),
])
def test_asking_to_speak_a_language_is_a_request_beside_the_answer(text, slot, lang, answer, wanted):
    reading = read(text, slot, lang)
    assert reading.language == wanted
    assert "language" in reading.digressions
    assert reading.answer == answer


# --- 2. a button's words inside a short message press it ---------------------------------------

# "Do you want to stop here?" and "Delete everything?" share one check and its buttons.
CHECK_BUTTONS = button_table({
    "Yes, stop for now": '/affirm{"tri": "yes", "q": "confirm_answer"}', "No, carry on": '/deny{"tri": "no", "q": "confirm_answer"}',
    "是的，先到这里": '/affirm{"tri": "yes", "q": "confirm_answer"}', "不，继续": '/deny{"tri": "no", "q": "confirm_answer"}',
    "Sí, parar por ahora": '/affirm{"tri": "yes", "q": "confirm_answer"}', "No, seguir": '/deny{"tri": "no", "q": "confirm_answer"}',
    "Yes, delete everything": '/affirm{"tri": "yes", "q": "confirm_answer"}', "No, keep everything": '/deny{"tri": "no", "q": "confirm_answer"}',
    "No, thank you": '/deny{"tri": "no", "q": "confirm_answer"}', "不用了，谢谢": '/deny{"tri": "no", "q": "confirm_answer"}',
})


def check(text, lang):
    return interpret(Message(text, language=lang), OpenQuestion("confirm_answer", CONFIRM, buttons=CHECK_BUTTONS), TRIAL, {})


@pytest.mark.parametrize("text, lang", [
    ("ok 继续", "zh"), ("好的继续", "zh"), ("继续吧", "zh"), ("好的 继续吧", "zh"),
    ("ok, carry on", "en"), ("carry on please", "en"), ("ok keep everything", "en"),
    ("vale, sigamos", "es"), ("ok seguir", "es"), ("bueno, seguir por favor", "es"),
])
def test_carrying_on_typed_with_an_ok_is_the_carry_on_button_not_a_yes_to_stopping(text, lang):
    reading = check(text, lang)
    assert reading.answer == "no"
    assert "button words" in reading.evidence


@pytest.mark.parametrize("text, lang", [("ok stop", "en"), ("vale, parar", "es"), ("ok thanks", "en"), ("好的谢谢", "zh")])
def test_a_partial_match_never_confirms_stopping_or_deleting(text, lang):
    reading = check(text, lang)
    assert reading.answer != "yes" or "button words" not in reading.evidence  # a plain "ok" still reads as it did


CONSENT_BUTTONS = button_table({
    "Yes, let's start": '/affirm{"tri": "yes", "q": "prescreen_consent"}', "No, thank you": '/deny{"tri": "no", "q": "prescreen_consent"}',
    "好的，开始吧": '/affirm{"tri": "yes", "q": "prescreen_consent"}', "不用了，谢谢": '/deny{"tri": "no", "q": "prescreen_consent"}',
    "Sí, empecemos": '/affirm{"tri": "yes", "q": "prescreen_consent"}', "No, gracias": '/deny{"tri": "no", "q": "prescreen_consent"}',
})


@pytest.mark.parametrize("text, lang, answer", [
    ("ok lets start", "en", "yes"), ("vale, empecemos", "es", "yes"), ("好 开始吧", "zh", "yes"),
    ("ok no thank you", "en", "no"), ("vale, no gracias", "es", "no"),
])
def test_a_consent_buttons_words_with_an_ok_answer_it(text, lang, answer):
    assert read(text, "prescreen_consent", lang, CONSENT_BUTTONS).answer == answer


TRI_BUTTONS = button_table({"Yes": '/affirm{"tri": "yes"}', "No": '/deny{"tri": "no"}', "Not sure": '/inform{"tri": "unsure"}',
                            "是": '/affirm{"tri": "yes"}', "否": '/deny{"tri": "no"}', "不确定": '/inform{"tri": "unsure"}'})


@pytest.mark.parametrize("text, slot, lang, answer", [
    ("yes, but only hay fever, nothing serious", "severe_allergies", "en", "no"),
    ("ok not sure", "dic", "en", "unsure"),
    ("好的 不确定", "dic", "zh", "unsure"),
    ("no thanks, she never had that", "dic", "en", "no"),
])
def test_button_words_inside_an_answer_do_not_change_what_it_says(text, slot, lang, answer):
    assert read(text, slot, lang, TRI_BUTTONS).answer == answer


# --- 3. polite, indirect questions are answered, not re-asked -----------------------------------

@pytest.mark.parametrize("text, slot, lang, kind", [
    ("would you mind telling me what CSF is", "csf_blasts_high", "en", "explain"),
    ("no. may I ask what this has to do with the trial", "pregnant_or_breastfeeding", "en", "why"),
    ("is there someone real I could talk to instead", "severe_mental_disorder", "en", "person"),
    ("me podria decir si un trasplante de medula cuenta aqui", "organ_transplant", "es", "explain"),
    ("estoy hablando con una maquina?", "respondent", "es", "bot"),
    ("能问下为什么要了解感染的情况吗", "uncontrolled_infection", "zh", "why"),
    ("能不能让研究护士给我打个电话", "other_cancer", "zh", "person"),
    ("我是在跟机器聊天吗", "respondent", "zh", "bot"),
])
def test_a_polite_indirect_question_gets_its_digression(text, slot, lang, kind):
    reading = read(text, slot, lang)
    assert kind in reading.digressions
    assert reading.answer in (None, "no")  # "no" only where the message says it, or the marrow rule does


@pytest.mark.parametrize("text, slot, lang", [("能问下为什么要了解感染的情况吗", "uncontrolled_infection", "zh"),
                                              ("能不能让研究护士给我打个电话", "other_cancer", "zh")])
def test_a_polite_chinese_question_is_not_a_yes(text, slot, lang):
    assert read(text, slot, lang).answer is None
