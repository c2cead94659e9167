"""What a stored conversation may hold, and how it is protected at rest.

Minimised: contact details belong in the encrypted lead store, never in stored conversation
events. `stored_copies` gives the events as the tracker store writes them: a user message
received while one of the private answers was being asked (`requested_slot`), a bot message its
action marked private (`dispatcher.utter_message(..., private=True)`, which Rasa 3.6 puts into
the `BotUttered` event's metadata) and a string value set on a private slot are replaced by
`PLACEHOLDER`. The events of the turn in progress are never changed in place: the live tracker
keeps what the person said.

Protected: `EventCodec` turns events into the text kept in the `data` column, encrypted with the
deployment's Fernet key (`LEADS_KEY`, as the lead store's contact fields: bot/leads/crypto.py),
and reads it back with `json.loads` only. Nothing read from disk or a database is ever unpickled.
"""

from __future__ import annotations

import json
import os
from itertools import islice
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from rasa.shared.core.constants import REQUESTED_SLOT
from rasa.shared.core.events import (
    AllSlotsReset,
    BotUttered,
    EntitiesAdded,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUttered,
)

PLACEHOLDER = "[private]"
PRIVATE_FLAG = "private"  # the key rasa_sdk's extra utter_message kwargs put into BotUttered.metadata
_KEPT_BOT_METADATA = ("utter_action", PRIVATE_FLAG)


def _user_message(event: UserUttered) -> Event:
    data = event.as_dict()
    data["text"] = PLACEHOLDER
    parse_data = dict(data.get("parse_data") or {})
    parse_data.update(text=PLACEHOLDER, entities=[])
    parse_data.pop("response_selector", None)
    data["parse_data"] = parse_data
    return Event.from_parameters(data)


def _bot_message(event: BotUttered) -> Event:
    metadata = {k: v for k, v in (event.metadata or {}).items() if k in _KEPT_BOT_METADATA}
    return BotUttered(PLACEHOLDER, data={}, metadata=metadata, timestamp=event.timestamp)


def _requested_after(event: Event, requested: Optional[str]) -> Optional[str]:
    """The question being asked once `event` has been applied."""
    if isinstance(event, SlotSet) and event.key == REQUESTED_SLOT:
        return event.value if isinstance(event.value, str) else None
    if isinstance(event, (Restarted, SessionStarted, AllSlotsReset)):
        return None
    return requested


def requested_before(events: Sequence[Event], index: int) -> Optional[str]:
    """The question being asked just before `events[index]`."""
    requested: Optional[str] = None
    for event in islice(events, index):
        requested = _requested_after(event, requested)
    return requested


def stored_copies(events: Iterable[Event], private: FrozenSet[str], requested: Optional[str] = None) -> List[Event]:
    """New events as they may be stored: the same objects where nothing is private, new
    minimised ones where something is. `requested` is the question being asked before them."""
    stored: List[Event] = []
    private_user = False  # the last user message answered a private question
    for event in events:
        stored.append(minimised(event, requested in private, private_user, private))
        if isinstance(event, UserUttered):
            private_user = requested in private
        requested = _requested_after(event, requested)
    return stored


def minimised(event: Event, asked_private: bool, after_private_user: bool, private: FrozenSet[str]) -> Event:
    """One event as it may be stored (see the module docstring)."""
    if isinstance(event, UserUttered) and asked_private:
        return _user_message(event)
    if isinstance(event, BotUttered) and (event.metadata or {}).get(PRIVATE_FLAG):
        return _bot_message(event)
    if isinstance(event, SlotSet) and event.key in private and isinstance(event.value, str):
        return SlotSet(event.key, PLACEHOLDER, timestamp=event.timestamp, metadata=event.metadata)
    if isinstance(event, EntitiesAdded) and after_private_user and event.entities:
        return EntitiesAdded([], timestamp=event.timestamp, metadata=event.metadata)
    return event


def private_slots(names: Optional[Iterable[str]]) -> FrozenSet[str]:
    """The configured `private_answers` (endpoints.yml) as a set; a lone string is one name."""
    if names is None:
        return frozenset()
    if isinstance(names, str):
        names = [names]
    return frozenset(str(name) for name in names if name)


def deployment_key(env: Optional[Mapping[str, str]] = None) -> str:
    """`LEADS_KEY`, or in development the key file the lead store uses (bot/settings.py)."""
    from bot.settings import VAR_DIR, SettingsError, development_key

    env = os.environ if env is None else env
    key = env.get("LEADS_KEY", "").strip()
    if key:
        return key
    if env.get("APP_ENV", "").strip().lower() == "production":
        raise SettingsError("LEADS_KEY must be set in production: it encrypts stored conversations")
    path = Path(env.get("LEADS_KEY_FILE", "") or VAR_DIR / "leads.key")
    try:
        return development_key(path)
    except FileExistsError:  # another server created it at the same moment
        return path.read_text(encoding="ascii").strip()


CONTINUED = "+"  # the `data` of an event whose JSON is in the encrypted batch of an earlier row


class EventCodec:
    """Event dictionaries to the text of the `data` column and back.

    Without a key: one JSON object per row, Rasa's own format. With a key: the events one save
    writes are encrypted together as one Fernet token (a JSON list) kept in the first row of the
    save; its other rows say `CONTINUED`. A save is one transaction and rows are read in order of
    id, from the start or from the end of an earlier save, so a batch is always read whole; one
    token a turn instead of one an event cuts encryption from about 8 Fernet calls a turn to 1.
    Plain JSON rows (Rasa's format, or written with encryption off) are read either way."""

    def __init__(self, key: Optional[str]):
        # As bot/leads/crypto.ContactCipher: comma-separated keys, the first encrypts, all decrypt.
        # Not imported from there: importing bot.leads loads the actions package into Rasa.
        keys = [k.strip() for k in (key or "").split(",") if k.strip()]
        try:
            self.cipher = MultiFernet([Fernet(k) for k in keys]) if keys else None
        except (ValueError, TypeError):
            raise ValueError("LEADS_KEY is not a valid Fernet key") from None  # never echo the key

    @property
    def encrypted(self) -> bool:
        return self.cipher is not None

    def encode(self, events: Sequence[Dict[str, Any]]) -> List[str]:
        """The `data` of each row of one save, in order."""
        if not events:
            return []
        if self.cipher is None:
            return [json.dumps(data, ensure_ascii=False) for data in events]
        token = self.cipher.encrypt(json.dumps(list(events), ensure_ascii=False).encode("utf-8")).decode("ascii")
        return [token] + [CONTINUED] * (len(events) - 1)

    def decode(self, stored: Sequence[Any]) -> List[Dict[str, Any]]:
        """The event dictionaries of rows read in order; ValueError for anything not ours."""
        events: List[Dict[str, Any]] = []
        pending = 0  # rows still covered by the last batch
        for data in stored:
            if not isinstance(data, str):
                raise ValueError("a stored event is not text")
            if data == CONTINUED:
                if not pending:
                    raise ValueError("a stored event's batch is missing")
                pending -= 1
                continue
            if pending:
                raise ValueError("a stored batch is shorter than its rows")
            value = json.loads(data) if data.lstrip().startswith("{") else self._decrypt(data)
            batch = value if isinstance(value, list) else [value]
            if not all(isinstance(item, dict) for item in batch):
                raise ValueError("a stored event is not an event")
            events.extend(batch)
            pending = len(batch) - 1
        if pending:
            raise ValueError("a stored batch is longer than its rows")
        return events

    def _decrypt(self, token: str) -> Any:
        if self.cipher is None:
            raise ValueError("a stored conversation is encrypted but no key is configured (LEADS_KEY)")
        try:
            return json.loads(self.cipher.decrypt(token.encode("ascii", "replace")))
        except InvalidToken:
            raise ValueError("a stored event cannot be decrypted with LEADS_KEY") from None
