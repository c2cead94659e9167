"""Words for what a lead holds, for coordinators (English).

COPIED from ``actions/labels.py`` (English ``LABELS`` and ``VALUE_LABELS``) and from the
criterion-to-question mapping in ``actions/criteria.py`` so the inbox does not import the
conversation side; the lead engineer will point both at one source. Keep them in step until then.
"""

SLOT_LABELS = {
    "respondent": "Who is answering",
    "patient_age": "Age",
    "b_all_diagnosis": "B-ALL diagnosis",
    "relapsed_or_refractory": "Relapsed or refractory",
    "had_car_t": "CAR-T therapy",
    "car_t_activity_lost": "CAR-T cells stopped working",
    "car_t_loss_months": "Months after CAR-T",
    "relapse_since_car_t": "Relapse since CAR-T",
    "guardian_can_consent": "Guardian consent",
    "severe_allergies": "Severe allergies",
    "ecog": "Daily activity",
    "bendamustine_9_months": "Bendamustine",
    "brain_pressure_or_consciousness": "Head pressure or consciousness",
    "heart_failure_or_arrhythmia": "Heart",
    "respiratory_failure": "Breathing",
    "other_cancer": "Other cancer",
    "dic": "Clotting (DIC)",
    "kidney_problem": "Kidney tests",
    "uncontrolled_infection": "Infection or sepsis",
    "uncontrolled_diabetes": "Diabetes",
    "severe_mental_disorder": "Mental health",
    "brain_lesions": "Brain MRI",
    "csf_blasts_high": "Spinal fluid",
    "blood_blasts_high": "Blood blasts",
    "organ_transplant": "Organ transplant",
    "sex": "Sex",
    "pregnant_or_breastfeeding": "Pregnancy or breastfeeding",
    "active_infectious_disease": "Hepatitis, HIV or syphilis",
}

VALUE_LABELS = {
    "yes": "Yes", "no": "No", "unsure": "Not sure",
    "patient": "The patient", "guardian": "Parent or legal guardian", "other": "Someone else",
    "sex_female": "Female", "sex_male": "Male", "sex_other": "Other / not said",
    "ecog_0": "Fully active", "ecog_1": "Light activity only", "ecog_2": "Up more than half the day",
    "ecog_3": "In bed or chair more than half the day", "ecog_4": "In bed or chair all day",
}

# The questions each criterion asks (``Criterion.slots``); I7 also shows the age and who answered.
CRITERION_QUESTIONS = {
    "I1": ("b_all_diagnosis", "relapsed_or_refractory"),
    "I2": ("had_car_t", "car_t_activity_lost", "car_t_loss_months", "relapse_since_car_t"),
    "I3": ("patient_age",),
    "I4": ("severe_allergies",),
    "I5": ("ecog",),
    "I7": ("guardian_can_consent",),
    "E1": ("bendamustine_9_months",),
    "E2": ("brain_pressure_or_consciousness",),
    "E3": ("heart_failure_or_arrhythmia",),
    "E4": ("respiratory_failure",),
    "E5": ("other_cancer",),
    "E6": ("dic",),
    "E7": ("kidney_problem",),
    "E8": ("uncontrolled_infection",),
    "E9": ("uncontrolled_diabetes",),
    "E10": ("severe_mental_disorder",),
    "E11": ("brain_lesions",),
    "E12": ("csf_blasts_high",),
    "E13": ("blood_blasts_high",),
    "E14": ("organ_transplant",),
    "E15": ("sex", "pregnant_or_breastfeeding"),
    "E16": ("active_infectious_disease",),
}

OUTCOME_LABELS = {"likely_eligible": "Likely eligible", "needs_review": "Needs review",
                  "not_eligible": "Not eligible"}
STATUS_LABELS = {
    "new": "New",
    "contacted": "Contacted",
    "screening_scheduled": "Screening scheduled",
    "enrolled": "Enrolled",
    "not_enrolled": "Not enrolled",
}
STATUS_ACTIONS = {
    "contacted": "Mark as contacted",
    "screening_scheduled": "Mark screening scheduled",
    "enrolled": "Mark as enrolled",
    "not_enrolled": "Mark as not enrolled",
}
VERDICT_LABELS = {
    "pass": "Pass",
    "fail": "Fail",
    "unknown": "Not sure",
    "pending": "Not asked",
    "confirmed_by_study_doctor": "Confirmed by the study doctor",
}
LANGUAGE_LABELS = {"en": "English", "zh": "Chinese (简体中文)", "es": "Spanish (Español)"}
RESPONDENT_LABELS = {"patient": "The patient", "guardian": "A parent or legal guardian", "other": "Someone else"}
CONTACT_LABELS = {"name": "Name", "phone": "Phone", "email": "E-mail", "wechat": "WeChat ID", "time": "Best time"}
CHANGE_LABELS = {"name": "name", "phone": "phone", "email": "e-mail", "wechat": "WeChat ID", "time": "best time",
                 "answers": "answers", "outcome": "outcome", "language": "language", "message": "message"}
NOT_APPLICABLE = "not asked: does not apply"
