"""Answers to the exclusion questions with a qualifier, read by what each criterion asks.

A qualifier changes what a yes means: "well controlled" diabetes is not *uncontrolled* diabetes,
DIC "at diagnosis, resolved in a week" is not DIC now, "bipolar, stable for years" is for the
study doctor to judge, and a cancer "treated and cured" is still another cancer. Each test sends
one message, as a person would type it, to the open question through the real interpretation step
and the trial's own readings, and checks what would be stored. None of these messages is in a
phrase bank: they check that the mechanism, not a list of phrasings, does the work.
"""

from __future__ import annotations

import pytest

from bot.trial import TRIAL
from bot.trial.nct06389305 import reading
from bot.understanding.interpret import Message, OpenQuestion, excludes, interpret

ANSWERED = {slot: "yes" for slot in TRIAL.slots}


def understood(text, slot, lang):
    return interpret(Message(text, language=lang), OpenQuestion.of(TRIAL, slot), TRIAL, ANSWERED).answer


CASES = [
    # control removes "uncontrolled" (E8, E9); said to be out of control it is a yes
    ("en", "uncontrolled_diabetes", "type 1 since he was 6, pump keeps it well under control", "no"),
    ("zh", "uncontrolled_diabetes", "一型糖尿病 戴胰岛素泵 控制得很好", "no"),
    ("es", "uncontrolled_diabetes", "diabetes tipo 1 desde los 6, con la bomba la tiene bajo control", "no"),
    ("en", "uncontrolled_diabetes", "yes and honestly his sugars are all over the place", "yes"),
    ("es", "uncontrolled_infection", "si, la infeccion no mejora con nada", "yes"),
    ("en", "uncontrolled_infection", "not controlled at all, still spiking fevers", "yes"),
    # only the present state excludes (E6, E15, E16): over now is no, whatever came before the "but"
    ("en", "dic", "they said DIC when she was first admitted but it cleared up after a few days", "no"),
    ("zh", "dic", "刚入院的时候说是DIC 后来几天就纠正了", "no"),
    ("en", "pregnant_or_breastfeeding", "i was breastfeeding my son but stopped in march", "no"),
    ("zh", "pregnant_or_breastfeeding", "之前喂奶 三月份已经断奶了", "no"),
    ("es", "pregnant_or_breastfeeding", "daba el pecho pero lo deje en marzo", "no"),
    ("zh", "active_infectious_disease", "以前得过乙肝 现在已经转阴了", "no"),
    ("en", "respiratory_failure", "needed oxygen in icu after car t but breathing normally now", "no"),
    # E16 is "active OR uncontrollable": held in check may still be active
    ("es", "active_infectious_disease", "tiene hepatitis b, controlada con tratamiento", "unsure"),
    # a named lasting condition, held or past (E10): the study doctor decides
    ("en", "severe_mental_disorder", "schizophrenia but stable on clozapine for 2 years", "unsure"),
    ("zh", "severe_mental_disorder", "精神分裂症 吃药以后一直很稳定", "unsure"),
    ("es", "severe_mental_disorder", "esquizofrenia pero estable con clozapina desde hace 2 años", "unsure"),
    # severity (I4): mild is no, an emergency is yes
    ("en", "severe_allergies", "allergic to plasters, gets a bit red thats it", "no"),
    ("zh", "severe_allergies", "对胶布过敏 就是有点红", "no"),
    ("es", "severe_allergies", "alergia a los esparadrapos, se le pone la piel un poco roja y ya", "no"),
    ("en", "severe_allergies", "shellfish allergy, had anaphylaxis and went to the emergency room", "yes"),
    # "ever had" (E5): cured is still a cancer, for the doctor; the past does not remove it
    ("en", "other_cancer", "had a thyroid cancer at 19 treated and cured", "unsure"),
    ("zh", "other_cancer", "19岁的时候得过甲状腺癌 已经治好了", "unsure"),
    ("es", "other_cancer", "tuve cancer de tiroides a los 19, tratado y curado", "unsure"),
    # a test never done is not sure (E11)
    ("en", "brain_lesions", "he has never had an mri of his head", "unsure"),
    ("zh", "brain_lesions", "头颅核磁还没做过", "unsure"),
    ("es", "brain_lesions", "nunca le han hecho una resonancia", "unsure"),
    # numbers against the limit: the current one, a bare number keeping the percentage's unit (E13)
    ("en", "blood_blasts_high", "45% blasts last month, after the chemo it dropped to 1", "no"),
    ("zh", "blood_blasts_high", "上个月外周血幼稚细胞45% 化疗后降到1%", "no"),
    ("es", "blood_blasts_high", "el mes pasado 45% de blastos, despues de la quimio bajaron a 1", "no"),
    # a hedged number is a rough number, not a "not sure": far from the limit it decides (E12)
    ("en", "csf_blasts_high", "i think like 4 cells on the last lp", "no"),
    ("zh", "csf_blasts_high", "好像是4个细胞", "no"),
    ("es", "csf_blasts_high", "creo que unas 4 celulas", "no"),
    ("en", "csf_blasts_high", "i think about 21 cells", "unsure"),
    # E7: "2x" glued to its number is a ratio
    ("en", "kidney_problem", "creatinine around 2x normal", "yes"),
]


@pytest.mark.parametrize("lang, slot, text, expected", CASES, ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(CASES)])
def test_a_qualified_answer_means_what_the_criterion_asks(lang, slot, text, expected):
    assert understood(text, slot, lang) == expected


def test_a_controlled_condition_does_not_exclude_but_an_uncontrolled_one_does():
    """What the family would notice: 'well controlled' lets the screening go on."""
    calm = understood("he has type 1 diabetes but it's well controlled", "uncontrolled_diabetes", "en")
    wild = understood("yes and honestly his sugars are all over the place", "uncontrolled_diabetes", "en")
    assert not excludes(TRIAL, ANSWERED, "uncontrolled_diabetes", calm)
    assert excludes(TRIAL, ANSWERED, "uncontrolled_diabetes", wild)


@pytest.mark.parametrize("lang, text", [
    ("en", "not stable at all, sugars over 20 every day"),
    ("zh", "血糖一直控制不住 忽高忽低"),
    ("es", "no está controlada para nada"),
])
def test_a_negated_control_word_never_reads_as_controlled(lang, text):
    assert understood(text, "uncontrolled_diabetes", lang) != "no"


@pytest.mark.parametrize("lang, text", [
    ("en", "i was breastfeeding but im still breastfeeding"),
    ("es", "sí, tiene hepatitis C activa, todavía no se la han tratado"),
])
def test_still_going_on_is_not_over(lang, text):
    slot = "pregnant_or_breastfeeding" if lang == "en" else "active_infectious_disease"
    assert understood(text, slot, lang) == "yes"


@pytest.mark.parametrize("lang, text", [
    ("en", "peanut allergy but we never had to go to A&E for it"),
    ("zh", "花生过敏 但是没有送过急诊"),
    ("es", "alergia a los frutos secos, nunca hemos tenido que ir a urgencias"),
])
def test_an_emergency_that_never_happened_does_not_make_an_allergy_severe(lang, text):
    assert understood(text, "severe_allergies", lang) != "yes"


def test_a_plain_no_stays_a_no_with_a_qualifier_beside_it():
    assert understood("no, I stopped breastfeeding in March", "pregnant_or_breastfeeding", "en") == "no"
    assert understood("no, never had diabetes", "uncontrolled_diabetes", "en") == "no"


def test_a_no_that_belongs_to_the_qualifier_is_not_a_no_to_the_condition():
    """ "之后一直没复发": the 没 is about the cancer coming back, not about having had one."""
    assert understood("三年前切过一个肾癌 之后一直没复发", "other_cancer", "zh") == "unsure"


def test_only_the_state_said_after_but_counts():
    assert reading.qualifier_classes("her sugars were all over the place at first but they settled") == ("resolved",)
    assert "uncontrolled" in reading.qualifier_classes("they settled at first but now all over the place")


def test_when_and_how_often_survive_a_later_but():
    assert set(reading.qualifier_classes("fainted once when they took blood but that's it")) == {"once", "mild"}


@pytest.mark.parametrize("slot, found, named, expected", [
    ("uncontrolled_diabetes", ("controlled",), True, "no"),
    ("dic", ("past",), True, "no"),
    ("dic", ("controlled",), True, "unsure"),
    ("brain_pressure_or_consciousness", ("mild",), True, None),  # slightly raised is still raised
    ("severe_mental_disorder", ("resolved",), True, "unsure"),
    ("severe_mental_disorder", ("resolved",), False, "no"),
    ("heart_failure_or_arrhythmia", ("mild",), True, "no"),
    ("other_cancer", ("past",), True, None),
    ("other_cancer", ("resolved",), True, "unsure"),
    ("bendamustine_9_months", ("past",), False, "unsure"),
    ("bendamustine_9_months", ("once",), False, None),
    ("kidney_problem", ("mild",), True, "unsure"),
    ("severe_allergies", ("severe",), True, "yes"),
    ("severe_allergies", ("severe", "mild"), True, "unsure"),
    ("uncontrolled_infection", ("uncontrolled", "controlled"), True, "unsure"),
    ("active_infectious_disease", ("controlled",), True, "unsure"),
    ("active_infectious_disease", ("resolved",), True, "no"),
    ("uncontrolled_diabetes", ("partly",), True, "unsure"),
])
def test_each_criterion_aspect_decides_what_a_qualifier_does(slot, found, named, expected):
    assert reading._effect(reading.ASPECTS[slot][1], found, named) == expected


def test_every_exclusion_and_i4_has_an_aspect_citing_its_criterion():
    for slot, (criterion, _aspects) in reading.ASPECTS.items():
        assert TRIAL.criterion_of(slot) == criterion or (slot == "pregnant_or_breastfeeding" and criterion == "E15")
    asked = {q.slot for q in TRIAL.questions if q.qualifiers is not None}
    assert asked <= set(reading.ASPECTS)


@pytest.mark.parametrize("lang, text", [
    ("en", "yes, anaphylaxis twice, but mild rash otherwise"),
    ("es", "sí, tuvo un shock anafiláctico, pero ahora solo ronchas leves"),
    ("zh", "对青霉素过敏休克过，不过现在只是轻微的皮疹"),
])
def test_how_bad_it_once_got_is_not_undone_by_a_later_but(lang, text):
    # I4: a severe reaction that happened stays one; "mild otherwise" makes it the doctor's call, never a no
    assert understood(text, "severe_allergies", lang) == "unsure"


# Fourth round: mechanisms, each shown in the three languages where the language has the structure.
ROUND4 = [
    # a negation just before the question's own verb echoed back is a no (Chinese, as English/Spanish)
    ("zh", "had_car_t", "冇打过", "no"),
    ("zh", "bendamustine_9_months", "木有用过 这个药", "no"),
    ("en", "had_car_t", "he hasnt had it", "no"),
    # a negation, a character or two, then a word of knowing or remembering: not sure, never a no
    ("zh", "b_all_diagnosis", "是急淋 但B还是T没太记清", "unsure"),
    ("zh", "dic", "这个真不太有把握", "unsure"),
    ("en", "b_all_diagnosis", "it was ALL but i dont really remember which kind", "unsure"),
    ("es", "b_all_diagnosis", "es LLA pero no recuerdo si B o T", "unsure"),
    # a "no" inside words saying a condition is out of control is no "no" to the question
    ("es", "uncontrolled_infection", "tiene una infeccion en la vía y no responde al tratamiento", "yes"),
    ("zh", "uncontrolled_infection", "这个感染 抗生素用了一圈都压不住", "yes"),
    ("en", "uncontrolled_diabetes", "his glucose keeps spiking even on insulin", "yes"),
    # the person's own yes with a time in the past, when only the present excludes: not sure
    ("zh", "dic", "有 确诊那会儿医生说过", "unsure"),
    ("en", "dic", "yes, at diagnosis", "unsure"),
    ("es", "dic", "si, al diagnostico", "unsure"),
    ("en", "dic", "at diagnosis they said DIC but it cleared in days", "no"),
    # "not yet, we're waiting" to a have-you-had question: the treatment is awaited, so no
    ("es", "had_car_t", "aun no, estamos esperando", "no"),
    ("en", "had_car_t", "not yet, still waiting", "no"),
    ("es", "had_car_t", "todavía no sabemos, estamos esperando los resultados", "unsure"),
    # being on breathing support now is the question's yes; once, and over, it is not
    ("en", "respiratory_failure", "she's intubated in the icu", "yes"),
    ("es", "respiratory_failure", "esta intubado en terapia", "yes"),
    ("zh", "respiratory_failure", "一直戴着呼吸机", "yes"),
    ("en", "respiratory_failure", "was on oxygen for a few days last year, fine now", "no"),
]


@pytest.mark.parametrize("lang, slot, text, expected", ROUND4)
def test_fourth_round_mechanisms(lang, slot, text, expected):
    assert understood(text, slot, lang) == expected
