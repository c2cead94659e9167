"""Hand-off to the study coordinator: consent, contact details, a summary to confirm, the lead.

Nothing identifying is collected before ``contact_consent`` is yes, and nothing is stored before
the person has seen the summary and confirmed it. The store and settings come from ``bot``.
"""

from __future__ import annotations

import logging
import re

from bot import dialogue
import time
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.forms import QuestionForm
from bot.leads.default import lead_store
from bot.leads.validation import normalise_phone, valid_email, valid_phone
from bot.trial import TRIAL
from bot.trial.model import HANDOFF_OUTCOMES, NO, TRI_VALUES, UNSURE, YES
from bot.trial.nct06389305.reading import trial_words

logger = logging.getLogger(__name__)

HANDOFF_QUESTIONS = tuple(slot for slot, _kind in dialogue.HANDOFF_QUESTIONS)
CONTACT_SLOTS = ("contact_name", "contact_phone", "contact_email", "contact_wechat", "contact_time")
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


class ValidateHandoffForm(QuestionForm):
    """Consent, name, a way to reach the person, a time, then the summary to confirm."""

    def name(self) -> Text:
        return "validate_handoff_form"

    async def required_slots(self, domain_slots, dispatcher, tracker: Tracker, domain: DomainDict) -> List[Text]:
        """Nothing without a positive or unsure result; only consent until it is yes."""
        if tracker.get_slot("prescreen_outcome") not in HANDOFF_OUTCOMES or tracker.get_slot("lead_id"):
            return []
        pending = self.pending_question(tracker)
        if pending:
            return [pending]
        consent = tracker.get_slot("contact_consent")
        if consent not in TRI_VALUES:
            return ["contact_consent"]
        return list(HANDOFF_QUESTIONS) if consent == YES else []

    def validate_contact_consent(self, value, dispatcher, tracker, domain):
        return {"contact_consent": value if value in TRI_VALUES else None}

    def validate_handoff_confirm(self, value, dispatcher, tracker, domain):
        return {"handoff_confirm": value if value in TRI_VALUES else None}

    def validate_contact_name(self, value, dispatcher, tracker, domain):
        name = clean_text(value, MAX_NAME)
        if not name or not any(ch.isalpha() for ch in name):
            return {"contact_name": None}
        return {"contact_name": name}

    def validate_contact_details(self, value, dispatcher, tracker, domain):
        found = parse_contact_details(str(value or ""))
        if not any(found.values()):
            return {"contact_details": None}
        return {"contact_details": "given", **found}

    def validate_contact_time(self, value, dispatcher, tracker, domain):
        if tri_of(tracker) in (NO, UNSURE):
            return {"contact_time": "no preference"}
        text = clean_text(value, MAX_TIME)
        return {"contact_time": text or "no preference"}

    async def ask_next(self, dispatcher, tracker, domain):
        events = await super().ask_next(dispatcher, tracker, domain)
        if any(e.get("name") == "requested_slot" and e.get("value") == "handoff_confirm" for e in events):
            language = tracker.get_slot("language") or "en"
            dispatcher.utter_message(response="utter_handoff_summary_intro")
            dispatcher.utter_message(text="\n".join(summary_lines(tracker.slots, language)), private=True)
        return events


def tri_of(tracker: Tracker) -> Optional[str]:
    """The yes/no/unsure in the latest message (for "any time is fine" to the time question)."""
    from bot import parsing

    text = str((tracker.latest_message or {}).get("text") or "")
    return parsing.parse_tri(text, tracker.get_slot("language"))


def summary_lines(slots: Dict[str, Any], language: str) -> List[str]:
    """What would be shared, in the person's language: every answer given, then the contact."""
    words = trial_words(language if language in ("en", "zh", "es") else "en")
    labels, values = words["labels"], words["values"]
    lines = []
    for slot, value in TRIAL.answers(slots).items():
        if slot == "prescreen_consent":
            continue
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


class ActionSubmitLead(Action):
    """Stores the lead (one per conversation) after consent and confirmation, and says what next."""

    def name(self) -> Text:
        return "action_submit_lead"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if tracker.get_slot("lead_id"):
            return []  # already sent: a stray "yes" never sends it twice
        if tracker.get_slot("prescreen_outcome") not in HANDOFF_OUTCOMES:
            return []
        if tracker.get_slot("contact_consent") != YES:
            dispatcher.utter_message(response="utter_handoff_declined")
            return [SlotSet(s, None) for s in (*CONTACT_SLOTS, "contact_details", "handoff_confirm")]
        if tracker.get_slot("handoff_confirm") != YES:
            dispatcher.utter_message(response="utter_handoff_not_sent")
            return [SlotSet("handoff_confirm", None)]
        from bot.leads.service import lead_fields, submit_lead

        fields = lead_fields(TRIAL.evaluate(TRIAL.answers(tracker.slots)))
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
        respondent = tracker.get_slot("respondent")
        for attempt in range(SAVE_ATTEMPTS):
            try:
                store, settings = lead_store()
                result = submit_lead(
                    store,
                    settings,
                    tracker.sender_id,
                    respondent=respondent if respondent in ("patient", "guardian", "other") else "other",
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
