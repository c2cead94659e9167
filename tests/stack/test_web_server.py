"""The page server and the socket.io channel without a browser: origins, the relay, the build.

Speaks the socket.io protocol by hand (Engine.IO 4 over a WebSocket) so a failure here points
at the server side, not at the page.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import websockets
import yaml

from bot.sessions import COOKIE_NAME
from bot.web.server import content_security_policy, create_app, upstream_socket_url
from tests.fixtures.web import ROOT
from tests.support.sio_helpers import SioClient, event, is_event, run_async, ws_url


async def _connect(url: str, origin: str):
    return await websockets.connect(url, origin=origin, open_timeout=10)


def test_page_socket_refuses_other_origins(web_stack):
    with pytest.raises(websockets.InvalidStatusCode) as refused:
        run_async(_connect(ws_url(web_stack.url), "http://evil.example"))
    assert refused.value.status_code == 403


def test_page_socket_is_websocket_only(web_stack):
    import urllib.error
    import urllib.request

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(web_stack.url + "socket.io/?EIO=4&transport=polling", timeout=10)
    assert refused.value.code == 400


def test_rasa_socket_refuses_other_origins(web_stack):
    """The fixed channel checks origins (Rasa's own turns the check off)."""
    with pytest.raises(websockets.InvalidStatusCode) as refused:
        run_async(_connect(ws_url(web_stack.rasa_url), "http://evil.example"))
    assert refused.value.status_code in (400, 403)


def test_conversation_through_the_relay_survives_a_new_socket(web_stack):
    run_async(_conversation_through_the_relay(web_stack))


async def _conversation_through_the_relay(web_stack):
    cookie, tag = web_stack.new_session()
    conversation_id = web_stack.conversation_of(cookie)
    headers = {"Cookie": f"{COOKIE_NAME}={cookie}"}

    async def say_and_wait_for_a_question(client: SioClient, message: str) -> str:
        payload = {"message": message, "session_id": uuid.uuid4().hex, "metadata": {"language": "en"}}
        await client.emit("user_uttered", payload)  # whatever session_id it claims
        frame = await client.until(lambda f: bool(is_event("bot_uttered")(f) and event(f)[1].get("quick_replies")))
        return event(frame)[1]["text"]

    first = await SioClient.open(web_stack.url, headers=headers)
    assert await first.request_session(uuid.uuid4().hex) == tag, "the socket's own conversation, by its tag"
    question = await say_and_wait_for_a_question(first, "/greet")
    assert "pre-screening" in question
    await first.close()

    # A new socket (a reload) with the same cookie carries on with the same conversation.
    second = await SioClient.open(web_stack.url, headers=headers)
    assert await second.request_session(None) == tag
    next_question = await say_and_wait_for_a_question(second, '/affirm{"tri": "yes"}')
    assert next_question != question and "?" in next_question
    await second.close()
    assert web_stack.tracker(conversation_id)["slots"]["prescreen_consent"] == "yes"


def test_credentials_name_the_fixed_socketio_channel():
    """Rasa's built-in `socketio` channel drops every bot message with session persistence on
    (python-socketio >= 5.10 made enter_room a coroutine that Rasa 3.6 does not await)."""
    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text()) or {}
    assert "socketio" not in credentials, "use bot.web.channel.SocketIOInput instead of socketio"
    settings = credentials.get("bot.web.channel.SocketIOInput")
    assert settings, "credentials.yml must name bot.web.channel.SocketIOInput"
    assert settings.get("session_persistence") is True
    assert settings.get("user_message_evt") == "user_uttered"
    assert settings.get("bot_message_evt") == "bot_uttered"


def test_missing_build_is_a_clear_error(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="make web"):
        create_app("http://127.0.0.1:5005", tmp_path)


def test_upstream_socket_url():
    assert upstream_socket_url("http://127.0.0.1:5005") == "ws://127.0.0.1:5005/socket.io/"
    assert upstream_socket_url("http://127.0.0.1:5005/") == "ws://127.0.0.1:5005/socket.io/"
    assert upstream_socket_url("https://bot.example/rasa") == "wss://bot.example/rasa/socket.io/"
    assert upstream_socket_url("127.0.0.1:5005") == "ws://127.0.0.1:5005/socket.io/"
    with pytest.raises(ValueError):
        upstream_socket_url("ftp://127.0.0.1:5005")


def test_csp_never_reflects_a_strange_host():
    assert "ws://127.0.0.1:8080" in content_security_policy("127.0.0.1:8080")
    policy = content_security_policy("evil.example; script-src *")
    assert "evil" not in policy and "connect-src 'self';" in policy


# ---------------------------------------------------------------- the channel's turn, in-process
class _FakeSio:
    def __init__(self):
        self.emitted = []

    async def emit(self, event, data=None, room=None, namespace=None, **kwargs):
        self.emitted.append((event, data, room))


def _channel_turn(on_new_message, text="hello", truncated=False, language="es"):
    from bot.channels import ActionServerProbe
    from bot.web.channel import SocketIOInput

    channel = SocketIOInput.from_credentials({"session_persistence": True})
    sio = _FakeSio()
    run_async(channel._turn(sio, on_new_message, ActionServerProbe(None), text, truncated, "s-1",
                            {"language": language, **({"truncated": True} if truncated else {})}))
    return [(event, data["text"], room) for event, data, room in sio.emitted]


def test_channel_answers_a_failed_turn_plainly_in_the_persons_language():
    from bot.channels import UNAVAILABLE

    async def fails(message):
        raise RuntimeError("boom")

    assert _channel_turn(fails) == [("bot_uttered", UNAVAILABLE["es"], "s-1")]


def test_channel_never_leaves_the_page_in_silence():
    from bot.channels import UNAVAILABLE

    async def says_nothing(message):
        return None

    assert _channel_turn(says_nothing, language="zh") == [("bot_uttered", UNAVAILABLE["zh"], "s-1")]


def test_channel_passes_answers_through_and_notes_a_cut_message():
    from bot.channels import TOO_LONG

    seen = []

    async def answers(message):
        seen.append((message.text, message.sender_id, message.metadata))
        await message.output_channel.send_text_message(message.sender_id, "Hola")

    sent = _channel_turn(answers, text="x" * 10, truncated=True)
    assert sent == [("bot_uttered", TOO_LONG["es"], "s-1"), ("bot_uttered", "Hola", "s-1")]
    assert seen == [("x" * 10, "s-1", {"language": "es", "truncated": True})]


def _state_after_turn(store, asked="en"):
    from types import SimpleNamespace

    from bot.channels import ActionServerProbe
    from bot.web.channel import SocketIOInput

    async def answers(message):
        await message.output_channel.send_text_message(message.sender_id, "Hola")

    channel = SocketIOInput.from_credentials({"session_persistence": True})
    channel.app = SimpleNamespace(ctx=SimpleNamespace(agent=SimpleNamespace(tracker_store=store)))
    sio = _FakeSio()
    run_async(channel._turn(sio, answers, ActionServerProbe(None), "can we speak Spanish", False, "s-1",
                            {"language": asked}))
    return [(event, data, room) for event, data, room in sio.emitted if event != "bot_uttered"]


@pytest.mark.parametrize("loop, contact_step", [(None, False), ("prescreen_form", False), ("handoff_form", True)])
def test_after_each_turn_the_page_is_told_the_language_what_it_asked_and_whether_contact_details_are_next(
        loop, contact_step):
    from rasa.shared.core.events import ActiveLoop, SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker

    class Store:
        async def retrieve(self, sender):
            assert sender == "s-1"
            return DialogueStateTracker.from_events(sender, [SlotSet("language", "es"), ActiveLoop(loop)])

    handoff = {"state": "in_progress"} if contact_step else None
    assert _state_after_turn(Store()) == [
        ("turn_state", {"language": "es", "contact_step": contact_step, "handoff": handoff, "asked": "en"}, "s-1")]


def test_an_unreadable_conversation_store_sends_the_page_nothing_more():
    class Down:
        async def retrieve(self, sender):
            raise ConnectionError("store down")

    assert _state_after_turn(Down()) == []


def test_long_messages_through_the_relay_are_cut_with_a_note(web_stack):
    from bot.channels import TOO_LONG

    cookie, _ = web_stack.new_session()

    async def go():
        client = await SioClient.open(web_stack.url, headers={"Cookie": f"{COOKIE_NAME}={cookie}"})
        await client.request_session(None)
        await client.emit("user_uttered", {"message": "a" * 2500, "metadata": {"language": "en", "evil": 1}})
        note = await client.until(is_event("bot_uttered"))
        # Then the assistant's own answer: the turn has been recorded.
        await client.until(is_event("bot_uttered"))
        await client.close()
        return event(note)[1]["text"]

    note = run_async(go())
    assert note == TOO_LONG["en"]
    user_events = [e for e in web_stack.tracker(web_stack.conversation_of(cookie))["events"] if e.get("event") == "user"]
    assert len(user_events[-1]["text"]) == 2000
    metadata = user_events[-1]["metadata"]
    assert metadata["language"] == "en" and metadata["truncated"] is True and "evil" not in metadata


@pytest.mark.parametrize("slots, loop, expected", [
    ({}, None, None),
    ({}, "prescreen_form", None),
    ({"contact_consent": "yes"}, "handoff_form", {"state": "in_progress"}),
    ({"contact_consent": "no"}, None, {"state": "not_sent"}),
    ({"contact_consent": "yes", "handoff_confirm": None}, None, {"state": "not_sent"}),  # not confirmed, or failed
    ({"contact_consent": "yes", "lead_id": "12"}, None, {"state": "sent", "reference": "12"}),
    ({"contact_consent": "yes", "lead_id": "12"}, "handoff_form", {"state": "sent", "reference": "12"}),
])
def test_the_hand_off_state_the_page_is_told_comes_from_the_slots(slots, loop, expected):
    from bot.web.channel import handoff_state

    assert handoff_state(slots.get, loop) == expected


def test_what_the_assistant_said_since_the_last_message_is_what_a_reloaded_page_is_sent_again():
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.web.channel import last_bot_messages

    buttons = [{"title": "Yes", "payload": "/affirm"}]
    tracker = DialogueStateTracker.from_events("s-1", [
        UserUttered("hi"), BotUttered("old question"), UserUttered("Ana"), ActionExecuted("handoff_form"),
        BotUttered("Here is the summary"), BotUttered("Send it?", data={"buttons": buttons})])
    assert last_bot_messages(tracker) == [
        {"text": "Here is the summary", "quick_replies": []},
        {"text": "Send it?", "quick_replies": [{"content_type": "text", "title": "Yes", "payload": "/affirm"}]}]
    assert last_bot_messages(DialogueStateTracker.from_events("s-2", [UserUttered("hi")])) == []
