"""Hand-offs to the study coordinator: the lead after a positive result, and a question at any time.

Nothing identifying is collected before consent, and no lead is stored before the person has seen
the summary and confirmed it. What is typed (name, phone, e-mail, WeChat ID, time, a message) is
kept encrypted in the lead store as a draft (``bot.leads.drafts``), never in the conversation: its
slots only say "given", and the stored conversation replaces the typed text (``bot/dialogue.py``
``PRIVATE_ANSWERS``). Details already sent are never replaced without asking.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import form_in_progress, next_form, say_resume_code
from actions.forms import SAID, QuestionForm
from bot import dialogue
from bot.leads.contact import CONTROL_CHARACTERS, read_contact_details, read_name
from bot.leads.default import lead_store
from bot.trial import TRIAL
from bot.trial.model import HANDOFF_OUTCOMES, NO, TRI_VALUES, UNSURE, YES
from bot.trial.nct06389305.reading import trial_words
from bot.understanding.text import has_cjk

logger = logging.getLogger(__name__)

HANDOFF_QUESTIONS = tuple(slot for slot, _kind in dialogue.HANDOFF_QUESTIONS)
QUESTION_QUESTIONS = tuple(slot for slot, _kind in dialogue.QUESTION_QUESTIONS)
CONTACT_SLOTS = ("contact_name", "contact_phone", "contact_email", "contact_wechat", "contact_time")
DRAFT_FIELDS = {"contact_name": "name", "contact_phone": "phone", "contact_email": "email",
                "contact_wechat": "wechat", "contact_time": "time", "contact_message": "message"}
GIVEN = "given"  # what a contact slot holds: the value itself is in the encrypted draft
MAX_NAME = 100
MAX_TIME = 100
MAX_MESSAGE = 1000
SAVE_ATTEMPTS = 3


def clean_text(value: Any, limit: int) -> str:
    """Text as typed, minus control and direction-override characters, trimmed and capped."""
    return CONTROL_CHARACTERS.sub("", str(value or "")).strip()[:limit]


_CLAUSES = re.compile(r"[\d,.;:!?，。；：！？、]")


def _only_a_word(text: str) -> bool:
    """A bare "no" or "not sure", not a time with a "no" in it ("not at siesta time, after 5")."""
    if _CLAUSES.search(text):
        return False
    return len(text) <= 5 if has_cjk(text) else len(text.split()) <= 3


def keep_draft(tracker: Tracker, values: Dict[str, Optional[str]]) -> bool:
    """Keeps typed contact details in the encrypted draft; False when the store is unreachable."""
    try:
        store, _ = lead_store()
        for slot, value in values.items():
            if value:
                store.save_contact_draft(tracker.sender_id, DRAFT_FIELDS[slot], value)
        return True
    except Exception as error:  # the person is told; the question stays open
        logger.warning("contact draft not saved: %s", type(error).__name__)
        return False


def draft_of(tracker: Tracker) -> Dict[str, str]:
    try:
        store, _ = lead_store()
        return store.contact_draft(tracker.sender_id)
    except Exception as error:
        logger.warning("contact draft not read: %s", type(error).__name__)
        return {}


class ContactQuestions:
    """The contact questions both hand-offs ask, each kept in the draft as it is answered."""

    def validate_contact_name(self, value, dispatcher, tracker, domain):
        name = read_name(clean_text(value, MAX_NAME))
        if not name or not any(ch.isalpha() for ch in name):
            return {"contact_name": None}
        return self._kept(dispatcher, tracker, {"contact_name": name})

    def validate_contact_details(self, value, dispatcher, tracker, domain):
        found = read_contact_details(str(value or ""))
        if not any(found.values()):
            return {"contact_details": None}
        return self._kept(dispatcher, tracker, {"contact_details": GIVEN, **found})

    def validate_contact_time(self, value, dispatcher, tracker, domain):
        typed = clean_text(value, MAX_TIME)
        said = tri_of(tracker) if typed and _only_a_word(typed) else None
        if not typed or said in (NO, UNSURE):
            typed = "no preference"  # "no", "not sure", "不知道": the coordinator reads "no preference"
        elif said == YES and (len(typed) <= 3 if has_cjk(typed) else len(typed.split()) <= 2):
            typed = "any time"  # "yes", "ok sure", "好的" to "when is a good time?": not a time to call at
        return self._kept(dispatcher, tracker, {"contact_time": typed})

    def validate_contact_message(self, value, dispatcher, tracker, domain):
        text = clean_text(value, MAX_MESSAGE)
        if not text:
            return {"contact_message": None}
        return self._kept(dispatcher, tracker, {"contact_message": text})

    def _kept(self, dispatcher, tracker, values: Dict[str, Optional[str]]) -> Dict[str, Any]:
        draft = {k: v for k, v in values.items() if k in DRAFT_FIELDS}
        if not keep_draft(tracker, draft):
            dispatcher.utter_message(response="utter_details_not_saved")
            return {**{k: None for k in values}, SAID: True}
        return {k: (GIVEN if v and k in DRAFT_FIELDS else v) for k, v in values.items()}

    def show_summary(self, dispatcher, tracker, with_answers: bool) -> None:
        language = tracker.get_slot("language") or "en"
        dispatcher.utter_message(response="utter_handoff_summary_intro")
        lines = summary_lines(tracker.slots, language, draft_of(tracker), with_answers)
        dispatcher.utter_message(text="\n".join(lines), private=True)


class ValidateHandoffForm(ContactQuestions, QuestionForm):
    """Consent, name, a way to reach the person, a time, then the summary to confirm."""

    def name(self) -> Text:
        return "validate_handoff_form"

    async def required_slots(self, domain_slots, dispatcher, tracker: Tracker, domain: DomainDict) -> List[Text]:
        """Nothing without a positive or unsure result; only consent until it is yes."""
        pending = self.pending_question(tracker)
        if pending:
            return [pending]
        if tracker.get_slot("prescreen_outcome") not in HANDOFF_OUTCOMES or tracker.get_slot("lead_id"):
            return []
        consent = tracker.get_slot("contact_consent")
        if consent not in TRI_VALUES:
            return ["contact_consent"]
        return list(HANDOFF_QUESTIONS) if consent == YES else []

    def validate_contact_consent(self, value, dispatcher, tracker, domain):
        return {"contact_consent": value if value in TRI_VALUES else None}

    def validate_handoff_confirm(self, value, dispatcher, tracker, domain):
        return {"handoff_confirm": value if value in TRI_VALUES else None}

    async def ask_next(self, dispatcher, tracker, domain):
        events = await super().ask_next(dispatcher, tracker, domain)
        if any(e.get("name") == "requested_slot" and e.get("value") == "handoff_confirm" for e in events):
            self.show_summary(dispatcher, tracker, with_answers=True)
        return events


class ValidateQuestionForm(ContactQuestions, QuestionForm):
    """"Talk to a person": a short message and a way to reach the person, with consent."""

    def name(self) -> Text:
        return "validate_question_form"

    async def required_slots(self, domain_slots, dispatcher, tracker: Tracker, domain: DomainDict) -> List[Text]:
        pending = self.pending_question(tracker)
        if pending:
            return [pending]
        consent = tracker.get_slot("question_consent")
        if consent not in TRI_VALUES:
            return ["question_consent"]
        return list(QUESTION_QUESTIONS) if consent == YES else []

    def validate_question_consent(self, value, dispatcher, tracker, domain):
        return {"question_consent": value if value in TRI_VALUES else None}

    def validate_question_confirm(self, value, dispatcher, tracker, domain):
        return {"question_confirm": value if value in TRI_VALUES else None}

    async def ask_next(self, dispatcher, tracker, domain):
        events = await super().ask_next(dispatcher, tracker, domain)
        if any(e.get("name") == "requested_slot" and e.get("value") == "question_confirm" for e in events):
            self.show_summary(dispatcher, tracker, with_answers=False)
        return events


def tri_of(tracker: Tracker) -> Optional[str]:
    """The yes/no/unsure in the latest message (for "any time is fine" to the time question)."""
    from bot.understanding import parsing

    text = str((tracker.latest_message or {}).get("text") or "")
    return parsing.parse_tri(text, tracker.get_slot("language"))


def summary_lines(slots: Dict[str, Any], language: str, draft: Dict[str, str], with_answers: bool) -> List[str]:
    """What would be shared, in the person's language: the answers given, then the contact."""
    words = trial_words(language if language in ("en", "zh", "es") else "en")
    labels, values = words["labels"], words["values"]
    lines = []
    for slot, value in (TRIAL.answers(slots).items() if with_answers else ()):
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
    for slot in ("contact_message", *CONTACT_SLOTS):
        field = DRAFT_FIELDS[slot]
        if draft.get(field):
            shown = values.get(draft[field], draft[field]) if field == "time" else draft[field]
            lines.append(f"• {labels[slot]}: {shown}")
    return lines


def _discard_draft(tracker: Tracker) -> None:
    try:
        store, _ = lead_store()
        store.discard_contact_draft(tracker.sender_id)
    except Exception as error:
        logger.warning("contact draft not discarded: %s", type(error).__name__)


def contact_of(draft: Dict[str, str]) -> Dict[str, Optional[str]]:
    return {field: draft.get(field) for field in ("name", "phone", "email", "wechat", "time")}


def _respondent(tracker: Tracker) -> str:
    respondent = tracker.get_slot("respondent")
    return respondent if respondent in ("patient", "guardian", "other") else "other"


class ActionSubmitLead(Action):
    """Stores the lead (one per conversation) after consent and confirmation, and says what next.
    Details already sent from this conversation are replaced only after the person says so."""

    def name(self) -> Text:
        return "action_submit_lead"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        switch = next_form(tracker)
        if switch:
            return switch  # "talk to a person" during the hand-off: the hand-off resumes after
        if tracker.get_slot("paused"):
            return [FollowupAction("action_listen")]
        if tracker.get_slot("lead_id") or tracker.get_slot("prescreen_outcome") not in HANDOFF_OUTCOMES:
            return []  # already sent: a stray "yes" never sends it twice
        if tracker.get_slot("contact_consent") != YES:
            dispatcher.utter_message(response="utter_handoff_declined")
            return [SlotSet(s, None) for s in (*CONTACT_SLOTS, "contact_details", "handoff_confirm")]
        if tracker.get_slot("handoff_confirm") != YES or tracker.get_slot("replace_details") is False:
            if tracker.get_slot("replace_details") is not False:
                dispatcher.utter_message(response="utter_handoff_not_sent")
            return [SlotSet("handoff_confirm", None), SlotSet("replace_details", None)]
        from bot.leads.errors import ContactChangeRefused
        from bot.leads.service import lead_fields, submit_lead

        fields = lead_fields(TRIAL.evaluate(TRIAL.answers(tracker.slots)))
        if fields["outcome"] not in HANDOFF_OUTCOMES:
            dispatcher.utter_message(response="utter_handoff_not_sent")
            return [SlotSet("handoff_confirm", None)]
        for attempt in range(SAVE_ATTEMPTS):
            try:
                store, settings = lead_store()
                contact = contact_of(store.contact_draft(tracker.sender_id))
                result = submit_lead(store, settings, tracker.sender_id, respondent=_respondent(tracker),
                                     language=tracker.get_slot("language") or "en", contact=contact,
                                     replace=bool(tracker.get_slot("replace_details")), **fields)
                store.discard_contact_draft(tracker.sender_id)
                break
            except ContactChangeRefused:
                # Sent before with other details: ask before replacing them (the form asks).
                return [SlotSet("confirm_topic", "replace_details"), ActiveLoop(dialogue.HANDOFF_FORM)]
            except Exception as error:  # database down or locked: retry a little, then say so
                logger.warning("lead not saved (attempt %d): %s", attempt + 1, type(error).__name__)
                if attempt + 1 == SAVE_ATTEMPTS:
                    dispatcher.utter_message(response="utter_lead_failed")
                    return [SlotSet("handoff_confirm", None)]
                time.sleep(0.2 * (attempt + 1))
        dispatcher.utter_message(response="utter_lead_updated" if not result.created else "utter_lead_sent",
                                 lead_ref=f"#{result.lead_id}")
        return [SlotSet("lead_id", str(result.lead_id)), SlotSet("replace_details", None)]


class ActionTalkToPerson(Action):
    """"Talk to a person", at any point: offers to leave a message for the coordinator."""

    def name(self) -> Text:
        return "action_talk_to_person"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if _also_asks_to_send_details(tracker):  # "send my details to the coordinator"
            return await ActionSendDetails().run(dispatcher, tracker, domain)
        return [*_question_cleared(), ActiveLoop(dialogue.QUESTION_FORM)]


SEND_DETAILS_CONFIDENCE = 0.5


def _also_asks_to_send_details(tracker: Tracker) -> bool:
    """Whether the classifier also heard "send my details" (both intents name the coordinator)."""
    ranking = (tracker.latest_message or {}).get("intent_ranking") or []
    return any(r.get("name") == "send_details" and (r.get("confidence") or 0) >= SEND_DETAILS_CONFIDENCE
               for r in ranking)


def _question_cleared() -> List[EventType]:
    """A question asks for its own name and contact (what a hand-off collected is not reused)."""
    return [SlotSet(slot, None) for slot in (*QUESTION_QUESTIONS, "contact_phone", "contact_email", "contact_wechat")]


class ActionSubmitQuestion(Action):
    """Sends the message and contact to the coordinator as a "question" lead, then carries on."""

    def name(self) -> Text:
        return "action_submit_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        done = _question_cleared()
        resume = form_in_progress(tracker)
        carry_on = [ActiveLoop(resume)] if resume else []
        if tracker.get_slot("question_consent") != YES:
            dispatcher.utter_message(response="utter_question_declined")
            return done + carry_on
        if tracker.get_slot("question_confirm") != YES:
            dispatcher.utter_message(response="utter_question_not_sent")
            _discard_draft(tracker)
            return done + carry_on
        from bot.leads.service import submit_question

        try:
            store, settings = lead_store()
            draft = store.contact_draft(tracker.sender_id)
            result = submit_question(store, settings, tracker.sender_id, message=draft.get("message") or "",
                                     contact=contact_of(draft), language=tracker.get_slot("language") or "en",
                                     respondent=tracker.get_slot("respondent") if tracker.get_slot("respondent") in
                                     ("patient", "guardian", "other") else None,
                                     outcome=tracker.get_slot("prescreen_outcome"))
            store.discard_contact_draft(tracker.sender_id)
        except Exception as error:
            logger.warning("question not saved: %s", type(error).__name__)
            dispatcher.utter_message(response="utter_lead_failed")
            return done + carry_on
        dispatcher.utter_message(response="utter_question_sent", lead_ref=f"#{result.lead_id}")
        return done + carry_on


class ActionComeBackLater(Action):
    """"I'll come back later": answers are kept, and a code carries on from any device."""

    def name(self) -> Text:
        return "action_come_back_later"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_come_back_later")
        say_resume_code(dispatcher, tracker)
        return []


def update_sent_lead(tracker: Tracker) -> bool:
    """After an answer changed, the lead already sent gets the new answers (same contact details),
    so the coordinator sees "updated" rather than old answers. False when nothing was updated."""
    from bot.leads.service import lead_fields, submit_lead

    fields = lead_fields(TRIAL.evaluate(TRIAL.answers(tracker.slots)))
    if fields["outcome"] not in HANDOFF_OUTCOMES:
        return False  # no longer a positive result: the lead stays as it was (see the note)
    try:
        store, settings = lead_store()
        sent = store.get_lead_by_conversation(tracker.sender_id)
        if sent is None:
            return False
        contact = {k: v for k, v in (sent.get("contact") or {}).items() if k in ("name", "phone", "email", "wechat", "time")}
        result = submit_lead(store, settings, tracker.sender_id, respondent=_respondent(tracker),
                             language=tracker.get_slot("language") or "en", contact=contact, **fields)
        return bool(result.changed)
    except Exception as error:
        logger.warning("sent lead not updated: %s", type(error).__name__)
        return False


class ActionSendDetails(Action):
    """"Send my details" / "I changed my mind, please contact me": the hand-off again after a
    positive result (consent asked again if it was declined), else a message for the coordinator."""

    def name(self) -> Text:
        return "action_send_details"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if tracker.get_slot("lead_id"):
            dispatcher.utter_message(response="utter_already_sent", lead_ref=f"#{tracker.get_slot('lead_id')}")
            return []
        if tracker.get_slot("prescreen_outcome") in HANDOFF_OUTCOMES:
            again = [SlotSet("contact_consent", None)] if tracker.get_slot("contact_consent") != YES else []
            return [*again, SlotSet("handoff_confirm", None), ActiveLoop(dialogue.HANDOFF_FORM)]
        return [*_question_cleared(), ActiveLoop(dialogue.QUESTION_FORM)]
