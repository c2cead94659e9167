"""Turning the answers into the dictionary's outcome, and telling the person what it means."""

from __future__ import annotations

from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import current_answers
from actions.criteria import LIKELY_ELIGIBLE, NEEDS_REVIEW, NO, NOT_ELIGIBLE, UNSURE, evaluate
from actions.handoff import record_funnel


class ActionEvaluatePrescreen(Action):
    """Sets prescreen_outcome, failed_criteria and unknown_criteria and explains them kindly."""

    def name(self) -> Text:
        return "action_evaluate_prescreen"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        answers = current_answers(tracker.slots)
        consent = answers.get("prescreen_consent")
        if consent in (NO, UNSURE):
            dispatcher.utter_message(response="utter_consent_declined" if consent == NO else "utter_consent_unsure")
            return [SlotSet("prescreen_outcome", None)]
        outcome = evaluate(answers)
        if outcome.prescreen_outcome is None:
            # The form ended without every answer (should not happen): say so rather than guess.
            dispatcher.utter_message(response="utter_default")
            return [SlotSet("prescreen_outcome", None)]
        record_funnel(tracker.sender_id, "finished")
        record_funnel(tracker.sender_id, outcome.prescreen_outcome)
        if outcome.prescreen_outcome == NOT_ELIGIBLE:
            dispatcher.utter_message(response="utter_result_not_eligible")
            for cid in outcome.failed_criteria:
                dispatcher.utter_message(response=f"utter_reason_{cid}")
            dispatcher.utter_message(response="utter_next_steps_not_eligible")
        elif outcome.prescreen_outcome == NEEDS_REVIEW:
            dispatcher.utter_message(response="utter_result_needs_review")
            for cid in outcome.unknown_criteria:
                dispatcher.utter_message(response=f"utter_unknown_{cid}")
            dispatcher.utter_message(response="utter_i6_doctor")
            dispatcher.utter_message(response="utter_next_steps_needs_review")
        elif outcome.prescreen_outcome == LIKELY_ELIGIBLE:
            dispatcher.utter_message(response="utter_result_likely_eligible")
            dispatcher.utter_message(response="utter_next_steps_likely_eligible")
        return [
            SlotSet("prescreen_outcome", outcome.prescreen_outcome),
            SlotSet("failed_criteria", outcome.failed_criteria),
            SlotSet("unknown_criteria", outcome.unknown_criteria),
        ]
