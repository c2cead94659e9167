"""Which language the conversation is in, and how questions refer to the patient.

Order of authority: an explicit request typed at any point ("中文", "español", "English please"),
then the web page's or REST client's ``metadata.language`` when it is new or changes, then a
hint from the first message only. Short or ambiguous messages never flip the language ("ok",
"sí", "hi").
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

LANGUAGES = ("en", "zh", "es")
DEFAULT_LANGUAGE = "en"

# How the Chinese and Spanish questions name the patient, by who is answering.
PATIENT_REF = {
    "zh": {"patient": ("您", "您"), "guardian": ("您的孩子", "您的孩子"), "other": ("患者", "患者")},
    "es": {"patient": ("usted", "Usted"), "guardian": ("su hijo o hija", "Su hijo o hija"), "other": ("el paciente", "El paciente")},
    "en": {"patient": ("you", "You"), "guardian": ("your child", "Your child"), "other": ("the patient", "The patient")},
}

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_WORD = re.compile(r"[^\W\d_]+")


def patient_ref_slots(language: Optional[str], respondent: Optional[str]) -> Dict[str, Any]:
    """The {patient_ref} / {patient_ref_title} words the zh and es questions use."""
    lang = language if language in PATIENT_REF else DEFAULT_LANGUAGE
    ref, title = PATIENT_REF[lang].get(respondent or "patient", PATIENT_REF[lang]["patient"])
    return {"patient_ref": ref, "patient_ref_title": title}


def first_message_language(text: str, hint: Optional[str]) -> Optional[str]:
    """A cautious reading of a first message: the NLU component's hint (bot.parsing.guess_language)
    only counts for two or more Chinese characters or three or more words, so "ok", "sí" or "hi"
    never decide. (Messages in other languages are answered by the channel, bot/channels.py.)"""
    sample = (text or "")[:500]
    if len(_CJK.findall(sample)) >= 2:
        return "zh"
    if len(_WORD.findall(sample)) < 3:
        return None
    return hint if hint in LANGUAGES else None


def _language_of(metadata: Any) -> Optional[str]:
    lang = metadata.get("language") if isinstance(metadata, dict) else None
    if isinstance(lang, str):
        lang = lang.lower()[:2]
    return lang if lang in LANGUAGES else None


def _metadata_language(tracker: Tracker) -> Optional[str]:
    """The page's or client's language, when it is new: the first message, or a change from the
    previous message's. A page that keeps sending the same language does not undo a switch the
    person typed ("English please")."""
    current = _language_of(tracker.latest_message.get("metadata"))
    if current is None:
        return None
    users = _user_events(tracker)
    previous = _language_of(users[-2].get("metadata")) if len(users) >= 2 else None
    return current if current != previous else None


def _user_events(tracker: Tracker) -> List[Dict[str, Any]]:
    return [event for event in tracker.events if event.get("event") == "user"]


def requested_language(tracker: Tracker) -> Optional[str]:
    """An explicit "speak Chinese" request in the latest message."""
    if (tracker.latest_message.get("intent") or {}).get("name") != "switch_language":
        return None
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "lang" and entity.get("value") in LANGUAGES:
            return entity["value"]
    return None


def _language_events(tracker: Tracker, language: str) -> List[EventType]:
    events: List[EventType] = []
    if tracker.get_slot("language") != language:
        events.append(SlotSet("language", language))
    for name, value in patient_ref_slots(language, tracker.get_slot("respondent")).items():
        if tracker.get_slot(name) != value:
            events.append(SlotSet(name, value))
    return events


def detect_language(tracker: Tracker) -> List[EventType]:
    """The language (and patient_ref) slot events for the latest message, by the order above."""
    language = requested_language(tracker) or _metadata_language(tracker)
    if language is None and len(_user_events(tracker)) <= 1:
        language = first_message_language(
            tracker.latest_message.get("text") or "", tracker.latest_message.get("language_hint")
        )
    return _language_events(tracker, language or tracker.get_slot("language") or DEFAULT_LANGUAGE)


class ActionDetectLanguage(Action):
    """The `language` slot's custom mapping: after every message outside a form, and after an
    explicit request anywhere. Inside a form the form's validation does the same (actions/forms.py,
    FollowsLanguage), which saves Rasa one action-server call per answer."""

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
        lang = _language_of(tracker.get_slot("session_started_metadata"))
        if lang is not None:
            events.append(SlotSet("language", lang))
            events.extend(SlotSet(k, v) for k, v in patient_ref_slots(lang, carried.get("respondent")).items())
        events.append(ActionExecuted("action_listen"))
        return events
