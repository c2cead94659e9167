"""Simulated patients: what a person would type when asked each data-dictionary slot, in plain
English. Used by the simulator's callers (the benchmark in tools/bench, the tests through
tests/support/profiles.py); slots a profile does not list are answered "no"."""

from __future__ import annotations

from typing import Dict, List


def handoff_replies(name: str, contact: str, time: str = "mornings") -> List[str]:
    """What a person types through the hand-off after a likely-eligible result: yes to being
    contacted, a name, a phone number or e-mail, a time, then yes to the summary."""
    return ["yes", name, contact, time, "yes"]


NO_TO_EVERYTHING_ELSE = {
    "en": "no",
    "zh": "没有",
    "es": "no",
}

ELIGIBLE_ADULT_EN: Dict[str, str] = {
    "prescreen_consent": "yes please",
    "respondent": "I'm the patient",
    "patient_age": "thirty-one",
    "b_all_diagnosis": "yep",
    "relapsed_or_refractory": "yes, it came back last year",
    "had_car_t": "yes I did",
    "car_t_activity_lost": "yes, they said the cells were gone",
    "car_t_loss_months": "about 4 months after",
    "relapse_since_car_t": "no",
    "ecog": "I can walk around but I can't do heavy work",
    "sex": "male",
}

PARENT_OF_SEVEN_EN: Dict[str, str] = {
    "prescreen_consent": "ok",
    "respondent": "I'm his mum",
    "patient_age": "he's seven",
    "b_all_diagnosis": "yes",
    "relapsed_or_refractory": "yes",
    "had_car_t": "yes he did",
    "car_t_activity_lost": "yes",
    "car_t_loss_months": "3 months",
    "relapse_since_car_t": "no",
    "ecog": '/inform{"ecog_level": 0}',
}
