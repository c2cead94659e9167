"""The page after a reload, in a real browser (Chromium via Playwright) against the real servers
(tests/fixtures/web.py): the hand-off's real state comes from the server, nothing identifying is
kept on the device, a stray "yes" sends nothing again, and the privacy notice says how long
answers are kept and how to delete them, in the three languages.
"""

from __future__ import annotations

import json

import pytest

from tests.fixtures.web import TURN_TIMEOUT_MS, ChatPage, answer_first, answer_until

NAME, PHONE = "Lan Reload", "13812345678"


def assert_clean(chat: ChatPage) -> None:
    assert chat.traffic.outside_loopback() == [], "the page reached outside 127.0.0.1"
    assert chat.errors == [], f"errors in the page: {chat.errors}"


def to_the_offer(chat: ChatPage) -> None:
    """A likely-eligible screening, up to "would you like the coordinator to contact you?"."""
    answer_until(chat, "contact_consent")


def reload(chat: ChatPage) -> None:
    chat.page.reload()
    chat.page.wait_for_function("() => document.body.dataset.connection === 'online'"
                                " && document.body.dataset.state === 'idle'")


def handoff_line(chat: ChatPage) -> str:
    line = chat.page.locator("#handoff-state")
    return line.text_content() if line.is_visible() else ""


def stored(chat: ChatPage) -> str:
    return json.dumps(chat.page.evaluate("() => [{...localStorage}, {...sessionStorage}, document.cookie]"))


def test_after_the_hand_off_a_reload_shows_it_was_sent_and_a_stray_yes_sends_nothing_again(
        open_chat, lead_store, smtp_sink):
    chat = open_chat("en-US").open()
    to_the_offer(chat)
    chat.click_reply("/affirm")
    for text in (NAME, PHONE, "mornings"):
        chat.type(text)
    assert handoff_line(chat) == "Nothing has been sent to the study coordinator yet."
    chat.click_reply("/affirm")  # the summary is right: send it
    lead_id = chat.slot("lead_id")
    assert lead_id, chat.bot_texts()[-3:]
    assert handoff_line(chat) == f"Sent to the study coordinator, reference #{lead_id}."
    conversation = chat.session_id
    emails = len(smtp_sink.messages)

    reload(chat)
    page = chat.page
    assert handoff_line(chat) == f"Sent to the study coordinator, reference #{lead_id}.", \
        "the confirmation survives a reload, from the server"
    log = page.locator("#log").inner_text()
    assert NAME not in log and PHONE not in log and "not kept on this device" in log
    assert chat.replies() == [], "no choices under messages this device did not keep"
    assert NAME not in stored(chat) and PHONE not in stored(chat) and conversation not in stored(chat)

    chat.type("yes")  # a stray yes after the reload
    lead = lead_store.get_lead_by_conversation(conversation, include_contact=False, include_history=False)
    assert lead["id"] == int(lead_id) and lead["submissions"] == 1, "nothing was submitted again"
    assert len(smtp_sink.messages) == emails, "and nobody was e-mailed again"
    assert chat.slot("lead_id") == lead_id
    reload(chat)
    assert handoff_line(chat) == f"Sent to the study coordinator, reference #{lead_id}."
    chat.screenshot("web-after-reload-sent.png")
    assert_clean(chat)


def test_after_declining_a_reload_says_nothing_was_sent(open_chat, lead_store):
    chat = open_chat("es-ES").open()
    to_the_offer(chat)
    assert handoff_line(chat) == "Todavía no se ha enviado nada al coordinador del estudio."
    chat.click_reply("/deny")
    reload(chat)
    assert handoff_line(chat) == "Sus datos no se han enviado al coordinador del estudio."
    assert lead_store.get_lead_by_conversation(chat.session_id) is None
    assert_clean(chat)


def test_a_reload_in_the_middle_of_the_hand_off_asks_the_open_question_again(open_chat):
    """The question is not kept on the device; the server says it again to this page only."""
    chat = open_chat("zh-CN").open()
    to_the_offer(chat)
    chat.click_reply("/affirm")
    chat.type(NAME)  # the name; now asked how to reach them
    question = chat.bot_texts()[-1]
    assert chat.slot("requested_slot") == "contact_details"

    reload(chat)
    page = chat.page
    page.wait_for_function("q => [...document.querySelectorAll('#log .msg-bot .msg-text')].some(e => e.textContent === q)",
                           arg=question)
    assert NAME not in page.locator("#log").inner_text() and NAME not in stored(chat)
    assert question not in stored(chat), "said again, but still not kept"
    assert handoff_line(chat) == "目前还没有向研究协调员发送任何信息。"
    chat.type(PHONE)
    assert chat.slot("contact_phone") and chat.slot("requested_slot") == "contact_time"
    assert_clean(chat)


def test_the_page_never_learns_the_conversation_id(open_chat):
    chat = open_chat("en-US").open()
    answer_first(chat, 3)
    conversation = chat.session_id
    assert conversation and chat.slot("respondent") == "patient"
    cookie = chat.session_cookie()
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert chat.page.evaluate("document.cookie") == "", "scripts cannot read the session"
    assert conversation not in stored(chat)
    reload(chat)
    assert chat.session_id == conversation and conversation not in stored(chat)
    assert_clean(chat)


@pytest.mark.parametrize("locale,kept,delete", [
    ("en-US", "kept for 30 days after your last message", "“Delete my answers”"),
    ("zh-CN", "保存30天", "“删除我的回答”"),
    ("es-ES", "durante 30 días desde su último mensaje", "“Borrar mis respuestas”"),
])
def test_the_privacy_notice_says_how_long_answers_are_kept_and_how_to_delete_them(open_chat, locale, kept, delete):
    chat = open_chat(locale).open()
    notice = chat.page.locator("#notice").inner_text()
    assert kept in notice and delete in notice, notice
    chat.begin()
    chat.page.click("#privacy-details summary")
    assert kept in chat.page.locator(".privacy-text").inner_text()
    assert chat.page.locator("#forget").is_visible()
    assert_clean(chat)


@pytest.mark.parametrize("locale,welcome", [("en-US", "Welcome back"), ("es-ES", "Bienvenido de nuevo")])
def test_closing_the_tab_and_coming_back_carries_on_where_the_person_was(open_chat, locale, welcome):
    """A closed tab forgets what it showed, but the session cookie still names the conversation:
    the notice's "Continue" and a typed "let's begin" carry on at the same question, with
    nothing noted for it, instead of "didn't catch that"."""
    chat = open_chat(locale).open()
    answer_first(chat, 4)
    asked, conversation = chat.slot("requested_slot"), chat.session_id
    question = chat.bot_texts()[-1]
    context = chat.page.context
    chat.page.close()

    page = context.new_page()  # the same browser, a new tab
    page.set_default_timeout(TURN_TIMEOUT_MS)
    chat = ChatPage(page, chat.stack, chat.traffic).open()
    assert chat.page.locator("#notice").is_visible(), "a new tab shows the notice"
    chat.begin()
    assert chat.session_id == conversation
    said = " ".join(chat.bot_texts())
    assert welcome in said and question in chat.bot_texts()[-1], chat.bot_texts()
    chat.type("ok let's begin" if locale == "en-US" else "vale, empecemos")
    assert chat.bot_texts()[-1] == question, chat.bot_texts()[-3:]
    assert chat.slot("requested_slot") == asked and chat.slot(asked) is None
    assert_clean(chat)
