"""Messages that do two things at once, read by the interpretation step (no Rasa).

Fresh phrasings, written before the fixes, for the classes reviewers found misread: an answer
beside a language request (both count), fear beside or instead of an answer (warmth, the answer
kept), a Spanish or English statement that opens with a question word (no question), "never heard
of that drug" (not sure, explained only if asked), cues inside Chinese text (an English command
inside Chinese counts; a cue inside a longer word or negated does not). Each table is in all
three languages."""

from __future__ import annotations

import pytest

from bot.trial import TRIAL
from bot.understanding import cues
from bot.understanding.interpret import Message, OpenQuestion, interpret

ANSWERED = TRIAL.passing_answers({"prescreen_consent": "yes"})


def read(text, slot, lang, intent=None, confidence=0.0):
    answered = {k: v for k, v in ANSWERED.items() if k != slot}
    return interpret(Message(text, intent, confidence, {}, lang), OpenQuestion.of(TRIAL, slot), TRIAL, answered)


# --- 1. an answer beside a language request: the answer is kept AND the language switches -------

SWITCH = "switch_language"
LANGUAGE_AND_ANSWER = [
    ("im the patient. can we do this in chinese", "respondent", "en", "patient", "zh", None),
    ("my son, and can you switch to spanish please", "respondent", "en", "guardian", "es", None),
    ("no he hasnt. could we continue in spanish", "had_car_t", "en", "no", "es", None),
    ("hes 9, chinese please", "patient_age", "en", 9.0, "zh", SWITCH),
    ("yes it came back. do you have this in spanish?", "relapsed_or_refractory", "en", "yes", "es", SWITCH),
    ("是我女儿，可以用英文吗", "respondent", "zh", "guardian", "en", None),
    ("没有做过，能换成西班牙语吗", "had_car_t", "zh", "no", "es", None),
    ("8岁。请用英文", "patient_age", "zh", 8.0, "en", None),
    ("我自己。English please", "respondent", "zh", "patient", "en", SWITCH),
    ("复发了 能不能说英语", "relapsed_or_refractory", "zh", "yes", "en", SWITCH),
    ("soy la madre, ¿podemos seguir en inglés?", "respondent", "es", "guardian", "en", SWITCH),
    ("sí, recayó. ¿se puede en chino?", "relapsed_or_refractory", "es", "yes", "zh", None),
    ("tiene 12 años, mejor en inglés por favor", "patient_age", "es", 12.0, "en", None),
    ("no, nunca. english please", "had_car_t", "es", "no", "en", SWITCH),
    ("es mi hijo. prefiero en chino", "respondent", "es", "guardian", "zh", SWITCH),
]


@pytest.mark.parametrize("text, slot, lang, answer, wanted, intent", LANGUAGE_AND_ANSWER)
def test_an_answer_beside_a_language_request_is_kept_and_the_language_switches(text, slot, lang, answer, wanted,
                                                                               intent):
    reading = read(text, slot, lang, intent, 0.9 if intent else 0.0)
    assert reading.answer == answer
    assert reading.language == wanted
    assert "language" in reading.digressions


@pytest.mark.parametrize("text, slot, lang", [
    ("¿puedo seguir en español? mi inglés no es muy bueno", "had_car_t", "en"),
    ("can we use chinese? my english is not good", "had_car_t", "es"),
    ("能用西班牙语吗？我的英文不好", "had_car_t", "zh"),
])
def test_words_about_the_language_are_no_answer(text, slot, lang):
    reading = read(text, slot, lang, SWITCH, 0.9)
    assert reading.answer is None
    assert "language" in reading.digressions


# --- 3. distress: warmth, then the question again; an answer beside it is kept --------------------

DISTRESS = [
    ("im so scared honestly", "had_car_t", "en", None, None),
    ("yes it came back and im falling apart", "relapsed_or_refractory", "en", "yes", None),
    ("we're barely holding it together", "had_car_t", "en", None, 0.85),
    ("she's 6 and i just feel so lost", "patient_age", "en", 6.0, None),
    ("no. this is all too much for me right now", "had_car_t", "en", "no", 0.8),
    ("我真的好害怕", "had_car_t", "zh", None, None),
    ("复发了，我整个人都垮了", "relapsed_or_refractory", "zh", "yes", 0.8),
    ("没做过CAR-T，心里很乱", "had_car_t", "zh", "no", 0.75),
    ("孩子才5岁，我快撑不下去了", "patient_age", "zh", 5.0, 0.8),
    ("这几天一直睡不着觉", "had_car_t", "zh", None, 0.85),
    ("tengo tanto miedo la verdad", "had_car_t", "es", None, None),
    ("sí volvió, estoy deshecha", "relapsed_or_refractory", "es", "yes", 0.8),
    ("no, no le hicieron el car-t. estoy muy mal", "had_car_t", "es", "no", 0.75),
    ("tiene 7 y ya no sé ni cómo sigo", "patient_age", "es", 7.0, 0.8),
    ("me paso las noches pensando en lo peor", "had_car_t", "es", None, 0.85),
]


@pytest.mark.xfail(strict=True, reason="the yes/no reader (parsing.py) takes the 'no' of 'no puedo' as the answer")
def test_a_no_that_belongs_to_no_puedo_is_no_answer():
    assert read("no puedo dejar de pensar en lo peor", "had_car_t", "es", "distress", 0.85).answer is None


@pytest.mark.parametrize("text, slot, lang, answer, sure", DISTRESS)
def test_distress_gets_warmth_and_an_answer_beside_it_is_kept(text, slot, lang, answer, sure):
    reading = read(text, slot, lang, "distress" if sure else None, sure or 0.0)
    assert "distress" in reading.digressions
    assert reading.answer == answer
    assert reading.leaving is None


def test_a_weak_distress_guess_beside_a_plain_answer_adds_nothing():
    assert read("no he hasnt", "had_car_t", "en", "distress", 0.55).digressions == ()


# --- 4. a statement that opens with a question word is no question -------------------------------

STATEMENTS = [
    ("cuando tenia 5 le diagnosticaron, ahora tiene 8", "patient_age", "es", 8.0, "faq_eligibility"),
    ("como le dije, tiene 9 años", "patient_age", "es", 9.0, "faq_other"),
    ("donde vivimos no hay car-t, asi que no", "had_car_t", "es", "no", "faq_location"),
    ("como ya le dije antes, no", "had_car_t", "es", "no", "faq_other"),
    ("cuando le preguntamos al médico dijo que si, recayó", "relapsed_or_refractory", "es", "yes", "faq_other"),
    ("when he was 3 they found it, hes 7 now", "patient_age", "en", 7.0, "faq_eligibility"),
    ("where we live they dont do car-t so no", "had_car_t", "en", "no", "faq_location"),
    ("how we found out was a blood test, and yes it came back", "relapsed_or_refractory", "en", "yes", "faq_other"),
    ("what i can tell you is no", "had_car_t", "en", "no", "faq_other"),
    ("when she was little she had it, now shes 15", "patient_age", "en", 15.0, "faq_other"),
]


@pytest.mark.parametrize("text, slot, lang, answer, intent", STATEMENTS)
def test_a_statement_opening_with_a_question_word_is_an_answer_not_a_question(text, slot, lang, answer, intent):
    assert not cues.is_question(text)
    reading = read(text, slot, lang, intent, 0.6)
    assert reading.answer == answer
    assert reading.digressions == ()


@pytest.mark.parametrize("text", [
    "cómo funciona el tratamiento", "cuándo empieza el ensayo", "donde es el ensayo?", "¿como se llama el hospital",
    "when does it start", "how is it given", "where is the hospital", "什么时候开始", "在哪里做",
])
def test_real_questions_without_a_question_mark_are_still_questions(text):
    assert cues.is_question(text)


@pytest.mark.parametrize("text, slot, lang", [
    ("como me dijeron que es gratis, sí", "prescreen_consent", "es"),
    ("when you put it like that, yes", "prescreen_consent", "en"),
])
def test_consent_after_a_clause_that_opens_with_a_question_word(text, slot, lang):
    assert read(text, slot, lang).answer == "yes"


# --- 5. "never heard of that drug": not sure, explained when asked --------------------------------

UNFAMILIAR = [
    ("never heard of that drug", "bendamustine_9_months", "en", False),
    ("never heard of it tbh", "had_car_t", "en", False),
    ("dont know what that is", "dic", "en", False),
    ("never heard of bendamustine, what is it?", "bendamustine_9_months", "en", True),
    ("从来没听说过这个药", "bendamustine_9_months", "zh", False),
    ("没听说过这个", "had_car_t", "zh", False),
    ("没听说过这个，是治什么的？", "bendamustine_9_months", "zh", True),
    ("nunca he oído de ese medicamento", "bendamustine_9_months", "es", False),
    ("nunca había oído hablar de eso", "dic", "es", False),
    ("nunca he oído de la bendamustina, ¿qué es?", "bendamustine_9_months", "es", True),
]


@pytest.mark.parametrize("text, slot, lang, asks", UNFAMILIAR)
def test_never_heard_of_it_is_not_sure_and_explained_only_when_asked(text, slot, lang, asks):
    reading = read(text, slot, lang, "explain", 0.7)
    assert reading.answer == "unsure"
    assert ("explain" in reading.digressions) == asks


@pytest.mark.parametrize("text, lang", [("i dont understand", "en"), ("不明白", "zh"), ("no entiendo", "es")])
def test_not_understanding_the_question_still_asks_for_an_explanation(text, lang):
    reading = read(text, "dic", lang, "explain", 0.7)
    assert reading.answer is None
    assert "explain" in reading.digressions


# --- 2. cue boundaries: code-switching, embedding and negation -----------------------------------

@pytest.mark.parametrize("text, kind", [
    ("先stop一下", "stop"), ("我想talk to a person", "person"), ("能不能explain一下", "explain"),
    ("那个我想delete my data", "delete"), ("太scared了", "distress"), ("现在先pause一下好吗", "later"),
])
def test_an_english_cue_inside_chinese_text_counts(text, kind):
    assert kind in cues.kinds(text)


@pytest.mark.parametrize("text, kind", [
    ("没有什么关系", "why"), ("我不害怕", "distress"), ("一点都不担心", "distress"), ("没有不明白的", "explain"),
    ("stopwatch", "stop"), ("redelete", "delete"),
])
def test_a_cue_inside_a_longer_word_or_negated_is_not_the_cue(text, kind):
    assert kind not in cues.kinds(text)


def test_a_negated_chinese_cue_beside_an_answer_leaves_the_answer_alone():
    reading = read("我不害怕，没做过", "had_car_t", "zh")
    assert reading.answer == "no"
    assert reading.digressions == ()


@pytest.mark.parametrize("text, slot, lang, answer", [
    ("she's 6, is that too young?", "patient_age", "en", 6.0),
    ("im his dad, how long does the whole trial take", "respondent", "en", "guardian"),
    ("我是孩子他妈 顺便问一句这个要花钱吗", "respondent", "zh", "guardian"),
    ("tiene 9, cuanto dura el tratamiento?", "patient_age", "es", 9.0),
])
def test_a_question_after_a_comma_or_a_chinese_space_is_answered_and_the_answer_kept(text, slot, lang, answer):
    reading = read(text, slot, lang)
    assert reading.answer == answer
    # a question about the trial, or (for "is that too young?") the age range, the age question's "why"
    assert any(d.startswith("faq") or d == "why" for d in reading.digressions)


@pytest.mark.parametrize("text, slot, lang", [("7, he turns 8 in may", "patient_age", "en"), ("no, why?", "dic", "en")])
def test_a_clause_after_a_comma_that_asks_nothing_of_its_own_is_no_trial_question(text, slot, lang):
    assert not any(d.startswith("faq") for d in read(text, slot, lang).digressions)
