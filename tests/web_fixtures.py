"""Fixtures for the web page tests: the real servers, a real browser, and a page driver.

Imported explicitly by ``tests/test_web_*.py``. Fixture functions are named ``*_fixture`` with
``name=`` set, as in ``tests/leads_fixtures.py``.

``web_stack`` starts, for the whole session, Rasa on the trained model (``make train``) with the
action server from conftest, and the page server (``python -m bot.web.server``), each on a free
loopback port, and stops them at the end. Rasa gets ``credentials.yml`` with its socket.io channel
named as ``bot.web.channel.SocketIOInput`` (the built-in one drops every bot message with the
python-socketio this project installs; see bot/web/channel.py) and its HTTP API on with a random
token, so tests can read the outcome slots. All three share conftest's ``lead_env``: one database
(leads and resume codes) and one web session secret, so a test can read which conversation a
browser's cookie names and issue resume codes through ``bot.resume``. Rasa's REST channel
requires ``REST_TOKEN`` here, as it would when exposed. Guessing resume codes is limited to
``RESUME_GUESSES_PER_CLIENT`` tries per ``RESUME_GUESS_WINDOW_SECONDS`` so a test can wait out.

``browser`` is Debian's Chromium (``scripts/ensure-chromium.sh`` installs it) driven by
Playwright. Without it the tests are skipped on a developer machine and fail under ``CI``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import urlsplit

import pytest
import yaml

from bot.sessions import COOKIE_NAME

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "prescreen.tar.gz"
DIST = ROOT / "web" / "dist"
ARTIFACTS = ROOT / "test-artifacts"
CHANNEL = "bot.web.channel.SocketIOInput"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TURN_TIMEOUT_MS = 45_000
LOOPBACK_HOSTS = {"127.0.0.1"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url: str, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url}: the server exited ({proc.returncode}):\n{tail(log)}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except Exception:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not come up within {timeout:.0f}s:\n{tail(log)}")


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def fail_or_skip(message: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def rasa_credentials(target: Path) -> Path:
    """credentials.yml with the socket.io channel as the fixed class, same settings."""
    data = yaml.safe_load((ROOT / "credentials.yml").read_text()) or {}
    settings = data.pop("socketio", None)
    if settings is not None:
        data[CHANNEL] = settings
    if CHANNEL not in data:
        raise RuntimeError("credentials.yml has no socket.io channel: the web page needs one")
    target.write_text(yaml.safe_dump(data, sort_keys=False))
    return target


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


RESUME_GUESSES_PER_CLIENT = 4
RESUME_GUESS_WINDOW_SECONDS = 10


@dataclass
class WebStack:
    url: str  # the page, e.g. http://127.0.0.1:41234/
    rasa_url: str
    rasa_token: str
    logs: Path
    env: Dict[str, str] = field(default_factory=dict)  # what the servers were started with
    rest_token: str = ""

    def tracker(self, session_id: str) -> Dict[str, Any]:
        """The conversation as Rasa holds it (HTTP API, token auth)."""
        url = f"{self.rasa_url}/conversations/{session_id}/tracker?token={self.rasa_token}"
        with urllib.request.urlopen(url, timeout=10) as resp:
            return json.loads(resp.read())

    @property
    def signer(self):
        from bot.sessions import SessionSigner

        return SessionSigner.from_env(self.env)

    def conversation_of(self, token: Optional[str]) -> Optional[str]:
        """The conversation a session cookie's token names (the test knows the secret)."""
        session = self.signer.verify(token)
        return session.conversation_id if session else None

    def new_session(self, fresh: bool = True) -> Tuple[str, str]:
        """(cookie value, tag) from POST /session, as the page gets them."""
        request = urllib.request.Request(self.url + "session", data=json.dumps({"fresh": fresh}).encode(),
                                         headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=10) as resp:
            cookie = SimpleCookie(resp.headers["Set-Cookie"])
            return cookie[COOKIE_NAME].value, json.loads(resp.read())["tag"]

    def resume_codes(self):
        """bot.resume's codes in the servers' database, as the action server would use them."""
        from bot.resume import ResumeCodes

        return ResumeCodes.from_env(self.env)


@pytest.fixture(scope="session", name="web_dist")
def web_dist_fixture() -> Path:
    if not (DIST / "index.html").is_file() or not (DIST / "app.js").is_file():
        pytest.fail("web/dist is not built: run `make web` (npm ci && npm run build in web/)")
    return DIST


@pytest.fixture(scope="session", name="web_stack")
def web_stack_fixture(action_server_url, lead_env, web_dist, tmp_path_factory) -> WebStack:
    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make train` (or `make test`, which trains first)")
    logs = tmp_path_factory.mktemp("web-stack")
    credentials = rasa_credentials(logs / "credentials.yml")
    rasa_port, web_port = free_port(), free_port()
    token = secrets.token_hex(16)
    rest_token = secrets.token_hex(16)
    from conftest import ACTION_TOKEN  # the shared secret the test action server expects

    env = {**os.environ, **lead_env, "RASA_TELEMETRY_ENABLED": "false", "ACTION_SERVER_URL": action_server_url,
           "ACTION_SERVER_TOKEN": ACTION_TOKEN, "REST_TOKEN": rest_token,
           "RESUME_GUESSES_PER_CLIENT": str(RESUME_GUESSES_PER_CLIENT),
           "RESUME_GUESS_WINDOW_SECONDS": str(RESUME_GUESS_WINDOW_SECONDS)}
    rasa_log = logs / "rasa.log"
    rasa = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "rasa") if (ROOT / ".venv" / "bin" / "rasa").exists() else "rasa",
         "run", "--model", str(MODEL), "--endpoints", "endpoints.yml", "--credentials", str(credentials),
         "--interface", "127.0.0.1", "--port", str(rasa_port), "--enable-api", "--auth-token", token],
        cwd=ROOT, env=env, stdout=rasa_log.open("w"), stderr=subprocess.STDOUT,
    )
    web_log = logs / "web.log"
    web = None
    try:
        rasa_url = f"http://127.0.0.1:{rasa_port}"
        wait_for_http(f"{rasa_url}/", rasa, rasa_log, timeout=240)
        web = subprocess.Popen(
            [sys.executable, "-m", "bot.web.server"],
            cwd=ROOT, env={**env, "WEB_HOST": "127.0.0.1", "WEB_PORT": str(web_port), "RASA_URL": rasa_url,
                           "WEB_DIST": str(web_dist)},
            stdout=web_log.open("w"), stderr=subprocess.STDOUT,
        )
        wait_for_http(f"http://127.0.0.1:{web_port}/healthz", web, web_log, timeout=60)
        yield WebStack(f"http://127.0.0.1:{web_port}/", rasa_url, token, logs, env, rest_token)
    finally:
        if web is not None:
            _stop(web)
        _stop(rasa)


# Module scope on purpose: Playwright's sync API keeps an event loop running in this thread while
# it is open, which would break async tests (and run_until_complete) in later modules.
@pytest.fixture(scope="module", name="browser")
def browser_fixture():
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)) and not shutil.which("chromium"):
        fail_or_skip(f"Chromium is not installed at {CHROMIUM}: run scripts/ensure-chromium.sh")
    from playwright.sync_api import sync_playwright

    executable = CHROMIUM if os.path.isfile(CHROMIUM) else shutil.which("chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class Traffic:
    """Every URL the page asked for: HTTP requests and WebSockets."""

    requests: List[str] = field(default_factory=list)
    websockets: List[str] = field(default_factory=list)

    def outside_loopback(self) -> List[str]:
        bad = []
        for url in self.requests + self.websockets:
            parts = urlsplit(url)
            if parts.scheme in ("data", "blob", "about"):
                bad.append(url)  # the page needs none of these either
            elif parts.hostname not in LOOPBACK_HOSTS:
                bad.append(url)
        return bad


def _console_error(msg) -> str:
    """The console error, with the address it is about when it names one (a failed request)."""
    url = (msg.location or {}).get("url")
    return f"{msg.text} [{url}]" if url else msg.text


class ChatPage:
    """Drives the chat page the way a person would, and reads what it shows."""

    def __init__(self, page, stack: WebStack, traffic: Traffic):
        self.page = page
        self.stack = stack
        self.traffic = traffic
        self.errors: List[str] = []
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        page.on("console", lambda msg: self.errors.append(_console_error(msg)) if msg.type == "error" else None)

    # ------------------------------------------------------------ reading
    def bot_texts(self) -> List[str]:
        return self.page.locator("#log .msg-bot .msg-text").all_text_contents()

    def user_texts(self) -> List[str]:
        return self.page.locator("#log .msg-user .msg-text").all_text_contents()

    def replies(self) -> List[Dict[str, str]]:
        return self.page.eval_on_selector_all(
            "#quick-replies button", "els => els.map(b => ({title: b.textContent, payload: b.dataset.payload}))"
        )

    def bot_count(self) -> int:
        return self.page.locator("#log .msg-bot").count()

    def session_cookie(self) -> Optional[Dict[str, Any]]:
        cookies = [c for c in self.page.context.cookies(self.stack.url) if c["name"] == COOKIE_NAME]
        return cookies[0] if cookies else None

    @property
    def session_id(self) -> Optional[str]:
        """The conversation this browser's session cookie names (the page itself never learns it)."""
        cookie = self.session_cookie()
        return self.stack.conversation_of(cookie["value"]) if cookie else None

    def tracker(self) -> Dict[str, Any]:
        return self.stack.tracker(self.session_id)

    def slot(self, name: str) -> Any:
        return self.tracker()["slots"].get(name)

    # ------------------------------------------------------------ acting
    def open(self) -> "ChatPage":
        self.page.goto(self.stack.url)
        self.page.wait_for_function("() => document.body.dataset.state === 'idle'")
        return self

    def wait_turn(self, before: int) -> None:
        """Waits until the bot has answered (new bot messages, then a quiet moment)."""
        self.page.wait_for_function(
            "n => document.body.dataset.state === 'idle' && document.querySelectorAll('#log .msg-bot').length > n",
            arg=before, timeout=TURN_TIMEOUT_MS,
        )

    def begin(self) -> None:
        before = self.bot_count()
        self.page.click("#notice-continue")
        self.wait_turn(before)

    def click_reply(self, payload_has: str) -> str:
        """Clicks the first quick reply whose payload contains `payload_has`; returns its title."""
        for index, reply in enumerate(self.replies()):
            if payload_has in reply["payload"]:
                before = self.bot_count()
                self.page.locator("#quick-replies button").nth(index).click()
                self.wait_turn(before)
                return reply["title"]
        raise AssertionError(f"no reply with {payload_has!r} among {self.replies()}\nlast: {self.bot_texts()[-3:]}")

    def type(self, text: str) -> None:
        before = self.bot_count()
        self.page.fill("#message", text)
        self.page.press("#message", "Enter")
        self.wait_turn(before)

    def screenshot(self, name: str, full_page: bool = False) -> Path:
        """What the person sees (the viewport), or the whole page; saved in test-artifacts/."""
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        self.page.evaluate("window.scrollTo({top: document.documentElement.scrollHeight, behavior: 'instant'})")
        self.page.wait_for_timeout(300)
        self.page.screenshot(path=str(path), full_page=full_page)
        return path


@pytest.fixture(name="open_chat")
def open_chat_fixture(browser, web_stack):
    """open_chat(locale="en-US", width=360) -> ChatPage in a fresh browser context."""
    contexts = []

    def make(locale: str = "en-US", width: int = 360, height: int = 780, **options) -> ChatPage:
        context = browser.new_context(
            locale=locale, viewport={"width": width, "height": height}, service_workers="block", **options
        )
        contexts.append(context)
        traffic = Traffic()
        context.on("request", lambda request: traffic.requests.append(request.url))
        page = context.new_page()
        page.on("websocket", lambda ws: traffic.websockets.append(ws.url))
        page.set_default_timeout(TURN_TIMEOUT_MS)
        return ChatPage(page, web_stack, traffic)

    yield make
    for context in contexts:
        context.close()


# ---------------------------------------------------------------- answering a whole screening
YES_FIRST = 5  # consent, B-ALL, relapsed/refractory, had CAR-T, CAR-T activity lost
TYPED = ("31", "4")  # the age, then months from CAR-T to the loss of activity


def answer_step(chat: ChatPage, progress: Dict[str, int], act: Optional[Callable[[str, str], None]] = None) -> bool:
    """Answers the question on screen for an eligible adult patient. False once nothing is asked.

    Decides from the quick replies' payloads only, so it works in every language: the first
    five yes/no questions get "yes", every later one "no" (including, after the result, the offer
    to be contacted); the patient answers, is fully active, male; questions with only a
    "not sure" button get typed answers. Stops when there are no choices left, or only the
    after-result ones (change an answer, start over).
    """
    replies = chat.replies()
    payloads = [r["payload"] for r in replies]
    if any(p.startswith("/start_over") for p in payloads) or not payloads:
        return False
    do = act or _click_or_type(chat)
    if any("respondent_kind" in p for p in payloads):
        do("reply", '"patient"')
    elif any("ecog_level" in p for p in payloads):
        do("reply", '"ecog_level": 0')
    elif any("sex_value" in p for p in payloads):
        do("reply", '"male"')
    elif any(p.startswith("/deny") for p in payloads):
        progress["tri"] = progress.get("tri", 0) + 1
        do("reply", "/affirm" if progress["tri"] <= YES_FIRST else "/deny")
    else:
        typed = progress.get("typed", 0)
        progress["typed"] = typed + 1
        do("type", TYPED[min(typed, len(TYPED) - 1)])
    return True


def _click_or_type(chat: ChatPage) -> Callable[[str, str], None]:
    def do(kind: str, value: str) -> None:
        if kind == "reply":
            chat.click_reply(value)
        else:
            chat.type(value)

    return do


def complete_screening(chat: ChatPage, progress: Optional[Dict[str, int]] = None, max_turns: int = 40,
                       act: Optional[Callable[[str, str], None]] = None) -> Dict[str, int]:
    progress = progress if progress is not None else {}
    for _ in range(max_turns):
        if not answer_step(chat, progress, act):
            return progress
    raise AssertionError(f"no result after {max_turns} answers; last messages: {chat.bot_texts()[-3:]}")


def answer_first(chat: ChatPage, questions: int) -> Dict[str, int]:
    """Starts and answers the first `questions` questions as answer_step does; returns the progress."""
    chat.begin()
    progress: Dict[str, int] = {}
    for _ in range(questions):
        assert answer_step(chat, progress), chat.bot_texts()[-3:]
    return progress


def answer_until(chat: ChatPage, slot: str, max_turns: int = 40) -> Dict[str, int]:
    """Starts and answers, as answer_step does, until the assistant asks for `slot`."""
    chat.begin()
    progress: Dict[str, int] = {}
    for _ in range(max_turns):
        if chat.slot("requested_slot") == slot:
            return progress
        assert answer_step(chat, progress), chat.bot_texts()[-3:]
    raise AssertionError(f"never asked {slot}: {chat.bot_texts()[-3:]}")
