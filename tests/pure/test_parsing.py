"""The rule-based readers in bot/understanding/parsing.py: phrasings per function and language, and totality."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.trial import TRIAL
from bot.trial.nct06389305.reading import topic_words
from bot.understanding import parsing
from bot.understanding.interpret import Message, OpenQuestion, interpret
from bot.understanding.matching import UNIT_MONTHS
from bot.understanding.parsing import (
    detect_emergency,
    detect_script_language,
    extract_entities,
    guess_language,
    parse_duration_months,
    parse_ecog,
    parse_language_request,
    parse_number,
    parse_respondent,
    parse_sex,
    parse_topic,
    parse_tri,
)

# --- yes / no / unsure ----------------------------------------------------------------------------

TRI_CASES = [
    # English yes
    ("yes", "yes"), ("Yes!", "yes"), ("yep", "yes"), ("yeah", "yes"), ("y", "yes"),
    ("correct", "yes"), ("I think so", "yes"), ("probably", "yes"), ("sure", "yes"),
    ("he did", "yes"), ("she has", "yes"), ("yes he did", "yes"), ("of course", "yes"),
    ("YES", "yes"), ("ok", "yes"),
    # English no
    ("no", "no"), ("No.", "no"), ("nope", "no"), ("never", "no"), ("not really", "no"),
    ("he didn't", "no"), ("he didnt", "no"), ("she hasn’t", "no"), ("none", "no"),
    ("I don't think so", "no"), ("I dont think so", "no"), ("not at all", "no"),
    ("she has no allergies", "no"), ("I don't think he did", "no"), ("n", "no"),
    # English unsure
    ("I don't know", "unsure"), ("i dont know", "unsure"), ("not sure", "unsure"),
    ("I'm not sure", "unsure"), ("no idea", "unsure"), ("unsure", "unsure"),
    ("can't remember", "unsure"), ("I cannot remember", "unsure"), ("maybe", "unsure"),
    ("I'd have to check", "unsure"), ("dunno", "unsure"), ("idk", "unsure"),
    ("not really sure", "unsure"), ("not 100% sure", "unsure"), ("no, not sure", "unsure"),
    ("yes maybe", "unsure"), ("I don't remember", "unsure"), ("I don't really know", "unsure"),
    ("I'd need to ask the oncologist", "unsure"), ("the doctors never told us", "unsure"),
    ("absolutely not", "no"), ("yesss", "yes"), ("noooo", "no"), ("sounds good", "yes"),
    ("thats correct", "yes"), ("false", "no"),
    # Chinese
    ("是", "yes"), ("是的", "yes"), ("对", "yes"), ("有", "yes"), ("嗯", "yes"), ("好的", "yes"),
    ("没错", "yes"), ("他有过敏", "yes"), ("做过", "yes"),
    ("没有", "no"), ("不是", "no"), ("没", "no"), ("否", "no"), ("不", "no"), ("从来没有", "no"),
    ("没做过", "no"), ("不对", "no"),
    ("不知道", "unsure"), ("我不知道", "unsure"), ("不确定", "unsure"), ("不清楚", "unsure"),
    ("记不清", "unsure"), ("可能", "unsure"), ("不知道有没有", "unsure"), ("我不太确定", "unsure"),
    ("没问题", "yes"), ("是啊", "yes"), ("不同意", "no"), ("肯定没有", "no"), ("没打过", "no"),
    ("医生没说过", "unsure"), ("说不准", "unsure"),
    # Spanish
    ("sí", "yes"), ("si", "yes"), ("Sí, claro", "yes"), ("claro", "yes"), ("correcto", "yes"),
    ("creo que sí", "yes"), ("creo que si", "yes"),
    ("no", "no"), ("nunca", "no"), ("para nada", "no"), ("creo que no", "no"),
    ("no tiene", "no"),
    ("no sé", "unsure"), ("no se", "unsure"), ("no lo sé", "unsure"),
    ("no estoy seguro", "unsure"), ("no estoy segura", "unsure"), ("ni idea", "unsure"),
    ("tal vez", "unsure"), ("quizás", "unsure"), ("quizas", "unsure"), ("no me acuerdo", "unsure"),
    ("pues sí", "yes"), ("siii", "yes"), ("dale", "yes"), ("nop", "no"), ("qué va", "no"),
    ("no sabría decirte", "unsure"), ("tendría que preguntar al médico", "unsure"),
    ("el médico no nos dijo", "unsure"),
]

TRI_NONE = ["", "   ", "hello", "what is CAR-T?", "yes, no", "他喘不上气", "18 months", "42", "🙂",
            "I need to correct something", "I gave the wrong answer earlier", "我是他妈妈",
            "苯达莫司汀是什么", "我没看懂", "I don't get what you're asking",
            "por qué importa si es niño o niña", "no entiendo qué me preguntas", "他身体不好",
            # The words of an emergency phrase are not an answer to the question being asked.
            "mi hijo no puede respirar", "no respira", "孩子没有呼吸了", "没反应了",
            # Not understanding the question is not a "no".
            "no lo entiendo", "no comprendo", "no te entiendo", "没听懂", "不太明白", "听不懂",
            # Health described as fine is not the "好的" of agreement (asked again instead).
            "心脏挺好的", "他很好", "肾功能都挺好"]

WEEK, DAY = UNIT_MONTHS["weeks"], UNIT_MONTHS["days"]  # in months: 7 and 1 of 30.4375 days


@pytest.mark.parametrize(("text", "expected"), TRI_CASES)
def test_parse_tri(text, expected):
    assert parse_tri(text) == expected


@pytest.mark.parametrize("text", TRI_NONE)
def test_parse_tri_none(text):
    assert parse_tri(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("可以，开始吧", "yes"), ("好，开始", "yes"),
     ("没复发", "no"), ("先不了", "no"), ("不了", "no"), ("还没想好", "unsure"),
     ("empecemos", "yes"), ("yes, a kidney transplant", "yes"), ("做过肾移植", "yes"),
     ("no, a bone marrow transplant", "no"),
     # "No problem" agrees only on its own; after a noun it describes health.
     ("没问题", "yes"), ("没问题，开始吧", "yes"), ("心脏没问题", "no"), ("no problem", "yes"),
     ("his heart has no problem", "no"),
     ],
)
def test_parse_tri_more_natural_answers(text, expected):
    assert parse_tri(text) == expected


@pytest.mark.parametrize(
    "text",
    ["he had a bone marrow transplant", "yes, a stem cell transplant", "做过骨髓移植",
     "做过造血干细胞移植", "sí, de médula ósea", "sí, un trasplante de células madre"],
)
def test_a_bone_marrow_transplant_is_not_a_yes_to_an_organ_transplant(text):
    # The general reader holds no trial words: it reads the plain yes. E14's own reading (the
    # trial's hook) turns it into "no", and the person is told why.
    assert parse_tri(text) == "yes"
    question = OpenQuestion.of(TRIAL, "organ_transplant")
    reading = interpret(Message(text), question, TRIAL, {})
    assert (reading.answer, reading.notes) == ("no", ("marrow_not_organ",))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("复发了", "yes"), ("又复发了", "yes"), ("化疗一直没缓解", "yes"), ("一直没有缓解", "yes"),
     ("no ha respondido al tratamiento", "yes"), ("it never went into remission", "yes"),
     ("no, still in remission", "no"), ("sigue en remisión", "no")],
)
def test_the_trials_own_words_answer_its_question(text, expected):
    # Parsers hold no trial words: "never went into remission" answers relapsed-or-refractory
    # through the trial's reading (bot/trial/nct06389305/lang/<code>.yml), not parse_tri.
    question = OpenQuestion.of(TRIAL, "relapsed_or_refractory")
    assert interpret(Message(text), question, TRIAL, {}).answer == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("sí, y ahora no puede respirar", "yes"), ("no, pero ahora no respira", "no"),
     ("没有，他喘不上气", "no"), ("No, he can't breathe!", "no")],
)
def test_parse_tri_answer_beside_an_emergency_still_counts(text, expected):
    assert parse_tri(text) == expected


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [("no sé", "en", "unsure"), ("no idea", "es", "unsure"), ("yes", "zh", "yes"),
     ("不知道", "en", "unsure"), ("sí", "es", "yes"), ("no", "zh", "no")],
)
def test_parse_tri_lang_is_a_preference(text, lang, expected):
    assert parse_tri(text, lang) == expected


# --- durations ------------------------------------------------------------------------------------

DURATION_CASES = [
    ("18 months", 18), ("7 years old", 84), ("seven years", 84), ("a year and a half", 18),
    ("one and a half years", 18), ("39 years 11 months", 479), ("39 years and 11 months", 479),
    ("39 years, 11 months", 479), ("about 4 months after", 4), ("3 weeks", 3 * WEEK),
    ("half a year", 6), ("11 months", 11), ("40 years", 480), ("he is 7 years old", 84),
    ("7-year-old", 84), ("7yo", 84), ("39years", 468), ("2 weeks", 2 * WEEK), ("a month", 1),
    ("seven and a half years old", 90), ("7 and a half years", 90), ("thirty-one years", 372),
    ("18 MONTHS", 18), ("１８ months", 18),
    ("七岁", 84), ("十二岁半", 150), ("一岁半", 18), ("十个月大", 10), ("三个月后", 3),
    ("两年", 24), ("3个月", 3), ("半年", 6), ("一年半", 18), ("两个半月", 2.5), ("三周", 3 * WEEK),
    ("18岁", 216), ("我儿子七岁", 84), ("三十九岁十一个月", 479), ("１８个月", 18),
    ("treinta y un años", 372), ("un año y medio", 18), ("ocho meses después", 8),
    ("10 meses", 10), ("siete años", 84), ("tiene 7 años", 84), ("medio año", 6),
    ("dos años y tres meses", 27), ("veintiún años", 252), ("39 anos", 468),
]

DURATION_NONE = ["", "7", "seven", "he's seven", "thirty-one", "months", "years", "三月",
                 "2019年", "no", "I don't know", "0.99", "40", "三十一", "treinta y uno"]


@pytest.mark.parametrize(("text", "expected"), DURATION_CASES)
def test_parse_duration_months(text, expected):
    assert parse_duration_months(text) == pytest.approx(expected, abs=1e-4)  # read to 4 places


@pytest.mark.parametrize("text", DURATION_NONE)
def test_parse_duration_months_none(text):
    assert parse_duration_months(text) is None


# --- bare numbers ---------------------------------------------------------------------------------

NUMBER_CASES = [
    ("7", 7), ("seven", 7), ("he's seven", 7), ("thirty-one", 31), ("thirty one", 31),
    ("7 and a half", 7.5), ("7.5", 7.5), ("0.99", 0.99), ("40", 40), ("39", 39),
    ("twenty", 20), ("about 4", 4), ("ninety-nine", 99),
    ("三十一", 31), ("十二", 12), ("两", 2), ("七", 7), ("二十", 20), ("七点五", 7.5),
    ("treinta y uno", 31), ("veintiuno", 21), ("dieciocho", 18), ("siete y medio", 7.5),
    ("tiene siete", 7),
    ("tiene 7 más o menos", 7), ("my answer: 7", 7),
]

NUMBER_NONE = ["", "no", "I don't know", "18 months", "7 years old", "七岁", "3个月",
               "siete años", "es un niño", "一些", "hello", "🙂",
               # A Chinese number before a measure word counts things: not an age, not months.
               "我想修改一个回答", "做过两次", "改一下第三个", "quiero cambiar una respuesta",
               "I want to change one answer", "wait one minute", "two more questions",
               "quiero cambiar dos respuestas", "espera un momento",
               "I want to change answer 3", "question number 4", "quiero cambiar la pregunta 5",
               "la pregunta número 2"]


@pytest.mark.parametrize(("text", "expected"), NUMBER_CASES)
def test_parse_number(text, expected):
    assert parse_number(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", NUMBER_NONE)
def test_parse_number_none(text):
    assert parse_number(text) is None


def test_parse_number_spanish_decimal_comma():
    assert parse_number("7,5", "es") == pytest.approx(7.5)
    assert parse_number("7,5") == pytest.approx(7.5)
    assert parse_number("1,000", "en") == pytest.approx(1000)


# --- who is answering ------------------------------------------------------------------------------

RESPONDENT_CASES = [
    ("I am the patient", "patient"), ("I'm the patient", "patient"), ("myself", "patient"),
    ("for me", "patient"), ("it's me", "patient"), ("me", "patient"),
    ("I'm his mom", "guardian"), ("I'm her mum", "guardian"), ("I'm his dad", "guardian"),
    ("I am the father", "guardian"), ("his mother", "guardian"), ("I'm a parent", "guardian"),
    ("I'm the guardian", "guardian"), ("my son", "guardian"), ("my daughter", "guardian"),
    ("my child", "guardian"), ("it's for my son", "guardian"),
    ("I'm the patient's mother", "guardian"),
    ("I'm his grandmother and legal guardian", "guardian"),
    ("I'm her aunt", "other"), ("uncle", "other"), ("grandparent", "other"),
    ("a friend", "other"), ("I'm a nurse", "other"), ("doctor", "other"), ("sibling", "other"),
    ("his brother", "other"), ("sister", "other"), ("spouse", "other"), ("husband", "other"),
    ("my wife", "other"), ("my mother", "other"), ("I'm her son", "other"),
    ("It's for my mother, I'm her son", "other"),
    ("我是患者", "patient"), ("我自己", "patient"), ("本人", "patient"),
    ("我是孩子的妈妈", "guardian"), ("我是孩子的爸爸", "guardian"), ("我是孩子的家长", "guardian"),
    ("我是孩子的监护人", "guardian"), ("我儿子", "guardian"), ("我是他妈妈", "guardian"),
    ("朋友", "other"), ("护士", "other"), ("医生", "other"), ("奶奶", "other"), ("爷爷", "other"),
    ("阿姨", "other"), ("丈夫", "other"), ("妻子", "other"), ("我是孩子的阿姨", "other"),
    ("我妈妈", "other"), ("我是奶奶，也是法定监护人", "guardian"),
    ("soy el paciente", "patient"), ("soy la paciente", "patient"), ("yo mismo", "patient"),
    ("yo misma", "patient"), ("soy su madre", "guardian"), ("soy su padre", "guardian"),
    ("soy su tutor", "guardian"), ("mi hijo", "guardian"), ("mi hija", "guardian"),
    ("amigo", "other"), ("enfermera", "other"), ("médico", "other"), ("abuela", "other"),
    ("tía", "other"), ("esposo", "other"), ("mi madre", "other"), ("es para mi hijo", "guardian"),
    ("es para mí", "patient"), ("我是孩子奶奶", "other"), ("I'm the boy's father", "guardian"),
    ("soy su tutor legal", "guardian"), ("我是病人家属", "other"), ("我是患者的家人", "other"),
    ("我是孩子妈妈", "guardian"), ("soy yo, el paciente", "patient"),
]


@pytest.mark.parametrize(("text", "expected"), RESPONDENT_CASES)
def test_parse_respondent(text, expected):
    assert parse_respondent(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "hello", "yes", "tell me more", "18 months", "girl", "es un niño",
     "le hicieron un trasplante de células madre", "por qué importa si es niño o niña"],
)
def test_parse_respondent_none(text):
    assert parse_respondent(text) is None


# --- sex ------------------------------------------------------------------------------------------

SEX_CASES = [
    ("female", "female"), ("woman", "female"), ("girl", "female"), ("she", "female"),
    ("her", "female"), ("F", "female"), ("she's a girl", "female"),
    ("male", "male"), ("man", "male"), ("boy", "male"), ("he", "male"), ("M", "male"),
    ("he is a boy", "male"), ("my son", "male"),
    ("other", "other"), ("non-binary", "other"), ("prefer not to say", "other"),
    ("女", "female"), ("女性", "female"), ("女孩", "female"), ("女儿", "female"),
    ("男", "male"), ("男性", "male"), ("男孩", "male"), ("儿子", "male"),
    ("其他", "other"), ("不想说", "other"),
    ("mujer", "female"), ("femenino", "female"), ("niña", "female"), ("hija", "female"),
    ("hombre", "male"), ("masculino", "male"), ("niño", "male"), ("hijo", "male"),
    ("otro", "other"), ("prefiero no decir", "other"),
]


@pytest.mark.parametrize(("text", "expected"), SEX_CASES)
def test_parse_sex(text, expected):
    assert parse_sex(text) == expected


@pytest.mark.parametrize("text", ["", "hello", "any other cancer?", "male or female?", "yes", "f m"])
def test_parse_sex_none(text):
    assert parse_sex(text) is None


# --- ECOG -----------------------------------------------------------------------------------------

ECOG_CASES = [
    ("fully active", 0), ("normal activity", 0), ("no restrictions", 0),
    ("goes to school as before", 0), ("goes to work as before", 0),
    ("he can't do heavy activity but walks and does light work", 1),
    ("can't do strenuous activity, light school work only", 1),
    ("up and about more than half the day, cares for himself, cannot work", 2),
    ("he can walk around but can't work", 2),
    ("in bed or chair more than half the day, limited self-care", 3),
    ("mostly in bed", 3),
    ("in bed or chair all day, cannot care for himself, completely disabled", 4),
    ("bedridden", 4), ("he needs help to get to the bathroom", 3),
    ("she can get around but tires easily", 1), ("she goes to school like normal", 0),
    ("能走路，但容易累", 1), ("上厕所都要人扶", 3), ("整天卧床，起不来", 4),
    ("necesita ayuda para ir al baño", 3), ("está acostado casi todo el día", 3),
    ("level 2", 2), ("ECOG 1", 1), ("ecog: 3", 3), ("level zero", 0),
    ("完全正常活动", 0), ("活动完全正常", 0), ("不能剧烈活动但能做轻活", 1),
    ("能自理，白天一半以上时间能下床活动", 2), ("一半以上时间卧床或坐着", 3), ("完全卧床", 4),
    ("生活不能自理", 4), ("2级", 2),
    ("totalmente activo", 0), ("no puede hacer esfuerzos pero camina y hace trabajo ligero", 1),
    ("se vale por sí mismo, levantado más de la mitad del día", 2),
    ("en cama o sillón más de la mitad del día", 3), ("en cama todo el día", 4), ("nivel 3", 3),
    # A patient answering for themselves speaks in the first person.
    ("puedo caminar, pero no puedo hacer trabajos pesados", 1), ("me canso mucho", 1),
    ("no puedo trabajar, pero me cuido solo", 2), ("necesito ayuda para vestirme", 3),
    ("estoy en cama todo el día", 4), ("hago vida normal", 0), ("voy a trabajar", 0),
    ("no puede hacer trabajos pesados pero camina", 1),
    ("能走路，但是干不了重活", 1), ("基本躺着", 3),
]


@pytest.mark.parametrize(("text", "expected"), ECOG_CASES)
def test_parse_ecog(text, expected):
    assert parse_ecog(text) == expected


@pytest.mark.parametrize("text", ["", "2", "7", "yes", "hello", "level 7", "he is fine"])
def test_parse_ecog_none(text):
    assert parse_ecog(text) is None


# --- language switch ------------------------------------------------------------------------------

LANGUAGE_CASES = [
    ("中文", "zh"), ("请说中文", "zh"), ("Chinese", "zh"), ("汉语", "zh"), ("用中文", "zh"),
    ("Chinese please", "zh"), ("can you speak Chinese?", "zh"),
    ("español", "es"), ("spanish", "es"), ("en español", "es"), ("habla español", "es"),
    ("Español por favor", "es"), ("can you please speak Spanish with me", "es"),
    ("English please", "en"), ("英文", "en"), ("inglés", "en"), ("in English", "en"),
    ("switch to English", "en"), ("请用英文回答", "en"), ("talk to me in English", "en"),
    ("cámbialo a inglés", "en"), ("简体中文", "zh"),
]


@pytest.mark.parametrize(("text", "expected"), LANGUAGE_CASES)
def test_parse_language_request(text, expected):
    assert parse_language_request(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "hello", "my son speaks Spanish at school", "is the trial in Chinese hospitals?",
     "我的孩子在中文学校上学", "English or Spanish?", "yes", "change the language", "换个语言"],
)
def test_parse_language_request_none(text):
    assert parse_language_request(text) is None


# --- emergencies ----------------------------------------------------------------------------------

EMERGENCIES = [
    "I can't breathe", "I cannot breathe", "he cant breathe", "she's not breathing",
    "he isn't breathing", "struggling to breathe", "he is unconscious", "she won't wake up",
    "he passed out", "she is unresponsive", "she's having a seizure", "he is fitting",
    "he's convulsing", "high fever after CAR-T", "very high fever", "fever of 39.5",
    "his temperature is 40", "fever 103 F", "I want to kill myself", "thoughts of suicide",
    "I want to end my life", "I want to die", "chest pain", "the bleeding won't stop",
    "No, he can't breathe!", "what should I do, he has a high fever",
    "呼吸困难", "他喘不上气", "不能呼吸", "昏迷", "叫不醒", "失去意识", "抽搐", "癫痫发作",
    "高烧", "发高烧", "发烧39度", "想自杀", "不想活了", "胸痛", "大出血", "CAR-T后发高烧",
    "no puedo respirar", "no respira", "está inconsciente", "no despierta", "convulsión",
    "tiene convulsiones", "fiebre alta", "fiebre de 40 grados", "quiero suicidarme",
    "quiero morir", "suicidio", "dolor en el pecho", "sangrado que no para",
    "call an ambulance", "my son is bleeding and it won't stop", "he's throwing up blood",
    "tiene 40 de fiebre y tiembla", "está sangrando muchísimo y no para", "孩子一直吐血",
    "快叫救护车", "我想结束自己的生命", "鼻子出血止不住",
]

NOT_EMERGENCIES = [
    "", "no", "yes", "fever", "I don't have a fever", "I don't have a high fever",
    "what is a high fever?", "What is a seizure?", "no chest pain", "he never had a seizure",
    "my husband is 40 and had a fever last year", "fever of 38", "he is 39 years old",
    "what does unconscious mean?", "没有发高烧", "没有呼吸困难", "什么是高烧？", "不知道",
    "¿qué es fiebre alta?", "no tiene fiebre alta", "18 months", "I'm his mum",
    "he coughs and it won't stop", "咳嗽不停", "he is 40 and a bit tired",
]


@pytest.mark.parametrize("text", EMERGENCIES)
def test_detect_emergency(text):
    assert detect_emergency(text) is True


@pytest.mark.parametrize("text", NOT_EMERGENCIES)
def test_detect_emergency_not(text):
    assert detect_emergency(text) is False


# --- topics ---------------------------------------------------------------------------------------

TOPIC_CASES = [
    ("change my age answer", "patient_age"), ("how old", "patient_age"), ("edad", "patient_age"),
    ("年龄", "patient_age"), ("岁", "patient_age"),
    ("what is B-ALL?", "b_all_diagnosis"), ("leukemia", "b_all_diagnosis"),
    ("diagnosis", "b_all_diagnosis"), ("白血病", "b_all_diagnosis"), ("诊断", "b_all_diagnosis"),
    ("LLA-B", "b_all_diagnosis"),
    ("relapsed", "relapsed_or_refractory"), ("refractory", "relapsed_or_refractory"),
    ("复发", "relapsed_or_refractory"), ("难治", "relapsed_or_refractory"),
    ("recaída", "relapsed_or_refractory"), ("refractaria", "relapsed_or_refractory"),
    ("what does CAR-T mean", "had_car_t"), ("嵌合抗原受体T细胞", "had_car_t"),
    ("células CAR-T", "had_car_t"),
    ("relapse since CAR-T", "relapse_since_car_t"), ("months", "car_t_loss_months"),
    ("allergy", "severe_allergies"), ("过敏", "severe_allergies"), ("alergia", "severe_allergies"),
    ("activity", "ecog"), ("ECOG", "ecog"), ("活动", "ecog"),
    ("bendamustine", "bendamustine_9_months"), ("苯达莫司汀", "bendamustine_9_months"),
    ("bendamustina", "bendamustine_9_months"),
    ("heart", "heart_failure_or_arrhythmia"), ("心脏", "heart_failure_or_arrhythmia"),
    ("corazón", "heart_failure_or_arrhythmia"),
    ("breathing", "respiratory_failure"), ("lung", "respiratory_failure"),
    ("呼吸", "respiratory_failure"), ("respirar", "respiratory_failure"),
    ("cancer", "other_cancer"), ("tumour", "other_cancer"), ("肿瘤", "other_cancer"),
    ("cáncer", "other_cancer"),
    ("DIC", "dic"), ("clotting", "dic"), ("凝血", "dic"), ("coagulación", "dic"),
    ("kidney", "kidney_problem"), ("肾", "kidney_problem"), ("riñón", "kidney_problem"),
    ("infection", "uncontrolled_infection"), ("感染", "uncontrolled_infection"),
    ("infección", "uncontrolled_infection"),
    ("diabetes", "uncontrolled_diabetes"), ("糖尿病", "uncontrolled_diabetes"),
    ("mental", "severe_mental_disorder"), ("精神", "severe_mental_disorder"),
    ("MRI", "brain_lesions"), ("brain lesion", "brain_lesions"), ("脑部病变", "brain_lesions"),
    ("磁共振", "brain_lesions"), ("resonancia", "brain_lesions"),
    ("spinal fluid", "csf_blasts_high"), ("CSF", "csf_blasts_high"), ("脑脊液", "csf_blasts_high"),
    ("líquido cefalorraquídeo", "csf_blasts_high"),
    ("blood blasts", "blood_blasts_high"), ("外周血", "blood_blasts_high"),
    ("sangre periférica", "blood_blasts_high"),
    ("transplant", "organ_transplant"), ("移植", "organ_transplant"),
    ("trasplante", "organ_transplant"),
    ("sex", "sex"), ("gender", "sex"), ("性别", "sex"), ("sexo", "sex"),
    ("pregnant", "pregnant_or_breastfeeding"), ("breastfeeding", "pregnant_or_breastfeeding"),
    ("怀孕", "pregnant_or_breastfeeding"), ("哺乳", "pregnant_or_breastfeeding"),
    ("embarazada", "pregnant_or_breastfeeding"), ("lactancia", "pregnant_or_breastfeeding"),
    ("hepatitis", "active_infectious_disease"), ("HIV", "active_infectious_disease"),
    ("syphilis", "active_infectious_disease"), ("乙肝", "active_infectious_disease"),
    ("艾滋", "active_infectious_disease"), ("梅毒", "active_infectious_disease"),
    ("VIH", "active_infectious_disease"), ("sífilis", "active_infectious_disease"),
    ("who is answering", "respondent"), ("respondent", "respondent"),
    ("guardian", "guardian_can_consent"), ("监护人", "guardian_can_consent"),
    ("tutor", "guardian_can_consent"),
    ("brain pressure", "brain_pressure_or_consciousness"),
    ("consciousness", "brain_pressure_or_consciousness"),
    ("颅内压", "brain_pressure_or_consciousness"), ("意识", "brain_pressure_or_consciousness"),
    ("presión intracraneal", "brain_pressure_or_consciousness"),
]


@pytest.mark.parametrize(("text", "expected"), TOPIC_CASES)
def test_parse_topic(text, expected):
    assert parse_topic(text) == expected


@pytest.mark.parametrize("text", ["", "hello", "yes", "thanks", "你好"])
def test_parse_topic_none(text):
    assert parse_topic(text) is None


# --- helpers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("我儿子七岁", "zh"), ("CAR-T后复发", "zh"), ("hello", None), ("", None), ("１２３", None),
     ("¿sí?", None), ("，。", None)],
)
def test_detect_script_language(text, expected):
    assert detect_script_language(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("我儿子七岁", "zh"), ("no sé", "es"), ("tiene siete años", "es"),
     ("he is seven years old", "en"), ("no", None), ("", None),
     # French accents and function words are not Spanish; Spanish accents still are.
     ("Bonjour, mon fils a une leucémie", None), ("Je ne sais pas", None), ("il a sept ans", None),
     ("él tiene leucemia", "es"), ("un mes después", "es"), ("¿qué es eso?", "es")],
)
def test_guess_language(text, expected):
    assert guess_language(text) == expected


def test_extract_entities_offsets_point_into_the_original_text():
    text = "I’m his mum,   he's 7 years old"
    found = {e["entity"]: e for e in extract_entities(text)}
    assert found["respondent_kind"]["value"] == "guardian"
    assert text[found["respondent_kind"]["start"]:found["respondent_kind"]["end"]] == "mum"
    assert found["duration_months"]["value"] == 84.0
    assert text[found["duration_months"]["start"]:found["duration_months"]["end"]] == "7 years old"
    assert "number" not in found  # a unit is present: only duration_months


def test_extract_entities_chinese():
    found = {e["entity"]: e["value"] for e in extract_entities("我儿子七岁")}
    assert found["duration_months"] == 84.0
    assert found["respondent_kind"] == "guardian"
    assert found["sex_value"] == "male"


def test_pipelines_are_loaded_once():
    assert parsing.get_nlp("en") is parsing.get_nlp("en")
    assert parsing.get_nlp("zh") is parsing.get_nlp("zh")
    assert parsing.get_nlp("zh").tokenizer.segmenter == "jieba"


def test_chinese_docs_keep_the_folded_text():
    folded = parsing._prepare("我儿子 7 岁, CAR-T 后３个月").folded
    assert parsing._doc(folded, "zh").text == folded


def test_long_input_is_capped():
    text = "no " * 5000 + "I can't breathe"
    assert detect_emergency(text) is False  # beyond the first MAX_CHARS characters
    assert parse_tri(text) == "no"


# --- totality -------------------------------------------------------------------------------------

TEXT_FUNCTIONS = [parse_tri, parse_duration_months, parse_number, parse_respondent, parse_sex,
                  parse_ecog, parse_topic]
ODD_INPUTS = [
    "", " ", "\x00", "\x00no\x00", "\u202eyes", "<b>yes</b><script>alert(1)</script>",
    "😀" * 50, "a" * 10_000, "我" * 10_000, "9" * 400, "1e309", "\ud800", "½", "ﬁ",
    "\n\t\r", "' ' '", "- - -", "3.4.5", "٣ years", "ＹＥＳ",
]


def _check_types(text):
    assert parse_tri(text) in (None, "yes", "no", "unsure")
    assert parse_respondent(text) in (None, "patient", "guardian", "other")
    assert parse_sex(text) in (None, "female", "male", "other")
    assert parse_language_request(text) in (None, "en", "zh", "es")
    assert detect_script_language(text) in (None, "zh")
    assert isinstance(detect_emergency(text), bool)
    ecog = parse_ecog(text)
    assert ecog is None or (isinstance(ecog, int) and 0 <= ecog <= 4)
    for fn in (parse_duration_months, parse_number):
        value = fn(text)
        assert value is None or (isinstance(value, float) and value == value)
    topic = parse_topic(text)
    assert topic is None or topic in topic_words("en")
    for entity in extract_entities(text):
        assert 0 <= entity["start"] <= entity["end"] <= len(text)


@pytest.mark.parametrize("text", ODD_INPUTS)
def test_odd_inputs_never_raise(text):
    _check_types(text)


@pytest.mark.parametrize("fn", TEXT_FUNCTIONS)
def test_non_strings_are_none(fn):
    assert fn(None) is None  # type: ignore[arg-type]
    assert detect_emergency(None) is False  # type: ignore[arg-type]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_fuzz_any_text(text):
    _check_types(text)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from(list("ab 7十岁个月半不是no ,.?'-y")), min_size=400,
               max_size=3000))
def test_fuzz_long_text(text):
    _check_types(text)


# --- activity level: descriptions combined (bot/understanding/activity.py) ------------------------


@pytest.mark.parametrize(("text", "expected"), [
    # Where the ranges meet: "walks" (0-2) and "no football" (1-2) give 1.
    ("walks to the shops fine but no football any more", 1),
    ("camina bien pero sin deporte", 1),
    ("走路没问题，就是不能踢球", 1),
    # An ability negated in its part of the sentence gives its other range.
    ("not at nursery at the moment, but she dresses herself and plays", 2),
    ("no va a clase, pero se viste sola y juega en casa", 2),
    ("现在不去学校，自己穿衣服，在家玩", 2),
    ("体育课免了，其他都正常上学", 1),
    ("va al cole, educación física no", 1),
    # They disagree: the worst level any of them needs, never a fitter reading.
    ("mostly normal, though lying down most of the day lately", 3),
    ("hace vida normal salvo que está casi todo el día acostado", 3),
    ("can't do anything for herself, bed bound", 4),
    # Too wide to say: asked again.
    ("he walks", None), ("se levanta", None),
    # Buttons in order: the first is level 0; two ordinals give the lower.
    ("the third one", 2), ("第四个", 3), ("la primera opción", 0),
    ("between the first and second", 0),
    # Not an ordinal pick: a longer sentence, or a word that only looks like one.
    ("he came second in the race at school last year with his friends", 0),
    ("está en su cuarto", None),
])
def test_activity_descriptions_combine(text, expected):
    assert parse_ecog(text) == expected


@pytest.mark.parametrize("text", ["it really varies week to week", "depende del día", "时好时坏，说不准"])
def test_activity_that_varies_is_unsure(text):
    assert parsing.parse_activity(text) == "unsure"


# --- yes / no: the first clause answers, reflexive "no se" ------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    # A short opening answer decides; the reasons after it may hold words that look like answers.
    ("no, only the asthma, she had it as a baby", "no"),
    ("sí, y no se le quita con nada", "yes"),
    ("没有，一直都挺好的", "no"),
    ("是的，不过现在没事了", "yes"),
    # A second plain answer opening a clause, or a correction, is asked again.
    ("yes, no, I'm not sure which", "unsure"), ("yes. no", None), ("no. actually yes he did", None),
    ("没有。不对，有过一次", None),
    # Spanish "no se" without its accent: before a verb it is reflexive, alone or before "si" it is "no sé".
    ("no se", "unsure"), ("no se si se lo hicieron", "unsure"), ("no se le nota nada", "no"),
    # "la / los" after it: an article before a noun ("no sé la respuesta"), a pronoun before a verb.
    ("es que no se la respuesta", "unsure"), ("no se los resultados todavia", "unsure"),
    ("no se la pusieron", "no"), ("no se lo han hecho", "no"),
])
def test_first_clause_and_reflexive_no_se(text, expected):
    assert parse_tri(text) == expected


# --- typing slips, Traditional characters, everyday words for people ---------------------------------


@pytest.mark.parametrize(("text", "fn", "expected"), [
    # One slip in a longer word is read as the lexicon word; short or real words are left alone.
    ("femal", parse_sex, "female"), ("seventen", parse_number, 17), ("cuarente y dos", parse_number, 42),
    ("she tried", parse_ecog, None),
    # Traditional characters read as simplified.
    ("三歲", parse_duration_months, 36), ("沒有", parse_tri, "no"),
    # Everyday words for who is answering and the patient's sex.
    ("I'm her foster mum", parse_respondent, "guardian"), ("la madrina", parse_respondent, "other"),
    ("小伙子", parse_sex, "male"), ("un chamaco", parse_sex, "male"), ("my nan is here", parse_sex, None),
])
def test_slips_scripts_and_everyday_words(text, fn, expected):
    assert fn(text) == expected
