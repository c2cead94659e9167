"""Outside the forms: what the words mean, why a question is asked, questions about the trial,
emergencies, fear, and "please don't delete" -- each answered, nothing changed."""

from __future__ import annotations

from typing import List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import replies
from actions.conversation import answered, reading_of
from bot.trial import TRIAL
from bot.understanding import safety


def _question_in_focus(tracker: Tracker) -> Optional[str]:
    """The question a person asks about: one they name ("what is CAR-T?"), else the last one."""
    reading = reading_of(tracker, None, answered(tracker))
    if reading.topic and TRIAL.question(reading.topic):
        return reading.topic
    return None


class ActionExplain(Action):
    def name(self) -> Text:
        return "action_explain"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        slot = _question_in_focus(tracker)
        dispatcher.utter_message(response=f"utter_explain_{slot}" if slot else "utter_explain_prescreen_consent")
        return []


class ActionWhyAsk(Action):
    def name(self) -> Text:
        return "action_why_ask"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response=replies.why_response(_question_in_focus(tracker) or "prescreen_consent"))
        return []


class ActionAnswerFaq(Action):
    """Answers from the trial text only; anything else goes to the coordinator (utter_faq_other)."""

    def name(self) -> Text:
        return "action_answer_faq"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        dispatcher.utter_message(response=f"utter_{intent}" if intent.startswith("faq_") else "utter_faq_other")
        return []


class ActionEmergency(Action):
    """The emergency reply that fits what was said (crisis lines only for self-harm wording)."""

    def name(self) -> Text:
        return "action_emergency"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        kind = safety.detect(str(tracker.latest_message.get("text") or "")) or "other"
        dispatcher.utter_message(response=replies.emergency(kind))
        return []


class ActionAboutDeleting(Action):
    """"Please don't delete anything" / "can I delete my data later?": an answer, never a delete."""

    def name(self) -> Text:
        return "action_about_deleting"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        reading = reading_of(tracker, None, answered(tracker))
        asked = "delete_question" in reading.digressions
        dispatcher.utter_message(response="utter_delete_info" if asked else "utter_nothing_deleted")
        return []


class ActionNextSteps(Action):
    """"What do we do now?": the next steps that fit the result, kindly; before a result, how
    the pre-screening helps."""

    def name(self) -> Text:
        return "action_next_steps"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        outcome = tracker.get_slot("prescreen_outcome")
        dispatcher.utter_message(response=f"utter_next_steps_{outcome}" if outcome else "utter_explain_prescreen_consent")
        return []
