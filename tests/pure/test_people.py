"""Who is answering, the patient's sex and activity level, read as the interpretation step reads
them: the message, the open question, what is understood. Each case is a mechanism (a form of a
phrase, an intensifier, a clause that answers first), in the three languages; "None" means the
question is asked again rather than guessed."""

from __future__ import annotations

import pytest

from bot.trial import TRIAL
from bot.understanding.interpret import Message, OpenQuestion, interpret


def understood(text, slot, lang):
    reading = interpret(Message(text, None, 0.0, {}, lang), OpenQuestion.of(TRIAL, slot), TRIAL, {})
    assert not reading.leaving and reading.emergency is None
    return reading.answer


# --- activity level (ECOG) ----------------------------------------------------------------------


@pytest.mark.parametrize("text, lang, level", [
    # "completely / totalmente / 完全" take the far end of a phrase's range
    ("totally in bed", "en", 4.0),
    ("totalmente en cama", "es", 4.0),
    ("esta completamente acostada", "es", 4.0),
    ("mostly in bed", "en", 3.0),  # "mostly" softens instead: 3, never 4
    # a verb's other form and another person's reflexive find the same phrase
    ("can take care of himself, up and about all day, but off school", "en", 2.0),
    ("she take care of herself but cant go to school", "en", 2.0),
    # "home from school" says he is not at school
    ("home from school, dresses and washes himself, up most of the day", "en", 2.0),
    # Chinese potential complements negate the verb before them: 跑不动 = cannot run
    ("能上学 就是跑不动", "zh", 1.0),
    ("能上学 就是跑不起来", "zh", 1.0),
    # Spanish: getting out of bed, said negated, is 4; "nada pesado" is no heavy work
    ("no se puede levantar de la cama", "es", 4.0),
    ("hace las cosas de la casa pero nada pesado", "es", 1.0),
    ("lleno de energía", "es", 0.0),
    ("full of energy", "en", 0.0),
])
def test_activity_described_in_everyday_words(text, lang, level):
    assert understood(text, "ecog", lang) == level


@pytest.mark.parametrize("text, lang", [
    ("he walks", "en"),  # 0-2: too wide to tell
    ("completely walks around", "en"),  # an intensifier does not narrow a wide range
    ("能走", "zh"),
])
def test_activity_too_vague_is_asked_again(text, lang):
    assert understood(text, "ecog", lang) is None


def test_a_negated_phrase_is_not_pushed_to_an_extreme():
    # "not completely in bed": the negation wins (0-2 with "walks"), no 4
    assert understood("not completely in bed, walks a bit, goes to school", "ecog", "en") in (0.0, 1.0)


# --- who is answering -----------------------------------------------------------------------------


@pytest.mark.parametrize("text, lang, who", [
    # the opening clause answers first; what follows explains
    ("me, the patient. my dad is helping me read the questions", "en", "patient"),
    ("me, im 24 and have ALL", "en", "patient"),
    ("me (the patient)", "en", "patient"),
    ("yo, mi mamá me ayuda a escribir", "es", "patient"),
    ("我自己，我妈在旁边帮我看", "zh", "patient"),
    # words that describe the child stand between "my" and the child
    ("for my 7 year old", "en", "guardian"),
    ("asking for my little girl", "en", "guardian"),
    ("writing for my youngest son", "en", "guardian"),
    ("替我小女儿问的", "zh", "guardian"),
    # a relation said together with the speaker is answering alongside; the child is the patient
    ("my partner and me, for our boy", "en", "guardian"),
    ("mi esposo y yo por nuestro hijo", "es", "guardian"),
    ("我老公和我，给儿子问", "zh", "guardian"),
    # ... unless nobody else is named: then that relation is who the answers are about
    ("me and my mum, she's the patient", "en", "other"),
    # missing words
    ("我是孩子的小姨", "zh", "other"),
    ("yo soy la que tiene leucemia", "es", "patient"),
    ("my self", "en", "patient"),
])
def test_who_is_answering(text, lang, who):
    assert understood(text, "respondent", lang) == who


def test_an_age_is_not_a_child():
    # "years old" of the speaker says nothing about who is answering
    assert understood("I'm 24 years old", "respondent", "en") is None


# --- sex ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, lang, sex", [
    ("my little girl", "en", "female"),
    ("小子", "zh", "male"),
    ("es una niña de 8 años", "es", "female"),
])
def test_sex(text, lang, sex):
    assert understood(text, "sex", lang) == sex


# --- round 4: negated relations, someone else's child, negation over small words ---------------------


@pytest.mark.parametrize("text, lang, who", [
    ("auntie, not his guardian", "en", "other"),
    ("hes my partners son, im not his legal guardian", "en", "other"),
    ("他姑姑，不是监护人", "zh", "other"),
    ("su tía, no soy la tutora", "es", "other"),
    ("not me, my son", "en", "guardian"),  # the negated "me" drops out, the son stays
    ("es el hijo de mi pareja, no soy su tutor", "es", "other"),
    ("it's for the son of my partner", "en", "other"),
    ("soy el papá del niño", "es", "guardian"),  # "of the child" after a parent is still the parent
    ("I'm the grandad, his mum asked me to fill this in", "en", "other"),
    ("我是当事人", "zh", "patient"),
    ("俺是孩子的爹", "zh", "guardian"),
])
def test_who_is_answering_round_four(text, lang, who):
    assert understood(text, "respondent", lang) == who


def test_a_legal_guardian_said_plainly_still_counts():
    assert understood("soy su tutora legal", "respondent", "es") == "guardian"
    assert understood("我是他的法定监护人", "respondent", "zh") == "guardian"


@pytest.mark.parametrize("text, lang, level", [
    ("se baña y se viste sola, pero no tiene fuerzas para el cole", "es", 2.0),
    ("he's not up to going to school but dresses himself", "en", 2.0),
    ("he's a bit slower than before but still at school full time, just skips sports", "en", 1.0),
    ("和平时差不多，能玩能吃", "zh", 0.0),
    ("在床上或者椅子上", "zh", 3.0),
    ("hace todo lo de antes, hasta natación", "es", 0.0),
])
def test_activity_round_four(text, lang, level):
    assert understood(text, "ecog", lang) == level


@pytest.mark.parametrize("text, lang, sex", [
    ("boi", "en", "male"), ("我家千金", "zh", "female"), ("双性人", "zh", "other"), ("hembra", "es", "female"),
])
def test_sex_round_four(text, lang, sex):
    assert understood(text, "sex", lang) == sex


@pytest.mark.parametrize("text, lang, expected", [
    ("me, the mum. I'm exhausted, havent slept properly in weeks", "en", "guardian"),
    ("it's me, his dad", "en", "guardian"),
    ("me (mum)", "en", "guardian"),
    ("我，孩子妈妈", "zh", "guardian"),
    ("yo, la mamá", "es", "guardian"),
    ("soy yo, su tía", "es", "other"),
    # a "me" that nothing names stays the patient
    ("me, im 24 and have ALL", "en", "patient"),
    ("me. my mum is helping me type", "en", "patient"),
    ("yo. soy la paciente", "es", "patient"),
])
def test_a_bare_me_is_named_by_the_words_right_after_it(text, lang, expected):
    assert understood(text, "respondent", lang) == expected
