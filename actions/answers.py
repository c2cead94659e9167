"""Turning what the person said into an answer the rules understand.

The NLU component (bot/nlu/components.py) attaches the parsed values as entities (see
docs/nlu-contract.md); quick-reply buttons carry the same entities in their payloads. Everything
here re-checks those values, so a typed ``/inform{...}`` can never store something a real answer
could not.
"""

from __future__ import annotations

from typing import Any, Dict, Mapping, Optional

from rasa_sdk import Tracker

from actions.criteria import NO, QUESTION_ORDER, UNSURE, YES

TRI_VALUES = (YES, NO, UNSURE)
CHOICES = {
    "respondent": ("patient", "guardian", "other"),
    "sex": ("female", "male", "other"),
}
# Numbers (or "unsure"); every other question of the form is yes / no / unsure.
NUMBER_SLOTS = ("patient_age", "car_t_loss_months", "ecog")
TRI_SLOTS = frozenset(QUESTION_ORDER) - set(CHOICES) - set(NUMBER_SLOTS)
# Plausible ranges; anything outside is re-asked, never stored.
AGE_RANGE_YEARS = (0.0, 120.0)
CAR_T_MONTHS_RANGE = (0.0, 120.0)
ECOG_LEVELS = (0, 1, 2, 3, 4)

INTENT_TO_TRI = {"affirm": YES, "deny": NO, "dont_know": UNSURE}
MAX_INTENT_ONLY_CHARS = 40
MIN_INTENT_ONLY_CONFIDENCE = 0.6


def entities(tracker: Tracker) -> Dict[str, Any]:
    """The latest message's entities by name (first value wins)."""
    found: Dict[str, Any] = {}
    for entity in tracker.latest_message.get("entities") or []:
        name = entity.get("entity")
        if name and name not in found:
            found[name] = entity.get("value")
    return found


def _as_float(value: Any) -> Optional[float]:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) != float("inf") else None


def _in_range(value: Optional[float], bounds) -> Optional[float]:
    if value is None:
        return None
    low, high = bounds
    return value if low <= value <= high else None


def is_emergency(tracker: Tracker) -> bool:
    return (tracker.latest_message.get("intent") or {}).get("name") == "emergency"


def tri_answer(tracker: Tracker) -> Optional[str]:
    """yes / no / unsure from the parsed entity, else from a confident yes/no/don't-know intent."""
    value = entities(tracker).get("tri")
    if value in TRI_VALUES:
        return value
    # The intent alone only counts for a short answer it is confident about ("absolutely"):
    # a long or odd message must never become a yes or a no by a classifier's guess.
    intent = tracker.latest_message.get("intent") or {}
    text = tracker.latest_message.get("text") or ""
    if len(text) <= MAX_INTENT_ONLY_CHARS and (intent.get("confidence") or 0) >= MIN_INTENT_ONLY_CONFIDENCE:
        return INTENT_TO_TRI.get(intent.get("name"))
    return None


def organ_transplant_answer(tracker: Tracker) -> Optional[str]:
    """E14: a bone marrow or stem-cell transplant (and no organ named) is not an answer; the
    question is asked again with the explanation, rather than a classifier's yes excluding them."""
    if entities(tracker).get("transplant_kind") == "marrow":
        return None
    return tri_answer(tracker)


def age_answer(tracker: Tracker) -> Optional[Any]:
    """Age in years: a unit-less number means years ("he's seven"), a duration is converted
    ("18 months" = 1.5). "unsure" is kept as a real answer."""
    found = entities(tracker)
    months = _as_float(found.get("duration_months"))
    if months is not None:
        return _in_range(round(months / 12.0, 4), AGE_RANGE_YEARS)
    number = _as_float(found.get("number"))
    if number is not None:
        return _in_range(number, AGE_RANGE_YEARS)
    return UNSURE if tri_answer(tracker) == UNSURE else None


def months_answer(tracker: Tracker) -> Optional[Any]:
    """Months from CAR-T infusion to the loss: a bare number means months."""
    found = entities(tracker)
    months = _as_float(found.get("duration_months"))
    if months is None:
        months = _as_float(found.get("number"))
    if months is not None:
        return _in_range(months, CAR_T_MONTHS_RANGE)
    return UNSURE if tri_answer(tracker) == UNSURE else None


def ecog_answer(tracker: Tracker) -> Optional[Any]:
    level = _as_float(entities(tracker).get("ecog_level"))
    if level is not None and level in ECOG_LEVELS:
        return float(level)
    return UNSURE if tri_answer(tracker) == UNSURE else None


def choice_answer(slot: str, tracker: Tracker) -> Optional[str]:
    entity = {"respondent": "respondent_kind", "sex": "sex_value"}[slot]
    value = entities(tracker).get(entity)
    return value if value in CHOICES[slot] else None


def is_canonical(slot: str, value: Any) -> bool:
    """Whether a stored slot value is already a validated answer (re-validation is a no-op)."""
    if value is None:
        return False
    if slot in TRI_SLOTS or slot in ("contact_consent", "handoff_confirm"):
        return value in TRI_VALUES
    if slot in CHOICES:
        return value in CHOICES[slot]
    if value == UNSURE:
        return slot in NUMBER_SLOTS
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False  # raw text such as "6" has not been validated yet
    number = _as_float(value)
    if slot == "patient_age":
        return _in_range(number, AGE_RANGE_YEARS) is not None
    if slot == "car_t_loss_months":
        return _in_range(number, CAR_T_MONTHS_RANGE) is not None
    if slot == "ecog":
        return number in ECOG_LEVELS
    return False


def current_answers(slots: Mapping[str, Any]) -> Dict[str, Any]:
    """The validated answers so far; raw, not-yet-validated text counts as unanswered."""
    answers = {}
    for slot in QUESTION_ORDER:
        value = slots.get(slot)
        if is_canonical(slot, value):
            answers[slot] = float(value) if slot in NUMBER_SLOTS and value != UNSURE else value
    return answers
