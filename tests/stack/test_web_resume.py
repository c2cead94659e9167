"""Resume later, on any device: in two real browser contexts (Chromium via Playwright), against the
real page server, Rasa and the action server (tests/fixtures/web.py). The code is issued through
bot.resume's Python API, as the action server does, in the servers' own database.

Guessing is limited per address, and every browser here is 127.0.0.1, so the test of the limit
runs last and waits until its own failures have left the window (RESUME_GUESS_WINDOW_SECONDS).
"""

from __future__ import annotations

import re
import time

import pytest

from tests.fixtures.web import RESUME_GUESS_WINDOW_SECONDS, RESUME_GUESSES_PER_CLIENT, ChatPage, answer_first
from tests.stack.test_web_page import axe_violations

REFUSED_CODE = re.compile(r"^Failed to load resource: the server responded with a status of (400|429) .*/resume\]$")


def assert_clean(chat: ChatPage) -> None:
    """Nothing outside loopback, no script errors. Chromium logs each refused code (400, 429 from
    /resume) as a console error; those are the answers these tests ask for."""
    assert chat.traffic.outside_loopback() == [], "the page reached outside 127.0.0.1"
    errors = [e for e in chat.errors if not REFUSED_CODE.match(e)]
    assert errors == [], f"errors in the page: {errors}"


def enter_code(chat: ChatPage, code: str) -> str:
    """Opens "Continue with a code", types `code`, sends it; returns what the page then says
    (its status line), or "" when it went on to the conversation."""
    page = chat.page
    if not page.locator("#resume").evaluate("el => el.open"):
        page.click("#resume summary")
    page.fill("#resume-code", code)
    page.click("#resume-submit")
    page.wait_for_function(
        "() => !document.querySelector('#notice').hidden && !document.querySelector('#resume-status').hidden"
        " && document.querySelector('#resume-status').dataset.key !== 'resumeChecking'"
        " || document.querySelector('#notice').hidden")
    return "" if page.locator("#notice").is_hidden() else page.locator("#resume-status").text_content()


def last_question(chat: ChatPage) -> str:
    return chat.bot_texts()[-1]


def test_a_code_picks_the_conversation_up_on_another_device(open_chat):
    first = open_chat("en-US").open()
    answer_first(first, 4)  # consent, who, age, diagnosis
    conversation = first.session_id
    asked = first.slot("requested_slot")
    question, choices = last_question(first), first.replies()
    assert asked == "relapsed_or_refractory" and choices

    code, expires_at = first.stack.resume_codes().issue_code(conversation)  # as the action server does
    assert conversation not in code.replace("-", "")

    second = open_chat("en-US", width=800).open()  # another device: a fresh browser, its own session
    assert second.session_id not in (None, conversation)
    page = second.page
    assert page.locator("#resume summary").text_content() == "Continue with a code"
    before = second.bot_count()
    assert enter_code(second, code.lower().replace("-", " ")) == ""  # typed loosely
    second.wait_turn(before)
    assert second.session_id == conversation, "this browser's session now names that conversation"
    # The assistant picks up with the open question, with its choices.
    assert question in second.bot_texts()[before:], second.bot_texts()[before:]
    assert second.replies() == choices
    assert second.user_texts() == [], "/resume_conversation is not shown as the person's message"

    second.click_reply("/affirm")  # yes, it came back
    assert second.slot("relapsed_or_refractory") == "yes"
    assert second.slot("requested_slot") == "had_car_t", "the right next question"
    assert "CAR-T" in last_question(second)
    # The same conversation: the first device's answers are all there.
    assert second.slot("patient_age") == 31 and second.slot("respondent") == "patient"
    for chat in (first, second):
        assert_clean(chat)


@pytest.mark.parametrize("locale,scheme,link,malformed,wrong", [
    ("en-US", "light", "Continue with a code", "8 letters and numbers", "didn't work"),
    ("zh-CN", "dark", "用代码继续", "8个字母和数字", "代码无效"),
    ("es-ES", "light", "Continuar con un código", "8 letras y números", "no ha funcionado"),
])
def test_wrong_codes_get_a_kind_message_in_every_language(open_chat, locale, scheme, link, malformed, wrong):
    """Also checked by axe-core with the form and its message showing (CSP bypassed only to
    inject axe, as in tests/stack/test_web_page.py)."""
    chat = open_chat(locale, color_scheme=scheme, bypass_csp=True).open()
    page = chat.page
    assert page.locator("#resume summary").text_content() == link
    assert malformed in enter_code(chat, "ABC")
    said = enter_code(chat, "ZZZZ-ZZZZ")
    assert wrong in said and "30" in said, said
    chat.screenshot(f"web-resume-wrong-{locale}.png")
    assert axe_violations(page) == []
    assert page.evaluate("document.activeElement.id") == "resume-code", "back in the box to try again"
    page.fill("#resume-code", "")
    page.click("#resume-submit")
    assert page.locator("#resume-status").text_content() != said, "an empty box gets its own hint"
    assert page.locator("#notice").is_visible() and chat.bot_texts() == []
    assert_clean(chat)


def test_too_many_guesses_are_slowed_even_for_the_right_code(open_chat):
    owner = open_chat("en-US").open()
    owner.begin()
    code, _ = owner.stack.resume_codes().issue_code(owner.session_id)

    chat = open_chat("en-US").open()
    said = []
    for n in range(RESUME_GUESSES_PER_CLIENT + 1):
        said.append(enter_code(chat, f"ZZZZ-ZZZ{n}"))
        if "Too many tries" in said[-1]:
            break
    assert "Too many tries" in said[-1] and "wait about 1 minute" in said[-1], said
    assert all("didn't work" in text for text in said[:-1])
    assert "Too many tries" in enter_code(chat, code), "while limited, even the right code waits"
    assert chat.session_id != owner.session_id
    last_failure = time.monotonic()

    chat.page.wait_for_timeout(int(max(0.0, RESUME_GUESS_WINDOW_SECONDS + 1 - (time.monotonic() - last_failure)) * 1000))
    before = chat.bot_count()
    assert enter_code(chat, code) == "", "after the wait the right code works"
    chat.wait_turn(before)
    assert chat.session_id == owner.session_id
    assert_clean(chat)
