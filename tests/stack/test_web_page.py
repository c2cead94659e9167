"""The patient and guardian web page in a real browser (Chromium via Playwright), against the real
page server, Rasa on the trained model and the action server. See tests/fixtures/web.py.

Every test also checks that the page asked nothing of any host but 127.0.0.1 and logged no
script error.
"""

from __future__ import annotations

import json
import re
import urllib.request

import pytest

from tests.fixtures.web import ROOT, TURN_TIMEOUT_MS, ChatPage, answer_step, answer_until, complete_screening

CJK = re.compile(r"[\u4e00-\u9fff]")
SCRIPT_TEXT = '<script>window.__pwned = 1</script><img src="/pwned.png" onerror="window.__pwned = 2">'


def assert_clean(chat: ChatPage) -> None:
    assert chat.traffic.outside_loopback() == [], "the page reached outside 127.0.0.1"
    assert chat.traffic.websockets, "the page never opened its socket"
    assert chat.errors == [], f"errors in the page: {chat.errors}"


def assert_likely_eligible(chat: ChatPage, english: bool = True) -> None:
    assert chat.slot("prescreen_outcome") == "likely_eligible", chat.bot_texts()[-4:]
    if english:
        assert any("good fit" in text for text in chat.bot_texts()), chat.bot_texts()[-4:]


def user_metadata_languages(chat: ChatPage) -> list:
    events = chat.tracker()["events"]
    return [(e.get("text"), (e.get("metadata") or {}).get("language")) for e in events if e.get("event") == "user"]


# ---------------------------------------------------------------- a whole screening
def test_complete_screening_by_clicking_and_typing(open_chat):
    chat = open_chat("en-US").open()
    page = chat.page
    assert page.locator("#notice").is_visible()
    assert page.locator("#notice h2").text_content() == "Before we start"
    assert chat.bot_texts() == [], "nothing is asked before the privacy notice is accepted"
    assert page.locator("#composer").is_hidden()

    chat.begin()
    assert page.locator("#notice").is_hidden()
    assert any("pre-screening" in text for text in chat.bot_texts())
    assert [r["payload"] for r in chat.replies()][:2] == ['/affirm{"tri": "yes", "q": "prescreen_consent"}',
                                                          '/deny{"tri": "no", "q": "prescreen_consent"}']
    chat.screenshot("web-en.png")

    progress = complete_screening(chat)
    assert progress["typed"] == 2
    assert_likely_eligible(chat)
    # Button titles show as the person's own messages; typed text shows as typed.
    users = chat.user_texts()
    assert users[0] == "Yes, let's start"
    assert "31" in users and "4" in users
    assert "/affirm" not in " ".join(users) and "/greet" not in " ".join(users)
    # Every message went with the page's language as metadata.
    languages = user_metadata_languages(chat)
    assert languages and all(lang == "en" for _, lang in languages), languages
    assert languages[0][0] == "/greet"
    chat.screenshot("web-en-result.png")
    assert_clean(chat)


def test_reload_in_the_middle_and_carry_on(open_chat):
    chat = open_chat("en-US").open()
    chat.begin()
    progress: dict = {}
    for _ in range(4):  # consent, who, age, diagnosis
        assert answer_step(chat, progress)
    session_id = chat.session_id
    bot_before, user_before, replies_before = chat.bot_texts(), chat.user_texts(), chat.replies()
    assert session_id and replies_before

    chat.page.reload()
    chat.page.wait_for_function("() => document.body.dataset.connection === 'online'")
    assert chat.page.locator("#notice").is_hidden(), "the notice is shown once, not after a reload"
    assert chat.bot_texts() == bot_before
    assert chat.user_texts() == user_before
    assert chat.replies() == replies_before
    assert chat.session_id == session_id

    complete_screening(chat, progress)
    assert_likely_eligible(chat)
    assert chat.session_id == session_id
    assert len(chat.bot_texts()) > len(bot_before)
    assert_clean(chat)


# ---------------------------------------------------------------- languages
def test_browser_language_chinese_gives_chinese_page_and_questions(open_chat):
    chat = open_chat("zh-CN").open()
    page = chat.page
    assert page.evaluate("document.documentElement.lang") == "zh-Hans"
    assert page.input_value("#language") == "zh"
    assert page.locator("h1").text_content() == "临床试验预筛查"
    assert CJK.search(page.locator("#notice").text_content())
    chat.begin()
    assert CJK.search(chat.bot_texts()[-1]), chat.bot_texts()
    assert all(CJK.search(r["title"]) for r in chat.replies()), chat.replies()
    chat.screenshot("web-zh.png")
    assert user_metadata_languages(chat)[0] == ("/greet", "zh")
    assert_clean(chat)


def test_switch_to_chinese_mid_conversation(open_chat):
    chat = open_chat("en-US").open()
    chat.begin()
    progress: dict = {}
    for _ in range(3):  # consent, who, age
        assert answer_step(chat, progress)
    english_question = chat.bot_texts()[-1]
    assert not CJK.search(english_question)

    before = chat.bot_count()
    users_before = chat.user_texts()
    chat.page.select_option("#language", "zh")
    chat.wait_turn(before)
    assert chat.page.locator("h1").text_content() == "临床试验预筛查"
    assert chat.page.evaluate("document.documentElement.lang") == "zh-Hans"
    assert chat.user_texts() == users_before, "the switch request is not shown as the person's message"
    new_messages = chat.bot_texts()[before:]
    assert any("中文" in text for text in new_messages), new_messages  # the bot confirms the switch
    assert CJK.search(new_messages[-1]), new_messages  # and asks the same question in Chinese
    assert all(CJK.search(r["title"]) for r in chat.replies()), chat.replies()
    text, language = user_metadata_languages(chat)[-1]
    assert text == '/switch_language{"lang":"zh"}' and language == "zh"

    # The rest of the screening is in Chinese, and the answers given in English were kept.
    def act(kind: str, value: str) -> None:
        if kind == "reply":
            chat.click_reply(value)
        else:
            chat.type(value)
        question = chat.bot_texts()[-1]
        if chat.replies() and not any(r["payload"].startswith("/start_over") for r in chat.replies()):
            assert CJK.search(question), f"not in Chinese: {question!r}"

    complete_screening(chat, progress, act=act)
    assert_likely_eligible(chat, english=False)
    assert chat.slot("patient_age") == 31
    assert chat.slot("language") == "zh"
    assert_clean(chat)


def test_a_language_switch_typed_in_the_chat_moves_the_page_too(open_chat):
    """The person types "can we speak Spanish": the assistant answers in Spanish, and the page's
    picker, headings and buttons follow, its next messages say Spanish, and a reload stays Spanish."""
    chat = open_chat("en-US").open()
    page = chat.page
    chat.begin()
    assert page.input_value("#language") == "en"
    chat.type("can we speak Spanish")
    page.wait_for_function("() => document.documentElement.lang === 'es'", timeout=5000)
    assert page.input_value("#language") == "es"
    assert page.locator("h1").text_content() == "Preselección para el ensayo"
    assert "¿" in chat.bot_texts()[-1], chat.bot_texts()[-3:]
    assert chat.slot("language") == "es"

    chat.click_reply("affirm")  # yes to the pre-screening, from the Spanish buttons
    text, language = user_metadata_languages(chat)[-1]
    assert language == "es", (text, language)
    assert chat.slot("language") == "es" and "¿" in chat.bot_texts()[-1]

    page.reload()
    page.wait_for_function("() => document.body.dataset.state === 'idle'")
    assert page.input_value("#language") == "es"
    assert_clean(chat)


def test_browser_language_spanish_gives_spanish_page(open_chat):
    chat = open_chat("es-ES").open()
    page = chat.page
    assert page.evaluate("document.documentElement.lang") == "es"
    assert page.locator("h1").text_content() == "Preselección para el ensayo"
    chat.begin()
    assert "¿" in chat.bot_texts()[-1], chat.bot_texts()
    assert [r["title"] for r in chat.replies()][0].startswith("Sí")
    chat.screenshot("web-es.png")
    assert_clean(chat)


# ---------------------------------------------------------------- safety
def test_markup_typed_by_a_person_shows_as_text(open_chat):
    chat = open_chat("en-US").open()
    chat.begin()
    chat.type(SCRIPT_TEXT)
    assert chat.user_texts()[-1] == SCRIPT_TEXT
    log = chat.page.locator("#log")
    assert log.locator("script").count() == 0 and log.locator("img").count() == 0
    assert chat.page.evaluate("window.__pwned") is None
    assert not any("pwned" in url for url in chat.traffic.requests)
    # Typing is limited to 2000 characters.
    chat.page.fill("#message", "x" * 2500)
    assert len(chat.page.input_value("#message")) == 2000
    assert "2000" in chat.page.locator("#char-count").text_content()
    assert_clean(chat)


def test_bot_messages_are_text_and_links_only_safe_schemes(open_chat):
    """A bot message carrying markup and odd links, injected into the page's own socket."""
    chat = open_chat("en-US")
    routes = []

    def relay(ws):
        ws.connect_to_server()
        routes.append(ws)
        chat.traffic.websockets.append(ws.url)

    chat.page.route_web_socket(re.compile(r".*/socket\.io/.*"), relay)
    chat.open()
    chat.begin()
    message = {
        "text": 'Hi <img src="/evil.png" onerror="window.__pwned=1"> <b>bold</b> javascript:alert(1) '
                "see https://clinicaltrials.gov/study/NCT0 or write to team@example.org.",
        "quick_replies": [{"title": "<i>Yes</i>", "payload": "/affirm"}],
    }
    before = chat.bot_count()
    routes[-1].send("42" + json.dumps(["bot_uttered", message]))
    chat.page.wait_for_function("n => document.querySelectorAll('#log .msg-bot').length > n", arg=before)
    last = chat.page.locator("#log .msg-bot .msg-text").last
    assert last.text_content() == message["text"]
    assert last.locator("img, b, script").count() == 0
    hrefs = last.locator("a").evaluate_all("els => els.map(a => a.href)")
    assert hrefs == ["https://clinicaltrials.gov/study/NCT0", "mailto:team@example.org"]
    assert [r["title"] for r in chat.replies()] == ["<i>Yes</i>"]
    assert chat.page.evaluate("window.__pwned") is None
    assert_clean(chat)


# ---------------------------------------------------------------- keyboard and screen readers
def tab_to(page, predicate: str, limit: int = 60) -> None:
    for _ in range(limit):
        if page.evaluate(f"() => {{ const el = document.activeElement; return !!el && ({predicate}); }}"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached: {predicate}")


def test_keyboard_only_completion(open_chat):
    chat = open_chat("en-US", width=800).open()
    page = chat.page
    tab_to(page, "el.id === 'notice-continue'")
    before = chat.bot_count()
    page.keyboard.press("Enter")
    chat.wait_turn(before)
    # The greeting and the consent question come as separate messages: on a loaded machine the
    # turn can look complete before the question's buttons are on screen, as a person would wait.
    page.wait_for_selector("#quick-replies button", timeout=TURN_TIMEOUT_MS)

    outlines = []

    def act(kind: str, value: str) -> None:
        before = chat.bot_count()
        if kind == "reply":
            tab_to(page, f"el.matches('#quick-replies button') && el.dataset.payload.includes({value!r})")
            outlines.append(page.evaluate(
                "() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, s.outlineWidth]; }"))
            page.keyboard.press("Enter" if len(outlines) % 2 else "Space")
        else:
            tab_to(page, "el.id === 'message'")
            page.keyboard.type(value)
            page.keyboard.press("Enter")
        chat.wait_turn(before)

    complete_screening(chat, act=act)
    assert_likely_eligible(chat)
    # The focused button had a visible focus ring every time.
    assert outlines and all(style == "solid" and float(width.rstrip("px")) >= 2 for style, width in outlines), outlines
    assert_clean(chat)


def test_accessible_structure_contrast_and_zoom(open_chat):
    for scheme in ("light", "dark"):
        chat = open_chat("en-US", color_scheme=scheme).open()
        page = chat.page
        chat.begin()
        assert page.get_attribute("#log", "aria-live") == "polite"
        assert page.get_attribute("#log", "role") == "log"
        assert page.locator("label[for=message]").count() == 1
        assert page.locator("label[for=language]").count() == 1
        viewport = page.get_attribute("meta[name=viewport]", "content")
        assert "maximum-scale" not in viewport and "user-scalable" not in viewport
        ratios = page.evaluate(CONTRAST_JS)
        low = {k: v for k, v in ratios.items() if v < 4.5}
        assert not low, f"{scheme}: contrast below 4.5:1: {low}"
        # 360 px wide, no sideways scrolling, also with the text at 200 %.
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        if scheme == "dark":
            chat.screenshot("web-en-night.png")
        size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#log .msg-text')).fontSize)")
        page.evaluate("document.documentElement.style.fontSize = '200%'")
        zoomed = page.evaluate("parseFloat(getComputedStyle(document.querySelector('#log .msg-text')).fontSize)")
        assert zoomed == pytest.approx(size * 2, rel=0.01)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert_clean(chat)


AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page) -> list:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                                                  'wcag22aa', 'best-practice']}})"""
    )
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]


@pytest.mark.parametrize("locale,scheme", [("en-US", "light"), ("zh-CN", "dark"), ("es-ES", "light")])
def test_axe_finds_no_accessibility_problems(open_chat, locale, scheme):
    """axe-core (pinned in web/package.json) on the notice and on a question with choices.
    CSP is bypassed only to inject axe; the page itself is unchanged."""
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `make web` (npm ci in web/)")
    chat = open_chat(locale, color_scheme=scheme, bypass_csp=True).open()
    assert axe_violations(chat.page) == []
    chat.begin()
    progress: dict = {}
    for _ in range(2):
        assert answer_step(chat, progress)
    chat.page.click("#privacy-details summary")
    assert axe_violations(chat.page) == []
    assert chat.traffic.outside_loopback() == []


CONTRAST_JS = """() => {
  const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const c = parse(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return parse(getComputedStyle(document.documentElement).backgroundColor).slice(0, 3);
  };
  const ratio = (el) => {
    const a = lum(parse(getComputedStyle(el).color)), b = lum(background(el));
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  };
  const out = {};
  for (const sel of ['h1', '.subheading', '.emergency', '#start-over', '#talk-to-person', '.privacy summary',
                     '#log .msg-bot .msg-text', '#log .msg-user .msg-text', '#quick-replies button', '#send',
                     '#message', '.language label']) {
    const el = document.querySelector(sel);
    if (el) out[sel] = Math.round(ratio(el) * 100) / 100;
  }
  return out;
}"""


# ---------------------------------------------------------------- contact details stay off the device
def test_contact_details_given_in_the_hand_off_are_not_kept_in_the_browser(open_chat):
    """A likely-eligible patient agrees to be contacted and types a name and phone number, with
    a reload in between. The page shows them while it is open, but the browser's storage never
    holds them, and after a reload one line says why they are not shown."""
    name, phone = "Ana Privacidad", "13912345678"
    chat = open_chat("en-US").open()
    page = chat.page
    answer_until(chat, "contact_consent")
    assert chat.slot("prescreen_outcome") == "likely_eligible"

    def stored() -> str:
        return page.evaluate("sessionStorage.getItem('prescreen.transcript')") or ""

    chat.click_reply("/affirm")
    chat.type(name)
    assert name in page.locator("#log").inner_text()
    assert name not in stored() and "31" in stored()  # earlier answers are still kept

    page.reload()
    page.wait_for_function("() => document.body.dataset.state === 'idle'")
    log = page.locator("#log").inner_text()
    assert name not in log and "not kept on this device" in log and "31" in log
    assert page.locator("#log .msg-hidden").count() == 1

    chat.type(phone)
    chat.type("mornings")
    assert phone in page.locator("#log").inner_text()
    chat.click_reply("/affirm")  # the summary is right: send it
    assert chat.slot("handoff_confirm") == "yes", chat.bot_texts()[-3:]
    assert not any(secret in stored() for secret in (name, phone, "Ana"))

    page.reload()
    page.wait_for_function("() => document.body.dataset.state === 'idle'")
    log = page.locator("#log").inner_text()
    assert name not in log and phone not in log and "not kept on this device" in log
    assert_clean(chat)


# ---------------------------------------------------------------- start over, a person
def test_talk_to_a_person_and_start_over(open_chat):
    chat = open_chat("en-US").open()
    chat.begin()
    progress: dict = {}
    for _ in range(3):
        assert answer_step(chat, progress)
    assert chat.slot("respondent") == "patient"

    before = chat.bot_count()
    chat.page.click("#talk-to-person")
    chat.wait_turn(before)
    assert chat.user_texts()[-1] == "Talk to a person"
    assert any("coordinator" in text for text in chat.bot_texts()[before:])
    assert any('"q": "question_consent"' in r["payload"] for r in chat.replies()), "leave a message?"
    chat.click_reply('/deny{"tri": "no", "q": "question_consent"}')  # "No, thank you"
    assert chat.slot("respondent") == "patient", "the screening carries on where it was"

    chat.page.once("dialog", lambda dialog: dialog.accept())
    chat.page.click("#start-over")
    chat.page.wait_for_function("() => document.body.dataset.state === 'idle' && document.querySelectorAll('#log .msg-bot').length > 0")
    assert chat.user_texts() == [], "the old conversation is cleared from the screen"
    assert any("start again" in text for text in chat.bot_texts())
    assert chat.slot("respondent") is None
    payloads = [r["payload"] for r in chat.replies()]
    assert any('"q": "respondent"' in p for p in payloads), chat.bot_texts()  # question 1 again

    # Cancelling the confirmation changes nothing.
    count = chat.bot_count()
    chat.page.once("dialog", lambda dialog: dialog.dismiss())
    chat.page.click("#start-over")
    chat.page.wait_for_timeout(600)
    assert chat.bot_count() == count
    assert_clean(chat)


def test_delete_my_answers_forgets_the_conversation_here(open_chat):
    chat = open_chat("en-US").open()
    chat.begin()
    progress: dict = {}
    for _ in range(3):
        assert answer_step(chat, progress)
    old_session = chat.session_id
    assert chat.slot("respondent") == "patient"

    page = chat.page
    page.click("#privacy-details summary")
    before = chat.bot_count()
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#forget")
    page.wait_for_function("() => !document.querySelector('#notice').hidden")
    assert chat.bot_count() > before or chat.bot_texts(), "the bot's confirmation stays on screen"
    assert chat.user_texts() == [] and chat.replies() == []
    assert chat.stack.tracker(old_session)["slots"].get("respondent") is None
    for _ in range(100):  # the page asks for a fresh session, then connects with it
        if chat.session_id not in (None, old_session):
            break
        page.wait_for_timeout(100)
    assert chat.session_id not in (None, old_session), "a new session cookie, for a new conversation"
    page.wait_for_function("() => document.body.dataset.connection === 'online'")
    assert page.evaluate("sessionStorage.getItem('prescreen.transcript')") is None

    page.reload()
    page.wait_for_function("() => document.body.dataset.connection === 'online'")
    assert page.locator("#notice").is_visible() and chat.bot_texts() == []
    chat.begin()
    assert chat.session_id != old_session
    assert any("/affirm" in r["payload"] for r in chat.replies())
    assert chat.slot("respondent") is None
    assert_clean(chat)


# ---------------------------------------------------------------- what the server sends
def test_page_headers_and_markup(web_stack):
    with urllib.request.urlopen(web_stack.url) as resp:
        headers = resp.headers
        html = resp.read().decode()
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "connect-src 'self'" in csp and "unsafe" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", html) == [], "no inline scripts"
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), "no inline event handlers"
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//", html), "nothing loaded from elsewhere"
    with urllib.request.urlopen(web_stack.url + "app.css") as resp:
        css = resp.read().decode()
    assert "url(" not in css and "@import" not in css and "@font-face" not in css


def test_a_double_tap_does_not_answer_the_next_question(open_chat):
    """The Chromium tester's second tap on "Yes" landed on the next question's "Yes" and answered
    it unread. Choices that have just appeared ignore a tap; once the reply is complete they work."""
    chat = open_chat("en-US").open()
    chat.begin()
    page = chat.page
    # Tap the first new button the moment the next question's choices appear.
    page.evaluate("""() => {
      const box = document.getElementById('quick-replies');
      new MutationObserver((_, obs) => {
        const b = box.querySelector('button[data-payload*="respondent"]');
        if (b) { obs.disconnect(); b.click(); window.__tapped = true; }
      }).observe(box, {childList: true});
    }""")
    chat.click_reply('"q": "prescreen_consent"')
    page.wait_for_function("() => window.__tapped === true")
    assert chat.user_texts() == ["Yes, let's start"], "the second tap answered the next question"
    assert chat.slot("respondent") is None
    chat.click_reply("patient")  # a tap once the reply is complete counts
    assert chat.slot("respondent") == "patient"
