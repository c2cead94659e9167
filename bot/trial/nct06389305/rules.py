"""The few rules of this trial that need code: I2, I7 and E15, and the skipping they imply.

Each function cites its protocol id. Numbers come from the protocol and the study team's data
dictionary (``../shared/trial/data-dictionary.md``); ``docs/interpretation.md`` says how the
ambiguous wording is read.
"""

from __future__ import annotations

from bot.trial.model import (
    FAIL,
    NO,
    NOT_APPLICABLE,
    PASS,
    PENDING,
    UNKNOWN,
    UNSURE,
    YES,
    Answers,
    is_number,
    required_yes,
)

MAX_CAR_T_LOSS_MONTHS = 6.0  # I2: "within 6 months" -> months <= 6
ADULT_AGE = 18.0  # I7: a guardian consents for patients under 18
PREGNANCY_QUESTION_MIN_AGE = 10.0  # E15: asked only of female patients aged 10 and over


def had_car_t(a: Answers) -> bool:
    """The CAR-T follow-up questions only make sense once CAR-T is confirmed (I2)."""
    return a.get("had_car_t") == YES


def car_t_loss_asked(a: Answers) -> bool:
    return had_car_t(a) and a.get("car_t_activity_lost") == YES


def i2_car_t_loss_within_6_months_no_relapse(a: Answers) -> str:
    """I2: loss of CAR-T cell activity within 6 months after CAR-T therapy, and no relapse."""
    had = a.get("had_car_t")
    if had == NO:
        return FAIL
    if had is None:
        return PENDING
    if had == UNSURE:
        return UNKNOWN  # the follow-up questions are not asked when the CAR-T itself is unknown
    lost = a.get("car_t_activity_lost")
    months = a.get("car_t_loss_months") if lost == YES else None
    relapse = a.get("relapse_since_car_t")
    if lost == NO or relapse == YES:
        return FAIL
    if is_number(months) and months > MAX_CAR_T_LOSS_MONTHS:
        return FAIL
    if lost is None or relapse is None or (lost == YES and months is None):
        return PENDING
    if UNSURE in (lost, relapse) or months == UNSURE:
        return UNKNOWN
    return PASS


def needs_guardian_question(a: Answers) -> bool:
    """I7 asks about a guardian only for a (possibly) under-18 patient when no guardian answers."""
    age = a.get("patient_age")
    under_18_or_unknown = not is_number(age) or age < ADULT_AGE
    return under_18_or_unknown and a.get("respondent") != "guardian"


def i7_informed_consent(a: Answers) -> str:
    """I7: patients 18+ consent themselves; a parent or legal guardian consents for under-18s."""
    if a.get("patient_age") is None or a.get("respondent") is None:
        return PENDING
    if not needs_guardian_question(a):
        return PASS
    return required_yes(a.get("guardian_can_consent"))


def i7_shown(a: Answers):
    """The coordinator sees the age and who answered, and the guardian answer when asked."""
    return ("patient_age", "respondent") + (("guardian_can_consent",) if needs_guardian_question(a) else ())


def needs_sex_question(a: Answers) -> bool:
    """Sex only matters for E15, which applies from age 10 (or when the age is unknown)."""
    age = a.get("patient_age")
    return not is_number(age) or age >= PREGNANCY_QUESTION_MIN_AGE


def needs_pregnancy_question(a: Answers) -> bool:
    return needs_sex_question(a) and a.get("sex") == "female"


def e15_pregnant_or_lactating(a: Answers) -> str:
    """E15: a female patient of childbearing potential who is pregnant or breastfeeding."""
    if a.get("patient_age") is None:
        return PENDING
    if not needs_sex_question(a):
        return NOT_APPLICABLE
    sex = a.get("sex")
    if sex is None:
        return PENDING
    if sex != "female":
        return NOT_APPLICABLE
    return {YES: FAIL, NO: PASS, UNSURE: UNKNOWN}.get(a.get("pregnant_or_breastfeeding"), PENDING)
