"""Log hygiene for every server: no message text or contact details in any log, and no forged lines.

``install()`` is called once at start-up by each server: the Rasa server (``bot.channels``,
which Rasa imports when it loads its channels), the action server (``bot.action_server.main``)
and the inbox (``bot.cli serve-coordinator``). It works on every record whoever logs it (Rasa,
rasa_sdk, Sanic, socket.io, Python warnings), because it sits in the log-record factory:

1. Rasa 3.6's structlog events: the values of the keys Rasa itself lists as anonymizable
   (``rasa.utils.log_utils._anonymizer``: text, slot values, events, states ...) are replaced
   before they are rendered.
2. Text in flight: every message Rasa receives (``UserMessage``) and, in the action server, the
   tracker's latest message and contact slots (``remember``) are replaced wherever they appear
   in a record made while that request is handled, also JSON- or repr-escaped.
3. Rasa's "Failed to parse arguments in line '<message>'" warning for a typed ``/intent{...}``
   is replaced by a fixed line; Python warnings are routed through logging so this applies.
4. Backstop: anything that is a phone number or an e-mail address becomes [phone] / [email].
5. CR, LF, ANSI escapes and other control characters in the message are escaped, so one record is
   one line and a message cannot start a line of its own.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import traceback
from typing import Any, Tuple

REDACTED = "[redacted]"
MIN_REMEMBERED = 3  # "no", "ok" stay readable; names and numbers do not

# Copied from rasa/utils/log_utils.py (_anonymizer, Rasa 3.6.21): the structlog keys Rasa marks as
# holding what people said or what was said to them.
RASA_ANONYMIZABLE_KEYS = frozenset({
    "text", "response_text", "user_text", "slot_values", "parse_data_text", "parse_data_entities",
    "prediction_events", "tracker_latest_message", "prefilled_slots", "message", "response",
    "slot_candidates", "rasa_event", "rasa_events", "tracker_states", "current_states", "old_states",
    "successes", "current_entity", "next_entity", "states", "entity", "token_text", "user_message",
    "json_message",
})
TEMPLATES = (
    (re.compile(r"Failed to parse arguments in line .*", re.S),
     "Failed to parse a typed /intent message (its text is not logged)."),
)
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\u2028\u2029]")
_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE_CANDIDATE = re.compile(r"(?:\+|00)?\d[\d \-().]{5,22}\d")

_in_flight: contextvars.ContextVar[Tuple[re.Pattern, ...]] = contextvars.ContextVar("bot_logs_in_flight", default=())
_base_factory = None


def _variants(text: str) -> set:
    return {text, json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1], repr(text)[1:-1]}


def remember(*texts: Any) -> None:
    """Keep these texts (a message, contact details) out of every record made from now on while
    the current request or task is handled."""
    current = _in_flight.get()
    patterns = list(current)
    for text in texts:
        if not isinstance(text, str) or len(text.strip()) < MIN_REMEMBERED:
            continue
        alternatives = "|".join(re.escape(v) for v in sorted(_variants(text.strip()), key=len, reverse=True))
        patterns.append(re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)"))
    if len(patterns) != len(current):
        _in_flight.set(tuple(patterns))


def _phone(match: re.Match) -> str:
    from bot.leads.validation import valid_phone

    return "[phone]" if valid_phone(match.group(0)) else match.group(0)


def scrub(text: str) -> str:
    """Everything but the line-forging defence: for tracebacks, which are many lines by nature."""
    for pattern in _in_flight.get():
        text = pattern.sub(REDACTED, text)
    for pattern, replacement in TEMPLATES:
        text = pattern.sub(replacement, text)
    text = _EMAIL.sub("[email]", text)
    return _PHONE_CANDIDATE.sub(_phone, text)


def one_line(text: str) -> str:
    text = _ANSI.sub("", text)
    return _CONTROL.sub(lambda m: {"\n": "\\n", "\r": "\\r"}.get(m.group(0), f"\\x{ord(m.group(0)):02x}"), text)


def _record_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a broken format string is logged as it is
        return record
    clean = one_line(scrub(message))
    if clean != message or record.args:
        record.msg, record.args = clean, ()
    if record.exc_info and record.exc_info[0] is not None:
        record.exc_text = scrub("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
    return record


def _structlog_redactor(_logger: Any, _name: str, event_dict: dict) -> dict:
    for key in RASA_ANONYMIZABLE_KEYS.intersection(event_dict):
        event_dict[key] = REDACTED
    return event_dict


def _patch_structlog() -> None:
    """Into the processor list Rasa configured (shared by loggers already bound)."""
    structlog = sys.modules.get("structlog")
    if structlog is None:
        return
    processors = structlog.get_config()["processors"]
    if _structlog_redactor not in processors:
        processors.insert(0, _structlog_redactor)


def _patch_rasa_messages() -> None:
    """Every message Rasa receives is remembered for the request handling it."""
    channel = sys.modules.get("rasa.core.channels.channel")
    if channel is None or getattr(channel.UserMessage.__init__, "_remembers", False):
        return
    original = channel.UserMessage.__init__

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        remember(self.text)

    __init__._remembers = True
    channel.UserMessage.__init__ = __init__


def install() -> None:
    """Idempotent; call at start-up, after the framework has configured its own logging."""
    global _base_factory
    if _base_factory is None:
        _base_factory = logging.getLogRecordFactory()
        logging.setLogRecordFactory(_record_factory)
    logging.captureWarnings(True)
    _patch_structlog()
    _patch_rasa_messages()
