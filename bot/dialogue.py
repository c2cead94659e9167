"""The assistant's own questions, besides the trial's: the hand-off, checks and confirmations.

Every question the assistant asks is a form slot, so every answer goes through the same
interpretation step (``bot/understanding/interpret.py``) and nothing is read as a command while
a question is open unless it clearly is one. Three kinds of question are asked inside any form:

- ``answer_check``: "Just to check: you said the patient is 45. Is that right?" -- asked before a
  typed answer would end the pre-screening with "not eligible" (issue 11, point 5);
- ``confirm_answer``: "Do you want to stop here?", "Delete everything?" -- asked before anything
  ends, restarts or deletes (``CONFIRM_TOPICS``);
- ``change_which``: "Which answer would you like to change?";
- ``clarify``: the open question put another way, with its options as buttons and a way to a
  person, after a second answer that could not be read (issue 11, point 6).

No Rasa imports: the domain's slot mappings are generated from here and from the trial
definition (``tools/domain_slots.py``), and the actions read the same lists.
"""

from __future__ import annotations

from typing import Dict, Tuple

from bot.trial.model import TRI
from bot.understanding.interpret import CONFIRM, CONTACT, TEXT

PRESCREEN_FORM = "prescreen_form"
HANDOFF_FORM = "handoff_form"
QUESTION_FORM = "question_form"
FORMS = (PRESCREEN_FORM, HANDOFF_FORM, QUESTION_FORM)

TOPIC = "topic"  # which earlier question (change_which)

# The hand-off to the coordinator, in asking order (data dictionary, "Contact hand-off").
HANDOFF_QUESTIONS: Tuple[Tuple[str, str], ...] = (
    ("contact_consent", TRI),
    ("contact_name", TEXT),
    ("contact_details", CONTACT),
    ("contact_time", TEXT),
    ("handoff_confirm", CONFIRM),
)
# "Talk to a person": a short message and a way to reach the person, with consent.
QUESTION_QUESTIONS: Tuple[Tuple[str, str], ...] = (
    ("question_consent", TRI),
    ("contact_message", TEXT),
    ("contact_name", TEXT),
    ("contact_details", CONTACT),
    ("question_confirm", CONFIRM),
)
CHECKS: Tuple[Tuple[str, str], ...] = (
    ("answer_check", CONFIRM),
    ("confirm_answer", CONFIRM),
    ("change_which", TOPIC),
    ("clarify", "clarify"),  # read as the question it clarifies (slot `clarify_for`)
)

# What ``confirm_answer`` confirms; each has its own question (utter_ask_confirm_answer).
CONFIRM_TOPICS = ("stop", "delete", "restart", "new_screening", "replace_details")

# Answers typed into these questions are never kept in stored conversations (the tracker
# store replaces them); the values themselves live encrypted in the lead store.
PRIVATE_ANSWERS = ("contact_name", "contact_details", "contact_time", "contact_message")

MISSES_BEFORE_CLARIFY = 2  # the question is asked at most twice the same way
MISSES_BEFORE_DEFAULT = 3  # then "not sure" is noted and the screening goes on


def form_questions() -> Dict[str, Tuple[Tuple[str, str], ...]]:
    """Each form's own questions (the trial's are added from the trial definition)."""
    return {HANDOFF_FORM: HANDOFF_QUESTIONS, QUESTION_FORM: QUESTION_QUESTIONS}
