"""Emergencies (bot/understanding/safety.py): every current, severe one in three languages, and
none where a message only mentions the words. One test per rule, with phrasings written here."""

from __future__ import annotations

import pytest

from bot.understanding import safety
from bot.understanding.text import fold


def kind(text: str):
    return safety.detect(text)


@pytest.mark.parametrize(("text", "expected"), [
    # Overlapping phrases: the one reaching further is the reading, and its negation applies.
    ("孩子没有呼吸困难的情况", None), ("孩子没有呼吸了", "breathing"),
    # Parts split at punctuation and at "but now": old history does not hide a new emergency.
    ("she had a seizure as a toddler but now she is seizing again", "seizure"),
    ("以前抽过一次，但是现在又在抽搐", "seizure"),
    ("tuvo convulsiones de bebé pero ahora está convulsionando", "seizure"),
    # A negation counts only just before the phrase, and not across a new statement.
    ("she has no trouble breathing at all", None), ("no she can't breathe", "breathing"),
    ("no, ahora no respira", "breathing"), ("没有，他现在喘不上气", "breathing"),
    # A negation runs on through a list.
    ("no fever or convulsions since Monday", None), ("sin fiebre alta ni convulsiones", None),
    ("没有昏迷或者抽搐", None),
    # History words inside an emergency phrase are not history ("晕过去" holds "过去").
    ("他刚才晕过去了", "unresponsive"), ("他小时候晕倒过一次", None),
    # History elsewhere in the sentence makes a fever, seizure or confusion history too.
    ("化疗那会儿出现过高烧，抽搐，现在都好了", None),
    ("during the CRS back then she was confused, talking nonsense, all fine since", None),
    # A question about the word: a definition word at the start, or a question mark.
    ("what counts as a high fever for a child", None), ("¿qué se considera fiebre alta?", None),
    ("i don't know what is going on he can't breathe", "breathing"),
    # Hypotheticals only with a question mark ("si" may also be a "sí" without its accent).
    ("what if he has a seizure at home?", None), ("si le da una convulsión en casa, ¿qué hago?", None),
    ("si le da una convulsion ahora mismo", "seizure"),
    # A temperature counts only right by a fever word; decimals are read whole.
    ("fever of 39.8 since this morning", "fever"), ("his temperature went to 103.1 f", "fever"),
    ("he's 40 and has a mild fever", None), ("tiene 40 de fiebre", "fever"), ("体温39.6度", "fever"),
    # "Won't stop" is bleeding with a blood word in the sentence, not with a cough.
    ("her gums are bleeding and it won't stop", "bleeding"), ("the cough won't stop at night", None),
    ("le sangra la nariz y no para", "bleeding"),
    # Words that alarm together: a body part and what is wrong, an injury and what followed.
    ("my chest is really hurting", "chest_pain"), ("le duele el pecho muchísimo", "chest_pain"),
    ("胸前疼得厉害", "chest_pain"), ("he banged his head on the table and keeps vomiting", "urgent"),
    ("her face and lips are swelling up after the antibiotic", "urgent"),
    ("my chest doesn't hurt", None),
    # A negation closing the part; not after a phrase that is itself negative.
    ("dolor de pecho no, solo cansancio", None), ("胸痛没有", None), ("no respira, no", "breathing"),
    # Effort: an everyday limit is no emergency, turning blue is one whatever the effort.
    ("trouble breathing when he climbs the stairs", None), ("turning blue after running", "breathing"),
    # Everyday compounds.
    ("only hay fever in the spring", None), ("el análisis de sangre salió bien", None),
    # Self-harm wins, so the reply always has the crisis lines.
    ("I can't breathe and I want to die", "self_harm"), ("我喘不上气，真想死了算了", "self_harm"),
])
def test_rules(text, expected):
    assert kind(text) == expected


def test_alarm_spans_point_at_the_phrases_that_count():
    folded = fold("sí, y ahora no puede respirar")
    spans = [folded[a:b] for a, b in safety.alarm_spans(folded)]
    assert spans == ["no puede respirar"]
    assert safety.alarm_spans(fold("no tiene convulsiones")) == []


@pytest.mark.parametrize("text", ["", "   ", "\x00", "?" * 3000, "no " * 3000 + "he can't breathe"])
def test_odd_input(text):
    assert kind(text) is None  # the last one: beyond the characters read


def test_every_language_is_read_whatever_the_conversation():
    # One message mixing languages: the Spanish phrase alarms in an English sentence.
    assert kind("sorry, mi hijo no respira") == "breathing"


@pytest.mark.parametrize("text", ["以前抽过，现在又在抽搐", "she had a seizure years ago and is seizing now"])
def test_history_does_not_hide_an_emergency_said_to_be_happening_now(text):
    from bot.understanding import safety

    assert safety.detect(text) == "seizure"


# --- mechanisms of issue 11: scope by each language's grammar, not by more phrases -------------


@pytest.mark.parametrize(("text", "expected"), [
    # The words that end a negation's reach are its own language's: the Spanish "he" is a verb.
    ("nunca he querido matarme", None), ("no he pensado en suicidarme", None),
    ("no he can't breathe", "breathing"), ("我从来没想过自杀", None),
    # Chinese words holding 不 that negate nothing.
    ("我撑不下去了 不如死了算了", "self_harm"),
])
def test_negation_reaches_by_its_own_language(text, expected):
    assert kind(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # A space by a Chinese character ends a clause: the negation stays in its own.
    ("没发烧 现在喘不上气", "breathing"), ("不发烧 但是喘不上气", "breathing"),
    ("两个月前做的CAR-T 高烧40度", "fever"),
    # ...but a dictated space right after a negation does not.
    ("没有 发烧", None), ("没有 呼吸困难", None), ("没 发烧 也没 咳嗽", None),
    # "But" starts a new clause in every language.
    ("no fever but he cant breathe", "breathing"), ("no tiene fiebre pero no puede respirar", "breathing"),
    ("hace un mes tuvo fiebre alta pero ya está bien", None),
])
def test_clauses_bound_negation_and_history(text, expected):
    assert kind(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # Weeks, months or years back is history; minutes and hours ago is now.
    ("she had a seizure 3 months ago", None), ("tuvo una convulsión hace dos meses", None),
    ("上个月胸口疼过", None),
    ("he had a seizure an hour ago", "seizure"), ("hace 10 minutos tuvo una convulsión", "seizure"),
    ("一小时前开始抽搐", "seizure"),
    # A date by a treatment is the treatment's: the fever is now...
    ("temp is 40.1 and he had car t last week", "fever"), ("temp is 40.1, car-t was 3 months ago", "fever"),
    ("fiebre de 40 y le pusieron las car-t hace un mes", "fever"),
    # ...unless the symptom itself is told in the past.
    ("had a high fever after his car t last year", None), ("tuvo fiebre alta despues del car-t hace un año", None),
    ("化疗那会儿出现过高烧，抽搐，现在都好了", None),
    # "过" right after a Chinese symptom is history; in "晕过去", "喘不过气" it is not.
    ("他胸口疼过 检查没事", None), ("他晕过去了", "unresponsive"), ("喘不过气", "breathing"),
    # The "está" of "ya está bien" and the "tiene" of "tiene fiebre" do not make it current.
    ("tiene fiebre a veces con la quimio", None),
    # "Years ago, and now again" is current.
    ("以前抽过 现在又开始抽了", "seizure"),
    ("tuvo una convulsión el año pasado y ahora está convulsionando otra vez", "seizure"),
])
def test_history_is_read_from_when_it_is_said(text, expected):
    assert kind(text) == expected


@pytest.mark.parametrize("text", ["sometimes i think about killing myself", "a veces pienso que sería mejor no estar aquí",
                                  "有时候想从楼上跳下去"])
def test_thoughts_of_self_harm_sometimes_are_thoughts_of_self_harm_now(text):
    assert kind(text) == "self_harm"


@pytest.mark.parametrize(("text", "expected"), [
    # The question mark belongs to its own sentence.
    ("what is CRS? he can't breathe", "breathing"), ("¿qué es el CRS? no puede respirar", "breathing"),
    ("什么是CRS？他现在喘不上气", "breathing"),
    # A definition word with a new statement after it asks about nothing.
    ("what is happening he cant breathe", "breathing"),
    # A question about the word, before or after it.
    ("does chest pain from coughing count?", None), ("抽搐是什么表现", None), ("他在抽搐是什么情况", "seizure"),
    # "Is it an emergency?" decides nothing alone; a high fever asked about is still answered as one.
    ("una fiebre de 38 es una emergencia?", None), ("发烧38度算紧急情况吗", None),
    ("is a fever of 40 after car-t an emergency?", "fever"), ("高烧40度算紧急情况吗", "fever"),
])
def test_questions_about_a_symptom(text, expected):
    assert kind(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("cant breathe", "breathing"), ("hes not breathing", "breathing"), ("doesnt respond", "unresponsive"),
    ("wont wake up", "unresponsive"), ("shes not making sense", "confusion"),
    ("he doesnt have trouble breathing", None),
    # A phrase with "not" also reads "isn't", "isnt", "wasnt"; not the "nt" ending any word.
    ("she isnt waking up", "unresponsive"), ("he wasnt breathing", "breathing"), ("i want waking up early", None),
])
def test_apostrophes_are_optional(text, expected):
    assert kind(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("救命 孩子喘不上来气了", "breathing"),
    ("hes shaking all over and his eyes rolled back and he wont respond", "seizure"),
    ("lleva 5 minutos con temblores y no para", "seizure"),
    ("宝贝 想死你了", None),
])
def test_the_kind_is_what_was_said(text, expected):
    assert kind(text) == expected


@pytest.mark.parametrize(("text", "crisis_lines"), [
    ("quiero acabar con todo", True), ("我又割自己了", True), ("i have the pills saved up, i'm done", True),
    ("she's having a fit right now", False), ("高烧40度 刚做完CAR-T", False), ("sangra por la nariz y no para", False),
])
def test_only_self_harm_wording_gets_the_crisis_lines(text, crisis_lines):
    from actions import replies

    response = replies.emergency(safety.detect(text))
    assert (response == "utter_emergency_self_harm") is crisis_lines


@pytest.mark.parametrize(("text", "slot", "lang", "answer", "emergency"), [
    ("no tiene fiebre", "uncontrolled_infection", "es", "no", None),
    ("没有 发烧", "uncontrolled_infection", "zh", "no", None),
    ("nunca he querido matarme", "severe_mental_disorder", "es", "no", None),
    ("no fever but he cant breathe now", "uncontrolled_infection", "en", None, "breathing"),
    ("没发烧 现在喘不上气", "uncontrolled_infection", "zh", None, "breathing"),
])
def test_at_the_open_question_an_answer_stays_an_answer_and_an_emergency_an_emergency(text, slot, lang, answer,
                                                                                    emergency):
    from bot.trial import TRIAL
    from bot.understanding.interpret import Message, OpenQuestion, interpret

    reading = interpret(Message(text, language=lang), OpenQuestion.of(TRIAL, slot), TRIAL,
                        {s: "yes" for s in TRIAL.slots})
    assert (reading.answer, reading.emergency) == (answer, emergency)


# --- composition: word classes, not phrase lists ---------------------------------------------------
# Each of these is said in words no phrase of its kind holds: only a body word and a trouble word
# (or a wish and an end, a movement and a sign) found together in one part read them.
COMPOSED = [
    ("she is really struggling to get any air in", "breathing"), ("his breaths are really shallow", "breathing"),
    ("he can barely get a breath", "breathing"), ("his legs and arms keep jerking and won't stop", "seizure"),
    ("we cannot rouse him at all", "unresponsive"), ("he keeled over in the hallway", "unresponsive"),
    ("she doesn't recognise her own family", "confusion"), ("my heart hurts so much, like a crushing weight", "chest_pain"),
    ("I keep thinking about ending my own life", "self_harm"), ("I honestly don't want to be alive anymore", "self_harm"),
    ("I really wanna just disappear", "self_harm"),
    ("孩子喘气特别费劲", "breathing"), ("他吸气吸不进去", "breathing"), ("摇他也不醒", "unresponsive"),
    ("全身一直抖停不下来", "seizure"), ("我想把自己弄伤", "self_harm"), ("鼻子的血流了半个小时", "bleeding"),
    ("心口压得慌", "chest_pain"),
    ("le cuesta un montón agarrar aire", "breathing"), ("está batallando para respirar", "breathing"),
    ("se desvaneció en la cocina", "unresponsive"), ("la nariz le sangra a chorros", "bleeding"),
    ("siento una opresión horrible en el pecho", "chest_pain"), ("ya no quiero estar viva", "self_harm"),
    ("tengo ganas de desaparecer", "self_harm"), ("his temp is super high and he had car t 5 days ago", "fever"),
    ("la fiebre no le baja desde anoche", "fever"), ("烧一直不退", "fever"),
]


@pytest.mark.parametrize(("text", "expected"), COMPOSED)
def test_composition_reads_what_no_phrase_holds(text, expected):
    assert safety._find(expected, fold(text)) == []  # no whole phrase of the kind is in it
    assert kind(text) == expected


@pytest.mark.parametrize("text", [
    # A negation before the composition, or between its words.
    "he isn't struggling to breathe at all", "his breathing isn't hard, he is fine", "呼吸不费劲",
    "他呼吸没有困难", "no le cuesta respirar", "respira sin dificultad",
    # An ordinary limit on effort, and history.
    "he gets breathless and really tired on the stairs", "爬楼梯的时候喘气费劲",
    "se cansa y le falta el aire cuando sube escaleras", "he had trouble breathing as a baby",
    # Another thought between the words: a parent's fear is no wish to die.
    "i want to know if he could die from the cik cells", "me da miedo que se vaya a morir",
    # Idioms and compounds: the words of a class inside them do not count.
    "this waiting is killing me", "esta espera me está matando", "我气得要死", "他生气的时候憋着不说话",
    "fresh air is hard to come by on the ward", "ya no quiero seguir",
    # A question phrase holds a class word: "how high" asks, it does not report.
    "how high does a fever need to be to worry?", "fever isnt high", "发烧了吗 体温不高",
    # Too far apart, or in the wrong order for the rule.
    "我叫他吃饭他都不理我", "我不认识这个药", "I don't know where he is right now, he's at school",
])
def test_composition_raises_no_false_alarm(text):
    assert kind(text) is None


def test_every_language_composes_the_same_kinds_from_classes_it_defines():
    rules = safety._compositions()  # raises on a class or a kind that does not exist
    for lang in ("en", "zh", "es"):
        kinds = {k for k, rule_lang, _names, _ordered in rules if rule_lang == lang}
        assert {"breathing", "seizure", "unresponsive", "confusion", "bleeding", "chest_pain",
                "self_harm", "urgent"} <= kinds
        for _k, rule_lang, names, _ordered in rules:
            if rule_lang == lang:
                assert all(safety._class_pattern(lang, name) for name in names)


def test_a_composition_and_a_second_one_in_the_same_part_are_both_read():
    # The tightest readings are kept: the negated one does not hide the one after it.
    assert kind("not struggling to breathe he can barely get a breath in") == "breathing"


# Round 4: the classes of miss found by fresh phrasings, each fixed by a mechanism.
@pytest.mark.parametrize(("text", "expected"), [
    # A symptom echoed as a question and then denied is the question repeated, not a report.
    ("¿dolor de pecho? no, nunca", None), ("¿convulsiones? que yo sepa no", None),
    ("自杀的念头？没有的事", None), ("seizures? no, never", None),
    ("¿convulsiones? sí, ahora mismo está convulsionando", "seizure"),
    ("chest pain? yes, really bad right now", "chest_pain"),
    # A year before this one is a date, like "last year".
    ("he had a seizure in 2019, none since", None), ("la última convulsión fue en 2019, desde ahí tranquilo", None),
    ("2019年抽过一次", None), ("he had car-t in 2024 and now he has a fever of 40", "fever"),
    # A sentence saying it ended looks back on the one before.
    ("he had a seizure in 2019. nothing since", None),
    ("she passed out after her first chemo two years ago. hasn't happened again", None),
    ("se desmayó después de su primera quimio hace dos años. no le ha vuelto a pasar", None),
    ("第一次化疗后晕倒过。之后再没有过", None),
    ("she passed out after her chemo. now she won't wake up", "unresponsive"),
    # Told in the past anywhere in the sentence, a date by a treatment is the symptom's too.
    ("sí tuvo una convulsión, pero fue justo después del trasplante hace 3 años", None),
    ("yes he had a seizure, but that was right after the transplant 3 yrs ago", None),
    # ... and a part saying it is back now undoes the history.
    ("yes he had a seizure in 2019 and hes having one right now", "seizure"),
    ("he had a seizure in 2019, he's fine again now", None),
    # An "if" opening the symptom's clause in a question is a hypothetical; "si no" is not.
    ("¿qué hago si deja de respirar en la noche?", None), ("what do we do if she stops breathing?", None),
    ("如果半夜呼吸不好该怎么办？", None), ("si no puede respirar bien, que hago?", "breathing"),
    # A condition's name is a compound, and "counts as" asks about the word.
    ("does chest pain count as heart failure?", None), ("胸痛算心衰吗", None),
    ("¿el dolor de pecho cuenta como insuficiencia cardiaca?", None),
    ("胸口痛打算去医院", "chest_pain"),
    # Emergency care named with history elsewhere in the sentence is history.
    ("吃花生过敏休克过两次 都是送急诊抢救的", None), ("他刚才休克了 快叫救护车", "unresponsive"),
    # "No longer" reaches only the words right after it.
    ("ya no le veo sentido a nada no quiero despertar mañana", "self_harm"),
    ("ya no tiene fiebre alta", None),
    # A temperature said first, by a thermometer.
    ("39.8 on the thermometer, day 4 after car t", "fever"),
    ("anda hirviendo, el termómetro marca 40.2", "fever"), ("36.8 on the thermometer", None),
    # Others better off without me; harming oneself in the present.
    ("todos estarían mejor sin mí", "self_harm"), ("要是我不在了大家都轻松了", "self_harm"),
    ("me estoy cortando otra vez", "self_harm"), ("me estoy cortando el pelo", None),
    ("id rather just not be here anymore", "self_harm"), ("im scared ill do something to myself tonight", "self_harm"),
    # Compositions for signs no class held: eyes rolling, blood in the vomit, blood still flowing.
    ("his eyes are rolling back", "seizure"), ("bright red blood in his sick", "bleeding"),
    ("鼻子的血哗哗往下流", "bleeding"), ("she went stiff then started shaking", "seizure"),
    ("she went stiff and her arms are shaking and she wont answer me", "unresponsive"),
    # An everyday limit: playing football.
    ("se queda sin aire jugando fútbol pero se recupera rápido", None),
])
def test_round4_classes(text, expected):
    assert kind(text) == expected
