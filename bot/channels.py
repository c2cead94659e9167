"""The REST channel, hardened: whatever arrives gets a clear answer and nothing is lost.

`SafeRestInput` replaces Rasa's `rest` channel (same URL, `/webhooks/rest/webhook`):

- the message is cleaned (NUL and other control characters, zero-width and direction-override
  characters removed) and capped at MAX_MESSAGE_CHARS, with a note that only the beginning was
  read; a message clearly in a language the assistant does not speak gets a note in all three
  languages (and is still passed on, so nothing is lost);
- odd `sender` ids are accepted but mapped to a short stable id; a request that is not JSON, or
  has no usable sender, gets a 400 with a plain explanation, never a 500; a body not sent as
  JSON (`Content-Type: application/json`) gets a 415, and one over MAX_BODY_BYTES a 413, read no
  further than the cap;
- when the action server is down, or a turn takes longer than TURN_TIMEOUT_S, or the turn fails,
  the person is told plainly that their answer could not be saved and how to reach the study,
  in their language; the assistant never answers with silence or a success it did not have;
- it is a trusted back-end interface: whoever calls it names the conversation (``sender``) and
  reads its answers, so it is for programs on this machine (tests, the benchmark, the simulator)
  and for back ends that authenticate people themselves, never for browsers (the web page uses
  the socket.io channel with server-issued sessions). When it is exposed - Rasa bound to an
  interface other than loopback, or ``REST_TOKEN`` set at all - every message needs
  ``Authorization: Bearer <REST_TOKEN>``; exposed without a token set, it refuses everything.

These few texts live here, not in the domain, because they must work when the normal response
path (the action server, the dialogue) does not, and because custom slot-mapping actions in
Rasa 3.6 cannot send messages.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import json
import logging
import os
import re
import time
from typing import Any, Awaitable, Callable, Dict, List, Optional, Tuple

import aiohttp
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

from bot import speedups

logger = logging.getLogger(__name__)

from bot import logs  # noqa: E402

logs.install()  # the Rasa server's log hygiene (bot/logs.py): this module is what Rasa loads at start

MAX_MESSAGE_CHARS = 2000
# A 2,000-character message is at most about 12 KB of JSON (\uXXXX escapes); anything far bigger
# is not a message, and is refused before it is read.
MAX_BODY_BYTES = 64 * 1024
_JSON_TYPE = re.compile(r"^\s*application/(?:[\w.+-]+\+)?json\s*(?:;.*)?$", re.IGNORECASE | re.DOTALL)
NOT_JSON = "Send the message as JSON, with the header Content-Type: application/json."
TOO_BIG = f"The request is too large: at most {MAX_BODY_BYTES // 1024} KB of JSON is accepted."
MAX_SENDER_CHARS = 128
TURN_TIMEOUT_S = float(os.environ.get("TURN_TIMEOUT_S", "20"))
HEALTH_CACHE_S = 2.0
HEALTH_TIMEOUT_S = 1.5

_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_SAFE_SENDER = re.compile(r"^[A-Za-z0-9_.:@-]{1,128}$")

UNAVAILABLE = {
    "en": "Sorry, something went wrong on our side and your last answer could not be saved. Please "
    "try again in a few minutes. If it keeps happening, the trial is run by Beijing GoBroad "
    "Hospital, and the treating doctor can contact the study team for you.",
    "zh": "抱歉，我们这边出了问题，您刚才的回答没有保存成功。请过几分钟再试。如果问题持续，本试验由"
    "北京高博医院开展，您的主治医生可以替您联系研究团队。",
    "es": "Lo siento, algo ha fallado por nuestra parte y su última respuesta no se ha podido guardar. "
    "Inténtelo de nuevo en unos minutos. Si sigue ocurriendo, el ensayo lo realiza el Beijing GoBroad "
    "Hospital y su médico puede contactar con el equipo del estudio.",
}


TOO_LONG = {
    "en": "That message was very long, so I only read the beginning. A short answer is plenty.",
    "zh": "这条消息太长了，我只读了开头部分。简短回答就可以。",
    "es": "Ese mensaje era muy largo, así que solo he leído el principio. Con una respuesta corta basta.",
}
def notices(text: str, truncated: bool, metadata: Dict[str, Any]) -> List[Dict[str, Any]]:
    """Plain notes the channel adds before the assistant's own answer."""
    language = str(metadata.get("language") or "en")[:2]
    notes = []
    if truncated:
        notes.append({"recipient_id": None, "text": TOO_LONG.get(language, TOO_LONG["en"])})
    return notes


# Rasa's built-in commands that wipe or rewind a conversation when typed: read as plain words.
_BUILTIN_COMMAND = re.compile(r"^\s*/(restart|back|session_start|nlu_fallback)\b", re.IGNORECASE)


def clean_message(text: Any) -> Tuple[str, bool]:
    """The text to process, and whether it was cut to MAX_MESSAGE_CHARS."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = _INVISIBLE.sub("", text)
    text = _BUILTIN_COMMAND.sub(lambda m: m.group(1), text)
    if len(text) > MAX_MESSAGE_CHARS:
        return text[:MAX_MESSAGE_CHARS], True
    return text, False


def clean_sender(sender: Any) -> Optional[str]:
    """A usable conversation id: short safe ids as they are, anything else hashed (stable)."""
    if isinstance(sender, bool) or sender is None:
        return None
    if isinstance(sender, (int, float)):
        sender = str(sender)
    if not isinstance(sender, str) or not sender.strip():
        return None
    if _SAFE_SENDER.match(sender):
        return sender
    return "h-" + hashlib.sha256(sender.encode("utf-8", "surrogatepass")).hexdigest()[:40]


def clean_metadata(metadata: Any, truncated: bool) -> Dict[str, Any]:
    """Only what the assistant uses: the language, and whether the message was cut."""
    cleaned: Dict[str, Any] = {}
    if isinstance(metadata, dict) and isinstance(metadata.get("language"), str):
        cleaned["language"] = metadata["language"][:8]
    if truncated:
        cleaned["truncated"] = True
    return cleaned


def unavailable_reply(metadata: Dict[str, Any]) -> List[Dict[str, Any]]:
    language = str(metadata.get("language") or "en")[:2]
    return [{"recipient_id": None, "text": UNAVAILABLE.get(language, UNAVAILABLE["en"])}]


class ActionServerProbe:
    """Is the action server answering? A good answer is trusted for HEALTH_CACHE_S seconds.

    Only a server that refuses or fails the probe counts as down. A slow answer on a loaded
    machine is not: the turn goes ahead, under its own timeout, rather than telling a person their
    answer could not be saved when it would have been. A "down" is never cached, so the first
    message after the action server is back goes through.
    """

    def __init__(self, webhook_url: Optional[str]):
        self.health_url = re.sub(r"/webhook/?$", "/health", webhook_url) if webhook_url else None
        self._checked_at = 0.0
        self._ok = True

    async def ok(self) -> bool:
        if self.health_url is None:
            return True
        now = time.monotonic()
        if self._ok and now - self._checked_at < HEALTH_CACHE_S:
            return True
        try:
            timeout = aiohttp.ClientTimeout(total=HEALTH_TIMEOUT_S)
            async with aiohttp.ClientSession(timeout=timeout) as session:
                async with session.get(self.health_url) as resp:
                    self._ok = resp.status == 200
        except asyncio.TimeoutError:
            self._ok = True  # slow, not down
        except Exception:
            self._ok = False
        self._checked_at = now
        return self._ok


async def guarded_turn(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    probe: ActionServerProbe,
    message: UserMessage,
    answered: Callable[[], bool],
) -> Optional[List[Dict[str, Any]]]:
    """One turn through Rasa. None when it went through; otherwise the plain "could not be
    saved" reply to send instead (action server down, timeout, failure, or silence).
    Shared by the REST and socket.io channels."""
    metadata = message.metadata or {}
    if not await probe.ok():
        logger.warning("action server unavailable; turn refused")
        return unavailable_reply(metadata)
    try:
        await asyncio.wait_for(on_new_message(message), timeout=TURN_TIMEOUT_S)
    except asyncio.TimeoutError:
        logger.warning("turn timed out after %ss", TURN_TIMEOUT_S)
        return unavailable_reply(metadata)
    except Exception as error:  # never a 500 or silence for the person
        logger.error("turn failed: %s", type(error).__name__)
        return unavailable_reply(metadata)
    # Every path of the dialogue answers; silence means an action failed on the way.
    return None if answered() else unavailable_reply(metadata)


async def read_capped(request: Request, limit: int = MAX_BODY_BYTES) -> Optional[bytes]:
    """The streamed body, or None as soon as it is longer than ``limit`` (or says it will be)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    while True:
        chunk = await request.stream.read()
        if chunk is None:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)


def is_loopback(host: Optional[str]) -> bool:
    """Whether Rasa listens on loopback only. Unknown (no host given) is Sanic's 127.0.0.1."""
    if not host or host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name or 0.0.0.0-like wildcard: reachable from elsewhere


def rest_token_refusal(request: Request, token: str) -> Optional[response.HTTPResponse]:
    """None when the caller may use the REST channel; otherwise the 401/403 to answer."""
    if not token:
        if is_loopback(getattr(request.app.state, "host", None)):
            return None
        logger.warning("REST channel refused: Rasa is bound to a public interface and REST_TOKEN is not set")
        return response.json({"error": "This REST channel is a trusted back-end interface and is exposed here: "
                                       "set REST_TOKEN and send 'Authorization: Bearer <token>'."}, status=403)
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        return response.json({"error": "Send 'Authorization: Bearer <REST_TOKEN>'."}, status=401,
                             headers={"WWW-Authenticate": 'Bearer realm="rest"'})
    return None


class SafeRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("safe_rest_webhook", __name__)
        speedups.register(webhook)  # the speed patches, as the server starts
        probe = ActionServerProbe(os.environ.get("ACTION_SERVER_URL"))
        token = os.environ.get("REST_TOKEN", "").strip()

        @webhook.route("/", methods=["GET"])
        async def health(request: Request):
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request):
            refused = rest_token_refusal(request, token)
            if refused is not None:
                return refused
            if not _JSON_TYPE.match(request.headers.get("content-type", "")):
                return response.text(NOT_JSON, status=415)
            raw = await read_capped(request)
            if raw is None:
                return response.text(TOO_BIG, status=413)
            try:
                body = json.loads(raw)
            except Exception:
                body = None
            if not isinstance(body, dict):
                return response.json({"error": "The request body must be a JSON object with 'sender' and 'message'."}, status=400)
            sender = clean_sender(body.get("sender"))
            if sender is None:
                return response.json({"error": "'sender' must be a non-empty string that names the conversation."}, status=400)
            text, truncated = clean_message(body.get("message"))
            metadata = clean_metadata(body.get("metadata"), truncated)
            collector = CollectingOutputChannel()
            message = UserMessage(text, collector, sender, input_channel=self.name(), metadata=metadata or None)
            failed = await guarded_turn(on_new_message, probe, message, lambda: bool(collector.messages))
            return response.json(notices(text, truncated, metadata) + (failed or collector.messages))

        return webhook
