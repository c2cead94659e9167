"""Turning the answers into the dictionary's outcome, and telling the person what it means."""

from __future__ import annotations

from typing import List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.conversation import answered, next_form, say_resume_code
from actions.handoff import update_sent_lead
from bot.leads.default import record_funnel
from bot.trial import TRIAL
from bot.trial.model import LIKELY_ELIGIBLE, NEEDS_REVIEW, NO, NOT_ELIGIBLE, UNSURE


class ActionEvaluatePrescreen(Action):
    """Sets prescreen_outcome, failed_criteria and unknown_criteria and explains them kindly.

    Runs whenever the pre-screening form ends: after the last question, or after the person
    stopped (``paused``: nothing more is said) or deleted everything.
    """

    def name(self) -> Text:
        return "action_evaluate_prescreen"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        switch = next_form(tracker)
        if switch:
            return switch  # "talk to a person" mid-way: the question form opens; this form resumes after
        if tracker.get_slot("paused"):
            return [FollowupAction("action_listen")]  # stopped: nothing more until the person is back
        if tracker.get_slot("data_deleted"):
            return [SlotSet("prescreen_outcome", None)]
        answers = answered(tracker)
        consent = answers.get("prescreen_consent")
        if consent in (NO, UNSURE):
            dispatcher.utter_message(response="utter_consent_declined" if consent == NO else "utter_consent_unsure")
            return [SlotSet("prescreen_outcome", None)]
        outcome = TRIAL.evaluate(answers)
        if outcome.prescreen_outcome is None:
            return [SlotSet("prescreen_outcome", None)]
        if outcome.prescreen_outcome == tracker.get_slot("prescreen_outcome") and \
                outcome.failed_criteria == (tracker.get_slot("failed_criteria") or []) and \
                outcome.unknown_criteria == (tracker.get_slot("unknown_criteria") or []):
            # The same result as before (after a kept "no" or a change that changed nothing).
            if tracker.get_slot("recheck"):
                dispatcher.utter_message(response="utter_result_unchanged")
                if tracker.get_slot("lead_id") and update_sent_lead(tracker):
                    dispatcher.utter_message(response="utter_lead_answers_updated")
            return [SlotSet("recheck", None), FollowupAction("action_listen")]
        if tracker.get_slot("lead_id") and tracker.get_slot("recheck") and update_sent_lead(tracker):
            dispatcher.utter_message(response="utter_lead_answers_updated")
        record_funnel(tracker.sender_id, "finished")
        record_funnel(tracker.sender_id, outcome.prescreen_outcome)
        if outcome.prescreen_outcome == NOT_ELIGIBLE:
            dispatcher.utter_message(response="utter_result_not_eligible")
            for cid in outcome.failed_criteria:
                dispatcher.utter_message(response=f"utter_reason_{cid}")
            dispatcher.utter_message(response="utter_next_steps_not_eligible")
        elif outcome.prescreen_outcome == NEEDS_REVIEW:
            # "a few answers were not sure" for one would tell the person they misremember
            one = sum(1 for value in answers.values() if value == UNSURE) == 1
            dispatcher.utter_message(response="utter_result_needs_review_one" if one else "utter_result_needs_review")
            for cid in outcome.unknown_criteria:
                dispatcher.utter_message(response=f"utter_unknown_{cid}")
            dispatcher.utter_message(response="utter_i6_doctor")
            dispatcher.utter_message(
                response="utter_next_steps_needs_review_one" if one else "utter_next_steps_needs_review")
            say_resume_code(dispatcher, tracker)  # to come back with the documents, on any device
        elif outcome.prescreen_outcome == LIKELY_ELIGIBLE:
            dispatcher.utter_message(response="utter_result_likely_eligible")
            dispatcher.utter_message(response="utter_next_steps_likely_eligible")
        return [
            SlotSet("recheck", None),
            SlotSet("prescreen_outcome", outcome.prescreen_outcome),
            SlotSet("failed_criteria", outcome.failed_criteria),
            SlotSet("unknown_criteria", outcome.unknown_criteria),
        ]
