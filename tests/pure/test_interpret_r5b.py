"""Round 5b: corrections of earlier answers, answers before questions, replies that fit."""

import pytest

from bot.trial import TRIAL
from bot.understanding.interpret import Message, OpenQuestion, interpret


def _read(slot, text, lang, intent=None, confidence=0.0):
    answered = TRIAL.passing_answers({"prescreen_consent": "yes"})
    answered.pop(slot, None)
    return interpret(Message(text, intent=intent, confidence=confidence, language=lang),
                     OpenQuestion.of(TRIAL, slot), TRIAL, answered)


@pytest.mark.parametrize("slot,text,lang,topic", [
    ("car_t_activity_lost", "actually, sorry, the doctors said it's T-cell ALL not B-cell", "en", "b_all_diagnosis"),
    ("car_t_activity_lost", "不好意思 其实医生说是T细胞的 不是B细胞", "zh", "b_all_diagnosis"),
    ("relapse_since_car_t", "刚才那个说错了 CAR-T其实没失效", "zh", "car_t_activity_lost"),
    ("severe_allergies", "不对不对 前面问有没有做过car-t 我们其实没做过", "zh", "had_car_t"),
    ("severe_allergies", "espere, antes puse que si tuvo car-t pero en realidad no se lo hicieron", "es", "had_car_t"),
])
def test_a_correction_of_an_earlier_yes_no_is_a_change_of_that_question(slot, text, lang, topic):
    reading = _read(slot, text, lang)
    assert reading.leaving == "change" and reading.topic == topic
    assert reading.answer is None  # never stored as the answer to the open question


@pytest.mark.parametrize("slot,text,lang,answer", [
    ("car_t_activity_lost", "no, the car-t is still working", "en", "no"),
    ("car_t_activity_lost", "医生说car-t细胞已经没了", "zh", "yes"),
])
def test_an_answer_that_names_an_earlier_question_is_still_the_answer(slot, text, lang, answer):
    reading = _read(slot, text, lang)
    assert reading.answer == answer and reading.leaving is None


@pytest.mark.parametrize("text,lang,answer,digression", [
    ("他爸妈都能签字，这个要花钱吗？", "zh", "yes", "faq:faq_other"),
    ("没有 为什么要问这个呀", "zh", "no", "why"),
    ("yes we both can sign, does it cost anything??", "en", "yes", "faq:faq_other"),
    ("si, los dos podemos firmar. cuanto cuesta esto?", "es", "yes", "faq:faq_other"),
])
def test_an_answer_before_a_question_is_kept_and_the_question_answered(text, lang, answer, digression):
    reading = _read("guardian_can_consent", text, lang)
    assert reading.answer == answer and digression in reading.digressions


def test_a_condition_before_a_question_is_no_answer():
    assert _read("relapse_since_car_t", "如果复发了，还能参加吗？", "zh").answer is None


@pytest.mark.parametrize("slot,text,lang,intent,sure", [
    ("prescreen_consent", "好的，我同意…这个试验要不要钱啊", "zh", "distress", 0.75),
    ("respondent", "I'm actually his mum, sorry", "en", "distress", 0.95),
    ("relapsed_or_refractory", "she relapsed in march after the second round of chemo and then the doctors at "
     "the children's hospital referred us to another centre for car-t which she had in june", "en", "distress", 0.9),
])
def test_the_distress_guess_alone_gives_no_distress_reply(slot, text, lang, intent, sure):
    assert "distress" not in _read(slot, text, lang, intent, sure).digressions


@pytest.mark.parametrize("text,lang", [
    ("I'm so scared, is he going to die?", "en"), ("我好害怕", "zh"), ("tengo mucho miedo", "es")])
def test_real_fear_still_gets_warmth(text, lang):
    assert "distress" in _read("ecog", text, lang, "distress", 0.9).digressions


def test_fear_guessed_by_the_classifier_on_a_short_message_counts():
    assert "distress" in _read("ecog", "we're barely holding it together", "en", "distress", 0.9).digressions


@pytest.mark.parametrize("text,lang", [
    ("yes. he can't breathe and his lips are blue, what do I do?", "en"),
    ("有 他现在喘不上气 嘴唇发紫 怎么办", "zh"),
])
def test_an_emergency_gets_no_listing_fallback(text, lang):
    reading = _read("had_car_t", text, lang)
    assert reading.emergency
    assert "faq:faq_other" not in reading.digressions


@pytest.mark.parametrize("slot,text,lang", [
    ("patient_age", "can a 12 year old join?", "en"),
    ("patient_age", "请问十二岁能参加吗", "zh"),
    ("respondent", "小孩才两岁可以参加吗", "zh"),
    ("patient_age", "puede participar un nino de 12 anos?", "es"),
    ("respondent", "is there an age limit, my son is only 3", "en"),
])
def test_who_can_take_part_by_age_gets_the_age_range(slot, text, lang):
    reading = _read(slot, text, lang)
    assert "why" in reading.digressions and reading.topic == "patient_age"
    assert "faq:faq_other" not in reading.digressions


@pytest.mark.parametrize("text, lang", [
    ("no. why do you even ask whether im pregnant lol", "en"), ("没有。为什么要问是否怀孕", "zh"),
    ("no. ¿por qué preguntan si estoy embarazada?", "es"),
])
def test_an_answer_in_a_sentence_of_its_own_survives_a_why_after_it(text, lang):
    """The "why" is answered, and the "no" said before it is kept: cutting the why's words out of
    its own sentence left "...whether I'm pregnant", which had taken the "no" away."""
    reading = interpret(Message(text, None, 0.0, {}, lang), OpenQuestion.of(TRIAL, "pregnant_or_breastfeeding"),
                        TRIAL, {})
    assert reading.answer == "no" and "why" in reading.digressions


# --- found in Chromium on the second pass ------------------------------------------------------


@pytest.mark.parametrize("text, lang", [
    ("ya no las encontraban", "es"), ("si ya no las encontraban", "es"), ("ya no están", "es"),
    ("they weren't there anymore", "en"), ("后来就查不到了", "zh"),
])
def test_no_longer_found_is_a_yes_to_the_cells_stopping(text, lang):
    """"Ya no las encontraban" (they could no longer find them) was read as the excluding "no"."""
    reading = interpret(Message(text, None, 0.0, {}, lang), OpenQuestion.of(TRIAL, "car_t_activity_lost"), TRIAL, {})
    assert reading.answer == "yes"


@pytest.mark.parametrize("text, lang", [
    ("yes. hes having a fit right now and his lips are going blue", "en"),
    ("是的。他现在在抽搐，嘴唇发紫", "zh"), ("sí. está convulsionando ahora mismo", "es"),
])
def test_an_answer_that_would_exclude_is_not_taken_during_an_emergency(text, lang):
    """The emergency reply, then the question again: no "just to check... not a fit" on top of it."""
    answered = {"prescreen_consent": "yes", "respondent": "guardian", "patient_age": 7.0, "b_all_diagnosis": "yes",
                "relapsed_or_refractory": "yes", "had_car_t": "yes", "car_t_activity_lost": "yes",
                "car_t_loss_months": 3.0}
    reading = interpret(Message(text, None, 0.0, {}, lang), OpenQuestion.of(TRIAL, "relapse_since_car_t"), TRIAL,
                        answered)
    assert reading.emergency is not None and reading.answer is None


@pytest.mark.parametrize("text, lang", [
    ("我是孩子外公，参加这个要自己出钱吗", "zh"), ("can my son take part, and how much does it cost?", "en"),
    ("¿mi hijo puede participar? ¿cuánto cuesta?", "es"),
])
def test_a_cost_question_naming_the_child_gets_no_age_range(text, lang):
    reading = interpret(Message(text, None, 0.0, {}, lang), OpenQuestion.of(TRIAL, "respondent"), TRIAL,
                        {"prescreen_consent": "yes"})
    assert "why" not in reading.digressions or reading.topic != "patient_age"
