"""Issue 11, whole conversations through the trained model and the real action server, in all
three languages: each numbered point of "What people must experience".

1 answer first · 2 nothing ends or deletes without asking · 3 always a way back · 4 emergencies,
every real one and only real ones · 5 never exclude on a misunderstanding · 6 no loops · 7 free
text as given · 8 warmth for fear · 9 typed button words · 10 the person knows where they are.
"""

from __future__ import annotations

import re

import pytest

from tests.support.profiles import ELIGIBLE_ADULT_EN, PARENT_OF_SEVEN_EN
from tests.support.profiles_i18n import GREETING, PROFILES, bot_lines

LANGS = ("en", "zh", "es")
PARENT = {"en": PARENT_OF_SEVEN_EN, "zh": PROFILES["zh"]["parent"], "es": PROFILES["es"]["parent"]}
ADULT = {"en": ELIGIBLE_ADULT_EN, "zh": PROFILES["zh"]["adult"], "es": PROFILES["es"]["adult"]}
NO = {"en": "no", "zh": "没有", "es": "no"}
YES = {"en": "yes", "zh": "是的", "es": "sí"}


def reach(c, lang: str, slot: str, answers=None) -> None:
    """Greet, then answer from a profile until ``slot`` is the open question."""
    answers = answers or PARENT[lang]
    c.say(GREETING[lang])
    for _ in range(40):
        if c.requested_slot == slot:
            return
        asked = c.requested_slot
        assert asked is not None, "\n".join(c.transcript)
        c.say(answers.get(asked, NO[lang]))
    raise AssertionError(f"never reached {slot}:\n" + "\n".join(c.transcript[-10:]))


def last_bot(c) -> str:
    lines = []
    for line in reversed(c.transcript):
        if line.startswith("USER: "):
            break
        if line.startswith("BOT: "):
            lines.append(line[5:])
    return "\n".join(reversed(lines))


# --- 1. Answer first -------------------------------------------------------------------------------

FOR_ME = {"en": "for me", "zh": "给我自己问的", "es": "para mí"}
ANSWER_AND_ASK = {
    "en": ("yes. is this trial only in Beijing?", "Beijing"),
    "zh": ("是的。这个试验只在北京做吗？", "北京"),
    "es": ("sí. ¿el ensayo es solo en Pekín?", "Pekín"),
}


@pytest.mark.parametrize("lang", LANGS)
def test_a_short_answer_is_read_as_the_answer_not_as_goodbye(chat, lang):
    c = chat(lang)
    c.say(GREETING[lang])
    c.say(YES[lang])
    assert c.requested_slot == "respondent"
    c.say(FOR_ME[lang])
    assert c.slot("respondent") == "patient"
    assert c.requested_slot == "patient_age"


@pytest.mark.parametrize("lang", LANGS)
def test_an_answer_that_also_asks_keeps_the_answer_and_answers_the_question(chat, lang):
    c = chat(lang)
    reach(c, lang, "b_all_diagnosis")
    text, place = ANSWER_AND_ASK[lang]
    c.say(text)
    assert c.slot("b_all_diagnosis") == "yes"
    assert place in last_bot(c)
    assert c.requested_slot == "relapsed_or_refractory"


# --- 2. Nothing ends or deletes without asking ---------------------------------------------------

STOP = {"en": "I want to stop", "zh": "我不想做了", "es": "quiero parar"}
DELETE = {"en": "delete my data", "zh": "删除我的信息", "es": "borre mis datos"}
DONT_DELETE = {"en": "please don't delete anything", "zh": "不要删除我的信息", "es": "no borre mis datos"}
ASK_DELETE = {"en": "can I delete my data later?", "zh": "以后可以删除我的信息吗？", "es": "¿puedo borrar mis datos más tarde?"}


@pytest.mark.parametrize("lang", LANGS)
def test_stopping_asks_first_and_no_carries_on_with_everything_kept(chat, lang):
    c = chat(lang)
    reach(c, lang, "had_car_t")
    c.say(STOP[lang])
    assert c.requested_slot == "confirm_answer"
    assert c.slot("paused") is None
    c.say(NO[lang])
    assert c.requested_slot == "had_car_t"
    assert c.slot("patient_age") == 7.0


@pytest.mark.parametrize("lang", LANGS)
def test_delete_says_what_goes_and_needs_an_explicit_yes(chat, lang, lead_store):
    c = chat(lang)
    reach(c, lang, "had_car_t")
    c.say(DELETE[lang])
    assert c.requested_slot == "confirm_answer"
    said = last_bot(c)
    assert {"en": "coordinator", "zh": "研究协调员", "es": "coordinador"}[lang] in said
    assert c.slot("patient_age") == 7.0  # nothing deleted yet
    c.say(YES[lang])
    assert c.tracker is None or c.slot("patient_age") is None


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("phrases", [DONT_DELETE, ASK_DELETE])
def test_a_negation_or_a_question_about_deleting_never_deletes(chat, lang, phrases):
    c = chat(lang)
    reach(c, lang, "had_car_t")
    c.say(phrases[lang])
    assert c.slot("patient_age") == 7.0
    assert c.requested_slot == "had_car_t"
    assert c.slot("confirm_topic") is None


# --- 3. Always a way back --------------------------------------------------------------------------

BACK = {"en": "yes, let's start", "zh": "再来一次", "es": "empezar"}


@pytest.mark.parametrize("lang", LANGS)
def test_after_a_stop_a_natural_start_carries_on_where_the_person_was(chat, lang):
    c = chat(lang)
    reach(c, lang, "had_car_t")
    c.say(STOP[lang])
    c.say(YES[lang])
    assert c.slot("paused") is True and c.requested_slot is None
    c.say(BACK[lang])
    assert c.requested_slot == "had_car_t"
    assert c.slot("patient_age") == 7.0


WELCOME_BACK = {"en": "Welcome back", "zh": "欢迎回来", "es": "Bienvenido de nuevo"}
BEGIN_AGAIN = {"en": ["let's begin", "ok im back"], "zh": ["开始吧", "我回来了"], "es": ["empecemos", "ya volvi"]}


@pytest.mark.parametrize("lang", LANGS)
def test_coming_back_mid_screening_carries_on_and_is_never_a_miss(chat, lang):
    """The page's "Continue" after the tab was closed sends /greet while a question is open; so
    do "let's begin" and "I'm back". Each gets "welcome back" and the same question: none counts
    as an unreadable reply, so nothing is noted "not sure" behind the person's back."""
    c = chat(lang)
    reach(c, lang, "patient_age")
    for text in ["/greet", "/start_screening", *BEGIN_AGAIN[lang]]:
        c.say(text)
        assert WELCOME_BACK[lang] in last_bot(c), "\n".join(c.transcript[-4:])
        assert c.requested_slot == "patient_age", "\n".join(c.transcript[-4:])
    assert c.slot("patient_age") is None, "nothing was noted for the age"
    c.say(PARENT[lang]["patient_age"])
    assert c.slot("patient_age") == 7.0


@pytest.mark.parametrize("lang", LANGS)
def test_after_a_result_a_natural_start_offers_a_new_screening(chat, lang):
    c = chat(lang)
    reach(c, lang, "b_all_diagnosis")
    c.say(NO[lang])  # typed: checked first
    c.say(YES[lang])
    assert c.slot("prescreen_outcome") == "not_eligible"
    c.say(BACK[lang])
    assert c.requested_slot == "confirm_answer"
    c.say(YES[lang])
    assert c.requested_slot == "respondent"
    assert c.slot("patient_age") is None and c.slot("prescreen_outcome") is None


# --- 4. Emergencies --------------------------------------------------------------------------------

EMERGENCY = {"en": "he can't breathe", "zh": "孩子喘不上气了", "es": "mi hijo no puede respirar"}
SELF_HARM = {"en": "I want to kill myself", "zh": "我不想活了", "es": "quiero quitarme la vida"}
FALSE_ALARM = {"en": "no breathing problems", "zh": "没有呼吸方面的问题", "es": "no tiene problemas para respirar"}
EMERGENCY_WORDS = {"en": "emergency", "zh": "急救", "es": "emergencia"}
CRISIS = {"en": "crisis line", "zh": "心理援助热线", "es": "línea de crisis"}


FEVER = {"en": "she had CAR-T 10 days ago and now has a fever of 40", "zh": "做完CAR-T十天了，现在高烧40度",
         "es": "le pusieron el CAR-T hace 10 días y ahora tiene fiebre de 40"}
TREATING_TEAM = {"en": "treating team", "zh": "负责治疗的医疗团队", "es": "equipo que lo trata"}


def reply_at_activity_question(chat, lang: str, message: str) -> str:
    """What the assistant says to ``message`` typed at the activity question; the question stays open."""
    c = chat(lang)
    reach(c, lang, "ecog")
    c.say(message)
    assert c.requested_slot == "ecog"
    return last_bot(c)


@pytest.mark.parametrize("lang", LANGS)
def test_a_real_emergency_is_answered_first_then_the_question_again(chat, lang):
    said = reply_at_activity_question(chat, lang, EMERGENCY[lang])
    assert EMERGENCY_WORDS[lang] in said.lower()
    assert CRISIS[lang] not in said  # the suicide line only for self-harm wording


HELP_HERE = {"en": ("ok hes breathing again, the ambulance is here", "glad help is there"),
             "zh": ("救护车来了，孩子刚才抽搐了", "急救已经到了或在路上"),
             "es": ("ya llegó la ambulancia, convulsionó hace un momento", "la ayuda ya esté ahí")}


@pytest.mark.parametrize("lang", LANGS)
def test_help_already_on_the_way_is_not_told_to_call_again(chat, lang):
    c = chat(lang)
    reach(c, lang, "had_car_t")
    text, words = HELP_HERE[lang]
    reply = c.texts(text)
    assert words in reply and "120" not in reply, reply
    assert c.requested_slot == "had_car_t" and c.slot("had_car_t") is None


@pytest.mark.parametrize("lang", LANGS)
def test_self_harm_wording_gets_the_crisis_line(chat, lang):
    assert CRISIS[lang] in reply_at_activity_question(chat, lang, SELF_HARM[lang])


@pytest.mark.parametrize("lang", LANGS)
def test_a_high_fever_after_car_t_sends_the_family_to_the_treating_team_and_emergency(chat, lang):
    said = reply_at_activity_question(chat, lang, FEVER[lang])
    assert TREATING_TEAM[lang] in said and EMERGENCY_WORDS[lang] in said.lower()
    assert CRISIS[lang] not in said


@pytest.mark.parametrize("lang", LANGS)
def test_a_negated_alarm_word_is_no_alarm_and_answers_the_question(chat, lang):
    c = chat(lang)
    reach(c, lang, "respiratory_failure")
    c.say(FALSE_ALARM[lang])
    assert EMERGENCY_WORDS[lang] not in last_bot(c).lower()
    assert c.slot("respiratory_failure") == "no"


# --- 5. Never exclude on a misunderstanding --------------------------------------------------------

CONTROLLED = {"en": "he has type 1 diabetes but it's well controlled", "zh": "他有1型糖尿病，但是控制得很好",
              "es": "tiene diabetes tipo 1 pero está bien controlada"}
CHECK_WORDS = {"en": "Is that right?", "zh": "是这样吗", "es": "¿Es correcto?"}


@pytest.mark.parametrize("lang", LANGS)
def test_a_typed_answer_that_would_exclude_is_said_back_and_no_asks_again(chat, lang):
    c = chat(lang)
    reach(c, lang, "organ_transplant")
    c.say(YES[lang])
    assert c.requested_slot == "answer_check"
    assert CHECK_WORDS[lang] in last_bot(c)
    assert c.slot("organ_transplant") is None
    c.say(NO[lang])
    assert c.requested_slot == "organ_transplant"
    assert c.slot("prescreen_outcome") is None


@pytest.mark.parametrize("lang", LANGS)
def test_two_noes_to_the_same_check_note_not_sure_instead_of_a_loop(chat, lang):
    """"No" to the question, "no" to "is that right?", and again: the third round never comes.
    "Not sure" excludes nobody; the study team asks in person."""
    c = chat(lang)
    reach(c, lang, "organ_transplant")
    for _ in range(2):
        c.say(YES[lang])
        assert c.requested_slot == "answer_check", last_bot(c)
        c.say(NO[lang])
    assert c.slot("organ_transplant") == "unsure", "\n".join(c.transcript[-6:])
    assert c.requested_slot not in ("organ_transplant", "answer_check")


def not_a_fit_at(c, lang: str, slot: str) -> None:
    """An adult's screening to ``slot``, a typed "no" there, and "yes, that's right": not a fit."""
    reach(c, lang, slot, ADULT[lang])
    c.say(NO[lang])  # typed, so checked first ("the CAR-T cells have not stopped working")
    c.say(YES[lang])  # "yes, that's right"
    assert c.slot("prescreen_outcome") == "not_eligible", "\n".join(c.transcript[-4:])


RESTATED = {"en": "he had a kidney transplant", "zh": "做过肾移植", "es": "tuvo un trasplante de riñón"}


@pytest.mark.parametrize("lang", LANGS)
def test_saying_the_answer_again_at_the_check_confirms_it(chat, lang):
    """Found in Chromium: "复发了两次" at "...has come back, is that right?" got "didn't catch that",
    then the question, then the check, round after round."""
    c = chat(lang)
    reach(c, lang, "organ_transplant")
    c.say(YES[lang])
    assert c.requested_slot == "answer_check"
    c.say(RESTATED[lang])
    assert c.slot("organ_transplant") == "yes", "\n".join(c.transcript[-4:])
    assert c.slot("prescreen_outcome") == "not_eligible"


VAGUE_CAR_T = {"en": "the car t cells one", "zh": "CAR-T那个", "es": "la de las car t"}


@pytest.mark.parametrize("lang", LANGS)
def test_a_vague_change_after_not_a_fit_opens_the_answer_that_decided_it(chat, lang):
    """"The CAR-T one" after "not a fit" because the cells had not stopped working: the question
    opened is that one, not "have you had CAR-T?", whose "yes" cannot change the result."""
    c = chat(lang)
    not_a_fit_at(c, lang, "car_t_activity_lost")
    c.say('/change_answer')
    c.say(VAGUE_CAR_T[lang])
    assert c.requested_slot == "car_t_activity_lost", "\n".join(c.transcript[-4:])


@pytest.mark.parametrize("lang", LANGS)
def test_the_same_result_after_a_change_still_offers_the_ways_on(chat, lang):
    c = chat(lang)
    not_a_fit_at(c, lang, "b_all_diagnosis")
    c.say('/change_answer{"topic": "respondent"}')
    replies = c.say('/inform{"respondent_kind": "patient"}')
    last = replies[-1]
    assert {b["payload"] for b in last.get("buttons") or []} == {"/change_answer", "/start_over"}, replies


CAR_T_STOPPED = {"en": "that's wrong, the CAR-T cells did stop working, I misread",
                 "zh": "说错了，CAR-T细胞其实已经不起作用了",
                 "es": "me equivoqué, las CAR-T sí dejaron de funcionar"}


@pytest.mark.parametrize("lang", LANGS)
def test_a_typed_change_after_a_result_opens_the_question_it_names(chat, lang):
    """Found in Chromium: the change opened "have you had CAR-T?", and "yes" there was said back
    as "you have not had CAR-T... not a fit". The question named is the one opened, and an answer
    that is not what excludes is not checked as if it were."""
    c = chat(lang)
    not_a_fit_at(c, lang, "car_t_activity_lost")
    c.say(CAR_T_STOPPED[lang])
    assert c.requested_slot == "car_t_activity_lost", "\n".join(c.transcript[-4:])
    c.say(YES[lang])
    assert c.slot("car_t_activity_lost") == "yes" and c.requested_slot == "car_t_loss_months"


@pytest.mark.parametrize("lang", LANGS)
def test_yes_again_to_a_question_that_is_not_what_excludes_is_not_said_back_as_no(chat, lang):
    c = chat(lang)
    not_a_fit_at(c, lang, "car_t_activity_lost")
    c.say('/change_answer{"topic": "had_car_t"}')
    assert c.requested_slot == "had_car_t"
    c.say(YES[lang])
    assert c.requested_slot != "answer_check", last_bot(c)  # no "you have not had CAR-T. Is that right?"
    assert c.slot("had_car_t") == "yes"


@pytest.mark.parametrize("lang", LANGS)
def test_changing_who_is_answering_after_a_result_asks_it_again(chat, lang):
    """Found in Chromium: the trial stops at the first failure, so the question changed was never
    asked: "let's go back to that question", then "the result is the same", and nothing else."""
    c = chat(lang)
    not_a_fit_at(c, lang, "b_all_diagnosis")
    c.say('/change_answer{"topic": "respondent"}')
    assert c.requested_slot == "respondent", "\n".join(c.transcript[-4:])
    assert c.slot("question_number") == "1", "asked again in its own place, not as the next one"
    c.say('/inform{"respondent_kind": "guardian"}')
    assert c.slot("respondent") == "guardian"
    assert c.slot("prescreen_outcome") == "not_eligible" and c.requested_slot is None


@pytest.mark.parametrize("lang", LANGS)
def test_a_qualified_answer_is_not_an_exclusion(chat, lang):
    c = chat(lang)
    reach(c, lang, "uncontrolled_diabetes")
    c.say(CONTROLLED[lang])
    assert c.slot("uncontrolled_diabetes") == "no"
    assert c.slot("prescreen_outcome") is None


@pytest.mark.parametrize("lang", LANGS)
def test_a_button_that_excludes_is_taken_as_pressed(chat, lang):
    c = chat(lang)
    reach(c, lang, "organ_transplant")
    c.say('/affirm{"tri": "yes", "q": "organ_transplant"}')
    assert c.slot("organ_transplant") == "yes"
    assert c.slot("prescreen_outcome") == "not_eligible"


# --- 6. No loops -----------------------------------------------------------------------------------

NONSENSE = ["asdf", "qwerty", "zzzz"]


@pytest.mark.parametrize("lang", LANGS)
def test_three_unreadable_replies_never_loop(chat, lang):
    c = chat(lang)
    reach(c, lang, "heart_failure_or_arrhythmia")
    c.say(NONSENSE[0])
    assert c.requested_slot == "heart_failure_or_arrhythmia"
    messages = c.say(NONSENSE[1])
    assert c.requested_slot == "clarify"
    titles = [b["title"] for m in messages for b in (m.get("buttons") or [])]
    assert len(titles) == 4  # yes, no, not sure, and a person
    c.say(NONSENSE[2])
    assert c.slot("heart_failure_or_arrhythmia") == "unsure"
    assert c.requested_slot == "respiratory_failure"


def test_the_same_question_is_never_asked_three_times_the_same_way(chat):
    c = chat("en")
    reach(c, "en", "heart_failure_or_arrhythmia")
    asks = []
    for text in NONSENSE:
        asks.append(" ".join(m.get("text") or "" for m in c.say(text)))
    question = "Do you have heart failure"
    assert sum(question in a for a in asks) <= 1


# --- 7. Free text as given ---------------------------------------------------------------------------

NAMES = ["=Maria", "<b>Ana</b>", "Stop Li", "/restart"]


def to_the_offer(c, lang: str = "en") -> None:
    """Greet, answer as an eligible adult, and stop at "may the coordinator contact you?"."""
    c.say(GREETING[lang])
    for _ in range(40):
        slot = c.requested_slot
        if slot in (None, "contact_consent"):
            break
        c.say(ADULT[lang].get(slot, NO[lang]))
    assert c.slot("prescreen_outcome") == "likely_eligible"


def to_the_name(c) -> None:
    to_the_offer(c)
    c.say("yes")
    assert c.requested_slot == "contact_name"


@pytest.mark.parametrize("name", NAMES[:3])
def test_a_name_is_stored_as_typed(chat, lead_store, name):
    c = chat("en")
    to_the_name(c)
    c.say(name)
    assert lead_store.contact_draft(c.sender)["name"] == name  # in the encrypted draft, as typed
    assert c.slot("contact_name") != name  # the stored conversation keeps only a marker
    assert c.requested_slot == "contact_details"


@pytest.mark.parametrize("typed, name", [("My name is Ana López", "Ana López"), ("我叫王芳", "王芳"),
                                         ("me llamo Lucía Pérez", "Lucía Pérez")])
def test_the_words_that_introduce_a_name_are_not_part_of_it(chat, lead_store, typed, name):
    c = chat("en")
    to_the_name(c)
    c.say(typed)
    assert lead_store.contact_draft(c.sender)["name"] == name  # what the coordinator will read
    assert c.requested_slot == "contact_details"


# --- 8. Warmth --------------------------------------------------------------------------------------

SCARED = {"en": "I'm so scared, is he going to die?", "zh": "我好害怕，孩子会不会死？", "es": "tengo mucho miedo, ¿se va a morir?"}
WARM = {"en": "sorry", "zh": "难为您", "es": "Lo siento"}


@pytest.mark.parametrize("lang", LANGS)
def test_fear_gets_a_kind_word_not_a_format_reminder(chat, lang):
    c = chat(lang)
    reach(c, lang, "had_car_t")
    c.say(SCARED[lang])
    said = last_bot(c)
    assert WARM[lang] in said
    assert {"en": "Please answer yes", "zh": "请回答", "es": "responda"}[lang] not in said
    assert c.requested_slot == "had_car_t"


# --- 9. Typed button words ---------------------------------------------------------------------------

ECOG_BUTTON = {"en": None, "zh": None, "es": None}


@pytest.mark.parametrize("lang", LANGS)
def test_typing_the_words_of_a_button_counts_as_pressing_it(chat, lang):
    c = chat(lang)
    reach(c, lang, "ecog")
    messages = c.say({"en": "what does that mean?", "zh": "什么意思？", "es": "¿qué significa?"}[lang])
    buttons = [b for m in messages for b in (m.get("buttons") or [])]
    second = buttons[1]  # the second activity level, typed word for word
    c.say(second["title"])
    assert c.slot("ecog") == 1.0


# --- 10. The person knows where they are -----------------------------------------------------------

PLACE = {"en": re.compile(r"Question (\d+) of about (\d+)"), "zh": re.compile(r"第(\d+)题（共约(\d+)题）"),
         "es": re.compile(r"Pregunta (\d+) de unas (\d+)")}


@pytest.mark.parametrize("lang", LANGS)
def test_each_question_shows_its_place_and_the_count_follows_the_skipping(chat, lang):
    c = chat(lang)
    reach(c, lang, "relapse_since_car_t")
    numbers = [tuple(map(int, m.groups())) for line in bot_lines(c) for m in [PLACE[lang].search(line)] if m]
    assert numbers[0][0] == 1
    assert [n for n, _ in numbers] == list(range(1, len(numbers) + 1))
    assert all(total >= n for n, total in numbers)


def test_a_parent_hears_your_child_to_the_end_and_no_protocol_codes(chat):
    c = chat("en")
    c.say("hi")
    for _ in range(40):
        slot = c.requested_slot
        if slot in (None, "contact_consent"):
            break
        c.say(PARENT["en"].get(slot, "no"))
    lines = bot_lines(c)
    questions = [line for line in lines if line.startswith("Question ")]
    assert len(questions) > 15
    assert not any(re.search(r"\bHave you\b|\bDo you have\b|\bAre you\b", q) for q in questions[1:])
    assert not any(re.search(r"\([IE]\d+\)", line) for line in lines)


# --- 1. Answer first: what is said before it is asked is kept ------------------------------------

VOLUNTEER_AGE = {"en": ("I'm his mom, he's 7", "7"), "zh": ("我是他妈妈，孩子7岁", "7"),
                 "es": ("soy la mamá, tiene 7 años", "7")}
VOLUNTEER_WHO = {"en": "yes, I'm his mom", "zh": "好的，我是孩子妈妈", "es": "sí, soy la mamá"}


@pytest.mark.parametrize("lang", LANGS)
def test_an_age_said_with_who_is_answering_is_kept_said_back_and_not_asked(chat, lang):
    c = chat(lang)
    c.say(GREETING[lang])
    c.say(YES[lang])
    assert c.requested_slot == "respondent"
    text, age = VOLUNTEER_AGE[lang]
    c.say(text)
    assert c.slot("respondent") == "guardian"
    assert c.slot("patient_age") == 7.0
    assert age in last_bot(c)  # "I've noted that too (Age: 7 years old)"
    assert c.requested_slot == "b_all_diagnosis"


@pytest.mark.parametrize("lang", LANGS)
def test_who_is_answering_said_with_the_consent_is_kept_and_the_age_asked_of_the_child(chat, lang):
    c = chat(lang)
    c.say(GREETING[lang])
    c.say(VOLUNTEER_WHO[lang])
    assert c.slot("prescreen_consent") == "yes"
    assert c.slot("respondent") == "guardian"
    assert c.requested_slot == "patient_age"
    if lang == "en":
        assert "your child" in last_bot(c)


@pytest.mark.parametrize("lang,text", [("en", "5, no wait, 6"), ("zh", "5岁，说错了，6岁"), ("es", "5, perdón, 6")])
def test_an_age_taken_back_in_the_same_message_is_the_one_said_instead(chat, lang, text):
    c = chat(lang)
    reach(c, lang, "patient_age")
    c.say(text)
    assert c.slot("patient_age") == 6.0
    assert c.requested_slot == "b_all_diagnosis"


CALL_ME = {"en": "please call me", "zh": "请联系我", "es": "que me llamen"}


@pytest.mark.parametrize("lang", LANGS)
def test_asking_to_be_called_at_the_contact_offer_is_a_yes(chat, lang):
    c = chat(lang)
    to_the_offer(c, lang)
    assert c.requested_slot == "contact_consent"
    c.say(CALL_ME[lang])
    assert c.slot("contact_consent") == "yes"
    assert c.requested_slot == "contact_name"
