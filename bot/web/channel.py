"""Rasa's socket.io input channel, fixed for the python-socketio this project installs.

Name it in credentials.yml instead of the built-in ``socketio`` (same settings)::

    bot.web.channel.SocketIOInput:
      user_message_evt: user_uttered
      bot_message_evt: bot_uttered
      session_persistence: true

What differs from ``rasa.core.channels.socketio.SocketIOInput`` (Rasa 3.6.21):

1. Session persistence works. Rasa calls ``sio.enter_room(...)`` without ``await``; since
   python-socketio 5.10 that is a coroutine on ``AsyncServer``, so the socket never joins the
   conversation's room and every bot message (sent to ``room=session_id``) is dropped. Here the
   socket joins its conversation's room when it connects (see 5), awaiting ``enter_room`` when it
   is a coroutine, so it works with old and new python-socketio alike.
2. Origins are checked. Rasa builds its server with ``cors_allowed_origins=[]``, which turns the
   check off entirely, so a page on any website could open a WebSocket to the assistant
   (``rasa run --cors`` only adds CORS headers to HTTP responses; browsers do not apply CORS to
   WebSockets). Here ``cors_allowed_origins`` comes from the credentials: unset means the Rasa
   server's own origin only, which is all the page needs because the web server
   (``bot.web.server``) relays ``/socket.io/`` from the page's origin and sends no Origin header.
   List the page's origin(s) only if a page connects to Rasa directly.
3. Messages get the same care as on the hardened REST channel (``bot.channels``): text cleaned
   and capped at 2000 characters (with a note when cut), metadata reduced to the language, a
   note for a language the assistant does not speak, and a plain "your answer could not be
   saved" message, in the person's language, when the action server is down, a turn fails or
   takes too long, or the dialogue says nothing: the page never waits in silence.
4. After each turn the page gets a ``turn_state`` event: the language the assistant is now
   speaking, with the language the page had when it sent the message (so the page can follow
   a switch the person typed, "¿podemos hablar en español?", and ignore a turn sent before the
   person changed the picker), and whether the conversation is in the hand-off, where names,
   phone numbers and e-mail addresses are asked for and repeated back (so the page does not
   keep that part in the browser's storage), and what became of the hand-off (``sent`` with the
   lead's reference, ``in_progress``, ``not_sent``, or none yet), computed from the
   conversation's slots, so a reloaded page can say so without keeping contact details. The
   same event goes to a socket right after ``session_confirm``.
5. The conversation id is not a credential. Each socket is bound, when it connects, to the
   conversation named by a session token the page server signed (``bot.sessions``; the relay
   sends it in the ``X-Prescreen-Session`` header). A socket without a valid token is refused;
   the ``session_id`` a socket asks for or sends with a message is ignored, so a copied or
   guessed id neither joins that conversation's room (its live messages) nor speaks in it.
   ``session_confirm`` answers with a tag the page may keep, never the id.
"""

from __future__ import annotations

import inspect
import json
import logging
import os
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text, Union

from rasa.core.channels.channel import InputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from rasa.core.channels.socketio import SocketIOOutput
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint

from bot import speedups
from bot.channels import ActionServerProbe, clean_message, clean_metadata, guarded_turn, notices
from bot.sessions import RELAY_HEADER, SessionSigner

logger = logging.getLogger(__name__)

HANDOFF_FORM = "handoff_form"  # domain/handoff.yml: asks for and repeats back contact details
SESSION_ENVIRON_KEY = "HTTP_" + RELAY_HEADER.upper().replace("-", "_")

Origins = Union[None, str, List[str]]


class SocketIOInput(RasaSocketIOInput):
    """The socket.io channel with working session persistence and an origin check."""

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        return cls(
            credentials.get("user_message_evt", "user_uttered"),
            credentials.get("bot_message_evt", "bot_uttered"),
            credentials.get("namespace"),
            credentials.get("session_persistence", False),
            credentials.get("socketio_path", "/socket.io"),
            credentials.get("jwt_key"),
            credentials.get("jwt_method", "HS256"),
            credentials.get("metadata_key", "metadata"),
            cors_allowed_origins=credentials.get("cors_allowed_origins"),
        )

    def __init__(self, *args: Any, cors_allowed_origins: Origins = None,
                 signer: Optional[SessionSigner] = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.signer = signer  # None: from the environment when the server starts (bot.sessions)
        if isinstance(cors_allowed_origins, list):
            cors_allowed_origins = [str(origin).rstrip("/") for origin in cors_allowed_origins]
        elif isinstance(cors_allowed_origins, str):
            cors_allowed_origins = cors_allowed_origins.rstrip("/")
        if cors_allowed_origins == "*" or cors_allowed_origins == ["*"]:
            raise ValueError("cors_allowed_origins: '*' would let any website talk to the assistant")
        self.cors_allowed_origins = cors_allowed_origins

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        socketio_webhook = super().blueprint(on_new_message)
        speedups.register(socketio_webhook)  # the speed patches, as the server starts

        @socketio_webhook.listener("after_server_start")
        async def _remember_app(app: Any, loop: Any) -> None:
            self.app = app  # app.ctx.agent is Rasa's agent, also after a model is replaced

        sio = self.sio
        assert sio is not None
        # None: only the Rasa server's own origin (and clients that send no Origin header).
        sio.eio.cors_allowed_origins = self.cors_allowed_origins
        signer = self.signer or SessionSigner.from_env()

        async def connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            session = signer.verify(environ.get(SESSION_ENVIRON_KEY))
            if session is None:
                logger.info("A socket.io connection without a valid session was refused.")
                return False
            await sio.save_session(sid, {"conversation_id": session.conversation_id}, namespace=self.namespace)
            # The room the assistant's answers go to: only sockets bound to the conversation join it.
            entered = sio.enter_room(sid, session.conversation_id, namespace=self.namespace)
            if inspect.isawaitable(entered):
                await entered
            return True

        async def conversation_of(sid: Text) -> Optional[str]:
            try:
                return (await sio.get_session(sid, namespace=self.namespace)).get("conversation_id")
            except KeyError:  # disconnected meanwhile
                return None

        async def session_request(sid: Text, data: Any = None) -> None:
            # Whatever session_id is asked for: the socket's own conversation, by its tag.
            conversation_id = await conversation_of(sid)
            if conversation_id is None:
                return
            await sio.emit("session_confirm", signer.tag(conversation_id), room=sid, namespace=self.namespace)
            tracker = await self._tracker(conversation_id)
            if tracker is None:
                return
            if isinstance(data, dict) and data.get("replay") is True:
                # A page reloaded in the hand-off keeps no copy of the question: say it again, to it only.
                for message in last_bot_messages(tracker):
                    await sio.emit(self.bot_message_evt, message, room=sid, namespace=self.namespace)
            await sio.emit("turn_state", {**turn_state(tracker), "asked": None}, room=sid, namespace=self.namespace)

        probe = ActionServerProbe(os.environ.get("ACTION_SERVER_URL"))

        async def handle_message(sid: Text, data: Any) -> None:
            if not isinstance(data, dict):
                return
            sender = await conversation_of(sid)  # never data["session_id"]: that is only a claim
            if sender is None:
                return
            raw_metadata = data.get(self.metadata_key) or {}
            if isinstance(raw_metadata, str):
                try:
                    raw_metadata = json.loads(raw_metadata)
                except ValueError:
                    raw_metadata = {}
            text, truncated = clean_message(data.get("message"))
            metadata = clean_metadata(raw_metadata, truncated)
            await self._turn(sio, on_new_message, probe, text, truncated, sender, metadata)

        # Replace the handlers Rasa registered under the same events and namespace.
        sio.on("connect", connect, namespace=self.namespace)
        sio.on("session_request", session_request, namespace=self.namespace)
        sio.on(self.user_message_evt, handle_message, namespace=self.namespace)
        return socketio_webhook

    async def _turn(self, sio: Any, on_new_message: Callable[[UserMessage], Awaitable[Any]],
                    probe: ActionServerProbe, text: str, truncated: bool, sender: str,
                    metadata: Dict[str, Any]) -> None:
        """One turn: notes first, then the assistant, or a plain apology instead of silence."""

        async def say(messages: List[Dict[str, Any]]) -> None:
            for note in messages:
                await sio.emit(self.bot_message_evt, {"text": note["text"]}, room=sender, namespace=self.namespace)

        await say(notices(text, truncated, metadata))
        output = _CountingOutput(sio, self.bot_message_evt)
        message = UserMessage(text, output, sender, input_channel=self.name(), metadata=metadata or None)
        failed = await guarded_turn(on_new_message, probe, message, lambda: output.sent > 0)
        if failed:
            await say(failed)
        state = await self._turn_state(sender)
        if state:
            await sio.emit("turn_state", {**state, "asked": metadata.get("language")},
                           room=sender, namespace=self.namespace)

    async def _turn_state(self, sender: str) -> Optional[Dict[str, Any]]:
        """What the page needs after a turn, from the conversation; None when it cannot be read."""
        tracker = await self._tracker(sender)
        return turn_state(tracker) if tracker is not None else None

    async def _tracker(self, sender: str) -> Any:
        """The conversation as the tracker store has it, or None (none yet, or unreadable)."""
        agent = getattr(getattr(getattr(self, "app", None), "ctx", None), "agent", None)
        try:
            return await agent.tracker_store.retrieve(sender) if agent and agent.tracker_store else None
        except Exception:  # noqa: BLE001 - the page keeps what it has; the turn is already done
            logger.warning("The conversation could not be read.")
            return None


def turn_state(tracker: Any) -> Dict[str, Any]:
    language = tracker.get_slot("language")
    return {
        "language": language if isinstance(language, str) else None,
        "contact_step": tracker.active_loop_name == HANDOFF_FORM,
        "handoff": handoff_state(tracker.get_slot, tracker.active_loop_name),
    }


def last_bot_messages(tracker: Any) -> List[Dict[str, Any]]:
    """What the assistant said since the person's last message, as the page receives messages."""
    messages: List[Dict[str, Any]] = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, BotUttered) and (event.text or event.data.get("buttons")):
            buttons = event.data.get("buttons") or []
            messages.append({"text": event.text or "", "quick_replies": [
                {"content_type": "text", "title": b.get("title"), "payload": b.get("payload")} for b in buttons]})
    return messages[::-1]


def handoff_state(slot: Callable[[str], Any], active_loop: Optional[str]) -> Optional[Dict[str, str]]:
    """What became of the hand-off to the coordinator, from the slots actions/handoff.py sets."""
    lead_id = slot("lead_id")
    if lead_id:
        return {"state": "sent", "reference": str(lead_id)}
    if active_loop == HANDOFF_FORM:
        return {"state": "in_progress"}
    if slot("contact_consent") is not None:  # offered and answered, and no lead: declined or not confirmed
        return {"state": "not_sent"}
    return None


class _CountingOutput(SocketIOOutput):
    """Rasa's socket.io output, counting what it sends so silence can be noticed."""

    def __init__(self, sio: Any, bot_message_evt: Text) -> None:
        super().__init__(sio, bot_message_evt)
        self.sent = 0

    async def _send_message(self, socket_id: Text, response: Any) -> None:
        self.sent += 1
        await super()._send_message(socket_id, response)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        self.sent += 1
        await super().send_custom_json(recipient_id, json_message, **kwargs)
