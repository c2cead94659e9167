"""The conversation's language, set once per message from ``bot.understanding.language.decide``.

Outside a form the `language` slot's custom mapping runs ``action_detect_language``; inside a
form the form's validation applies the same decision (actions/forms.py), which saves Rasa one
action-server call per answer.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.understanding.language import Decision, decide, language_of, patient_ref_slots

__all__ = ["decision_for", "detect_language", "patient_ref_slots"]


def _user_events(tracker: Tracker) -> List[Dict[str, Any]]:
    return [event for event in tracker.events if event.get("event") == "user"]


def decision_for(tracker: Tracker) -> Decision:
    """The language decision for the latest message, from what the tracker knows."""
    users = _user_events(tracker)
    previous = language_of(users[-2].get("metadata")) if len(users) >= 2 else None
    return decide(
        str(tracker.latest_message.get("text") or ""),
        metadata_language=language_of(tracker.latest_message.get("metadata")),
        previous_metadata_language=previous,
        current=tracker.get_slot("language"),
        first_message=len(users) <= 1,
    )


def detect_language(tracker: Tracker) -> List[EventType]:
    """The language (and patient_ref) slot events for the latest message."""
    language = decision_for(tracker).language
    events: List[EventType] = []
    if tracker.get_slot("language") != language:
        events.append(SlotSet("language", language))
    for name, value in patient_ref_slots(language, tracker.get_slot("respondent")).items():
        if tracker.get_slot(name) != value:
            events.append(SlotSet(name, value))
    return events


def requested_language(tracker: Tracker) -> Optional[str]:
    return decision_for(tracker).requested


class ActionDetectLanguage(Action):
    """The `language` slot's custom mapping (outside forms, and on an explicit request)."""

    def name(self) -> Text:
        return "action_detect_language"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        return detect_language(tracker)


class ActionSwitchLanguage(Action):
    """Confirms an explicit language request; answers are kept, only the wording changes."""

    def name(self) -> Text:
        return "action_switch_language"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if requested_language(tracker) is None:
            dispatcher.utter_message(response="utter_language_unsupported")
            return []
        dispatcher.utter_message(response="utter_language_switched")
        return []


class ActionSessionStart(Action):
    """Starts a session in the language the page or client asked for, keeping earlier slots."""

    def name(self) -> Text:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        events: List[EventType] = [SessionStarted()]
        carried = {k: v for k, v in tracker.slots.items() if v is not None and k != "session_started_metadata"}
        events.extend(SlotSet(k, v) for k, v in carried.items())
        lang = language_of(tracker.get_slot("session_started_metadata"))
        if lang is not None:
            events.append(SlotSet("language", lang))
            events.extend(SlotSet(k, v) for k, v in patient_ref_slots(lang, carried.get("respondent")).items())
        events.append(ActionExecuted("action_listen"))
        return events
