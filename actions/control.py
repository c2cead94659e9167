"""Starting, starting over, and correcting answers."""

from __future__ import annotations

import json
import logging
import re
from typing import Any, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import answers as ans
from actions.criteria import QUESTION_ORDER, UNSURE, YES
from actions.handoff import lead_store, record_funnel
from actions.labels import LABELS

logger = logging.getLogger(__name__)

AGE_WORDS = re.compile(r"\b(he|she|i)\s*(is|'s|am|'m)\b|\b(age|aged|old)\b|岁|年龄|\baños\b|\bedad\b|\btiene\b", re.I)
RESULT_SLOTS = ("prescreen_outcome", "failed_criteria", "unknown_criteria", "handoff_confirm")
HANDOFF_SLOTS = ("contact_consent", "contact_name", "contact_details", "contact_phone", "contact_email",
                 "contact_wechat", "contact_time", "handoff_confirm", "lead_id")
# Values a correction may set in the same message ("actually he's 8", "she didn't have CAR-T").
DIRECT_PARSERS = {
    "patient_age": ans.age_answer,
    "car_t_loss_months": ans.months_answer,
    "ecog": ans.ecog_answer,
    **{slot: ans.tri_answer for slot in ans.TRI_SLOTS},
}


def _clear(slots) -> List[EventType]:
    return [SlotSet(slot, None) for slot in slots]


class ActionBegin(Action):
    """Opens (or reopens) the pre-screening: consent is asked again unless it was given."""

    def name(self) -> Text:
        return "action_begin"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if tracker.get_slot("prescreen_consent") == YES:
            return []
        record_funnel(tracker.sender_id, "started")
        dispatcher.utter_message(response="utter_intro")
        return _clear(["prescreen_consent"])


class ActionStartOver(Action):
    def name(self) -> Text:
        return "action_start_over"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        dispatcher.utter_message(response="utter_start_over")
        return [
            ActiveLoop(None),
            *_clear([*QUESTION_ORDER, *RESULT_SLOTS, *HANDOFF_SLOTS, "requested_slot"]),
            SlotSet("change_pending", False),
        ]


def _topic(tracker: Tracker) -> Optional[str]:
    topic = ans.entities(tracker).get("topic")
    if topic in QUESTION_ORDER:
        return topic
    # "actually he's 8" / "she is 12 years old": a stated age with no other topic named corrects
    # the age; a bare number ("change my answer to 3") does not.
    age = ans.age_answer(tracker)
    text = tracker.latest_message.get("text") or ""
    if age is not None and age != UNSURE and (
        "duration_months" in ans.entities(tracker) or AGE_WORDS.search(text)
    ):
        return "patient_age"
    return None


class ActionChangeAnswer(Action):
    """Clears (or directly replaces) one earlier answer; the form then re-asks and re-evaluates.

    Like start over and delete, it always leaves the form (ActiveLoop(None)); the rules reopen it,
    which keeps the rules the same inside and outside the form."""

    def name(self) -> Text:
        return "action_change_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        answers = ans.current_answers(tracker.slots)
        changeable = [s for s in QUESTION_ORDER if s in answers and s != "prescreen_consent"]
        topic = _topic(tracker)
        if topic is None:
            if not changeable:
                dispatcher.utter_message(response="utter_nothing_to_change")
                return [ActiveLoop(None), SlotSet("change_pending", False)]
            language = tracker.get_slot("language") or "en"
            labels = LABELS.get(language, LABELS["en"])
            buttons = [
                {"title": labels[slot], "payload": "/change_answer" + json.dumps({"topic": slot})}
                for slot in changeable
            ]
            dispatcher.utter_message(response="utter_ask_which_answer", buttons=buttons)
            return [ActiveLoop(None), SlotSet("change_pending", True)]

        events = [ActiveLoop(None), *_clear(RESULT_SLOTS), SlotSet("change_pending", False)]
        new_value: Any = None
        parser = DIRECT_PARSERS.get(topic)
        if parser is not None and ans.entities(tracker).get("topic") != "prescreen_consent":
            new_value = parser(tracker)
        if new_value is not None and ans.is_canonical(topic, new_value):
            dispatcher.utter_message(response="utter_answer_updated")
            return events + [SlotSet(topic, new_value)]
        dispatcher.utter_message(response="utter_change_answer_ok")
        return events + [SlotSet(topic, None)]


class ActionDeleteData(Action):
    """Deletes the lead and funnel rows here; `data_deleted` makes the tracker store
    (bot/tracker_store.py) forget the conversation's events in the Rasa server."""

    def name(self) -> Text:
        return "action_delete_data"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        try:
            store, _ = lead_store()
            store.delete_conversation(tracker.sender_id, actor="patient")
        except Exception as error:
            logger.warning("delete failed: %s", type(error).__name__)
            dispatcher.utter_message(response="utter_delete_failed")
            return []
        dispatcher.utter_message(response="utter_delete_data")
        return [
            ActiveLoop(None),
            *_clear([*QUESTION_ORDER, *RESULT_SLOTS, *HANDOFF_SLOTS, "requested_slot"]),
            SlotSet("data_deleted", True),
        ]
