"""The forms: every question the assistant asks, the reading of each reply, and the next question.

Each form's validation action is one ``QuestionForm``. Rasa fills the open question's slot with
the whole text of the reply (``domain/slots.yml``); ``QuestionForm.run`` reads it once with the
interpretation step (``bot/understanding/interpret.py``), then

1. says the emergency message first when the reply describes one;
2. stores an answer through the explicit ``validate_<slot>`` method (one line each, as in
   rasa-sdk's own tests) -- but a typed answer that would end the pre-screening is first said back
   and checked (``answer_check``);
3. answers what the person asked on the way (a word, why, the trial, fear), keeping the answer;
4. before anything ends, restarts or deletes, asks (``confirm_answer``);
5. after a reply it cannot read, says what kind of answer it needs; after a second, asks the
   question another way with its options as buttons and a way to a person (``clarify``); after a
   third, notes "not sure" and goes on -- never a loop;
6. names the next question, with its place ("Question 5 of about 22"); Rasa asks it
   (``utter_ask_<slot>``) after this action's slots are applied, so a just-given "I'm the parent"
   or "en español" already shapes the wording.
"""

from __future__ import annotations

import logging
from abc import abstractmethod
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT, FormValidationAction
from rasa_sdk.types import DomainDict

from actions import replies
from actions.conversation import (
    all_answer_slots,
    answered,
    cleared,
    delete_everything,
    open_question,
    reading_of,
    say_resume_code,
)
from actions.language import detect_language, patient_ref_slots
from bot import dialogue
from bot.leads.default import record_started
from bot.trial import TRIAL
from bot.trial.model import CHOICE, NO, TRI, UNSURE, YES
from bot.understanding import cues
from bot.understanding.interpret import Reading, excludes, read_answer

logger = logging.getLogger(__name__)

COUNTER = "reask_count"
END: EventType = {"event": "end_of_form"}  # marker inside run(); never sent to Rasa
SAID = "_said"  # in what a validate_<slot> returns: it told the person why nothing was kept
# A request repeated at its own "are you sure?" means yes.
SAME_REQUEST = {"delete": "delete", "stop": "stop", "later": "stop", "restart": "restart"}


def plain_reading(reading: Reading) -> Optional[str]:
    """yes / no / unsure as the reply says it, even when it also repeats the request."""
    if reading.answer is not None:
        return reading.answer
    return reading.raw_answer


CONTACT_QUESTIONS = ("contact_name", "contact_details", "contact_time", "contact_message")
# The questions the assistant asks about the conversation itself, and the method reading each.
CHECKS = {"answer_check": "read_check", "confirm_answer": "read_confirm", "change_which": "read_change"}


def changeable(tracker: Tracker, form: str) -> List[str]:
    """The answers a person can change from this form: the trial's, and in a hand-off the
    contact details given so far."""
    slots = [s for s in answered(tracker) if s != "prescreen_consent"]
    if form != dialogue.PRESCREEN_FORM:
        slots += [s for s in CONTACT_QUESTIONS if tracker.get_slot(s)]
    return slots


def latest_text(tracker: Tracker) -> str:
    return str((tracker.latest_message or {}).get("text") or "")


def store_answer(slot: str, value: Any, tracker: Tracker) -> Dict[str, Any]:
    """A trial answer: kept, or held for a check when it was typed and would exclude."""
    question = TRIAL.question(slot)
    if question is None or not question.accepts(value):
        return {slot: None}
    typed = not latest_text(tracker).lstrip().startswith("/")
    if typed and excludes(TRIAL, answered(tracker), slot, value):
        return {slot: None, "pending_answer": {"slot": slot, "value": value},
                "check_statement": replies.check_statement(slot, value, tracker)}
    extra = patient_ref_slots(tracker.get_slot("language"), value) if slot == "respondent" else {}
    return {slot: value, **extra}


def what_to_change(topic: Optional[str], tracker: Tracker) -> Optional[str]:
    """After a not-eligible result, a named yes/no question whose answer cannot change it gives
    way to the one of the same criterion that can: "the CAR-T one" is the cells that stopped
    working, since "had CAR-T" is already yes. Any other topic is taken as named."""
    question = TRIAL.question(topic or "")
    criterion = TRIAL.criterion_of(topic or "")
    if question is None or question.kind != TRI or criterion not in (tracker.get_slot("failed_criteria") or []):
        return topic
    answers = answered(tracker)

    def decides(slot: str) -> bool:
        rest = {k: v for k, v in answers.items() if k != slot}
        return slot in answers and excludes(TRIAL, rest, slot, answers[slot])

    if decides(topic):
        return topic
    return next((slot for slot in TRIAL.criterion(criterion).slots if slot != topic and decides(slot)), topic)


class QuestionForm(FormValidationAction):
    """A form whose replies are read first as answers to the open question (see module doc).

    Subclasses name their form and list their own questions in ``required_slots``; each question
    has a ``validate_<slot>`` method that stores an interpreted answer.
    """

    @abstractmethod
    def name(self) -> Text:
        """validate_<form name>."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        events: List[EventType] = []
        slot = tracker.get_slot(REQUESTED_SLOT)
        if slot and slot in tracker.slots_to_validate():
            events += await self.read_reply(slot, dispatcher, tracker, domain)
            tracker.add_slots(events)
        if END in events:  # stopped or deleted: the form ends here, nothing more is asked
            return [e for e in events if e is not END] + [SlotSet(REQUESTED_SLOT, None)]
        events += await self.ask_next(dispatcher, tracker, domain)
        tracker.add_slots(events)
        return events + detect_language(tracker)

    # --- reading a reply ---------------------------------------------------------------------

    async def read_reply(self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker,
                         domain: DomainDict) -> List[EventType]:
        asked = tracker.get_slot("clarify_for") if slot == "clarify" else slot
        reading = reading_of(tracker, open_question(asked, tracker), answered(tracker))
        if reading.emergency:
            dispatcher.utter_message(response=replies.emergency(reading.emergency))
        events: List[EventType] = [SlotSet(slot, None)]  # the raw text is never the answer
        check = CHECKS.get(asked)
        if check:
            if slot == "clarify":  # a conversation saved while a check was being clarified
                events.append(SlotSet("clarify_for", None))
            for digression in reading.staying:  # fear or a question said at a check is answered too
                replies.answer_digression(dispatcher, digression, asked, reading, tracker.get_slot("prescreen_outcome"))
            return events + getattr(self, check)(reading, dispatcher, tracker)

        stored: Dict[str, Any] = {}
        said = False
        if reading.answer is not None and not self.changes_another(reading, asked):
            stored = dict(self.validator(asked)(reading.answer, dispatcher, tracker, domain) or {})
            said = bool(stored.pop(SAID, False))
            events += [SlotSet(k, v) for k, v in stored.items()]
        kept = stored.get(asked) is not None or bool(stored.get("pending_answer"))
        if kept:
            replies.say_notes(dispatcher, reading, stored.get(asked))
        for digression in reading.staying:
            replies.answer_digression(dispatcher, digression, asked, reading, tracker.get_slot("prescreen_outcome"))
        if reading.leaving:
            events += self.leave(reading, asked, dispatcher, tracker)
        elif not kept and not said and not reading.digressions and not reading.emergency:
            events += self.missed(asked, dispatcher, tracker)
        if kept or reading.digressions or reading.emergency:
            if slot == "clarify" and kept:
                events.append(SlotSet("clarify_for", None))
            if kept:
                events.append(SlotSet(COUNTER, 0.0))
        if stored.get(asked) is not None:
            events += [SlotSet(s, None) for s in ("changing", "check_rejected") if tracker.get_slot(s)]
            events += self.take_volunteered(reading, dispatcher, tracker)
        return events

    @staticmethod
    def take_volunteered(reading: Reading, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        """ "I'm his mom, he's 7": the age is kept as well, and said, so it is not asked next.
        A volunteered answer is never one that excludes (``interpret`` leaves those to be asked)."""
        events: List[EventType] = []
        for slot, value in reading.volunteered:
            if tracker.get_slot(slot) is not None:
                continue
            kept = store_answer(slot, value, tracker)
            if kept.get(slot) is None:
                continue
            events += [SlotSet(k, v) for k, v in kept.items()]
            replies.say_volunteered(dispatcher, slot, value, tracker)
        return events

    @staticmethod
    def changes_another(reading: Reading, asked: str) -> bool:
        """A request to change an earlier trial answer, made at a question of the hand-off: the
        yes or no in it is about that answer ("it was negative, change it to no"), never a reply to
        "may the coordinator contact you?". (At a trial question, "no. actually he is 8" answers
        both.)"""
        return reading.leaving == "change" and TRIAL.question(asked) is None and \
            reading.topic not in (None, asked)

    def validator(self, slot: str):
        return getattr(self, f"validate_{slot}")

    def store(self, slot: str, value: Any, tracker: Tracker) -> Dict[str, Any]:
        return store_answer(slot, value, tracker)

    # --- checks and confirmations --------------------------------------------------------------

    def read_check(self, reading: Reading, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        """"Just to check: ... Is that right?" -- yes keeps the held answer, no asks again."""
        pending = tracker.get_slot("pending_answer") or {}
        slot, value = pending.get("slot"), pending.get("value")
        done = [SlotSet("pending_answer", None), SlotSet("check_statement", None), SlotSet(COUNTER, 0.0),
                SlotSet("changing", None)]
        if slot is None:
            return done
        said = reading.answer
        if said is None and reading.leaving:
            # "I can't do this anymore" at "is that right?": nothing is kept, and stopping is asked
            return done + self.leave(reading, "answer_check", dispatcher, tracker)
        if said is None and not reading.digressions:
            # "复发了两次" at "the leukemia has come back, is that right?": the answer said again
            again = read_answer(open_question(slot, tracker), latest_text(tracker), tracker.get_slot("language"))[0]
            said = YES if again == value else None
        if said == YES:
            return done + [SlotSet(slot, value), SlotSet("check_rejected", None)]
        if said == UNSURE:
            dispatcher.utter_message(response="utter_noted_unsure")
            return done + [SlotSet(slot, UNSURE), SlotSet("check_rejected", None)]
        if said == NO:
            return done + self.check_rejected(slot, dispatcher, tracker)
        return self.missed("answer_check", dispatcher, tracker)

    @staticmethod
    def check_rejected(slot: Optional[str], dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        """A "no" to "is that right?", or a second unreadable reply to it: the question again. The
        second round of the same check notes "not sure" instead of a third: "not sure" excludes
        nobody, and the study team asks in person."""
        if slot and tracker.get_slot("check_rejected") == slot:
            dispatcher.utter_message(response="utter_noted_unsure")
            return [SlotSet(slot, UNSURE), SlotSet("check_rejected", None)]
        dispatcher.utter_message(response="utter_check_try_again")
        return [SlotSet("check_rejected", slot)]

    def read_confirm(self, reading: Reading, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        """Stop, delete, restart: only an explicit yes does it; anything else keeps everything."""
        topic = tracker.get_slot("confirm_topic")
        done = [SlotSet("confirm_topic", None), SlotSet(COUNTER, 0.0)]
        said = plain_reading(reading)
        if said is None and not reading.leaving and "continue" in cues.kinds(latest_text(tracker)):
            said = NO  # "继续", "carry on", "sigamos": the words of the "No, carry on" button
        if reading.leaving and said is None:
            if SAME_REQUEST.get(reading.leaving) == topic:
                said = YES  # "sí, bórrelo" to "Delete everything?": the request again is a yes
            elif reading.leaving == "delete" and topic != "delete":
                return [SlotSet("confirm_topic", "delete"), SlotSet(COUNTER, 0.0)]  # "yes, and delete it all"
        if said is None and not reading.digressions:
            return self.missed("confirm_answer", dispatcher, tracker)
        if said != YES:
            return done + self.kept(topic, dispatcher)
        return done + self.confirmed(topic, dispatcher, tracker)

    def kept(self, topic: Optional[str], dispatcher: CollectingDispatcher) -> List[EventType]:
        """Anything but a yes to "are you sure?": everything stays as it was."""
        dispatcher.utter_message(response=f"utter_kept_{topic}" if topic in dialogue.CONFIRM_TOPICS else "utter_kept_stop")
        if topic == "replace_details":  # the details sent before stay; nothing is sent again
            return [SlotSet("replace_details", False), END]
        return []

    def confirmed(self, topic: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        if topic == "stop":
            dispatcher.utter_message(response="utter_stopped")
            say_resume_code(dispatcher, tracker)
            return [SlotSet("paused", True), END]
        if topic == "replace_details":
            return [SlotSet("replace_details", True), END]
        if topic == "delete":
            return delete_everything(dispatcher, tracker) + [END]
        if topic in ("restart", "new_screening"):
            dispatcher.utter_message(response="utter_start_over")
            keep = {"prescreen_consent": YES}
            return cleared(all_answer_slots(), keep) + [SlotSet("changing", None), SlotSet("check_rejected", None),
                                                        SlotSet("prescreen_outcome", None),
                                                        SlotSet("failed_criteria", None),
                                                        SlotSet("unknown_criteria", None)]
        return []

    def read_change(self, reading: Reading, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        """The reply to "which answer would you like to change?": an answer named, or a way out."""
        topic = reading.topic or (reading.answer if isinstance(reading.answer, str) else None)
        if reading.typed:
            topic = what_to_change(topic, tracker)  # a typed name may be vague; a button is exact
        if topic in changeable(tracker, self.form_name()):
            return self.apply_change(topic, None, dispatcher, tracker)
        if reading.leaving and reading.leaving != "change":
            return [SlotSet("change_menu", None), *self.leave(reading, "change_which", dispatcher, tracker)]
        if reading.digressions or reading.emergency:
            return []  # answered; the menu is shown again
        return self.missed("change_which", dispatcher, tracker)

    def apply_change(self, topic: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        """Changes one earlier answer: a new value given with the request, or the question again.
        A trial answer changed from the hand-off is asked by the pre-screening form, which then
        works the result out again."""
        done = [SlotSet("change_menu", None), SlotSet("clarify_for", None), SlotSet(COUNTER, 0.0)]
        if TRIAL.question(topic) is not None:
            if value is not None:
                stored = self.store(topic, value, tracker)
                if stored.get(topic) is not None:
                    replies.say_answer_updated(dispatcher, topic, tracker)
                events = [SlotSet(k, v) for k, v in stored.items()]
            else:
                dispatcher.utter_message(response="utter_change_answer_ok")
                events = [SlotSet(topic, None), SlotSet("changing", topic)]
            events += done + self.results_cleared()
            if self.form_name() != dialogue.PRESCREEN_FORM:
                events += [SlotSet("next_form", dialogue.PRESCREEN_FORM), END]
            return events
        dispatcher.utter_message(response="utter_change_answer_ok")  # a contact detail: asked again
        extra = [SlotSet(s, None) for s in ("contact_phone", "contact_email", "contact_wechat")] \
            if topic == "contact_details" else []
        return [SlotSet(topic, None), *extra, SlotSet("handoff_confirm", None), SlotSet("question_confirm", None), *done]

    def results_cleared(self) -> List[EventType]:
        """After a change the result is worked out again (and said again only if it changed)."""
        return [SlotSet("recheck", True)]

    def leave(self, reading: Reading, asked: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        """A reply that wants to leave the question: confirm first, or change an earlier answer."""
        kind = reading.leaving
        if kind in ("delete", "restart") and reading.confirmed:
            return self.confirmed(kind, dispatcher, tracker)  # the page's own "are you sure?" was accepted
        if kind in ("stop", "later"):
            return [SlotSet("confirm_topic", "stop")]
        if kind == "delete":
            return [SlotSet("confirm_topic", "delete")]
        if kind == "restart":
            return [SlotSet("confirm_topic", "restart")] if answered(tracker) else []
        if kind == "person":
            if self.form_name() == dialogue.QUESTION_FORM:
                return []
            return [SlotSet("next_form", dialogue.QUESTION_FORM), END]
        if kind == "change":
            return self.change(reading, dispatcher, tracker)
        return []

    def change(self, reading: Reading, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        options = changeable(tracker, self.form_name())
        topic = what_to_change(reading.topic, tracker) if reading.typed and reading.topic_value is None else reading.topic
        if topic in options:
            return self.apply_change(topic, reading.topic_value, dispatcher, tracker)
        if not options:
            dispatcher.utter_message(response="utter_nothing_to_change")
            return []
        return [SlotSet("change_menu", True)]

    def missed(self, asked: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        """Not understood: say what is needed; then ask another way; then note "not sure"."""
        count = int(tracker.get_slot(COUNTER) or 0) + 1
        kind = open_question(asked, tracker).kind
        if count < dialogue.MISSES_BEFORE_CLARIFY:
            dispatcher.utter_message(response=replies.not_understood(asked, kind))
            return [SlotSet(COUNTER, float(count))]
        if asked in CHECKS:
            return self.check_not_understood(asked, dispatcher, tracker)
        if count < dialogue.MISSES_BEFORE_DEFAULT or not replies.has_default(asked):
            return [SlotSet(COUNTER, float(count)), SlotSet("clarify_for", asked)]
        dispatcher.utter_message(response="utter_noted_unsure")
        question = TRIAL.question(asked)
        value = "other" if question is not None and question.kind == CHOICE else UNSURE
        return [SlotSet(asked, value), SlotSet(COUNTER, 0.0), SlotSet("clarify_for", None)]

    def check_not_understood(self, asked: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        """A second unreadable reply to a check takes the way that changes nothing: nothing stops or
        is deleted, a held answer is asked again, the menu closes; then the open question."""
        done = [SlotSet(COUNTER, 0.0), SlotSet("clarify_for", None)]
        if asked == "confirm_answer":
            return done + [SlotSet("confirm_topic", None)] + self.kept(tracker.get_slot("confirm_topic"), dispatcher)
        if asked == "answer_check":
            slot = (tracker.get_slot("pending_answer") or {}).get("slot")
            held = [SlotSet("pending_answer", None), SlotSet("check_statement", None)]
            return done + held + self.check_rejected(slot, dispatcher, tracker)
        dispatcher.utter_message(response="utter_kept_stop")  # change_which: "Good, let's carry on."
        return done + [SlotSet("change_menu", None)]

    # --- the next question --------------------------------------------------------------------

    async def ask_next(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[EventType]:
        """Names the next question (Rasa asks it), with the slots its wording needs."""
        required = await self.required_slots([], dispatcher, tracker, domain)
        nxt = next((s for s in required if tracker.get_slot(s) is None), None)
        events: List[EventType] = [SlotSet(REQUESTED_SLOT, nxt)]
        if nxt == "clarify":
            events += replies.clarify_slots(tracker.get_slot("clarify_for"), tracker)
        if TRIAL.question(nxt or "") is not None:
            number, total = TRIAL.progress(answered(tracker), nxt)
            events += [SlotSet("question_number", str(number)), SlotSet("question_total", str(total))]
        if nxt == "change_which":
            replies.change_menu(dispatcher, tracker, changeable(tracker, self.form_name()))
        return events

    def pending_question(self, tracker: Tracker) -> Optional[str]:
        """A check or confirmation that comes before the form's own next question."""
        if tracker.get_slot("confirm_topic"):
            return "confirm_answer"
        if tracker.get_slot("pending_answer"):
            return "answer_check"
        if tracker.get_slot("change_menu"):
            return "change_which"
        if tracker.get_slot("clarify_for"):
            return "clarify"
        return None


class ValidatePrescreenForm(QuestionForm):
    """The trial's questions, one at a time, in the order and with the skipping of ``bot/trial``."""

    def name(self) -> Text:
        return "validate_prescreen_form"

    async def required_slots(self, domain_slots: List[Text], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: DomainDict) -> List[Text]:
        pending = self.pending_question(tracker)
        if pending:
            return [pending]
        answers = answered(tracker)
        changing = TRIAL.question(tracker.get_slot("changing") or "")
        if changing is not None and answers.get(changing.slot) is None and changing.applies(answers):
            return [changing.slot]  # "change who is answering" after a result the trial stopped at
        nxt = TRIAL.next_question(answers)
        return [nxt] if nxt else []

    # One method per question, as rasa-sdk writes them; each stores an interpreted answer.
    def validate_prescreen_consent(self, value, dispatcher, tracker, domain):
        if value == YES:
            record_started(tracker.sender_id)  # the funnel counts screenings, not greetings
        return self.store("prescreen_consent", value, tracker)

    def validate_respondent(self, value, dispatcher, tracker, domain):
        return self.store("respondent", value, tracker)

    def validate_patient_age(self, value, dispatcher, tracker, domain):
        return self.store("patient_age", value, tracker)

    def validate_b_all_diagnosis(self, value, dispatcher, tracker, domain):
        return self.store("b_all_diagnosis", value, tracker)

    def validate_relapsed_or_refractory(self, value, dispatcher, tracker, domain):
        return self.store("relapsed_or_refractory", value, tracker)

    def validate_had_car_t(self, value, dispatcher, tracker, domain):
        return self.store("had_car_t", value, tracker)

    def validate_car_t_activity_lost(self, value, dispatcher, tracker, domain):
        return self.store("car_t_activity_lost", value, tracker)

    def validate_car_t_loss_months(self, value, dispatcher, tracker, domain):
        return self.store("car_t_loss_months", value, tracker)

    def validate_relapse_since_car_t(self, value, dispatcher, tracker, domain):
        return self.store("relapse_since_car_t", value, tracker)

    def validate_guardian_can_consent(self, value, dispatcher, tracker, domain):
        return self.store("guardian_can_consent", value, tracker)

    def validate_severe_allergies(self, value, dispatcher, tracker, domain):
        return self.store("severe_allergies", value, tracker)

    def validate_ecog(self, value, dispatcher, tracker, domain):
        return self.store("ecog", value, tracker)

    def validate_bendamustine_9_months(self, value, dispatcher, tracker, domain):
        return self.store("bendamustine_9_months", value, tracker)

    def validate_brain_pressure_or_consciousness(self, value, dispatcher, tracker, domain):
        return self.store("brain_pressure_or_consciousness", value, tracker)

    def validate_heart_failure_or_arrhythmia(self, value, dispatcher, tracker, domain):
        return self.store("heart_failure_or_arrhythmia", value, tracker)

    def validate_respiratory_failure(self, value, dispatcher, tracker, domain):
        return self.store("respiratory_failure", value, tracker)

    def validate_other_cancer(self, value, dispatcher, tracker, domain):
        return self.store("other_cancer", value, tracker)

    def validate_dic(self, value, dispatcher, tracker, domain):
        return self.store("dic", value, tracker)

    def validate_kidney_problem(self, value, dispatcher, tracker, domain):
        return self.store("kidney_problem", value, tracker)

    def validate_uncontrolled_infection(self, value, dispatcher, tracker, domain):
        return self.store("uncontrolled_infection", value, tracker)

    def validate_uncontrolled_diabetes(self, value, dispatcher, tracker, domain):
        return self.store("uncontrolled_diabetes", value, tracker)

    def validate_severe_mental_disorder(self, value, dispatcher, tracker, domain):
        return self.store("severe_mental_disorder", value, tracker)

    def validate_brain_lesions(self, value, dispatcher, tracker, domain):
        return self.store("brain_lesions", value, tracker)

    def validate_csf_blasts_high(self, value, dispatcher, tracker, domain):
        return self.store("csf_blasts_high", value, tracker)

    def validate_blood_blasts_high(self, value, dispatcher, tracker, domain):
        return self.store("blood_blasts_high", value, tracker)

    def validate_organ_transplant(self, value, dispatcher, tracker, domain):
        return self.store("organ_transplant", value, tracker)

    def validate_sex(self, value, dispatcher, tracker, domain):
        return self.store("sex", value, tracker)

    def validate_pregnant_or_breastfeeding(self, value, dispatcher, tracker, domain):
        return self.store("pregnant_or_breastfeeding", value, tracker)

    def validate_active_infectious_disease(self, value, dispatcher, tracker, domain):
        return self.store("active_infectious_disease", value, tracker)


def answer_events(stored: Dict[str, Any]) -> List[EventType]:
    return [SlotSet(k, v) for k, v in stored.items()]


__all__: Tuple[str, ...] = ("QuestionForm", "ValidatePrescreenForm", "answer_events")
