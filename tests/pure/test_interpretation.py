"""The interpretation step on its own (no Rasa): a message read against the open question.

Answer first; digressions only on clear evidence; free text as given; buttons that name an
earlier question; typed button words; and what the trial's own readings add (E14's marrow, the
qualifiers of the exclusions)."""

from __future__ import annotations

import pytest

from bot.trial import TRIAL
from bot.understanding.interpret import (
    CONTACT,
    TEXT,
    Message,
    OpenQuestion,
    button_table,
    excludes,
    interpret,
)


def read(text, slot, *, intent=None, confidence=0.0, lang="en", buttons=None, answered=None, kind=None):
    question = OpenQuestion(slot, kind) if kind else OpenQuestion.of(TRIAL, slot, button_table(buttons or {}))
    return interpret(Message(text, intent, confidence, {}, lang), question, TRIAL, answered or {})


# --- answer first ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, intent", [("for me", "goodbye"), ("me", "goodbye"), ("myself", "thank")])
def test_a_weak_intent_guess_never_outranks_the_answer(text, intent):
    reading = read(text, "respondent", intent=intent, confidence=0.45)
    assert reading.answer == "patient"
    assert reading.digressions == ()


def test_a_classifier_guess_alone_never_stops_deletes_or_restarts():
    for intent in ("goodbye", "delete_data", "start_over"):
        reading = read("hmm well", "had_car_t", intent=intent, confidence=0.6)
        assert reading.leaving is None


def test_a_very_sure_short_goodbye_is_a_stop_to_confirm_but_delete_needs_its_words():
    assert read("ok bye then", "had_car_t", intent="goodbye", confidence=0.95).leaving == "stop"
    assert read("hmm", "had_car_t", intent="delete_data", confidence=0.99).leaving is None


def test_an_answer_that_also_asks_about_the_trial_keeps_both():
    reading = read("yes. where does the trial take place?", "b_all_diagnosis", intent="faq_location", confidence=0.6)
    assert reading.answer == "yes"
    assert "faq:faq_location" in reading.digressions


@pytest.mark.parametrize("text, slot, lang, answer, intent", [
    ("女。这个试验男孩女孩都可以参加吗", "sex", "zh", "female", "faq_groups"),
    ("Mujer. ¿Pueden participar chicos y chicas?", "sex", "es", "female", "faq_groups"),
    ("好的，不过这个试验在哪家医院做？", "prescreen_consent", "zh", "yes", "faq_location"),
    ("sí, pero ¿dónde es el ensayo? ¿en China?", "prescreen_consent", "es", "yes", "faq_location"),
    ("yes, but where is the trial?", "prescreen_consent", "en", "yes", "faq_location"),
])
def test_an_answer_before_a_question_of_its_own_is_kept_and_the_question_answered(text, slot, lang, answer, intent):
    reading = read(text, slot, lang=lang, intent=intent, confidence=0.8)
    assert reading.answer == answer
    assert "faq:" + intent in reading.digressions


@pytest.mark.parametrize("text, slot, lang", [
    ("no, but where is the trial?", "prescreen_consent", "en"),  # mostly a question: no end on it
    ("how much does it cost? we don't have much money", "prescreen_consent", "en"),
])
def test_a_question_with_a_no_in_it_does_not_refuse_consent(text, slot, lang):
    assert read(text, slot, lang=lang, intent="faq_other", confidence=0.8).answer is None


@pytest.mark.parametrize("text, lang, topic", [
    ("没有。对了，前面性别我点错了，应该是女", "zh", "sex"),
    ("没有。但是我想改一下前面过敏那题", "zh", "severe_allergies"),
    ("no. actually I got the age wrong, he is 8", "en", "patient_age"),
    ("No. Quiero cambiar lo de las alergias, me equivoqué", "es", "severe_allergies"),
])
def test_an_answer_and_a_change_to_another_question_keeps_both(text, lang, topic):
    reading = read(text, "dic", lang=lang, answered=TRIAL.passing_answers({"prescreen_consent": "yes"}))
    assert reading.answer == "no"
    assert reading.leaving == "change" and reading.topic == topic


def test_a_change_to_the_open_question_itself_stores_nothing():
    reading = read("no wait I want to change that", "dic", answered=TRIAL.passing_answers({"prescreen_consent": "yes"}))
    assert reading.answer is None and reading.leaving == "change"


def test_a_question_mark_after_an_answer_is_no_question():
    assert read("like 11 weeks? so bit under 3 months", "car_t_loss_months").answer == pytest.approx(77 / 30.4375, abs=1e-4)  # 11 weeks


def test_an_answer_with_a_reason_is_just_the_answer_even_if_the_classifier_says_faq():
    reading = read("not yet, the doctor is talking about it", "had_car_t", intent="faq_status", confidence=0.7)
    assert reading.answer == "no"
    assert reading.digressions == ()


# --- nothing ends or deletes by accident ------------------------------------------------------------


@pytest.mark.parametrize("text, lang", [
    ("please don't delete anything", "en"), ("keep my answers", "en"), ("不要删除我的信息", "zh"),
    ("no borre mis datos", "es"), ("别删我的回答", "zh"),
])
def test_a_negated_delete_is_never_a_delete(text, lang):
    reading = read(text, "had_car_t", intent="delete_data", confidence=0.9, lang=lang)
    assert "delete" not in reading.digressions
    assert "not_delete" in reading.digressions


@pytest.mark.parametrize("text, lang", [("can I delete my data later?", "en"), ("以后可以删除我的信息吗？", "zh"),
                                        ("¿puedo borrar mis datos más tarde?", "es")])
def test_a_question_about_deleting_is_answered_not_carried_out(text, lang):
    reading = read(text, "had_car_t", intent="delete_data", confidence=0.9, lang=lang)
    assert reading.digressions[:1] == ("delete_question",)


def test_delete_my_data_is_a_delete_to_confirm_and_keeps_no_answer():
    reading = read("no, delete my data", "had_car_t")
    assert reading.leaving == "delete"
    assert reading.answer is None


# --- free text --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["=Maria", "<b>Ana</b>", "Stop Li", "O'Brien", "李 伟", "Delete Smith"])
def test_a_name_is_taken_as_typed(name):
    reading = read(name, "contact_name", kind=TEXT, intent="delete_data", confidence=0.9)
    assert reading.answer == name
    assert reading.digressions == ()


def test_a_bare_command_at_a_free_text_question_is_a_command():
    assert read("delete my data", "contact_name", kind=TEXT).leaving == "delete"
    assert read("stop", "contact_details", kind=CONTACT).leaving == "stop"


@pytest.mark.parametrize("text, lang", [
    ("mi número es 612 345 678, ¿me pueden llamar por la tarde?", "es"),
    ("my email is ana.b@mail.com, can someone call me instead?", "en"),
    ("13812345678，可以找个人下午打给我吗？", "zh"),
])
def test_contact_details_in_a_question_are_the_answer_not_a_request(text, lang):
    reading = read(text, "contact_details", kind=CONTACT, lang=lang)
    assert reading.answer == text and reading.leaving is None


def test_a_question_that_only_asks_at_a_contact_question_is_still_a_request():
    assert read("¿puedo hablar con una persona?", "contact_details", kind=CONTACT, lang="es").leaving == "person"


# --- buttons ------------------------------------------------------------------------------------------


def test_a_button_for_an_earlier_question_answers_nothing():
    reading = read('/affirm{"tri": "yes", "q": "b_all_diagnosis"}', "had_car_t")
    assert reading.answer is None
    assert reading.digressions == ("stale_button",)


def test_a_button_for_the_open_question_answers_it():
    assert read('/deny{"tri": "no", "q": "had_car_t"}', "had_car_t").answer == "no"


def test_typed_button_words_count_as_the_button_in_any_language():
    buttons = {"Light activity only": '/inform{"ecog_level": 1, "q": "ecog"}', "只能做轻体力活动": '/inform{"ecog_level": 1, "q": "ecog"}'}
    assert read("light activity only!", "ecog", buttons=buttons).answer == 1.0
    assert read("只能做轻体力活动", "ecog", buttons=buttons, lang="en").answer == 1.0


# --- the trial's readings -------------------------------------------------------------------------


@pytest.mark.parametrize("text, lang", [("yes, a bone marrow transplant", "en"), ("no, only a stem cell transplant", "en"),
                                        ("做过骨髓移植", "zh"), ("sí, de médula ósea", "es")])
def test_a_marrow_or_stem_cell_transplant_is_no_to_organ_transplant_and_says_why(text, lang):
    reading = read(text, "organ_transplant", lang=lang)
    assert reading.answer == "no"
    assert "marrow_not_organ" in reading.notes


def test_naming_an_organ_keeps_the_yes():
    assert read("yes, a kidney transplant and a stem cell transplant", "organ_transplant").answer == "yes"


@pytest.mark.parametrize("text, slot, expected", [
    ("he has type 1 diabetes but it's well controlled", "uncontrolled_diabetes", "no"),
    ("she had a seizure years ago, none since", "brain_pressure_or_consciousness", "no"),
    ("yes, but only hay fever, nothing serious", "severe_allergies", "no"),
    ("yes, treated and cured years ago", "other_cancer", "unsure"),
])
def test_qualifiers_change_what_a_yes_means_and_never_exclude_silently(text, slot, expected):
    assert read(text, slot).answer == expected


def test_qualifiers_do_not_touch_questions_about_the_leukemia_itself():
    assert read("sadly yes, it came back last year", "relapse_since_car_t").answer == "yes"


def test_an_answer_that_would_exclude_is_recognised_as_such():
    answered = {"prescreen_consent": "yes", "respondent": "guardian", "patient_age": 7.0}
    assert excludes(TRIAL, answered, "organ_transplant", "yes")
    assert not excludes(TRIAL, answered, "organ_transplant", "no")
    assert excludes(TRIAL, {}, "patient_age", 45.0)
    assert not excludes(TRIAL, {}, "patient_age", 39.9)


def test_a_stated_age_at_another_question_is_a_correction_of_the_age():
    reading = read("sorry, he's actually 8", "had_car_t", answered={"patient_age": 7.0})
    assert reading.leaving == "change"
    assert reading.topic == "patient_age" and reading.topic_value == 8.0


@pytest.mark.parametrize("text, lang, expected", [
    ("tengo la tutela legal", "es", "yes"), ("I'm her legal guardian", "en", "yes"),
    ("我是他的法定监护人", "zh", "yes"), ("我不是法定监护人", "zh", "no"),
    ("no, I'm not the legal guardian", "en", "no"),
])
def test_saying_you_are_the_legal_guardian_answers_who_can_consent(text, lang, expected):
    assert read(text, "guardian_can_consent", lang=lang).answer == expected


@pytest.mark.parametrize("text, lang", [("probably not", "en"), ("likely not", "en"), ("not yet", "en"),
                                        ("probablemente no", "es")])
def test_a_hedged_or_not_yet_no_is_a_no_never_a_yes(text, lang):
    assert read(text, "severe_allergies", lang=lang).answer == "no"


def test_naming_the_open_question_and_another_keeps_the_answer():
    """A kidney transplant is the transplant question's own yes, not a kidney-test answer."""
    reading = read("yes, a kidney transplant", "organ_transplant")
    assert reading.answer == "yes"
    assert read("no diabetes", "respiratory_failure").answer is None  # about another question


def test_a_mental_disorder_in_the_past_is_for_the_doctor_never_a_silent_yes():
    assert read("she had depression a few years ago, much better now", "severe_mental_disorder").answer == "unsure"


# --- issue 11, round 4: mechanisms that generalise ---------------------------------------------------


@pytest.mark.parametrize("text, lang, slot, expected", [
    ("复发了，这次没发烧什么的", "zh", "relapse_since_car_t", "yes"),
    ("复发了 这次没发烧什么的", "zh", "relapse_since_car_t", "yes"),
    ("没有 什么都能吃 心脏没问题", "zh", "heart_failure_or_arrhythmia", "no"),
])
def test_a_question_word_used_as_an_indefinite_asks_nothing_and_the_answer_is_kept(text, lang, slot, expected):
    reading = read(text, slot, lang=lang)
    assert reading.answer == expected
    assert not any(d.startswith(("faq", "explain")) for d in reading.digressions)


def test_a_real_chinese_question_is_still_a_question():
    from bot.understanding import cues

    assert cues.is_question("什么时候复发的")
    assert cues.is_question("这是什么")
    assert not cues.is_question("没什么")


@pytest.mark.parametrize("text, lang", [("还没做", "zh"), ("还没做 医生在商量", "zh"), ("not yet", "en"),
                                        ("not yet, the doctor is talking about it", "en"),
                                        ("todavía no, el médico lo está hablando", "es")])
def test_not_yet_is_no_to_had_car_t_because_that_question_lists_it(text, lang):
    assert read(text, "had_car_t", lang=lang).answer == "no"


@pytest.mark.parametrize("text, lang, slot", [
    ("还没做", "zh", "brain_lesions"),  # a scan not done yet: not sure, never a no
    ("aún no sabemos", "es", "had_car_t"),  # "not yet" beside "we don't know": not sure
    ("aun no sabemos, el aspirado es el viernes", "es", "relapse_since_car_t"),
    ("todavía no lo sabemos", "es", "relapse_since_car_t"),
    ("no estoy segura", "es", "kidney_problem"),
])
def test_not_yet_or_not_knowing_elsewhere_stays_not_sure(text, lang, slot):
    assert read(text, slot, lang=lang).answer == "unsure"


@pytest.mark.parametrize("text, expected", [("desgraciadamente si", "yes"), ("ya volvió, si", "yes"),
                                            ("si", "yes"), ("no, si", None)])
def test_a_spanish_si_without_its_accent_at_the_end_of_a_clause_is_yes(text, expected):
    assert read(text, "relapse_since_car_t", lang="es").answer == expected


def test_si_meaning_if_is_no_answer():
    assert read("no sé si volvió", "relapse_since_car_t", lang="es").answer == "unsure"


@pytest.mark.parametrize("text, lang, expected", [
    ("没有出血也没有凝血问题", "zh", "no"), ("no tiene problemas de sangrado ni de coagulacion", "es", "no"),
    ("no clotting problems", "en", "no"),
    ("没查过凝血", "zh", "unsure"), ("no le han hecho pruebas de coagulación", "es", "unsure"),
])
def test_a_problem_named_with_a_test_word_is_an_answer_not_a_test_not_done(text, lang, expected):
    assert read(text, "dic", lang=lang).answer == expected


@pytest.mark.parametrize("text, lang, slot", [
    ("el azucar no me la pueden controlar, sube y baja", "es", "uncontrolled_diabetes"),
    ("肺部真菌感染 还在治 一直没好转", "zh", "uncontrolled_infection"),
    ("infeccion por hongos en los pulmones, sigue en tratamiento y no mejora", "es", "uncontrolled_infection"),
])
def test_the_negation_inside_not_controlled_is_never_a_no(text, lang, slot):
    assert read(text, slot, lang=lang).answer != "no"


@pytest.mark.parametrize("text, lang, slot", [
    ("tiene diabetes pero no la pueden controlar", "es", "uncontrolled_diabetes"),
    ("血糖一直控制不住 忽高忽低", "zh", "uncontrolled_diabetes"),
    ("fungal infection in the lungs, still on treatment, not getting better", "en", "uncontrolled_infection"),
])
def test_a_condition_said_to_be_out_of_control_is_yes(text, lang, slot):
    assert read(text, slot, lang=lang).answer == "yes"


def test_well_controlled_is_still_no_beside_the_new_reading():
    assert read("糖尿病控制得很好", "uncontrolled_diabetes", lang="zh").answer == "no"
    assert read("no infections right now", "uncontrolled_infection").answer == "no"


@pytest.mark.parametrize("text, lang", [("mi hija es la paciente yo soy su madre", "es"),
                                        ("my daughter is the patient im her mother", "en"),
                                        ("我女儿是病人 我是她妈", "zh"), ("my son is the patient", "en")])
def test_a_relation_said_to_be_the_patient_makes_the_speaker_the_parent(text, lang):
    assert read(text, "respondent", lang=lang).answer == "guardian"


@pytest.mark.parametrize("text, lang", [("soy yo el paciente", "es"), ("患者本人", "zh"), ("its me the patient", "en")])
def test_the_patient_speaking_is_still_the_patient(text, lang):
    assert read(text, "respondent", lang=lang).answer == "patient"


@pytest.mark.parametrize("text, lang, expected", [
    ("it was 80% blasts, now 5%", "en", "no"), ("5% now, it was 80% at diagnosis", "en", "no"),
    ("now 45%, it was 10% before", "en", "yes"),
    ("ahora 0, antes llegó a tener 80%", "es", "no"), ("antes 80%, ahora 5%", "es", "no"),
    ("以前80%现在5%", "zh", "no"), ("以前80% 现在5%", "zh", "no"), ("现在是45%，之前是10%", "zh", "yes"),
])
def test_the_blast_count_said_of_now_is_the_one_compared_with_the_limit(text, lang, expected):
    assert read(text, "blood_blasts_high", lang=lang).answer == expected


def test_without_now_the_count_said_last_is_compared():
    assert read("10% then 50%", "blood_blasts_high").answer == "yes"


@pytest.mark.parametrize("text, expected", [("no blasts in the csf", "no"), ("they haven't done an LP", "unsure")])
def test_the_questions_own_answer_words_come_before_test_not_done(text, expected):
    assert read(text, "csf_blasts_high").answer == expected


def test_an_infection_that_antibiotics_cleared_is_not_uncontrolled():
    assert read("he had a chest infection last month but antibiotics cleared it", "uncontrolled_infection").answer == "no"


@pytest.mark.parametrize("text, lang", [("i had hep b vaccine, never had it", "en"), ("打过乙肝疫苗", "zh")])
def test_a_vaccine_is_no_to_infectious_disease(text, lang):
    assert read(text, "active_infectious_disease", lang=lang).answer == "no"


@pytest.mark.parametrize("text", ["no sigue en remision", "todavia no le han hecho nada de eso pues"])
def test_a_guessed_language_switch_with_no_language_named_is_never_the_unsupported_reply(text):
    reading = read(text, "relapse_since_car_t", intent="switch_language", confidence=0.6, lang="es")
    assert "language" not in reading.digressions


def test_a_guessed_language_switch_that_names_a_language_or_languages_still_gets_the_reply():
    reading = read("do you speak other languages", "had_car_t", intent="switch_language", confidence=0.6)
    assert "language" in reading.digressions


@pytest.mark.parametrize("text, slot, expected", [
    ("没有 还在缓解期", "relapse_since_car_t", "no"),  # "no, still in remission", dictated
    ("打过乙肝疫苗 没得过", "active_infectious_disease", "no"),  # the 没得过 is its own clause
    ("没有 发烧", "uncontrolled_infection", "no"),  # a negation still reaches its word across one space
])
def test_a_space_between_chinese_clauses_is_a_clause_break_but_not_after_a_negation(text, slot, expected):
    assert read(text, slot, lang="zh").answer == expected


def test_a_dictated_space_after_a_negation_still_protects_the_data():
    from bot.understanding import cues

    assert cues.kinds("不要 删除我的信息") == ("not_delete",)
