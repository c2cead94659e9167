"""Which language the assistant speaks, through the trained model and the real action server.

Order of authority (actions/language.py): ``metadata.language`` on the message (the web page and
REST clients send it), then an explicit request ("中文", "español", "English please"), then the
first message's own language when it is clear. A switch keeps every answer; a message in a
language the assistant does not speak gets one polite reply in all three languages.

These conversations send no metadata unless a test says so (``chat()`` without a language).
"""

from __future__ import annotations

import uuid

import pytest

from bot.simulate import send, tracker_slots
from tests.support.profiles import PARENT_OF_SEVEN_EN
from tests.support.profiles_i18n import answer, assert_in_language, bot_lines

pytestmark = pytest.mark.conversation

UNSUPPORTED = "I can only speak English, Simplified Chinese and Spanish"


def replies_to(c, text, **kw):
    return [m.get("text") or "" for m in c.say(text, **kw)]


def answers_so_far(c):
    names = ("prescreen_consent", "respondent", "patient_age", "b_all_diagnosis", "relapsed_or_refractory",
             "had_car_t")
    return {name: c.slot(name) for name in names}


def start_in_english_as_a_parent(c):
    c.say("hi")
    answer(c, PARENT_OF_SEVEN_EN, ["prescreen_consent", "respondent", "patient_age"])
    assert c.requested_slot == "b_all_diagnosis"
    assert c.slot("language") == "en"


# --- switching half-way ----------------------------------------------------------------------------


@pytest.mark.parametrize("request_text", ["中文", "请说中文"])
def test_switching_language_half_way_keeps_every_answer(chat, request_text):
    c = chat()
    start_in_english_as_a_parent(c)
    before = answers_so_far(c)

    replies = replies_to(c, request_text)
    assert c.slot("language") == "zh"
    assert answers_so_far(c) == before  # nothing lost
    assert c.requested_slot == "b_all_diagnosis"  # the same question ...
    assert "您之前的回答都保留着" in replies[0]
    assert "医生是否已经确诊您的孩子患有" in replies[-1]  # ... now in Chinese, still "your child"
    assert_in_language(replies, "zh")
    c.say("是的")
    assert c.slot("b_all_diagnosis") == "yes"

    replies = replies_to(c, "español")
    assert c.slot("language") == "es"
    assert c.requested_slot == "relapsed_or_refractory"
    assert "Sus respuestas anteriores se conservan" in replies[0]
    assert "¿La leucemia ha vuelto" in replies[-1]
    assert_in_language(replies, "es")
    c.say("sí")
    assert c.slot("relapsed_or_refractory") == "yes"
    reply = c.texts("sí")  # had_car_t
    assert "recibió su hijo o hija" in reply

    replies = replies_to(c, "English please")
    assert c.slot("language") == "en"
    assert c.slot("patient_ref") == "your child"
    assert c.requested_slot == "car_t_activity_lost"
    assert "Your answers are kept" in replies[0]
    assert "could no longer be found in your child's blood?" in replies[-1]
    assert_in_language(replies, "en")
    after = answers_so_far(c)
    assert after == {**before, "b_all_diagnosis": "yes", "relapsed_or_refractory": "yes", "had_car_t": "yes"}


def test_switching_before_the_first_question_changes_the_whole_screening(chat):
    c = chat()
    c.say("hi")
    replies = replies_to(c, "español")
    assert c.slot("language") == "es"
    assert c.requested_slot == "prescreen_consent"
    assert "¿Le gustaría responder ahora" in replies[-1]
    c.say("sí")
    reply = c.texts("soy su padre")
    assert "su hijo o hija" in reply
    assert c.slot("respondent") == "guardian"
    assert_in_language(bot_lines(c)[2:], "es")  # everything after the English opening


# --- metadata wins ---------------------------------------------------------------------------------


def test_metadata_language_wins_over_the_words_of_the_message(chat):
    c = chat()
    replies = replies_to(c, "hello", metadata={"language": "es"})
    assert c.slot("language") == "es"
    assert "aún no está reclutando" in "\n".join(replies)
    assert_in_language(replies, "es")

    c = chat()
    replies = replies_to(c, "你好，我想看看我儿子能不能参加这个试验", metadata={"language": "en"})
    assert c.slot("language") == "en"
    assert "not yet recruiting" in "\n".join(replies)
    assert_in_language(replies, "en")


def test_metadata_language_wins_over_the_conversation_so_far(chat):
    c = chat()
    start_in_english_as_a_parent(c)
    replies = replies_to(c, "yes", metadata={"language": "zh"})  # the page's picker changed
    assert c.slot("language") == "zh"
    assert c.slot("b_all_diagnosis") == "yes"
    assert "白血病是否在治疗缓解后又复发了" in replies[-1]
    assert_in_language(replies, "zh")
    replies = replies_to(c, "是的", metadata={"language": "es"})
    assert c.slot("language") == "es"
    assert c.slot("relapsed_or_refractory") == "yes"
    assert "¿Ha recibido su hijo o hija" in replies[-1]
    assert_in_language(replies, "es")


@pytest.mark.parametrize("language", ["EN", "zh-CN", "es-ES"])
def test_metadata_language_may_be_a_locale(chat, language):
    c = chat()
    c.say("ok", metadata={"language": language})
    assert c.slot("language") == language[:2].lower()


# --- the first message -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "first,language",
    [
        ("你好，我想看看我儿子能不能参加这个试验", "zh"),
        ("你好", "zh"),
        ("hola, mi hija tiene leucemia y quiero saber si puede participar", "es"),
        ("hello, can my son join this trial?", "en"),
    ],
)
def test_a_clear_first_message_sets_the_language(chat, first, language):
    c = chat()
    replies = replies_to(c, first)
    assert c.slot("language") == language
    assert_in_language(replies, language)


def test_later_short_messages_do_not_flip_a_chinese_conversation(chat):
    c = chat()
    c.say("你好，我想看看我儿子能不能参加这个试验")
    replies = replies_to(c, "ok")
    assert c.slot("language") == "zh"
    assert c.slot("prescreen_consent") == "yes"
    assert "请问今天是谁在回答问题" in replies[-1]
    replies = replies_to(c, "I'm his mum")
    assert c.slot("language") == "zh"
    assert c.slot("respondent") == "guardian"
    assert_in_language(replies, "zh")


@pytest.mark.parametrize("first", ["ok", "sí", "hi", "no", "vale"])
def test_a_short_or_ambiguous_first_message_does_not_decide(chat, first):
    c = chat()
    replies = replies_to(c, first)
    assert c.slot("language") == "en"
    assert_in_language(replies, "en")


# --- languages the assistant does not speak --------------------------------------------------------


@pytest.mark.parametrize("text", ["Bonjour, mon fils a une leucémie", "مرحبا، ابني مريض"])
def test_an_unsupported_first_message_gets_the_three_language_reply(chat, text):
    c = chat()
    replies = replies_to(c, text)
    reply = "\n".join(replies)
    assert UNSUPPORTED in reply and "简体中文" in reply and "español" in reply
    assert c.slot("language") == "en"  # not taken for Spanish because of its accents
    # Then the person can carry on in a language the assistant speaks.
    replies = replies_to(c, "中文")
    assert c.slot("language") == "zh"
    assert_in_language(replies, "zh")


@pytest.mark.parametrize("text", ["Bonjour, mon fils a une leucémie", "مرحبا، ابني مريض"])
@pytest.mark.parametrize("language", [None, "zh", "es"])
def test_an_unsupported_message_mid_form_loses_nothing(chat, text, language):
    c = chat(language)
    c.say("hi")
    c.say("yes")
    c.say("I'm his mum")
    c.say("7")
    before = answers_so_far(c)
    assert before["patient_age"] == 7.0 and c.requested_slot == "b_all_diagnosis"
    replies = replies_to(c, text)
    assert UNSUPPORTED in replies[0]
    assert answers_so_far(c) == before
    assert c.requested_slot == "b_all_diagnosis"  # and the same question again
    assert c.slot("language") == (language or "en")
    assert_in_language(replies[1:], language or "en")
    c.say("sí" if language == "es" else "是的" if language == "zh" else "yes")
    assert c.slot("b_all_diagnosis") == "yes"


# --- over the REST channel (the servers `make run` starts) -----------------------------------------


def test_metadata_language_on_a_rest_message_wins(stack):
    sender = f"lang-{uuid.uuid4().hex[:8]}"
    replies = [r.get("text") or "" for r in send(stack["url"], sender, "hello", language="es")]
    assert "aún no está reclutando" in "\n".join(replies)
    assert_in_language(replies, "es")
    replies = [r.get("text") or "" for r in send(stack["url"], sender, "sí", language="zh")]
    assert "请问今天是谁在回答问题" in replies[-1]
    slots = tracker_slots(stack["url"], sender, stack["token"])
    assert slots["language"] == "zh" and slots["prescreen_consent"] == "yes"


def test_a_typed_switch_is_kept_while_the_page_keeps_sending_its_own_language(chat):
    """The page sends metadata.language with every message; it only counts when it changes."""
    c = chat("es")
    c.say("hola")
    c.say("sí")
    assert c.slot("language") == "es"
    c.say("English please")
    assert c.slot("language") == "en"
    reply = c.texts("I'm the patient")  # still sent with metadata "es"
    assert c.slot("language") == "en"
    assert "How old are you" in reply
    c.say("31", metadata={"language": "zh"})  # the page's picker changed: that counts
    assert c.slot("language") == "zh"
