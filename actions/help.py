"""Help at any question: what the words mean, why it is asked, and questions about the trial."""

from __future__ import annotations

from typing import List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import entities
from actions.criteria import QUESTION_ORDER, SLOT_TO_CRITERION
from actions.handoff import HANDOFF_QUESTIONS

FAQ_INTENTS = (
    "faq_what_is_cik",
    "faq_mrna_cik",
    "faq_groups",
    "faq_location",
    "faq_status",
    "faq_sponsor",
    "faq_contact",
    "faq_other",
)


def _question_in_focus(tracker: Tracker) -> Optional[str]:
    """The question the person is asking about: a named topic ("what is CAR-T?"), else the current one."""
    topic = entities(tracker).get("topic")
    if topic in QUESTION_ORDER:
        return topic
    requested = tracker.get_slot("requested_slot")
    return requested if requested in QUESTION_ORDER or requested in HANDOFF_QUESTIONS else None


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
        slot = _question_in_focus(tracker)
        if slot in HANDOFF_QUESTIONS:
            dispatcher.utter_message(response="utter_why_contact")
        elif slot in ("prescreen_consent", "respondent") or slot is None:
            dispatcher.utter_message(response=f"utter_why_{slot or 'prescreen_consent'}")
        else:
            dispatcher.utter_message(response=f"utter_why_{SLOT_TO_CRITERION[slot]}")
        return []


# Short answers that do not depend on the question being asked.
SIDE_ANSWERS = {
    **{intent: f"utter_{intent}" for intent in FAQ_INTENTS},
    "out_of_scope": "utter_out_of_scope",
    "bot_challenge": "utter_bot_challenge",
    "talk_to_person": "utter_talk_to_person",
}


class ActionAnswerFaq(Action):
    """Answers from the trial text only; anything else goes to the coordinator (utter_faq_other)."""

    def name(self) -> Text:
        return "action_answer_faq"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        dispatcher.utter_message(response=SIDE_ANSWERS.get(intent, "utter_faq_other"))
        return []
