"""Sessions the page server issues: a conversation id copied or guessed by someone else cannot
read, join or change that person's conversation. Over the real page server, Rasa and the action
server (tests/fixtures/web.py), with socket.io spoken by hand (tests/sio_helpers.py).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from http.cookies import SimpleCookie

import pytest
import websockets

from bot.sessions import COOKIE_NAME, RELAY_HEADER
from tests.support.profiles import ELIGIBLE_ADULT_EN, handoff_replies
from tests.support.sio_helpers import SioClient, run_async

NAME, PHONE = "Wei Victim", "13912345678"


def cookie_header(token: str) -> dict:
    return {"Cookie": f"{COOKIE_NAME}={token}"}


async def _victim_at_the_summary(stack) -> tuple:
    """A person screened as likely eligible who has typed a name and phone number and is being
    shown the summary. Returns (their socket, their conversation id)."""
    token, _ = stack.new_session()
    session_id = stack.conversation_of(token)
    victim = await SioClient.open(stack.url, headers=cookie_header(token))
    await victim.request_session(None)
    await victim.say("/greet")
    for _ in range(40):
        slot = stack.tracker(session_id)["slots"].get("requested_slot")
        if slot == "contact_consent":
            break
        await victim.say(ELIGIBLE_ADULT_EN.get(slot, "no"))
    for text in handoff_replies(NAME, PHONE)[:-1]:  # everything but the final "yes, send it"
        await victim.say(text)
    assert stack.tracker(session_id)["slots"]["requested_slot"] == "handoff_confirm"
    assert any(PHONE in text for text in victim.bot_texts()), "the summary repeats the phone number"
    return victim, session_id


def test_someone_with_the_conversation_id_cannot_read_or_change_it(web_stack):
    """Issue 13: a socket that asked for another person's id, and spoke as them, was shown their
    summary (name, phone, health answers) and received their messages live."""
    run_async(_someone_with_the_id(web_stack))


async def _someone_with_the_id(stack):
    victim, session_id = await _victim_at_the_summary(stack)
    events_before = len(stack.tracker(session_id)["events"])

    token, _ = stack.new_session()  # the attacker has a session of their own
    attacker = await SioClient.open(stack.url, headers=cookie_header(token))
    await attacker.request_session(session_id)  # asks to join the victim's conversation
    # A message as the victim: the assistant would show the summary again, to whoever listens.
    await attacker.say("what was that again?", session_id)
    # And the victim's own next message, which the attacker would receive live.
    await victim.say("sorry, what?", session_id)
    await attacker.quiet(1.0)

    seen = "\n".join(attacker.bot_texts())
    user_texts = [e.get("text") for e in stack.tracker(session_id)["events"][events_before:]
                  if e.get("event") == "user"]
    await attacker.close()
    await victim.close()
    assert NAME not in seen and PHONE not in seen, f"the attacker read: {seen[:300]}"
    assert "what was that again?" not in user_texts, "the attacker changed the victim's conversation"
    assert user_texts == ["sorry, what?"]
    # The attacker's message went to the attacker's own conversation instead.
    attacker_texts = [e.get("text") for e in stack.tracker(stack.conversation_of(token))["events"]
                      if e.get("event") == "user"]
    assert attacker_texts == ["what was that again?"]
    # And the victim's conversation is unharmed: still at the summary.
    assert stack.tracker(session_id)["slots"]["requested_slot"] == "handoff_confirm"


def _tampered(token: str, conversation_id: str) -> str:
    import base64

    version, _, expiry, signature = token.split(".")
    other = base64.urlsafe_b64encode(conversation_id.encode()).decode().rstrip("=")
    return ".".join((version, other, expiry, signature))


def test_sockets_without_a_valid_session_are_refused_by_the_relay_and_by_rasa(web_stack):
    victim_token, _ = web_stack.new_session()
    victim_id = web_stack.conversation_of(victim_token)
    expired = web_stack.signer.issue(victim_id, now=time.time() - 31 * 86400).token
    mine, _ = web_stack.new_session()
    bad = {"none": None, "forged": _tampered(mine, victim_id), "expired": expired, "made up": "v1.abc.1.xyz"}

    async def relay(token):
        headers = cookie_header(token) if token else {}
        with pytest.raises(websockets.InvalidStatusCode) as refused:
            await SioClient.open(web_stack.url, headers=headers)
        return refused.value.status_code

    async def rasa_direct(token):
        headers = {RELAY_HEADER: token} if token else {}
        with pytest.raises(ConnectionRefusedError):
            await SioClient.open(web_stack.rasa_url, origin=web_stack.rasa_url, headers=headers)

    for name, token in bad.items():
        assert run_async(relay(token)) == 401, name
        run_async(rasa_direct(token))
    # The right token straight to Rasa is accepted: the channel checks it itself.
    run_async(_open_and_close(web_stack.rasa_url, {RELAY_HEADER: victim_token}))


async def _open_and_close(url, headers):
    client = await SioClient.open(url, origin=url, headers=headers)
    await client.close()


def post(url: str, body, headers=None, content_type="application/json"):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": content_type, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            return resp.status, resp.headers, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read() or b"null")


def test_the_session_cookie_is_httponly_strict_and_lasts_the_retention_time(web_stack):
    status, headers, body = post(web_stack.url + "session", {})
    assert status == 200 and body["retention_days"] == 30
    raw = headers["Set-Cookie"]
    cookie = SimpleCookie(raw)[COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Strict" and cookie["path"] == "/"
    assert int(cookie["max-age"]) == 30 * 86400
    assert "secure" not in raw.lower(), "plain http on loopback: a Secure cookie would never come back"
    first = web_stack.conversation_of(cookie.value)
    assert first and first not in body["tag"]
    assert body["tag"] == web_stack.signer.tag(first)

    # Coming back keeps the conversation and renews the session; "fresh" starts a new one.
    _, headers, again = post(web_stack.url + "session", {}, cookie_header(cookie.value))
    assert web_stack.conversation_of(SimpleCookie(headers["Set-Cookie"])[COOKIE_NAME].value) == first
    assert again["tag"] == body["tag"]
    _, headers, fresh = post(web_stack.url + "session", {"fresh": True}, cookie_header(cookie.value))
    assert web_stack.conversation_of(SimpleCookie(headers["Set-Cookie"])[COOKIE_NAME].value) not in (None, first)

    # Loading the page itself sets nothing: a link from another site would not carry the Strict
    # cookie, and setting one then would start the person a new conversation.
    with urllib.request.urlopen(web_stack.url, timeout=10) as resp:
        assert resp.headers.get("Set-Cookie") is None


def test_session_routes_take_json_from_this_page_only(web_stack):
    for route, body in (("session", {}), ("resume", {"code": "ABCD-2345"})):
        status, headers, _ = post(web_stack.url + route, body, {"Origin": "http://evil.example"})
        assert status == 403 and headers.get("Set-Cookie") is None, route
        status, headers, _ = post(web_stack.url + route, b"code=ABCD-2345", content_type="application/x-www-form-urlencoded")
        assert status == 415 and headers.get("Set-Cookie") is None, route
    status, _, _ = post(web_stack.url + "session", {}, {"Origin": web_stack.url.rstrip("/")})
    assert status == 200
    status, _, body = post(web_stack.url + "session", b"{not json")
    assert status == 200 and body["tag"], "a broken body is an empty request"


def test_a_resume_code_binds_the_session_to_its_conversation(web_stack):
    codes = web_stack.resume_codes()
    owner, _ = web_stack.new_session()
    owner_id = web_stack.conversation_of(owner)
    code, _ = codes.issue_code(owner_id)
    other_device, _ = web_stack.new_session()
    status, headers, body = post(web_stack.url + "resume", {"code": code.lower().replace("-", " ")},
                                 cookie_header(other_device))
    assert status == 200, body
    resumed = SimpleCookie(headers["Set-Cookie"])[COOKIE_NAME]
    assert web_stack.conversation_of(resumed.value) == owner_id
    assert resumed["httponly"] and resumed["samesite"] == "Strict"
    assert body["tag"] == web_stack.signer.tag(owner_id) and code not in json.dumps(body)

    status, headers, body = post(web_stack.url + "resume", {"code": "ZZZZ-ZZZZ"})
    assert (status, body, headers.get("Set-Cookie")) == (400, {"error": "wrong"}, None)
    status, _, body = post(web_stack.url + "resume", {"code": "<script>alert(1)</script>"})
    assert (status, body) == (400, {"error": "malformed"})
    codes.forget(owner_id)
    status, _, body = post(web_stack.url + "resume", {"code": code})
    assert (status, body) == (400, {"error": "wrong"}), "a forgotten conversation's code no longer works"
    codes.store.close()


def rest(stack, body, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return post(stack.rasa_url + "/webhooks/rest/webhook", body, headers)


def test_the_rest_channel_needs_the_token_when_one_is_set(web_stack):
    """web_stack's Rasa runs with REST_TOKEN set, as an exposed deployment must."""
    sender = f"rest-{uuid.uuid4().hex[:8]}"
    body = {"sender": sender, "message": "/greet", "metadata": {"language": "en"}}
    for token in (None, "", "wrong", web_stack.rest_token[:-1]):
        status, headers, reply = rest(web_stack, body, token)
        assert status == 401 and "Bearer" in reply["error"] and headers["WWW-Authenticate"].startswith("Bearer")
    assert web_stack.tracker(sender)["events"] in ([], None) or not any(
        e.get("event") == "user" for e in web_stack.tracker(sender)["events"]), "a refused message changes nothing"
    status, _, reply = rest(web_stack, body, web_stack.rest_token)
    assert status == 200 and any("pre-screening" in (m.get("text") or "") for m in reply)
