"""The pre-screening form: which question comes next, and whether an answer is usable.

The order and the skipping live in actions/criteria.py (``next_slot``); this class only asks it.
Returning a single next slot (never the domain's full list) keeps the questions one at a time
and lets the form stop at the first definite failure.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction
from rasa_sdk.types import DomainDict

from actions import answers as ans
from actions.criteria import next_slot
from actions.language import detect_language, patient_ref_slots

Validator = Callable[..., Dict[Text, Any]]


def answer_validator(slot: str, parse: Callable[[Tracker], Optional[Any]], not_understood: str) -> Validator:
    """A validate_<slot> method: keep a valid stored value, else parse the latest message."""

    def validate(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        if ans.is_canonical(slot, value):
            return {slot: value}
        parsed = parse(tracker)
        if parsed is None:
            dispatcher.utter_message(response=not_understood)
        return {slot: parsed}

    validate.__name__ = f"validate_{slot}"
    return validate


class EmergencyFirst:
    """Emergency wording gets the emergency message before anything else, even mid-question.

    The answer in the same message still counts ("yes, and he can't breathe"); a message that is
    only an emergency gets no "sorry, I didn't catch that" after it.
    """

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        if not ans.is_emergency(tracker):
            return await super().run(dispatcher, tracker, domain)
        dispatcher.utter_message(response="utter_emergency")
        events = await super().run(dispatcher, tracker, domain)
        dispatcher.messages[:] = [
            m for m in dispatcher.messages if not str(m.get("response") or "").startswith("utter_not_understood")
        ]
        return events


class FollowsLanguage:
    """Inside a form, the language is read here rather than by a separate action call.

    The `language` slot's mapping runs action_detect_language only outside forms and on explicit
    requests (domain/core.yml); a page whose language picker changed mid-form is followed from
    the next question on. Runs after validation, so a just-given "I'm the parent" already picks
    the right patient_ref wording.
    """

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        events = await super().run(dispatcher, tracker, domain)
        tracker.add_slots(events)
        return events + detect_language(tracker)


class NamesNextQuestion:
    """Always names the next question (or none), so a form works without Rasa's domain.

    endpoints.yml turns on `enable_selective_domain`: Rasa stops sending its ~190 KB domain with
    every action call (measured as a large share of each turn). rasa_sdk's default compares our
    required slots with the domain's list, which is then empty; when both are empty it would
    leave the choice to Rasa's own list, which asks every question in the domain.
    """

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Optional[EventType]:
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        return SlotSet(REQUESTED_SLOT, next((s for s in required if tracker.slots.get(s) is None), None))


class ValidatePrescreenForm(EmergencyFirst, FollowsLanguage, NamesNextQuestion, FormValidationAction):
    def name(self) -> Text:
        return "validate_prescreen_form"

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        nxt = next_slot(ans.current_answers(tracker.slots))
        return [nxt] if nxt else []

    def validate_respondent(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        choice = value if ans.is_canonical("respondent", value) else ans.choice_answer("respondent", tracker)
        if choice is None:
            dispatcher.utter_message(response="utter_not_understood_choice")
            return {"respondent": None}
        return {"respondent": choice, **patient_ref_slots(tracker.get_slot("language"), choice)}


for _slot in ans.TRI_SLOTS:
    setattr(ValidatePrescreenForm, f"validate_{_slot}", answer_validator(_slot, ans.tri_answer, "utter_not_understood_tri"))

ValidatePrescreenForm.validate_organ_transplant = answer_validator(
    "organ_transplant", ans.organ_transplant_answer, "utter_explain_organ_transplant"
)
ValidatePrescreenForm.validate_patient_age = answer_validator("patient_age", ans.age_answer, "utter_not_understood_age")
ValidatePrescreenForm.validate_car_t_loss_months = answer_validator(
    "car_t_loss_months", ans.months_answer, "utter_not_understood_months"
)
ValidatePrescreenForm.validate_ecog = answer_validator("ecog", ans.ecog_answer, "utter_not_understood_choice")
ValidatePrescreenForm.validate_sex = answer_validator(
    "sex", lambda tracker: ans.choice_answer("sex", tracker), "utter_not_understood_choice"
)
