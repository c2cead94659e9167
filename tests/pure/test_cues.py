"""Cues, qualifiers, mentions and the trial's own readings (bot/understanding/cues.py,
mentions.py, bot/trial/nct06389305/reading.py), and the lexicon files themselves. One test per
rule, with phrasings written here."""

from __future__ import annotations

import pytest
import yaml

from bot.trial import TRIAL
from bot.understanding import cues, lang, mentions
from bot.understanding.interpret import Message, OpenQuestion, interpret


def answer(slot: str, text: str):
    return interpret(Message(text), OpenQuestion.of(TRIAL, slot), TRIAL, {}).answer


# --- the lexicon files -----------------------------------------------------------------------------


def test_every_lexicon_file_loads_and_starts_with_a_header():
    for path in sorted(lang.LANG_DIR.glob("*/*.yml")):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("# "), path  # one line a translator can read
        lang.load(path.parent.name, path.stem)


def test_an_unquoted_no_is_refused(tmp_path, monkeypatch):
    (tmp_path / "xx").mkdir()
    (tmp_path / "xx" / "yesno.yml").write_text("# test\nnegations: [no, not]\n", encoding="utf-8")
    monkeypatch.setattr(lang, "LANG_DIR", tmp_path)
    lang.load.cache_clear()
    try:
        with pytest.raises(lang.LexiconError, match="False"):
            lang.load("xx", "yesno")
    finally:
        lang.load.cache_clear()
    assert yaml.safe_load("[no]") == [False]  # why the check exists


# --- qualifiers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("yes but it's well managed with tablets", ("controlled",)),
    ("yes, and it is not controlled at all", ()),  # negated just before
    ("it's really hard to control", ()),  # the opposite of controlled
    ("only partly controlled", ("partly",)),
    ("yes, years ago, and still being treated", ()),  # still going on: not past
    ("hace dos años, ya está curado", ("past",)),
    ("no se la han tratado todavía", ()),
    ("控制得不好", ()), ("以前有过，已经治好了", ("past",)),
])
def test_qualifiers(text, expected):
    assert cues.qualifiers(text) == expected


@pytest.mark.parametrize(("slot", "text", "expected"), [
    # A qualified yes means what the trial says for that question.
    ("uncontrolled_diabetes", "she has diabetes, well managed with insulin", "no"),
    ("uncontrolled_diabetes", "he has diabetes and it's out of control", "yes"),
    ("uncontrolled_diabetes", "sí, diabetes, controlada a medias", "unsure"),
    ("uncontrolled_infection", "a chest infection, but it's clearing up with antibiotics", "no"),
])
def test_qualified_answers(slot, text, expected):
    assert answer(slot, text) == expected


# --- mentions: negated, asserted -------------------------------------------------------------------


@pytest.mark.parametrize(("text", "absent", "present"), [
    ("she isn't diabetic", True, False), ("no diabetes in the family", True, False),
    ("la diabetes no", True, False), ("没得过糖尿病", True, False), ("sin diabetes", True, False),
    ("he's got diabetes", False, True), ("确诊了糖尿病", False, True), ("tiene diabetes tipo 1", False, True),
    ("no, but his sister has diabetes", False, True),  # its own clause
    ("what is diabetes", False, False),
])
def test_mentions(text, absent, present):
    words = ["diabetes", "diabetic", "糖尿病"]
    assert (mentions.absent(text, words), mentions.present(text, words)) == (absent, present)


@pytest.mark.parametrize(("slot", "text", "expected"), [
    # What an exclusion is about, negated or stated, when there is no plain yes or no.
    ("uncontrolled_diabetes", "not diabetic as far as we know", "no"),
    ("severe_allergies", "没有过敏", "no"),
    ("heart_failure_or_arrhythmia", "tiene arritmia y toma medicación", "yes"),
    # A question's own words: refractory, CAR-T cells gone, a guardian who can sign.
    ("relapsed_or_refractory", "she never went into remission after induction", "yes"),
    ("car_t_activity_lost", "the CAR-T cells are undetectable now", "yes"),
    ("car_t_activity_lost", "todavía hay células CAR-T", "no"),
    ("guardian_can_consent", "her father can sign", "yes"),
    ("pregnant_or_breastfeeding", "no, I stopped breastfeeding last year", "no"),
])
def test_question_words(slot, text, expected):
    assert answer(slot, text) == expected


# --- numbers against the protocol's limits ---------------------------------------------------------


@pytest.mark.parametrize(("slot", "text", "expected"), [
    # E13: more than 30% blasts in the blood.
    ("blood_blasts_high", "last count was 12% blasts", "no"),
    ("blood_blasts_high", "blasts went up to 45%", "yes"),
    ("blood_blasts_high", "around 31%", "unsure"),
    ("blood_blasts_high", "less than 10 percent", "no"),
    ("blood_blasts_high", "原始细胞百分之五十", "yes"),
    # E7: creatinine or urea 1.5 times normal or more.
    ("kidney_problem", "creatinine is 3 times the upper limit", "yes"),
    ("kidney_problem", "about 1.1 times normal", "no"),
    ("kidney_problem", "肌酐是正常的三倍", "yes"),
    ("kidney_problem", "la urea está al doble de lo normal", "yes"),
    # E12: more than 20 leukemia cells per microlitre of spinal fluid.
    ("csf_blasts_high", "the LP showed 50 cells per microlitre", "yes"),
    ("csf_blasts_high", "only 4 cells on the last lumbar puncture", "no"),
    # E1: bendamustine within the past 9 months.
    ("bendamustine_9_months", "she had bendamustine three years ago", "no"),
    ("bendamustine_9_months", "bendamustine 4 months ago", "yes"),
    ("bendamustine_9_months", "用过苯达莫司汀，两年前", "no"),
    ("bendamustine_9_months", "hace seis meses", "yes"),
])
def test_numbers_against_the_protocol(slot, text, expected):
    assert answer(slot, text) == expected


@pytest.mark.parametrize(("slot", "text", "expected"), [
    # A test not done is "not sure" (E11: no MRI was done); a normal result is "no".
    ("brain_lesions", "they never did a head MRI", "unsure"),
    ("brain_lesions", "还没做过核磁", "unsure"),
    ("brain_lesions", "la resonancia salió normal", "no"),
    ("kidney_problem", "kidney function was normal last week", "no"),
    ("csf_blasts_high", "腰穿都是阴性", "no"),
    # E14: a marrow, stem-cell or cord-blood transplant is not an organ transplant.
    ("organ_transplant", "yes, a cord blood transplant in 2022", "no"),
    ("organ_transplant", "做过干细胞移植，器官没移植过", "no"),
    ("organ_transplant", "yes, a liver transplant", "yes"),
])
def test_tests_and_transplants(slot, text, expected):
    assert answer(slot, text) == expected


@pytest.mark.parametrize(("text", "kind"), [
    ("no puedo parar de pensar en eso", None),  # a negated stop is no stop
    ("please stop", "stop"),
    ("don't erase what I wrote", "not_delete"), ("我之前填的别删", "not_delete"),
    ("how can I get my data deleted later?", "delete_question"),
    ("¿cómo los borro después?", "delete_question"),
    ("brb, getting the folder", "later"), ("等下再说", "later"),
    ("问这个干嘛", "why"), ("are you chatgpt", "bot"),
])
def test_cue_kinds(text, kind):
    found = cues.kinds(text)
    if kind is None:
        assert "stop" not in found
    else:
        assert kind in found


def test_a_space_between_chinese_clauses_ends_the_clause_a_negation_belongs_to():
    """ "我不想参加了 删掉我的信息": the 不 belongs to taking part; the request to delete stands (and is
    confirmed before anything is deleted). A negation right before the space still carries over."""
    assert "delete" in cues.kinds("我不想参加了 删掉我的信息")
    assert "not_delete" not in cues.kinds("我不想参加了 删掉我的信息")
    assert cues.kinds("不要 删除我的信息") == ("not_delete",)
