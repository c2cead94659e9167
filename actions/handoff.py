"""Hand-off to the study coordinator: consent, contact details, a summary to confirm, the lead.

Nothing identifying is collected before ``contact_consent`` is yes, and nothing is stored before
the person has seen the summary and confirmed it. The store and settings come from ``bot``.
"""

from __future__ import annotations

import logging
import re
import time
from functools import lru_cache
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import answers as ans
from actions.criteria import LIKELY_ELIGIBLE, NEEDS_REVIEW, NO, QUESTION_ORDER, UNSURE, YES
from actions.forms import EmergencyFirst, FollowsLanguage, NamesNextQuestion, answer_validator
from actions.labels import LABELS, VALUE_LABELS
from bot.leads.validation import normalise_phone, valid_email, valid_phone

logger = logging.getLogger(__name__)

HANDOFF_QUESTIONS = ("contact_consent", "contact_name", "contact_details", "contact_time", "handoff_confirm")
CONTACT_SLOTS = ("contact_name", "contact_phone", "contact_email", "contact_wechat", "contact_time")
HANDOFF_OUTCOMES = (LIKELY_ELIGIBLE, NEEDS_REVIEW)
MAX_NAME = 100
MAX_TIME = 100
SAVE_ATTEMPTS = 3

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_EMAIL_IN_TEXT = re.compile(r"[^\s,;，；<>()]+@[^\s,;，；<>()]+")
_PHONE_IN_TEXT = re.compile(r"(?:\+|00)?\d[\d\s\-().]{5,20}\d")
_WECHAT_LABELLED = re.compile(r"(?:wechat|weixin|微信(?:号)?|wx)\s*(?:id)?\s*[:：是为]?\s*([A-Za-z][-_A-Za-z0-9]{5,19})", re.I)
_WECHAT_ID = re.compile(r"^[A-Za-z][-_A-Za-z0-9]{5,19}$")


def clean_text(value: Any, limit: int) -> str:
    """Text as typed, minus control and direction-override characters, trimmed and capped."""
    return _CONTROL.sub("", str(value or "")).strip()[:limit]


def parse_contact_details(text: str) -> Dict[str, Optional[str]]:
    """Phone, e-mail and WeChat ID found in one free-text answer (each None when absent)."""
    text = clean_text(text, 500)
    found: Dict[str, Optional[str]] = {"contact_phone": None, "contact_email": None, "contact_wechat": None}
    for candidate in _EMAIL_IN_TEXT.findall(text):
        candidate = candidate.strip(".")
        if valid_email(candidate):
            found["contact_email"] = candidate
            text = text.replace(candidate, " ")
            break
    labelled = _WECHAT_LABELLED.search(text)
    if labelled:
        found["contact_wechat"] = labelled.group(1)
        text = text.replace(labelled.group(0), " ")
    for candidate in _PHONE_IN_TEXT.findall(text):
        if valid_phone(candidate):
            found["contact_phone"] = normalise_phone(candidate)
            text = text.replace(candidate, " ")
            break
    if not any(found.values()):
        words = text.split()
        if len(words) == 1 and _WECHAT_ID.match(words[0]) and not words[0].isdigit():
            found["contact_wechat"] = words[0]
    return found


@lru_cache(maxsize=1)
def lead_store():
    """One store per action-server process (settings from the environment)."""
    from bot.leads.store import LeadStore
    from bot.settings import Settings

    settings = Settings.from_env()
    return LeadStore(settings), settings


def record_funnel(conversation_id: str, stage: str) -> None:
    """Counts for the coordinator's funnel; never allowed to break the conversation."""
    try:
        store, _ = lead_store()
        store.record_funnel(conversation_id, stage)
    except Exception as error:  # a funnel count is not worth failing a family's conversation
        logger.warning("funnel %s not recorded: %s", stage, type(error).__name__)


class ValidateHandoffForm(EmergencyFirst, FollowsLanguage, NamesNextQuestion, FormValidationAction):
    def name(self) -> Text:
        return "validate_handoff_form"

    async def required_slots(self, domain_slots, dispatcher, tracker: Tracker, domain: DomainDict) -> List[Text]:
        """All hand-off questions once consent is yes (so a just-typed answer is always
        validated); none at all without a positive or unsure result, or without consent."""
        if tracker.get_slot("prescreen_outcome") not in HANDOFF_OUTCOMES:
            return []
        consent = tracker.get_slot("contact_consent")
        if consent not in ans.TRI_VALUES:
            return ["contact_consent"]
        return list(HANDOFF_QUESTIONS) if consent == YES else []

    validate_contact_consent = answer_validator("contact_consent", ans.tri_answer, "utter_not_understood_tri")
    validate_handoff_confirm = answer_validator("handoff_confirm", ans.tri_answer, "utter_not_understood_tri")

    def validate_contact_name(self, value, dispatcher, tracker, domain):
        name = clean_text(value, MAX_NAME)
        if not name or not any(ch.isalpha() for ch in name) or name.startswith("/"):
            dispatcher.utter_message(response="utter_not_understood_name")
            return {"contact_name": None}
        return {"contact_name": name}

    def validate_contact_details(self, value, dispatcher, tracker, domain):
        found = parse_contact_details(str(value or ""))
        if not any(found.values()):
            dispatcher.utter_message(response="utter_not_understood_contact")
            return {"contact_details": None}
        return {"contact_details": "given", **found}

    def validate_contact_time(self, value, dispatcher, tracker, domain):
        if ans.tri_answer(tracker) in (NO, UNSURE) or str(value).startswith("/"):
            return {"contact_time": "no preference"}
        text = clean_text(value, MAX_TIME)
        return {"contact_time": text or "no preference"}


def summary_lines(slots: Dict[str, Any], language: str) -> List[str]:
    """What would be shared, in the person's language: every answer given, then the contact."""
    labels = LABELS.get(language, LABELS["en"])
    values = VALUE_LABELS.get(language, VALUE_LABELS["en"])
    answers = ans.current_answers(slots)
    lines = []
    for slot in QUESTION_ORDER:
        if slot == "prescreen_consent" or slot not in answers:
            continue
        value = answers[slot]
        if slot == "ecog" and value != UNSURE:
            shown = values[f"ecog_{int(value)}"]
        elif slot == "sex":
            shown = values[f"sex_{value}"]
        elif isinstance(value, float):
            shown = f"{value:g}"
        else:
            shown = values.get(value, str(value))
        lines.append(f"• {labels[slot]}: {shown}")
    for slot in CONTACT_SLOTS:
        if slots.get(slot):
            lines.append(f"• {labels[slot]}: {slots[slot]}")
    return lines


class ActionAskHandoffConfirm(Action):
    """Shows the summary, then asks whether to send it."""

    def name(self) -> Text:
        return "action_ask_handoff_confirm"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        language = tracker.get_slot("language") or "en"
        dispatcher.utter_message(response="utter_handoff_summary_intro")
        dispatcher.utter_message(text="\n".join(summary_lines(tracker.slots, language)))
        dispatcher.utter_message(response="utter_ask_handoff_confirm")
        return []


class ActionSubmitLead(Action):
    """Stores the lead (one per conversation) after consent and confirmation, and says what next."""

    def name(self) -> Text:
        return "action_submit_lead"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if tracker.get_slot("prescreen_outcome") not in HANDOFF_OUTCOMES:
            dispatcher.utter_message(response="utter_handoff_not_sent")
            return []
        if tracker.get_slot("contact_consent") != YES:
            dispatcher.utter_message(response="utter_handoff_declined")
            return [SlotSet(s, None) for s in (*CONTACT_SLOTS, "contact_details", "handoff_confirm")]
        if tracker.get_slot("handoff_confirm") != YES:
            dispatcher.utter_message(response="utter_handoff_not_sent")
            return [SlotSet("handoff_confirm", None)]
        answers = ans.current_answers(tracker.slots)
        from bot.leads.service import lead_fields_from_answers, submit_lead

        fields = lead_fields_from_answers(answers)
        if fields["outcome"] not in HANDOFF_OUTCOMES:
            dispatcher.utter_message(response="utter_handoff_not_sent")
            return [SlotSet("handoff_confirm", None)]
        contact = {
            "name": tracker.get_slot("contact_name"),
            "phone": tracker.get_slot("contact_phone"),
            "email": tracker.get_slot("contact_email"),
            "wechat": tracker.get_slot("contact_wechat"),
            "time": tracker.get_slot("contact_time"),
        }
        for attempt in range(SAVE_ATTEMPTS):
            try:
                store, settings = lead_store()
                result = submit_lead(
                    store,
                    settings,
                    tracker.sender_id,
                    respondent=answers.get("respondent") or "other",
                    language=tracker.get_slot("language") or "en",
                    contact=contact,
                    **fields,
                )
                break
            except Exception as error:  # database down or locked: retry a little, then say so
                logger.warning("lead not saved (attempt %d): %s", attempt + 1, type(error).__name__)
                if attempt + 1 == SAVE_ATTEMPTS:
                    dispatcher.utter_message(response="utter_lead_failed")
                    return [SlotSet("handoff_confirm", None)]
                time.sleep(0.2 * (attempt + 1))
        dispatcher.utter_message(response="utter_lead_sent", lead_ref=f"#{result.lead_id}")
        return [SlotSet("lead_id", str(result.lead_id))]
