"""The trial's eligibility criteria as plain, pure Python: one function per protocol criterion.

No Rasa imports here on purpose: this module is the single source of truth for *what* is asked
(``next_slot``) and *what it means* (``evaluate``), and must be testable and readable on its own.
Each function takes the answers so far (a dict keyed by the data dictionary's slot names) and
returns one verdict:

- ``PASS`` / ``FAIL``: the criterion is definitely met / definitely not met;
- ``UNKNOWN``: someone answered "unsure" to something the criterion needs;
- ``PENDING``: a question the criterion needs has not been answered yet.

Answers are ``"yes" | "no" | "unsure"`` for tri questions, floats for numbers, the literal
``"unsure"`` for a number the person does not know, and choice strings. A missing key or ``None``
means "not asked yet". See ``docs/interpretation.md`` for how ambiguous protocol wording is read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

PASS = "pass"
FAIL = "fail"
UNKNOWN = "unknown"
PENDING = "pending"

YES, NO, UNSURE = "yes", "no", "unsure"

LIKELY_ELIGIBLE = "likely_eligible"
NOT_ELIGIBLE = "not_eligible"
NEEDS_REVIEW = "needs_review"

MIN_AGE_YEARS = 1.0  # I3: "between 1 and 39 years old" -> 1 <= age < 40
AGE_LIMIT_YEARS = 40.0
MAX_CAR_T_LOSS_MONTHS = 6.0  # I2: "within 6 months" -> months <= 6
ADULT_AGE = 18.0  # I7: guardians consent for patients under 18
PREGNANCY_QUESTION_MIN_AGE = 10.0  # E15: asked only of female patients aged 10 and over

Answers = Mapping[str, Any]


def _get(answers: Answers, slot: str) -> Any:
    return answers.get(slot)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _tri_all_yes(*values: Any) -> str:
    """Verdict for criteria that pass only when every answer is yes (I1)."""
    if NO in values:
        return FAIL
    if None in values:
        return PENDING
    if UNSURE in values:
        return UNKNOWN
    return PASS


def _exclusion(value: Any) -> str:
    """Exclusions fail on yes, pass on no; unsure is unknown, never a pass or a fail."""
    return {YES: FAIL, NO: PASS, UNSURE: UNKNOWN}.get(value, PENDING)


# --- Inclusion criteria ------------------------------------------------------------------------


def i1_confirmed_relapsed_refractory_b_all(a: Answers) -> str:
    """I1: a confirmed diagnosis of relapsed or refractory B-ALL."""
    return _tri_all_yes(_get(a, "b_all_diagnosis"), _get(a, "relapsed_or_refractory"))


def i2_car_t_loss_within_6_months_no_relapse(a: Answers) -> str:
    """I2: loss of CAR-T cell activity within 6 months after CAR-T therapy, and no relapse."""
    had = _get(a, "had_car_t")
    if had == NO:
        return FAIL
    if had is None:
        return PENDING
    if had == UNSURE:
        # The follow-up questions are not asked when the CAR-T itself is unknown.
        return UNKNOWN
    lost = _get(a, "car_t_activity_lost")
    months = _get(a, "car_t_loss_months") if lost == YES else None
    relapse = _get(a, "relapse_since_car_t")
    if lost == NO or relapse == YES:
        return FAIL
    if _is_number(months) and months > MAX_CAR_T_LOSS_MONTHS:
        return FAIL
    if lost is None or relapse is None or (lost == YES and months is None):
        return PENDING
    if UNSURE in (lost, relapse) or months == UNSURE:
        return UNKNOWN
    return PASS


def i3_age_1_to_39(a: Answers) -> str:
    """I3: aged between 1 and 39 years (39 years 11 months passes; 11 months fails)."""
    age = _get(a, "patient_age")
    if age is None:
        return PENDING
    if not _is_number(age):
        return UNKNOWN
    return PASS if MIN_AGE_YEARS <= age < AGE_LIMIT_YEARS else FAIL


def i4_no_severe_allergic_constitution(a: Answers) -> str:
    """I4: no severe allergic constitution (the question asks about severe allergies)."""
    return _exclusion(_get(a, "severe_allergies"))


def i5_ecog_0_to_2(a: Answers) -> str:
    """I5: ECOG performance status 0-2, from a plain activity-level choice."""
    ecog = _get(a, "ecog")
    if ecog is None:
        return PENDING
    if not _is_number(ecog):
        return UNKNOWN
    return PASS if ecog <= 2 else FAIL


def needs_guardian_question(a: Answers) -> bool:
    """I7 asks about a guardian only for a (possibly) under-18 patient when no guardian is answering."""
    age = _get(a, "patient_age")
    under_18_or_unknown = not _is_number(age) or age < ADULT_AGE
    return under_18_or_unknown and _get(a, "respondent") != "guardian"


def i7_informed_consent(a: Answers) -> str:
    """I7: patients 18+ consent themselves; a parent or legal guardian consents for under-18s."""
    if _get(a, "patient_age") is None or _get(a, "respondent") is None:
        return PENDING
    if not needs_guardian_question(a):
        return PASS
    return _exclusion_inverse(_get(a, "guardian_can_consent"))


def _exclusion_inverse(value: Any) -> str:
    return {YES: PASS, NO: FAIL, UNSURE: UNKNOWN}.get(value, PENDING)


# --- Exclusion criteria (each fails on "yes") -----------------------------------------------------

EXCLUSION_SLOTS: Dict[str, str] = {
    "E1": "bendamustine_9_months",
    "E2": "brain_pressure_or_consciousness",
    "E3": "heart_failure_or_arrhythmia",
    "E4": "respiratory_failure",
    "E5": "other_cancer",
    "E6": "dic",
    "E7": "kidney_problem",
    "E8": "uncontrolled_infection",
    "E9": "uncontrolled_diabetes",
    "E10": "severe_mental_disorder",
    "E11": "brain_lesions",
    "E12": "csf_blasts_high",
    "E13": "blood_blasts_high",
    "E14": "organ_transplant",
    "E16": "active_infectious_disease",
}


def needs_sex_question(a: Answers) -> bool:
    """Sex only matters for E15, which applies from age 10 (or when the age is unknown)."""
    age = _get(a, "patient_age")
    return not _is_number(age) or age >= PREGNANCY_QUESTION_MIN_AGE


def needs_pregnancy_question(a: Answers) -> bool:
    return needs_sex_question(a) and _get(a, "sex") == "female"


def e15_pregnant_or_lactating(a: Answers) -> str:
    """E15: a female patient of childbearing potential who is pregnant or breastfeeding."""
    if _get(a, "patient_age") is None:
        return PENDING
    if not needs_sex_question(a):
        return PASS
    sex = _get(a, "sex")
    if sex is None:
        return PENDING
    if sex != "female":
        return PASS
    return _exclusion(_get(a, "pregnant_or_breastfeeding"))


def _make_exclusion(criterion_id: str, slot: str) -> Callable[[Answers], str]:
    def check(a: Answers) -> str:
        return _exclusion(_get(a, slot))

    check.__name__ = f"{criterion_id.lower()}_{slot}"
    check.__doc__ = f"{criterion_id}: excluded when `{slot}` is yes."
    return check


@dataclass(frozen=True)
class Criterion:
    id: str
    kind: str  # "inclusion" | "exclusion"
    slots: Tuple[str, ...]
    check: Callable[[Answers], str]
    protocol_text: str
    documents: str  # what would settle an "unsure" answer (English; the bot has translations)


def _criterion(cid: str, slots: Tuple[str, ...], check, text: str, docs: str) -> Criterion:
    return Criterion(cid, "inclusion" if cid.startswith("I") else "exclusion", slots, check, text, docs)


_E_TEXT = {
    "E1": ("Received bendamustine treatment within the past 9 months", "a list of all cancer medicines given in the last 9 months"),
    "E2": ("Intracranial hypertension or impaired consciousness", "recent neurology notes or a head scan report"),
    "E3": ("Symptomatic heart failure or severe arrhythmia", "a recent heart check (echocardiogram or ECG report)"),
    "E4": ("Symptoms of severe respiratory failure", "recent notes on breathing and oxygen needs"),
    "E5": ("Other types of malignant tumours", "a medical history summary"),
    "E6": ("Disseminated intravascular coagulation", "recent blood clotting tests (coagulation panel)"),
    "E7": ("Serum creatinine and/or blood urea nitrogen >= 1.5 times normal", "recent kidney blood tests (creatinine and urea)"),
    "E8": ("Sepsis or other uncontrollable infections", "recent notes on infections and their treatment"),
    "E9": ("Uncontrollable diabetes", "recent blood sugar results (HbA1c)"),
    "E10": ("Severe mental disorders", "notes from the treating doctor or mental health team"),
    "E11": ("Significant lesions in the brain on head MRI", "the most recent head MRI report"),
    "E12": ("Leukemic cells in the cerebrospinal fluid > 20 cells/uL", "the most recent spinal fluid (lumbar puncture) report"),
    "E13": ("Peripheral blood leukemic cell proportion > 30%", "a recent complete blood count with differential"),
    "E14": ("Have undergone organ transplantation", "a list of past transplants or major operations"),
    "E16": ("Active or uncontrollable infectious diseases (HBV, HCV, HIV, syphilis)", "recent hepatitis, HIV and syphilis test results"),
}

CRITERIA: Tuple[Criterion, ...] = (
    _criterion("I1", ("b_all_diagnosis", "relapsed_or_refractory"), i1_confirmed_relapsed_refractory_b_all,
               "A confirmed diagnosis of refractory or relapsed B-ALL (NCCN 2024.4)",
               "the diagnosis report (bone marrow and flow cytometry results)"),
    _criterion("I2", ("had_car_t", "car_t_activity_lost", "car_t_loss_months", "relapse_since_car_t"),
               i2_car_t_loss_within_6_months_no_relapse,
               "Loss of CAR-T cell activity within 6 months after previous CAR-T therapy and no relapse",
               "the CAR-T discharge summary and the follow-up test results since then"),
    _criterion("I3", ("patient_age",), i3_age_1_to_39, "Age between 1 and 39 years old",
               "an ID card, passport or birth certificate"),
    _criterion("I4", ("severe_allergies",), i4_no_severe_allergic_constitution, "No severe allergic constitution",
               "allergy records from the treating doctor"),
    _criterion("I5", ("ecog",), i5_ecog_0_to_2, "ECOG performance status score of 0-2",
               "a note from the treating doctor on daily activity"),
    _criterion("I7", ("guardian_can_consent",), i7_informed_consent,
               "Informed consent: self from 8 to 39 years, legal guardian for patients under 18",
               "the name of the patient's parent or legal guardian"),
    *(
        _criterion(cid, (slot,), _make_exclusion(cid, slot), _E_TEXT[cid][0], _E_TEXT[cid][1])
        for cid, slot in EXCLUSION_SLOTS.items()
        if int(cid[1:]) < 15
    ),
    _criterion("E15", ("sex", "pregnant_or_breastfeeding"), e15_pregnant_or_lactating,
               "Female patients of childbearing potential who are pregnant or lactating",
               "a recent pregnancy test"),
    _criterion("E16", ("active_infectious_disease",), _make_exclusion("E16", "active_infectious_disease"),
               _E_TEXT["E16"][0], _E_TEXT["E16"][1]),
)

CRITERIA_BY_ID: Dict[str, Criterion] = {c.id: c for c in CRITERIA}

# I6 (life expectancy >= 60 days) is judged by the investigator; it is never asked and never
# counts towards the outcome, but every result and lead lists it as "confirmed by the study doctor".
DOCTOR_CONFIRMED = ("I6",)
I6_TEXT = "Life expectancy, as judged by the investigator, of at least 60 days"

# The order questions are asked in: who is answering, then the hard stops (age, diagnosis,
# CAR-T history), then consent, then the rest in protocol order.
QUESTION_ORDER: Tuple[str, ...] = (
    "prescreen_consent",
    "respondent",
    "patient_age",
    "b_all_diagnosis",
    "relapsed_or_refractory",
    "had_car_t",
    "car_t_activity_lost",
    "car_t_loss_months",
    "relapse_since_car_t",
    "guardian_can_consent",
    "severe_allergies",
    "ecog",
    *(slot for cid, slot in EXCLUSION_SLOTS.items() if cid != "E16"),
    "sex",
    "pregnant_or_breastfeeding",
    "active_infectious_disease",
)

SLOT_TO_CRITERION: Dict[str, str] = {slot: c.id for c in CRITERIA for slot in c.slots}
SLOT_TO_CRITERION["patient_age"] = "I3"


def is_applicable(slot: str, a: Answers) -> bool:
    """Whether a question can still change the result, given the answers so far."""
    if slot == "car_t_activity_lost" or slot == "relapse_since_car_t":
        return _get(a, "had_car_t") == YES
    if slot == "car_t_loss_months":
        return _get(a, "had_car_t") == YES and _get(a, "car_t_activity_lost") == YES
    if slot == "guardian_can_consent":
        return needs_guardian_question(a)
    if slot == "sex":
        return needs_sex_question(a)
    if slot == "pregnant_or_breastfeeding":
        return needs_pregnancy_question(a)
    return True


def verdicts(a: Answers) -> Dict[str, str]:
    return {c.id: c.check(a) for c in CRITERIA}


def next_slot(a: Answers) -> Optional[str]:
    """The next question to ask, or None when the pre-screening is over.

    It is over when consent is not given, at the first definite failure, or when every question
    that applies has an answer.
    """
    consent = _get(a, "prescreen_consent")
    if consent is None:
        return "prescreen_consent"
    if consent != YES:
        return None
    if _get(a, "respondent") is None:
        return "respondent"
    if any(v == FAIL for v in verdicts(a).values()):
        return None
    for slot in QUESTION_ORDER:
        if _get(a, slot) is None and is_applicable(slot, a):
            return slot
    return None


def remaining_slots(a: Answers) -> List[str]:
    """Every question that would still be asked if all later answers pass (for the form)."""
    if next_slot(a) is None:
        return []
    return [s for s in QUESTION_ORDER if _get(a, s) is None and is_applicable(s, a)]


@dataclass
class Outcome:
    prescreen_outcome: Optional[str]
    failed_criteria: List[str] = field(default_factory=list)
    unknown_criteria: List[str] = field(default_factory=list)
    verdicts: Dict[str, str] = field(default_factory=dict)


def evaluate(a: Answers) -> Outcome:
    """The dictionary's outcome: not eligible on any definite failure, likely eligible when every
    criterion passes, otherwise needs review. ``prescreen_outcome`` is None while questions remain
    (or when the person did not agree to the pre-screening)."""
    v = verdicts(a)
    failed = [cid for cid, verdict in v.items() if verdict == FAIL]
    unknown = [cid for cid, verdict in v.items() if verdict == UNKNOWN]
    if _get(a, "prescreen_consent") != YES:
        return Outcome(None, [], [], v)
    if failed:
        return Outcome(NOT_ELIGIBLE, failed, unknown, v)
    if any(verdict == PENDING for verdict in v.values()):
        return Outcome(None, [], unknown, v)
    if unknown:
        return Outcome(NEEDS_REVIEW, [], unknown, v)
    return Outcome(LIKELY_ELIGIBLE, [], [], v)


def packet(a: Answers) -> List[Dict[str, Any]]:
    """Criterion-by-criterion record for the coordinator: the answers given and the verdict."""
    v = verdicts(a)
    rows = []
    for c in sorted(CRITERIA, key=lambda c: (c.kind != "inclusion", int(c.id[1:]))):
        answered = {s: _get(a, s) for s in c.slots if _get(a, s) is not None and is_applicable(s, a)}
        if c.id == "I7":
            shown = ("patient_age", "respondent") + (("guardian_can_consent",) if needs_guardian_question(a) else ())
            answered = {s: _get(a, s) for s in shown if _get(a, s) is not None}
        row = {"id": c.id, "criterion": c.protocol_text, "answers": answered, "verdict": v[c.id]}
        if v[c.id] == UNKNOWN:
            row["documents"] = c.documents
        rows.append(row)
        if c.id == "I5":
            rows.append({"id": "I6", "criterion": I6_TEXT, "answers": {}, "verdict": "confirmed_by_study_doctor"})
    return rows
