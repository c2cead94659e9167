"""Which response answers what: digressions, emergencies, misses, checks and the change menu.

The texts themselves are domain responses with a variation per language (``domain/*.yml``) or,
for the few built from answers, the trial's words per language (``bot/trial/<trial>/lang``).
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.trial import TRIAL
from bot.trial.model import AGE, CHOICE, ECOG, MONTHS, TRI, UNSURE, is_number
from bot.trial.nct06389305.reading import trial_words
from bot.understanding.interpret import CONFIRM, CONTACT, TEXT, Reading

LANGUAGES = ("en", "zh", "es")

NOT_UNDERSTOOD = {
    TRI: "utter_not_understood_tri",
    CONFIRM: "utter_not_understood_tri",
    AGE: "utter_not_understood_age",
    MONTHS: "utter_not_understood_months",
    ECOG: "utter_not_understood_choice",
    CHOICE: "utter_not_understood_choice",
    TEXT: "utter_not_understood_name",
    CONTACT: "utter_not_understood_contact",
    "topic": "utter_not_understood_choice",
}
DIGRESSION_REPLIES = {
    "bot": "utter_bot_challenge",
    "other": "utter_out_of_scope",
    "greet": "utter_hello_again",
    "resume": "utter_welcome_back",  # then the open question again, with its place
    "thank": "utter_thank",
    "not_delete": "utter_nothing_deleted",
    "delete_question": "utter_delete_info",
    "distress": "utter_distress",
    "stale_button": "utter_stale_button",
}
NOTES = {"marrow_not_organ": "utter_note_marrow_not_organ", "nominal_age": "utter_note_nominal_age"}
HANDOFF_WHY = ("contact_consent", "contact_name", "contact_details", "contact_time", "handoff_confirm",
               "question_consent", "contact_message", "question_confirm")


# Kinds of emergency (bot.understanding.safety) with a reply of their own; the rest get the general one.
EMERGENCY_REPLIES = {"self_harm": "utter_emergency_self_harm", "fever": "utter_emergency_fever",
                     "help_on_the_way": "utter_emergency_help_on_the_way"}


def emergency(kind: str) -> str:
    """The emergency reply that fits what was said: crisis lines only for self-harm wording, the
    treating team first for a high fever after treatment."""
    return EMERGENCY_REPLIES.get(kind, "utter_emergency")


def not_understood(slot: str, kind: str) -> str:
    return NOT_UNDERSTOOD.get(kind, "utter_not_understood_choice")


def has_default(slot: str) -> bool:
    """Whether a third unreadable reply may be noted as "not sure" (trial questions only)."""
    # Not who is answering: a guessed "someone else" would word every question wrongly; its
    # clarifying question has buttons for all three and a way to a person.
    return TRIAL.question(slot) is not None and slot not in ("prescreen_consent", "respondent")


def answer_digression(dispatcher: CollectingDispatcher, digression: str, asked: str, reading: Reading,
                      outcome: Optional[str] = None) -> None:
    """Answers what the person asked on the way; the open question is asked again after."""
    if digression.startswith("faq:"):
        dispatcher.utter_message(response="utter_" + digression[4:])
    elif digression == "explain":
        topic = reading.topic if reading.topic and TRIAL.question(reading.topic) else asked
        dispatcher.utter_message(response=f"utter_explain_{topic}")
    elif digression == "why":
        dispatcher.utter_message(response=why_response(reading.topic if reading.topic and TRIAL.question(reading.topic) else asked))
    elif digression == "next_steps":
        dispatcher.utter_message(response=f"utter_next_steps_{outcome}" if outcome else "utter_explain_prescreen_consent")
    elif digression == "language":
        dispatcher.utter_message(response="utter_language_switched" if reading.language else "utter_language_unsupported")
    elif digression in DIGRESSION_REPLIES:
        dispatcher.utter_message(response=DIGRESSION_REPLIES[digression])


def why_response(slot: str) -> str:
    if slot in HANDOFF_WHY:
        return "utter_why_contact"
    criterion = TRIAL.criterion_of(slot)
    return f"utter_why_{criterion}" if criterion else f"utter_why_{slot if slot == 'respondent' else 'prescreen_consent'}"


def say_notes(dispatcher: CollectingDispatcher, reading: Reading, stored: Any) -> None:
    for note in reading.notes:
        if note in NOTES:
            dispatcher.utter_message(response=NOTES[note])
    if stored == UNSURE and any(n.startswith("qualified_") for n in reading.notes):
        dispatcher.utter_message(response="utter_noted_unsure")


# --- words built from the answers -------------------------------------------------------------------


def tracker_language(tracker: Tracker) -> str:
    language = tracker.get_slot("language")
    return language if language in LANGUAGES else "en"


def _english_subject(respondent: Optional[str]) -> Dict[str, str]:
    if respondent == "guardian":
        return {"you": "your child", "are": "is", "have": "has", "do": "does"}
    if respondent == "other":
        return {"you": "the patient", "are": "is", "have": "has", "do": "does"}
    return {"you": "you", "are": "are", "have": "have", "do": "do"}


def value_words(slot: str, value: Any, language: str) -> str:
    words = trial_words(language)
    if slot == "ecog" and is_number(value):
        return str(words["ecog_words"].get(int(value), int(value)))
    if slot == "patient_age" and is_number(value):
        if value < 2:
            months = round(value * 12)
            return words["year"] if months == 12 else words["months"].format(n=months)
        return words["years"].format(n=f"{value:g}")
    if slot == "car_t_loss_months" and is_number(value):
        return words["month_count"].format(n=f"{value:g}")
    return str(words["values"].get(value, value)) if isinstance(value, str) else str(value)


def check_statement(slot: str, value: Any, tracker: Tracker) -> str:
    """What was understood, in plain words, for "Just to check: ... Is that right?"."""
    language = tracker_language(tracker)
    template = trial_words(language)["checks"][slot]
    fields = {"value": value_words(slot, value, language),
              "ref": tracker.get_slot("patient_ref") or "", "Ref": tracker.get_slot("patient_ref_title") or ""}
    if language == "en":
        fields.update(_english_subject(tracker.get_slot("respondent")))
    return template.format(**fields)


def say_volunteered(dispatcher: CollectingDispatcher, slot: str, value: Any, tracker: Tracker) -> None:
    """"I've noted that too (Age: 7 years old)": why the next question is not the one expected."""
    language = tracker_language(tracker)
    dispatcher.utter_message(response="utter_noted_volunteered", question_label=label(slot, language),
                             answer_words=value_words(slot, value, language))


def label(slot: str, language: str) -> str:
    return str(trial_words(language)["labels"].get(slot, slot))


def say_answer_updated(dispatcher: CollectingDispatcher, slot: str, tracker: Tracker) -> None:
    """"I've updated your answer for “Age”": which answer, not "that answer"."""
    dispatcher.utter_message(response="utter_answer_updated", question_label=label(slot, tracker_language(tracker)))


def clarify_slots(slot: Optional[str], tracker: Tracker) -> List[EventType]:
    """What the "let me ask that another way" question needs: the kind and a short label."""
    from actions.conversation import open_question

    kind = open_question(slot, tracker).kind
    if slot == "respondent":
        kind = "respondent"
    elif slot == "sex":
        kind = "sex"
    return [SlotSet("clarify_kind", kind), SlotSet("question_label", label(slot or "", tracker_language(tracker)))]


def change_menu(dispatcher: CollectingDispatcher, tracker: Tracker, slots: List[str]) -> None:
    """"Which answer would you like to change?" with one button per answer that can change."""
    language = tracker_language(tracker)
    buttons = [
        {"title": label(slot, language), "payload": "/change_answer" + json.dumps({"topic": slot, "q": "change_which"})}
        for slot in slots
    ]
    dispatcher.utter_message(response="utter_ask_which_answer", buttons=buttons)
