"""NCT06389305: CIK cell therapy for relapsed or refractory B-ALL after early CAR-T dysfunction.

Beijing GoBroad Hospital; not yet recruiting. The trial text is
``../shared/trial/000_942a271a7edc3373.txt`` and the study team's data dictionary is
``../shared/trial/data-dictionary.md``: slot names, answer types and rules here follow it exactly.

This module is the trial's definition: its questions in asking order (who is answering, then the
hard stops age, diagnosis and CAR-T history, then the rest in protocol order) and its criteria
I1-I7 and E1-E16. The rules that need code are in ``rules.py``; the words this trial needs in
each language (labels, E14's marrow-versus-organ words, topic words) are in ``lang/<code>.yml``.
"""

from __future__ import annotations

from pathlib import Path

from bot.trial.model import (
    AGE,
    CHOICE,
    ECOG,
    EXCLUSION,
    INCLUSION,
    MONTHS,
    NO,
    TRI,
    UNSURE,
    YES,
    Criterion,
    Question,
    Trial,
    all_yes,
    exclusion,
    judged_by_doctor,
    number_in,
)
from bot.trial.nct06389305 import rules
from bot.trial.nct06389305.reading import READINGS

LANG_DIR = Path(__file__).resolve().parent / "lang"

MIN_AGE_YEARS = 1.0  # I3: "between 1 and 39 years old" -> 1 <= age < 40
AGE_LIMIT_YEARS = 40.0
MAX_ECOG = 2  # I5: ECOG 0-2

# What a qualified "yes" means for a question ("well controlled" diabetes is not *uncontrolled*
# diabetes). The understanding step finds the qualifier; a qualifier a question does not list
# turns a "yes" into "unsure": never a silent exclusion on a misunderstanding.
#   controlled: "well controlled", "under control"   mild: "nothing serious", "only hay fever"
#   past: "years ago, none since", "treated and cured"
CURRENT_STATE = {"past": NO}
QUALIFIERS = {
    "severe_allergies": {"mild": NO, "controlled": NO},
    "brain_pressure_or_consciousness": {"past": NO},
    "heart_failure_or_arrhythmia": {"mild": NO, "past": UNSURE},
    "respiratory_failure": {"mild": NO, "past": NO},
    "dic": CURRENT_STATE,
    "kidney_problem": CURRENT_STATE,
    "uncontrolled_infection": {"controlled": NO, "past": NO, "mild": NO},
    "uncontrolled_diabetes": {"controlled": NO, "past": NO},
    "severe_mental_disorder": {"mild": NO, "past": UNSURE},  # "depression years ago, much better now": the doctor judges
    "csf_blasts_high": CURRENT_STATE,
    "blood_blasts_high": CURRENT_STATE,
    "organ_transplant": {"past": YES},  # "have undergone" is about the past
    "pregnant_or_breastfeeding": {"past": NO},
}

EXCLUSIONS = (
    # id, slot, protocol text, the document that would settle an "unsure"
    ("E1", "bendamustine_9_months", "Received bendamustine treatment within the past 9 months",
     "a list of all cancer medicines given in the last 9 months"),
    ("E2", "brain_pressure_or_consciousness", "Intracranial hypertension or impaired consciousness",
     "recent neurology notes or a head scan report"),
    ("E3", "heart_failure_or_arrhythmia", "Symptomatic heart failure or severe arrhythmia",
     "a recent heart check (echocardiogram or ECG report)"),
    ("E4", "respiratory_failure", "Symptoms of severe respiratory failure",
     "recent notes on breathing and oxygen needs"),
    ("E5", "other_cancer", "Other types of malignant tumours", "a medical history summary"),
    ("E6", "dic", "Disseminated intravascular coagulation",
     "recent blood clotting tests (coagulation panel)"),
    ("E7", "kidney_problem", "Serum creatinine and/or blood urea nitrogen >= 1.5 times normal",
     "recent kidney blood tests (creatinine and urea)"),
    ("E8", "uncontrolled_infection", "Sepsis or other uncontrollable infections",
     "recent notes on infections and their treatment"),
    ("E9", "uncontrolled_diabetes", "Uncontrollable diabetes", "recent blood sugar results (HbA1c)"),
    ("E10", "severe_mental_disorder", "Severe mental disorders",
     "notes from the treating doctor or mental health team"),
    ("E11", "brain_lesions", "Significant lesions in the brain on head MRI",
     "the most recent head MRI report"),
    ("E12", "csf_blasts_high", "Leukemic cells in the cerebrospinal fluid > 20 cells/uL",
     "the most recent spinal fluid (lumbar puncture) report"),
    ("E13", "blood_blasts_high", "Peripheral blood leukemic cell proportion > 30%",
     "a recent complete blood count with differential"),
    ("E14", "organ_transplant", "Have undergone organ transplantation",
     "a list of past transplants or major operations"),
    ("E16", "active_infectious_disease",
     "Active or uncontrollable infectious diseases (HBV, HCV, HIV, syphilis)",
     "recent hepatitis, HIV and syphilis test results"),
)
_EXCLUSION_SLOT = {slot: cid for cid, slot, _t, _d in EXCLUSIONS}


def _tri(slot: str, applies=None, reading=None) -> Question:
    """A yes/no question; the exclusions (and I4) read qualifiers, a qualifier they do not list
    making a "yes" unsure."""
    extra = {"applies": applies} if applies else {}
    reads_qualifiers = slot in _EXCLUSION_SLOT or slot in ("severe_allergies", "pregnant_or_breastfeeding")
    qualifiers = QUALIFIERS.get(slot, {}) if reads_qualifiers else None
    return Question(slot, TRI, qualifiers=qualifiers, reading=reading or READINGS.get(slot), **extra)


QUESTIONS = (
    Question("prescreen_consent", TRI),
    Question("respondent", CHOICE, choices=("patient", "guardian", "other")),
    Question("patient_age", AGE, bounds=(0.0, 120.0), limits=(MIN_AGE_YEARS, rules.PREGNANCY_QUESTION_MIN_AGE, rules.ADULT_AGE, AGE_LIMIT_YEARS)),
    _tri("b_all_diagnosis"),
    _tri("relapsed_or_refractory"),
    _tri("had_car_t"),
    _tri("car_t_activity_lost", applies=rules.had_car_t),
    Question("car_t_loss_months", MONTHS, bounds=(0.0, 120.0), applies=rules.car_t_loss_asked,
             limits=(rules.MAX_CAR_T_LOSS_MONTHS,)),
    _tri("relapse_since_car_t", applies=rules.had_car_t),
    _tri("guardian_can_consent", applies=rules.needs_guardian_question),
    _tri("severe_allergies"),
    Question("ecog", ECOG),
    *(_tri(slot) for cid, slot, _t, _d in EXCLUSIONS if cid != "E16"),
    Question("sex", CHOICE, choices=("female", "male", "other"), applies=rules.needs_sex_question),
    _tri("pregnant_or_breastfeeding", applies=rules.needs_pregnancy_question),
    _tri("active_infectious_disease"),
)

_I = INCLUSION
CRITERIA = (
    Criterion("I1", _I, ("b_all_diagnosis", "relapsed_or_refractory"),
              all_yes("b_all_diagnosis", "relapsed_or_refractory"),
              "A confirmed diagnosis of refractory or relapsed B-ALL (NCCN 2024.4)",
              "the diagnosis report (bone marrow and flow cytometry results)"),
    Criterion("I2", _I, ("had_car_t", "car_t_activity_lost", "car_t_loss_months", "relapse_since_car_t"),
              rules.i2_car_t_loss_within_6_months_no_relapse,
              "Loss of CAR-T cell activity within 6 months after previous CAR-T therapy and no relapse",
              "the CAR-T discharge summary and the follow-up test results since then"),
    Criterion("I3", _I, ("patient_age",), number_in("patient_age", MIN_AGE_YEARS, AGE_LIMIT_YEARS),
              "Age between 1 and 39 years old", "an ID card, passport or birth certificate"),
    Criterion("I4", _I, ("severe_allergies",), exclusion("severe_allergies"),
              "No severe allergic constitution", "allergy records from the treating doctor"),
    Criterion("I5", _I, ("ecog",), number_in("ecog", 0, MAX_ECOG + 1),
              "ECOG performance status score of 0-2", "a note from the treating doctor on daily activity"),
    Criterion("I6", _I, (), judged_by_doctor,
              "Life expectancy, as judged by the investigator, of at least 60 days",
              "the study doctor's assessment", asked=False),
    Criterion("I7", _I, ("guardian_can_consent",), rules.i7_informed_consent,
              "Informed consent: self from 8 to 39 years, legal guardian for patients under 18",
              "the name of the patient's parent or legal guardian", shown_slots=rules.i7_shown),
    *(Criterion(cid, EXCLUSION, (slot,), exclusion(slot), text, docs)
      for cid, slot, text, docs in EXCLUSIONS if cid != "E16"),
    Criterion("E15", EXCLUSION, ("sex", "pregnant_or_breastfeeding"), rules.e15_pregnant_or_lactating,
              "Female patients of childbearing potential who are pregnant or lactating",
              "a recent pregnancy test"),
    *(Criterion(cid, EXCLUSION, (slot,), exclusion(slot), text, docs)
      for cid, slot, text, docs in EXCLUSIONS if cid == "E16"),
)

TRIAL = Trial(
    id="NCT06389305",
    title=("CIK Cell Therapy for Relapsed or Refractory Acute B-Lymphoblastic Leukemia: "
           "Prognostic Impact on Patients With Early CAR-T Cell Dysfunction"),
    status="not_yet_recruiting",
    site="Beijing GoBroad Hospital",
    questions=QUESTIONS,
    criteria=CRITERIA,
)
