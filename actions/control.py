"""Outside the forms: starting, carrying on, and the requests that need a confirmation first.

Each action decides which form asks the next question and activates it (``ActiveLoop``); the
form then asks. Nothing here ends, restarts or deletes anything by itself: it names what to
confirm (``confirm_topic``) and the form asks "are you sure?" as a question of its own.
"""

from __future__ import annotations

import logging
from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import replies
from actions.conversation import all_answer_slots, answered, cleared, delete_everything, message_of, reading_of
from actions.forms import store_answer, what_to_change
from bot import dialogue
from bot.leads.default import lead_store
from bot.trial.model import HANDOFF_OUTCOMES, YES

logger = logging.getLogger(__name__)


def _confirmed(tracker: Tracker) -> bool:
    """A page button whose own confirmation dialog the person accepted ({"confirmed": true})."""
    return message_of(tracker).entities.get("confirmed") is True


def _handoff_pending(tracker: Tracker) -> bool:
    return (tracker.get_slot("prescreen_outcome") in HANDOFF_OUTCOMES and not tracker.get_slot("lead_id")
            and tracker.get_slot("contact_consent") is None)


class ActionBegin(Action):
    """"Start", "continue", "yes let's go", "hi": begin, carry on where the person was, or offer
    a new pre-screening after a result (which is confirmed, because it clears the answers)."""

    def name(self) -> Text:
        return "action_begin"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        answers = answered(tracker)
        if tracker.get_slot("prescreen_outcome"):
            if _handoff_pending(tracker):
                dispatcher.utter_message(response="utter_welcome_back")
                return [ActiveLoop(dialogue.HANDOFF_FORM)]
            return [SlotSet("confirm_topic", "new_screening"), ActiveLoop(dialogue.PRESCREEN_FORM)]
        if answers.get("prescreen_consent") == YES:
            dispatcher.utter_message(response="utter_welcome_back")
            return [SlotSet("paused", None), ActiveLoop(dialogue.PRESCREEN_FORM)]
        dispatcher.utter_message(response="utter_intro")
        return [SlotSet("prescreen_consent", None), SlotSet("paused", None), ActiveLoop(dialogue.PRESCREEN_FORM)]


class ActionConfirmDelete(Action):
    """"Delete my data": says exactly what would go, and asks (the form asks the question)."""

    def name(self) -> Text:
        return "action_confirm_delete"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        if _confirmed(tracker):  # the page's own "are you sure?" was accepted
            return delete_everything(dispatcher, tracker)
        return [SlotSet("confirm_topic", "delete"), ActiveLoop(dialogue.PRESCREEN_FORM)]


class ActionConfirmRestart(Action):
    """"Start over": confirmed first when there is anything to clear."""

    def name(self) -> Text:
        return "action_confirm_restart"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        answers = {k: v for k, v in answered(tracker).items() if k != "prescreen_consent"}
        if not answers:
            return await ActionBegin().run(dispatcher, tracker, domain)
        if _confirmed(tracker):
            dispatcher.utter_message(response="utter_start_over")
            return [*cleared(all_answer_slots(), {"prescreen_consent": YES}), ActiveLoop(dialogue.PRESCREEN_FORM)]
        return [SlotSet("confirm_topic", "restart"), ActiveLoop(dialogue.PRESCREEN_FORM)]


class ActionChangeAnswer(Action):
    """"I want to change an answer" outside a form: a new value, a named question, or the menu."""

    def name(self) -> Text:
        return "action_change_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        answers = answered(tracker)
        reading = reading_of(tracker, None, answers)
        topic = reading.topic or (message_of(tracker).entities.get("topic"))
        if reading.typed and reading.topic and reading.topic_value is None:
            topic = what_to_change(topic, tracker)  # typed: "the CAR-T one" after "not a fit"
        if topic in CONTACT_TOPICS and tracker.get_slot("contact_consent") == YES:
            return reopen_contact(topic, dispatcher, tracker)
        recheck = [SlotSet("recheck", True)] if tracker.get_slot("prescreen_outcome") else []
        if topic in answers and topic != "prescreen_consent":
            if reading.topic_value is not None:
                stored = store_answer(topic, reading.topic_value, tracker)
                if stored.get(topic) is not None:
                    replies.say_answer_updated(dispatcher, topic, tracker)
                return [SlotSet(k, v) for k, v in stored.items()] + recheck + [ActiveLoop(dialogue.PRESCREEN_FORM)]
            dispatcher.utter_message(response="utter_change_answer_ok")
            return [SlotSet(topic, None), SlotSet("changing", topic), *recheck, ActiveLoop(dialogue.PRESCREEN_FORM)]
        if not [s for s in answers if s != "prescreen_consent"]:
            dispatcher.utter_message(response="utter_nothing_to_change")
            return []
        return [SlotSet("change_menu", True), *recheck, ActiveLoop(dialogue.PRESCREEN_FORM)]



CONTACT_TOPICS = ("contact_name", "contact_details", "contact_time")


def reopen_contact(topic: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    """"My e-mail is wrong": the hand-off asks that detail again, shows the summary, and replacing
    what was sent is confirmed (actions/handoff.py). What was sent is the draft to start from."""
    try:
        store, _ = lead_store()
        sent = store.get_lead_by_conversation(tracker.sender_id)
        for field, value in ((sent or {}).get("contact") or {}).items():
            if value and field in ("name", "phone", "email", "wechat", "time"):
                store.save_contact_draft(tracker.sender_id, field, value)
    except Exception as error:
        logger.warning("contact details not reopened: %s", type(error).__name__)
        dispatcher.utter_message(response="utter_details_not_saved")
        return []
    dispatcher.utter_message(response="utter_change_answer_ok")
    cleared_too = ("contact_phone", "contact_email", "contact_wechat") if topic == "contact_details" else ()
    return [SlotSet(topic, None), *(SlotSet(s, None) for s in cleared_too), SlotSet("handoff_confirm", None),
            SlotSet("lead_id", None), ActiveLoop(dialogue.HANDOFF_FORM)]
