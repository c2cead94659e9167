"""What every action needs to know about the conversation: the answers, the open question, the
reply as the interpretation step reads it, and clearing or deleting everything."""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional

import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot import dialogue
from bot.leads.default import lead_store
from bot.trial import TRIAL
from bot.understanding.interpret import (
    CONFIRM,
    Message,
    OpenQuestion,
    Reading,
    button_table,
    interpret,
)

logger = logging.getLogger(__name__)

DOMAIN_DIR = Path(__file__).resolve().parents[1] / "domain"
RESULT_SLOTS = ("prescreen_outcome", "failed_criteria", "unknown_criteria")
HANDOFF_SLOTS = ("contact_consent", "contact_name", "contact_details", "contact_phone", "contact_email",
                 "contact_wechat", "contact_time", "handoff_confirm", "lead_id", "question_consent",
                 "contact_message", "question_confirm")
WORKING_SLOTS = ("pending_answer", "check_statement", "confirm_topic", "change_menu", "clarify_for",
                 "clarify_kind", "question_label", "reask_count", "paused", "requested_slot", "next_form",
                 "replace_details", "recheck", "changing", "check_rejected")
_KINDS: Dict[str, str] = {
    **{slot: kind for questions in dialogue.form_questions().values() for slot, kind in questions},
    **dict(dialogue.CHECKS),
}


def answered(tracker: Tracker) -> Dict[str, Any]:
    """The trial answers given so far (raw, not yet read text counts as unanswered)."""
    return TRIAL.answers(tracker.slots)


def all_answer_slots() -> List[str]:
    return [*TRIAL.slots, *RESULT_SLOTS, *HANDOFF_SLOTS, *WORKING_SLOTS]


def cleared(slots: Iterable[str], keep: Mapping[str, Any] | None = None) -> List[EventType]:
    keep = keep or {}
    return [SlotSet(slot, keep.get(slot)) for slot in slots]


@lru_cache(maxsize=1)
def _buttons() -> Dict[str, Dict[str, str]]:
    """Each question's button titles in every language -> payload, for typed button words."""
    found: Dict[str, Dict[str, str]] = {}
    for path in sorted(DOMAIN_DIR.glob("*.yml")):
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f) or {}
        for name, variants in (doc.get("responses") or {}).items():
            if not name.startswith("utter_ask_"):
                continue
            slot = name[len("utter_ask_"):]
            for variant in variants or []:
                for button in variant.get("buttons") or []:
                    payload = str(button.get("payload", "")).replace("{{", "{").replace("}}", "}")
                    found.setdefault(slot, {})[str(button.get("title", ""))] = payload
    return {slot: button_table(titles) for slot, titles in found.items()}


def open_question(slot: Optional[str], tracker: Tracker) -> OpenQuestion:
    """The question as the interpretation step needs it: its kind, definition and buttons."""
    slot = slot or ""
    buttons = _buttons().get(slot, {})
    if TRIAL.question(slot) is not None:
        return OpenQuestion.of(TRIAL, slot, buttons)
    return OpenQuestion(slot, _KINDS.get(slot, CONFIRM), None, buttons)


def message_of(tracker: Tracker) -> Message:
    latest = tracker.latest_message or {}
    intent = latest.get("classifier_intent") or latest.get("intent") or {}
    entities: Dict[str, Any] = {}
    for entity in latest.get("entities") or []:
        entities.setdefault(entity.get("entity"), entity.get("value"))
    return Message(
        text=str(latest.get("text") or ""),
        intent=intent.get("name"),
        confidence=float(intent.get("confidence") or 0.0),
        entities=entities,
        language=tracker.get_slot("language"),
    )


def reading_of(tracker: Tracker, question: Optional[OpenQuestion], answers: Mapping[str, Any]) -> Reading:
    return interpret(message_of(tracker), question, TRIAL, answers)


def delete_everything(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """Deletes the lead, its funnel rows and (through ``data_deleted``) the stored conversation."""
    try:
        store, _ = lead_store()
        store.delete_conversation(tracker.sender_id, actor="patient")
    except Exception as error:  # the person is told; nothing is claimed that did not happen
        logger.warning("delete failed: %s", type(error).__name__)
        dispatcher.utter_message(response="utter_delete_failed")
        return []
    try:
        from bot import resume

        resume.forget(tracker.sender_id)  # a code given earlier opens nothing any more
    except Exception as error:
        logger.warning("resume codes not forgotten: %s", type(error).__name__)
    dispatcher.utter_message(response="utter_delete_data")
    return [ActiveLoop(None), *cleared(all_answer_slots()), SlotSet("data_deleted", True)]


def say_resume_code(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """A short code to carry on later, on this device or another (never the conversation id)."""
    try:
        from bot import resume

        code, _expires = resume.issue_code(tracker.sender_id)
    except Exception as error:  # no code today; "continue" on this device still works
        logger.warning("resume code not issued: %s", type(error).__name__)
        return
    dispatcher.utter_message(response="utter_resume_code", resume_code=code, private=True)


def form_in_progress(tracker: Tracker) -> Optional[str]:
    """The form to go back to after something was answered outside it (a question left for the
    coordinator, say): the screening if questions remain, the hand-off if it was under way."""
    outcome = tracker.get_slot("prescreen_outcome")
    answers = answered(tracker)
    if outcome is None and answers.get("prescreen_consent") == "yes" and TRIAL.next_question(answers) \
            and not tracker.get_slot("paused"):
        return dialogue.PRESCREEN_FORM
    if outcome in ("likely_eligible", "needs_review") and not tracker.get_slot("lead_id") \
            and tracker.get_slot("contact_consent") in (None, "yes") and tracker.get_slot("handoff_confirm") is None:
        return dialogue.HANDOFF_FORM
    return None


def next_form(tracker: Tracker) -> List[EventType]:
    """When a form ended to open another ("talk to a person" mid-question): open it."""
    wanted = tracker.get_slot("next_form")
    if wanted not in dialogue.FORMS:
        return []
    fresh = [SlotSet(slot, None) for slot, _kind in dialogue.QUESTION_QUESTIONS] if wanted == dialogue.QUESTION_FORM else []
    return [SlotSet("next_form", None), *fresh, ActiveLoop(wanted)]
