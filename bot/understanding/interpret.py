"""The one interpretation step: a message, read against the question that is open.

Given what the person sent and the question they were asked, ``interpret`` returns a
``Reading``: an answer to that question, a digression (a question about the trial, "what does
that mean?", "stop", "delete my data", fear), or neither ("unclear"), with its evidence. The
forms, the dialogue rules and the phrase-bank report all use it, and it has no Rasa imports.

Answer first. A message is read as an answer to the open question before anything else; a
digression wins only on clear evidence: a button, or words that say so (``cues``). The intent
classifier alone never ends, deletes or changes anything, and its guesses only count for
questions about the trial or a word when the message is a question. A message that answers and
asks gets both. Free-text questions (a name, a phone number) take the text as given: there only
a button or a message that is nothing but a command counts as a command.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Dict, List, Mapping, Optional, Tuple

from bot.trial.model import (
    AGE,
    CHOICE,
    ECOG,
    FAIL,
    MONTHS,
    NO,
    NUMBER_KINDS,
    TRI,
    UNSURE,
    YES,
    Question,
    Trial,
)
from bot.understanding import cues, parsing, safety
from bot.understanding.language import looks_unsupported, names_a_language, requested_language
from bot.understanding.matching import CJK_SPACE_BREAK
from bot.understanding.text import fold

# Kinds of question besides the trial's own (bot.trial.model: tri, age, months, ecog, choice).
TEXT = "text"  # a name, a preferred time, a message for the coordinator: taken as typed
CONTACT = "contact"  # phone, e-mail or WeChat ID, taken as typed and validated by the caller
CONFIRM = "confirm"  # yes / no / not sure to a question of the assistant's own
FREE_TEXT = (TEXT, CONTACT)
PERSON_QUESTIONS = ("contact_consent", "question_consent")  # where "contact me" is the answer
QUESTIONS_WELCOME = ("contact_message",)  # a message for the coordinator: a question is the answer

# Digressions that leave the question (the caller confirms before anything is lost) and those
# answered on the spot, after which the question is asked again.
LEAVING = ("delete", "restart", "change", "stop", "later", "person")
STAYING = ("not_delete", "delete_question", "distress", "explain", "why", "bot", "language", "faq",
           "other", "greet", "thank", "stale_button", "next_steps", "resume")
# Buttons and words that open a pre-screening: sent while one is under way (the page's "Continue"
# after the tab was closed, "let's begin", "I'm back"), they get "here is where we were", never a miss.
OPENING_INTENTS = ("greet", "start_screening", "resume_conversation")
MAX_RESUMING_CHARS = 60
AGREE_TO_START = ("prescreen_consent",)  # where "ok, let's begin" is the answer

# Intents a button can carry for each digression (the domain's button payloads).
BUTTON_DIGRESSIONS = {
    "explain": "explain",
    "why_ask": "why",
    "start_over": "restart",
    "delete_data": "delete",
    "change_answer": "change",
    "talk_to_person": "person",
    "switch_language": "language",
    "goodbye": "stop",
    "come_back_later": "later",
    "bot_challenge": "bot",
    "out_of_scope": "other",
}
# Typed messages: what the classifier may decide on its own, and how sure it must be.
QUESTION_INTENTS = {"explain": "explain", "why_ask": "why", "bot_challenge": "bot", "ask_next_steps": "next_steps"}
SURE_FOR_A_QUESTION = 0.5
SURE_SOME = 0.3
SURE_LANGUAGE = 0.8
SURE_WITHOUT_ANSWER = 0.7
SURE_OFF_TOPIC = 0.8
CLASSIFIER_LEAVING = {"goodbye": "stop", "start_over": "restart", "change_answer": "change",
                      "talk_to_person": "person", "come_back_later": "later"}  # never delete: it needs the words
SURE_TO_LEAVE = 0.9
SURE_DISTRESS = 0.8  # the classifier's fear guess, without the words, on a short message only
MAX_DISTRESS_GUESS_CHARS = 80
MAX_CLASSIFIER_LEAVING_CHARS = 60

_PAYLOAD = re.compile(r"^\s*/(?P<intent>[A-Za-z_][\w-]*)\s*(?P<entities>\{.*\})?\s*$", re.S)
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
# "he's 8", "she is 12 years old", "tiene 8 años", "他8岁": a stated age at another question.
_AGE_WORDS = re.compile(
    r"\b(he|she|i)\s*(is|'s|am|'m)\b|\b(age|aged|old)\b|岁|年龄|\banos\b|\bedad\b|\btiene\b", re.I)


@dataclass(frozen=True)
class OpenQuestion:
    """The question the person was asked: its slot, how it is answered, and its buttons."""

    slot: str
    kind: str
    question: Optional[Question] = None  # the trial's definition, for a trial question
    buttons: Mapping[str, str] = field(default_factory=dict)  # folded title -> payload

    @classmethod
    def of(cls, trial: Trial, slot: str, buttons: Mapping[str, str] | None = None) -> "OpenQuestion":
        question = trial.question(slot)
        return cls(slot, question.kind if question else TRI, question, buttons or {})


@dataclass(frozen=True)
class Message:
    """What the NLU made of a message (the intent is only a guess; entities come from buttons)."""

    text: str
    intent: Optional[str] = None
    confidence: float = 0.0
    entities: Mapping[str, Any] = field(default_factory=dict)
    language: Optional[str] = None

    @property
    def payload(self) -> Optional[Tuple[str, Dict[str, Any]]]:
        """(intent, entities) when the message is a button payload such as /affirm{"tri":"yes"}."""
        return parse_payload(self.text)


@dataclass(frozen=True)
class Reading:
    """An answer, digressions, an emergency, or none of them ("unclear")."""

    answer: Any = None
    digressions: Tuple[str, ...] = ()  # the first is the one that decides; STAYING ones are all answered
    emergency: Optional[str] = None  # kind, e.g. "breathing", "self_harm"
    notes: Tuple[str, ...] = ()  # what to tell the person about the reading ("marrow_not_organ")
    topic: Optional[str] = None  # the question a change or an explanation is about
    topic_value: Any = None  # a corrected value given with a change ("actually he's 8")
    language: Optional[str] = None  # the language asked for
    confirmed: bool = False  # a button whose own confirmation the person already accepted
    raw_answer: Any = None  # the answer before a request in the same message set it aside
    volunteered: Tuple[Tuple[str, Any], ...] = ()  # answers to the next questions given with this one
    typed: bool = True  # False when it came from a button
    evidence: Tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        if self.answer is not None:
            return "answer"
        if self.digressions:
            return "digression"
        return "emergency" if self.emergency else "unclear"

    @property
    def leaving(self) -> Optional[str]:
        return next((d for d in self.digressions if d in LEAVING), None)

    @property
    def staying(self) -> Tuple[str, ...]:
        return tuple(d for d in self.digressions if d not in LEAVING)


def parse_payload(text: str) -> Optional[Tuple[str, Dict[str, Any]]]:
    match = _PAYLOAD.match(text or "")
    if not match:
        return None
    entities: Dict[str, Any] = {}
    if match.group("entities"):
        try:
            loaded = json.loads(match.group("entities"))
        except ValueError:
            return None
        if not isinstance(loaded, dict):
            return None
        entities = loaded
    return match.group("intent"), entities


def button_table(buttons: Mapping[str, str]) -> Dict[str, str]:
    """Button titles folded for comparison with what people type ("Yes, let's start" -> payload)."""
    return {_bare(title): payload for title, payload in buttons.items() if _bare(title)}


def _bare(text: str) -> str:
    return _PUNCT.sub(" ", fold(text)).strip()


# --- reading answers ---------------------------------------------------------------------------


def _entity_answer(kind: str, question: Optional[Question], entities: Mapping[str, Any]) -> Any:
    """An answer carried by a button's entities."""
    tri = entities.get("tri")
    if kind in (TRI, CONFIRM):
        return tri if tri in (YES, NO, UNSURE) else None
    if tri == UNSURE and kind in NUMBER_KINDS:
        return UNSURE
    if kind == CHOICE and question is not None:
        for name in ("respondent_kind", "sex_value", "choice"):
            if entities.get(name) in question.choices:
                return entities[name]
        return UNSURE if tri == UNSURE and UNSURE in question.choices else None
    if kind == ECOG:
        level = entities.get("ecog_level")
        return float(level) if isinstance(level, (int, float)) and level in (0, 1, 2, 3, 4) else None
    if kind in (AGE, MONTHS):
        for name in ("duration_months", "number"):
            value = entities.get(name)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                months = name == "duration_months"
                if kind == AGE:
                    return round(value / 12.0, 4) if months else float(value)
                return float(value)
    return None


def _tri_answer(text: str, lang: Optional[str], question: Optional[Question]) -> Tuple[Any, Tuple[str, ...]]:
    notes: Tuple[str, ...] = ()
    special = question.reading(text, lang) if question is not None and question.reading is not None else None
    if special is not None:
        # The question's own reading (the trial's words and limits); a plain yes still meets the
        # general qualifiers, one the trial already qualified does not.
        value, notes = special[0], (special[1],)
        if value != YES or special[1] == "compared_with_limit" or special[1].startswith("qualified_"):
            return value, notes
    else:
        value = parsing.parse_tri(text, lang)
        if "unsure" in cues.kinds(text):
            return UNSURE, notes
    if value == YES and question is not None and question.qualifiers is not None:
        qualifiers = cues.qualifiers(text)
        if qualifiers:
            meaning = next((question.qualifiers[q] for q in qualifiers if q in question.qualifiers), UNSURE)
            return meaning, ("qualified_" + qualifiers[0],)
    if value is None and question is not None and question.qualifiers is not None and not cues.is_question(text):
        # "had a seizure years ago, none since": a past or controlled condition, no yes/no word.
        # Asked, it says nothing: "what if he had one last year?" is a question, not a "no".
        qualifiers = cues.qualifiers(text)
        if qualifiers and any(q in question.qualifiers for q in qualifiers):
            q = next(q for q in qualifiers if q in question.qualifiers)
            return question.qualifiers[q], ("qualified_" + q,)
    return value, notes


def _number_answer(kind: str, text: str, lang: Optional[str],
                   limits: Optional[Tuple[float, ...]] = None) -> Tuple[Any, Tuple[str, ...]]:
    if kind == ECOG:
        level = parsing.parse_activity(text, lang)
        if level == UNSURE:
            return UNSURE, ()
        if level is not None:
            return float(level), ()
    else:
        found = parsing.parse_duration(text, lang, for_age=kind == AGE)
        if found is not None and found.kind in ("below", "above"):
            return UNSURE, ("a_bound_not_a_value",)  # "不到半年", "more than a year"
        if found is not None:
            nominal = ("nominal_age",) if found.kind == "nominal" else ()
            if kind == AGE:
                return _age(round(found.months / 12.0, 4), text, lang), nominal
            return found.months, ()
        if kind == AGE:
            born = parsing.parse_birth_age(text, lang)
            if born is not None:
                if any(born.low < limit <= born.high for limit in limits or ()):  # the trial's (Question.limits)
                    return None, ("birth_year_near_a_limit",)
                return _completed_years(born.low), ("from_birth_date",)
        number = parsing.parse_number(text, lang)
        if number is not None:
            return (_age(number, text, lang) if kind == AGE else number), ()
        if kind == MONTHS:
            span = parsing.parse_month_span(text, lang)
            if span is not None:
                return span, ("from_month_names",)
        ends = parsing.range_ends(text, lang)
        if ends is not None:
            return _range_answer(kind, ends, lang, limits)
        if parsing.vague_duration(text):
            return UNSURE, ("no_number",)  # "a few months", "几个月"
    if parsing.parse_tri(text, lang) == UNSURE or "unsure" in cues.kinds(text):
        return UNSURE, ()
    return None, ()


def _range_answer(kind: str, ends: Tuple[str, str], lang: Optional[str],
                  limits: Optional[Tuple[float, ...]]) -> Tuple[Any, Tuple[str, ...]]:
    """ "4 or 5 months", "三四个月", "七八岁": one answer only when both ends read as numbers and
    no limit of the question lies between them (then nothing the trial decides depends on which
    it is); otherwise "not sure", never a guess. An age keeps the lower end (completed years)."""
    values = [_number_answer(kind, end, lang, limits)[0] for end in ends]
    if limits is None or not all(isinstance(v, float) for v in values):
        return UNSURE, ("a_range",)
    low, high = sorted(values)
    if any(low <= limit <= high for limit in limits):  # an end on a limit may be either side of it
        return UNSURE, ("a_range_across_a_limit",)
    return (low if kind == AGE else round((low + high) / 2, 4)), ("from_a_range",)


def _completed_years(age: float) -> float:
    """An age from a date of birth in whole years, as people say it (months under two)."""
    return float(int(age)) if age >= 2 else age


def _age(years: float, text: str, lang: Optional[str]) -> float:
    """ "Almost 40", "40 next week", "cumple 9 en febrero", "快满一岁": not yet that age."""
    if years == int(years) and years >= 1 and parsing.approaching(text, lang):
        return years - 1 if years >= 2 else round(years - 1 / 12, 4)
    return years


def _choice_answer(slot: str, text: str, lang: Optional[str]) -> Any:
    if slot == "respondent":
        return parsing.parse_respondent(text, lang)
    if slot == "sex":
        return parsing.parse_sex(text, lang)
    return None


def read_answer(question: OpenQuestion, text: str, lang: Optional[str]) -> Tuple[Any, Tuple[str, ...]]:
    """The answer in typed text for this question, or None; and notes about the reading."""
    value, notes, _said = _read_answer(question, text, lang)
    return value, notes


def _read_answer(question: OpenQuestion, text: str, lang: Optional[str]) -> Tuple[Any, Tuple[str, ...], str]:
    """``read_answer``, and the sentences that say rather than ask (``_said_not_asked``), so the
    check for an answer about another condition reads the same sentences without working them out
    again."""
    kind = question.kind
    if kind == CONFIRM and _wordy(text):
        return None, ("too long to confirm",), ""  # "are you sure?" takes a plain yes or no, or a button
    if kind in (TRI, CONFIRM) and (kind == CONFIRM or question.slot in CONSENT_QUESTIONS):
        text = _consent_words(text)  # consent is given in so many words, not inside a question
        if not text:
            return None, ("asked instead",), ""
    said = _said_not_asked(question, text, lang)
    value, notes = _read_kind(question, said, lang) if said else (None, ())
    if value is not None:
        notes = notes + (FROM_PART,)
    else:
        value, notes = _read_kind(question, text, lang)
    if value is not None and question.question is not None and not question.question.accepts(value):
        return None, ("out_of_range",), said
    return value, notes, said


def _read_kind(question: OpenQuestion, text: str, lang: Optional[str]) -> Tuple[Any, Tuple[str, ...]]:
    kind = question.kind
    if kind in (TRI, CONFIRM):
        return _tri_answer(text, lang, question.question)
    if kind in NUMBER_KINDS:
        limits = question.question.limits if question.question else None
        if kind != ECOG:
            taken_back = _taken_back(text, lang)
            if taken_back is not None:
                later = _number_answer(kind, taken_back, lang, limits)
                if isinstance(later[0], (int, float)):
                    return float(later[0]), later[1] + ("self_corrected",)
        return _number_answer(kind, text, lang, limits)
    if kind == CHOICE:
        return _choice_answer(question.slot, text, lang), ()
    return None, ()


# "not 5, 6", "不是5岁，是6岁", "no 5, 6 años": a number taken back, and the one said instead.
_NOT_THIS_BUT = re.compile(
    r"^\s*(?:not|no|不是|no es|no son|no tiene)\s*(?P<taken>[^,，、;；]+?)\s*[,，、;；]\s*(?P<instead>.+)$", re.I | re.S)


def _taken_back(text: str, lang: Optional[str]) -> Optional[str]:
    """The words after a number the person took back in the same message ("5, no wait, 6",
    "five... sorry, six", "五岁 不对 六岁", "5, perdón, 6"), or None. Only a number before the
    correction and one after it make it one: "sorry, he is 7" and "7, sorry for the wait" are
    plain answers."""
    folded = fold(text)
    match = _NOT_THIS_BUT.match(folded)
    if match and _numbered(match.group("taken"), lang) and _numbered(match.group("instead"), lang):
        return match.group("instead")
    for start, end in sorted(cues.correction_spans(folded), reverse=True):
        if _numbered(folded[:start], lang) and _numbered(folded[end:], lang):
            return folded[end:]
    return None


def _numbered(text: str, lang: Optional[str]) -> bool:
    """A number in the text, bare or with a unit ("6", "six", "六岁", "4 months")."""
    return parsing.parse_number(text, lang) is not None or parsing.parse_duration(text, lang) is not None


def _said_not_asked(question: OpenQuestion, text: str, lang: Optional[str]) -> str:
    """The sentences that say something, when others ask ("女。这个试验男孩女孩都可以参加吗") or
    are about another question ("没有。对了，前面性别我点错了"): the answer is read from those
    first, so the other sentences' words ("boys and girls") do not hide it. A "?" after an answer
    ("like 11 weeks?") is no question. Empty when no sentence, or every one, is set aside."""
    sentences = _sentences(text)
    said = [sentence for sentence in sentences
            if (not cues.is_question(sentence) or _read_kind(question, sentence, lang)[0] is not None)
            and parsing.parse_topic(sentence, lang) in (None, question.slot)]
    if said and len(said) < len(sentences):
        return " ".join(said)
    if len(sentences) == 1 and _ASKED.search(sentences[0]):
        # "他爸妈都能签字，这个要花钱吗？": clauses that say, then one that asks, in one sentence.
        # A condition ("如果复发了，还能参加吗") says nothing.
        parts = [p.strip() for p in _ASIDE_BREAK.split(sentences[0]) if p.strip()]
        stated = []
        for part in parts[:-1]:
            if cues.is_question(part) or cues.conditional(part) or parsing.parse_topic(part, lang) not in (None, question.slot):
                break
            stated.append(part)
        if stated and cues.is_question(parts[-1]):
            return " ".join(stated)
    return ""


_ASKED = re.compile(r"[?？]|[吗呢么嘛][\s。！!]*$")  # a sentence that really asks, not one with "什么" in it


CONSENT_QUESTIONS = ("prescreen_consent", "contact_consent", "question_consent")


def _consent_words(text: str) -> str:
    """What can give or refuse consent: the whole reply, unless it opens with a question ("how
    much does it cost? we don't have much money" is no "no"); then only a later sentence that
    starts with a yes or a no."""
    sentences = _sentences(text)
    if not sentences or not cues.is_question(sentences[0]):
        return text
    opening = _CLAUSE_BREAK.split(sentences[0], maxsplit=1)[0].strip()
    if opening != sentences[0].strip() and not cues.is_question(opening) and \
            parsing.parse_tri(opening) in (YES, UNSURE) and len(fold(opening).split()) <= 3:
        # "好的，不过这个试验在哪家医院做？", "sí, pero ¿dónde es?": a yes, then a question. A "no" so
        # given is not taken: it would end the screening on a message that is mostly a question.
        return opening
    for sentence in sentences[1:]:
        if not cues.is_question(sentence):
            first = fold(sentence).split()[:1]
            if first and parsing.parse_tri(first[0]) is not None:
                return sentence
    return ""


def _length(text: str) -> Tuple[int, int]:
    """(Chinese characters, other words) in the text."""
    folded = fold(text)
    cjk = sum(1 for ch in folded if "\u3400" <= ch <= "\u9fff")
    return cjk, len(_PUNCT.sub(" ", folded).split()) - cjk


def _a_sentence(text: str) -> bool:
    """Three words or more, or six Chinese characters: more than a name."""
    cjk, words = _length(text)
    return cjk >= 6 or words >= 3


def _wordy(text: str) -> bool:
    """More than a short reply: over six words, or over twelve Chinese characters."""
    cjk, words = _length(text)
    return cjk > 12 or words > 6


def _typed_button(question: OpenQuestion, text: str) -> Optional[Tuple[str, Dict[str, Any]]]:
    """The button whose words the message is: all of them ("light activity only!"), or, in a
    short message, a button's words with only an acknowledgement before or after them ("ok 继续",
    "carry on please", "vale, sigamos"). A button's words are its title, or what follows the
    yes or no it opens with ("继续" of "不，继续"), or, failing those, the same command ("sigamos"
    for "No, seguir"). Such a partial match never confirms what a check asks (a "yes" there may
    stop or delete): the person is asked again instead."""
    bare = _bare(text)
    payload = question.buttons.get(bare)
    if payload is None and question.buttons and not _wordy(text):
        payload = _button_inside(question.buttons, bare)
        parsed = parse_payload(payload) if payload else None
        if parsed and question.kind == CONFIRM and parsed[1].get("tri") == YES:
            payload = None
    return parse_payload(payload) if payload else None


# Commands a button's words may carry ("No, carry on" continues): typed with other words they
# still name that button, when no other button carries the same command.
_BUTTON_COMMANDS = frozenset({"continue", "start", "stop", "later", "restart", "change", "delete", "not_delete"})


def _button_inside(buttons: Mapping[str, str], bare: str) -> Optional[str]:
    parts = [p for p in cues.acknowledged_parts(bare) if p]
    if not parts:
        return None
    words = _button_words(tuple(buttons.items()))
    known = next((p for p in parts if p in words), None)
    if known is not None:
        return words[known]
    core = parts[-1]
    commands = set(cues.kinds(core)) & _BUTTON_COMMANDS
    if not commands or parsing.parse_tri(core) is not None:
        return None
    payloads = {payload for said, payload in words.items() if commands & set(cues.kinds(said))}
    return payloads.pop() if len(payloads) == 1 else None


@lru_cache(maxsize=256)
def _button_words(buttons: Tuple[Tuple[str, str], ...]) -> Dict[str, str]:
    """Each button's words (folded): its title, and the rest of a title that opens with a yes or
    no ("no carry on" -> "carry on"), unless that rest is only thanks ("No, thank you") or two
    buttons share it."""
    words: Dict[str, Optional[str]] = dict(buttons)
    for title, payload in buttons:
        head, _sep, rest = title.partition(" ")
        if rest and parsing.parse_tri(head) in (YES, NO) and parsing.parse_tri(rest) is None and \
                cues.without_acknowledgement(rest) == rest and rest not in dict(buttons):
            words[rest] = payload if words.get(rest, payload) == payload else None
    return {said: payload for said, payload in words.items() if payload is not None}


# --- digressions ---------------------------------------------------------------------------------


def _staying(message: Message, found: Tuple[str, ...], answered: bool, emergency: Optional[str] = None,
             leaving: bool = False) -> Tuple[str, ...]:
    out = [kind for kind in ("not_delete", "delete_question", "distress", "explain", "why", "bot") if kind in found]
    intent, sure = message.intent or "", message.confidence
    asks = cues.is_question(message.text)
    if intent == "distress" and "distress" not in out and sure >= SURE_DISTRESS and not answered and \
            not out and not leaving and not emergency and len(message.text) <= MAX_DISTRESS_GUESS_CHARS:
        # "we're barely holding it together": warmth, then the question again. The guess alone
        # needs a short message that answers and asks nothing else: "I'm actually his mum, sorry"
        # or consent with a cost question is no fear, and a long story is facts (words say fear).
        out.insert(0, "distress")
    if intent.startswith("faq_") and ((asks and sure >= SURE_FOR_A_QUESTION) or (not answered and sure >= SURE_WITHOUT_ANSWER)):
        out.append("faq:" + intent)
    if intent in QUESTION_INTENTS and QUESTION_INTENTS[intent] not in out and not answered and (
            (asks and sure >= SURE_FOR_A_QUESTION) or sure >= SURE_WITHOUT_ANSWER):
        out.append(QUESTION_INTENTS[intent])
    if not out and answered and not emergency and _asks_after_answering(message.text):
        # "I'm her mum. Is the treatment free?": the answer is kept and the question gets an
        # honest reply (from the trial text, or "the coordinator can answer that").
        out.append("faq:" + (intent if intent.startswith("faq_") and sure >= SURE_SOME else "faq_other"))
    if not out and not answered:
        if intent == "out_of_scope" and sure >= SURE_OFF_TOPIC:
            out.append("other")
        elif intent in ("greet", "thank") and sure >= SURE_WITHOUT_ANSWER and len(message.text) <= 40:
            out.append(intent)
    return tuple(out)


_SENTENCE = re.compile(r"[^.!?。！？]+[.!?。！？]*")


def _sentences(text: str) -> List[str]:
    return [m.group().strip() for m in _SENTENCE.finditer(text or "") if m.group().strip()]


_CLAUSE_BREAK = re.compile(r"[,，、;；:：]")
_HOLDS_CONTACT = re.compile(r"\d(?:[\s().-]*\d){5,}|[^\s@]+@[^\s@]+\.\w")  # a phone number or an e-mail address
FROM_PART = "read_from_part"  # the answer came from some sentences only; the others ask or are about another question


_ASIDE_BREAK = re.compile(r"[,，]|" + CJK_SPACE_BREAK)  # "she's 6, is that too young?", "我是他妈 这个要花钱吗"


def _asks_after_answering(text: str) -> bool:
    """A question of its own after the answer: a later sentence or clause that asks, of a few words."""
    parts = [p.strip() for sentence in _sentences(text) for p in _ASIDE_BREAK.split(sentence) if p.strip()]
    for part in parts[1:]:
        folded = fold(part)
        long_enough = len(folded.split()) >= 3 or sum("\u3400" <= ch <= "\u9fff" for ch in folded) >= 4
        if long_enough and cues.is_question(part):
            return True
    return False


def _command_only(text: str, found: Tuple[str, ...]) -> Optional[str]:
    """A free-text answer that is nothing but a command ("stop", "delete my data")."""
    bare = _bare(text)
    for cue in cues.find_cues(text):
        if cue.kind in LEAVING + ("explain", "why") and _bare(fold(text)[cue.start:cue.end]) == bare:
            return cue.kind
    return None


def interpret(message: Message, question: Optional[OpenQuestion], trial: Optional[Trial] = None,
              answered: Mapping[str, Any] | None = None) -> Reading:
    """Read ``message`` against the open ``question`` (None when no question is open)."""
    text = message.text or ""
    lang = message.language
    emergency = safety.detect(text, question is not None and question.kind in FREE_TEXT)
    payload = message.payload
    if payload is not None:
        return _read_button(message, payload, question, emergency)

    found = cues.kinds(text)
    requested = requested_language(text, message.intent if message.confidence >= SURE_LANGUAGE else None, lang)
    if "bot" in found:
        found = tuple(kind for kind in found if kind != "person")  # "are you a real person?"
    if {"delete_question", "not_delete"} & set(found):
        # "can I delete my data later?": the "later" belongs to the question about deleting
        found = tuple(kind for kind in found if kind not in ("later", "stop"))
    if question is not None and question.slot in PERSON_QUESTIONS:
        found = tuple(kind for kind in found if kind != "person")  # "yes, please contact me"
    if question is not None and question.kind in FREE_TEXT:
        command = _command_only(text, found)
        if command is None and cues.is_question(text) and question.slot not in QUESTIONS_WELCOME and \
                not (question.kind == CONTACT and _HOLDS_CONTACT.search(fold(text))):
            # "can I stop here?" is a command; "612 345 678, ¿me pueden llamar por la tarde?" is the answer
            command = next((k for k in found if k in LEAVING + ("delete_question", "not_delete", "explain", "why")), None)
        if command is None and question.slot not in QUESTIONS_WELCOME and _a_sentence(text) and \
                not _HOLDS_CONTACT.search(fold(text)) and not any(ch.isdigit() for ch in text):
            # "actually wipe everything i gave you", "ya no quiero seguir con esto": a sentence
            # that asks to delete, stop or start over, with no number or address in it, is no
            # name, phone or time. It is confirmed before anything is lost. ("mornings before I
            # go back to work" is a time: "go back" asks for a change only as a command.)
            command = next((k for k in ("delete", "not_delete", "delete_question", "stop", "restart") if k in found), None)
        if command:
            return Reading(digressions=(command,), emergency=emergency, evidence=("command",))
        return Reading(answer=text, emergency=emergency, evidence=("free text",))

    answer, notes, evidence = None, (), []
    if question is not None:
        typed = _typed_button(question, text)
        if typed is not None:
            answer = _entity_answer(question.kind, question.question, typed[1])
            evidence.append("button words")
        said = ""
        if answer is None:
            answer, notes, said = _read_answer(question, text, lang)
            if answer is not None:
                evidence.append("parsed")
                if "self_corrected" not in notes and not _survives(question, text, lang, answer):
                    answer, notes = None, ()  # "不要删除我的信息": the 不要 was about deleting
                    evidence.append("answer words belong to a request")
                elif emergency and not _survives_emergency(question, text, lang, answer):
                    answer, notes = None, ()  # "a fever of 40 and a seizure": the 40 is no age
                    evidence.append("answer words belong to the emergency")
                elif _about_another_condition(question, said or text, lang, trial):
                    answer, notes = None, ()  # "no diabetes" to the breathing question
                    evidence.append("answers another question")
        if question.kind == TRI and answer in (None, NO, UNSURE) and _unfamiliar(text, lang):
            # "never heard of that drug", "从来没听说过这个药": not sure, whatever "never" or "没" says;
            # explained too when the message asks ("..., what is it?")
            answer, notes = UNSURE, ("unfamiliar",)
            evidence.append("never heard of it")
            explains = [c for c in cues.find_cues(text) if c.kind == "explain"]
            statements = cues.explain_statements(text)
            if not cues.is_question(text) and all(_unfamiliar_cue(text, c, lang, statements) for c in explains):
                found = tuple(kind for kind in found if kind != "explain")
    if question is not None and question.slot == "patient_age" and not emergency:
        patients = _age_of_the_patient(question, text, lang, answered or {})
        if patients is not None and patients != answer:
            answer, notes = patients, ()  # "i'm 38, he is 10" is 10, not 38
            evidence.append("the patient's age, not the speaker's")
    if question is not None and question.slot in PERSON_QUESTIONS and answer is None:
        answer = cues.asks_to_be_contacted(text)  # "please call me", "请联系我", "que me llamen"
        if answer is not None:
            evidence.append("asks to be contacted")
    if question is not None and question.kind == TRI and answer is None and "distress" in found:
        # "si volvió y no sé qué más hacer": the "no sé" is the fear's, not a "not sure"; the
        # answer is read without the words of the fear, and the fear is answered too.
        spans = [(c.start, c.end) for c in cues.find_cues(text) if c.kind == "distress"]
        beside, beside_notes = read_answer(question, _without(text, spans), lang)
        if beside in (YES, NO):
            answer, notes = beside, beside_notes
            evidence.append("answer beside distress")
    going_on = question is not None and _only_going_on(text)  # "let's begin", "ok I'm back", and nothing more
    if going_on and question.kind == TRI and answer in (None, YES) and \
            not set(LEAVING) & set(found) and not cues.is_question(text):
        if question.slot in AGREE_TO_START:
            answer, notes = YES, ()  # "ok, let's begin" to "shall we start?"
            evidence.append("agrees to start")
        elif answer is not None:
            answer, notes = None, ()  # "vale, empecemos" at "has it come back?" agrees to go on, answers nothing
            evidence.append("agrees to go on")
    if requested and requested != lang and question is not None:
        # "是我女儿，可以用英文吗": the answer is read from the parts that do not speak of languages,
        # and none from those that do ("¿puedo seguir en español? mi inglés no es muy bueno").
        answer, notes = _beside_language(question, text, lang)

    leaving = [kind for kind in LEAVING if kind in found]
    topic, topic_value = _topic(text, lang, question, trial, answered or {})
    if "self_corrected" in notes and leaving == ["change"] and topic in (None, question.slot):
        leaving = []  # "5岁，说错了，6岁": the correction is inside the answer, which is the 6
    if topic_value is not None and "change" not in leaving and (answer is None or FROM_PART in notes):
        # "actually he's 8" on its own, or in a sentence of its own beside the answer ("no. he is 8")
        leaving.append("change")
        evidence.append("stated a different answer")
    if not leaving and answer is None and message.intent in CLASSIFIER_LEAVING and \
            message.confidence >= SURE_TO_LEAVE and len(text) <= MAX_CLASSIFIER_LEAVING_CHARS:
        leaving.append(CLASSIFIER_LEAVING[message.intent])
        evidence.append("classifier")
    corrected = _corrected(text, lang, question, trial, answered or {}, found, answer is not None)
    if corrected is not None and topic_value is None:
        # "actually, the doctors said it's T-cell ALL" at a later question: that earlier answer is
        # asked again (the form confirms), and the words are no answer to the open question.
        topic = corrected
        if "change" not in leaving:
            leaving.insert(0, "change")
        if FROM_PART not in notes:
            answer, notes = None, ()
        evidence.append("corrects an earlier answer")
    if emergency not in (None, "fever") and answer is not None and _excludes(trial, answered or {}, question, answer):
        # "yes. he's having a fit right now": the emergency first, and no "just to check... not a
        # fit" straight after it; the question is asked again once the family can answer. A
        # fever is often what the answer describes ("not controlled, still spiking fevers").
        answer, notes = None, ()
        evidence.append("no exclusion during an emergency")
    raw_answer = answer
    changes_this = leaving[:1] == ["change"] and topic in (None, question.slot if question else None)
    if leaving and answer is not None and (leaving[0] in ("delete", "restart") or changes_this
                                           or _excludes(trial, answered or {}, question, answer)):
        answer, notes = None, ()  # what is about to be changed or confirmed is not also stored
    staying = list(_staying(message, found, answer is not None, emergency, bool(leaving)))
    if not leaving and question is not None and trial is not None and trial.question("patient_age") is not None \
            and not {"why", "explain"} & set(staying) and _asks_about_age(text):
        # "can a 12 year old join?", "请问十二岁能参加吗": the age range (the age question's "why"),
        # not "the listing doesn't say"
        staying = [d for d in staying if d != "faq:faq_other"] + ["why"]
        topic = "patient_age"
        evidence.append("asks who can take part")
    if answer is None and not leaving and not staying and question is not None and question.kind != CONFIRM and \
            len(text) <= MAX_RESUMING_CHARS and not cues.is_question(text) and going_on:
        staying.append("resume")  # "let's begin", "ok I'm back" with a question open
    if requested and (requested != lang or (answer is None and not leaving and not staying)):
        staying.append("language")  # "¿hablas español?" in Spanish: "yes, we carry on in Spanish"
    if answer is None and not leaving and not staying and emergency is None and question is not None and \
            question.kind not in FREE_TEXT and (
                (message.intent == "switch_language" and names_a_language(text)) or looks_unsupported(text)):
        staying.append("language")  # "I can only speak English, Chinese and Spanish" -- and only then
    volunteered = _volunteered(question, text, lang, answer, trial, answered or {}) \
        if answer is not None and not leaving and emergency is None else ()
    return Reading(
        answer=answer,
        volunteered=volunteered,
        digressions=tuple(leaving) + tuple(staying),
        emergency=emergency,
        notes=notes,
        topic=topic,
        topic_value=topic_value,
        language=requested,
        raw_answer=raw_answer if answer is None else None,
        evidence=tuple(evidence) + tuple(found),
    )


# Answers people give before they are asked, and where: "yes, I'm his mom" at "shall we start?",
# "I'm his mom, he's 7" at "who is answering?". Only the next question's, and never one that
# would exclude (that one is asked, so it can be said back).
VOLUNTEERED = {"prescreen_consent": "respondent", "respondent": "patient_age"}


def _volunteered(question: Optional[OpenQuestion], text: str, lang: Optional[str], answer: Any,
                 trial: Optional[Trial], answered: Mapping[str, Any]) -> Tuple[Tuple[str, Any], ...]:
    """The next question's answer, when one part of the message gives it plainly: the speaker
    says who they are ("I'm", "我是", "soy") at the consent; an age said of the child ("he's 7",
    "孩子7岁", "tiene 7") by a parent, or of oneself ("I'm 22") by the patient, at "who is
    answering?". Two such parts, or any doubt, give nothing: the question is asked as usual."""
    if trial is None or question is None or question.slot not in VOLUNTEERED:
        return ()
    slot = VOLUNTEERED[question.slot]
    target = trial.question(slot)
    if target is None or slot in answered or (question.slot == "prescreen_consent" and answer != YES):
        return ()
    parts = [p.strip() for p in _PART_BREAK.split(text) if p and p.strip()]
    if slot == "respondent":
        found = {parsing.parse_respondent(p, lang) for p in parts if cues.has("speaker_says_who", p)}
    else:
        # The part that speaks of the child (or of oneself) must say what the whole message says:
        # "my son, he was 2 when diagnosed, now 5" gives no age, rather than the 2.
        age = OpenQuestion.of(trial, slot)
        found = _ages_said_of(answer, parts, age, lang)
        if found and found != {read_answer(age, text, lang)[0]}:
            return ()
    found.discard(None)
    if len(found) != 1:
        return ()
    value = found.pop()
    if value == UNSURE or not target.accepts(value):
        return ()
    now = {**answered, question.slot: answer}
    if excludes(trial, now, slot, value):
        return ()
    return ((slot, value),)


def _speaks_of(part: str, oneself: bool) -> bool:
    """Whether a part speaks of the speaker (oneself) or of the child. "我女儿十一岁" is of the
    child, although it holds 我: a word of the child wins."""
    child = cues.has("child_age", part)
    return (cues.has("own_age", part) and not child) if oneself else child


def _ages_said_of(respondent: Any, parts: List[str], age: OpenQuestion, lang: Optional[str]) -> set:
    """The ages in the parts that speak of the patient: of the child ("he's 10", "孩子7岁",
    "tiene 7") when a parent or someone else answers, of oneself ("I'm 22") when the patient does."""
    kept = [p for p in parts if _speaks_of(p, respondent == "patient")]
    found = {read_answer(age, p, lang)[0] for p in kept}
    found.discard(None)
    return found


_AGE_PARTS = re.compile(r"[.!?。！？,，;；]|\s(?:and|y)\s|和|" + CJK_SPACE_BREAK, re.I)


def _age_of_the_patient(question: OpenQuestion, text: str, lang: Optional[str], answered: Mapping[str, Any]) -> Any:
    """At the age question, a parent's "she's 10 and I'm 38" or "i'm 38, he is 10": the child's
    age, when one part says it of the child and another gives the speaker's; else None."""
    respondent = answered.get("respondent")
    if respondent not in ("guardian", "other", "patient"):
        return None
    parts = [p.strip() for p in _AGE_PARTS.split(text) if p and p.strip()]
    own = [p for p in parts if _speaks_of(p, respondent != "patient") and read_answer(question, p, lang)[0] is not None]
    found = _ages_said_of(respondent, parts, question, lang)
    if not own or len(found) != 1:
        return None
    value = found.pop()
    return value if value != UNSURE else None


# Requests whose own words ("don't", "不要", "会不会") must not also be read as the answer.
_REQUEST_CUES = ("delete", "not_delete", "delete_question", "stop", "later", "restart", "change", "person",
                 "distress", "explain", "why", "bot")


_PART_BREAK = re.compile(r"[.!?。！？,，;；]|" + CJK_SPACE_BREAK)


def _beside_language(question: OpenQuestion, text: str, lang: Optional[str]) -> Tuple[Any, Tuple[str, ...]]:
    """The answer in the parts of a message that name no language, when some part does."""
    parts = [p.strip() for p in _PART_BREAK.split(text) if p and p.strip()]
    rest = [p for p in parts if not names_a_language(p)]
    if not rest or len(rest) == len(parts):
        return None, ()
    return read_answer(question, ". ".join(rest), lang)


def _only_going_on(text: str) -> bool:
    """Nothing but a "let's begin" or "carry on", with at most an acknowledgement beside it ("ok",
    "vale", "好", "吧"). "又回来了" (it came back again) or "sí, otra vez" hold one and say more."""
    spoken = " ".join(re.sub(r"[^\w\s']+", " ", fold(text)).split())  # punctuation off, apostrophes kept
    for part in cues.acknowledged_parts(spoken):
        if part and any(c.kind in ("start", "continue") and c.start == 0 and c.end >= len(part.rstrip())
                        for c in cues.find_cues(part)):
            return True
    return False


def _unfamiliar(text: str, lang: Optional[str]) -> bool:
    """Whether the message says the person does not know the thing asked about: an explain cue
    in a statement whose own words read as a "no" or "not sure" ("never heard of", "没听说过",
    "nunca he oído", "don't know what that is"). "I don't understand" reads as neither: it asks
    for an explanation of the question, and is not an answer to it."""
    statements = cues.explain_statements(text)
    return any(_unfamiliar_cue(text, c, lang, statements) for c in statements)


def _unfamiliar_cue(text: str, cue: cues.Cue, lang: Optional[str], statements: Tuple[cues.Cue, ...]) -> bool:
    """``statements``: the message's explain cues in clauses that ask nothing, found once by the caller."""
    return cue in statements and \
        parsing.parse_tri(fold(text)[cue.start:cue.end], lang) in (NO, UNSURE)


def _survives(question: OpenQuestion, text: str, lang: Optional[str], answer: Any) -> bool:
    """Whether the answer is still there once the words of any request are taken out."""
    spans = [(c.start, c.end) for c in cues.find_cues(text) if c.kind in _REQUEST_CUES]
    if not spans:
        return True
    # The words that ask leave to ask go with the request: "能问下为什么..." holds no "能" (yes).
    spans += cues.asking_spans(text)
    again, _notes = read_answer(question, _without(text, spans), lang)
    if again == answer:
        return True
    # "no. why do you even ask whether I'm pregnant?": the answer has a sentence of its own, which
    # no request touches, so cutting the request's words out of the other cannot take it away.
    untouched = [p for p in _sentences(text) if not any(c.kind in _REQUEST_CUES for c in cues.find_cues(p))]
    return bool(untouched) and len(untouched) < len(_sentences(text)) and \
        read_answer(question, " ".join(untouched), lang)[0] == answer


def _survives_emergency(question: OpenQuestion, text: str, lang: Optional[str], answer: Any) -> bool:
    spans = safety.emergency_clauses(text)
    if not spans:
        return True
    again, _notes = read_answer(question, _without(text, spans), lang)
    return again == answer


def _without(text: str, spans: List[Tuple[int, int]]) -> str:
    """The folded text with the given spans blanked out (offsets kept, so clauses stay apart)."""
    return "".join(" " if any(a <= i < b for a, b in spans) else ch for i, ch in enumerate(fold(text)))


def _about_another_condition(question: OpenQuestion, text: str, lang: Optional[str], trial: Optional[Trial]) -> bool:
    """A yes/no about a condition the open question is not about ("no diabetes" when asked
    about breathing): the person is answering another question, so nothing is stored."""
    if trial is None or question.question is None or question.kind != TRI or question.question.qualifiers is None:
        return False
    mentions = parsing.topic_mentions(text, lang)
    if question.slot in {slot for slot, _s, _e in mentions}:
        return False  # "yes, a kidney transplant" names the transplant question too
    # "everything came back negative before the transplant": the transplant is when, not what
    named = tuple(dict.fromkeys(slot for slot, s, e in mentions if not parsing.as_a_time(text, s, e)))
    if not named:
        return False
    others = [trial.question(slot) for slot in named]
    return any(other is not None and other.qualifiers is not None for other in others)


def _excludes(trial: Optional[Trial], answered: Mapping[str, Any], question: Optional[OpenQuestion],
              answer: Any) -> bool:
    """Whether storing the answer would end the pre-screening with a "not eligible"."""
    if trial is None or question is None or question.question is None:
        return False
    return excludes(trial, answered, question.slot, answer)


def excludes(trial: Trial, answered: Mapping[str, Any], slot: str, answer: Any) -> bool:
    """Whether this answer is what would exclude: its criterion fails with it, and would not
    with another answer to the same yes/no question. "Yes, I had CAR-T", said again while "the
    cells have not stopped working" still fails I2, excludes no more than "no" would: it is not
    checked as if it were "I have not had CAR-T" (the check says back the excluding answer)."""
    criterion = trial.criterion_of(slot)
    if criterion is None:
        return False
    rule = trial.criterion(criterion).rule
    if rule({**answered, slot: answer}) != FAIL:
        return False
    question = trial.question(slot)
    if question is None or question.kind != TRI:
        return True
    opposite = {YES: NO, NO: YES}.get(answer)
    return opposite is None or rule({**answered, slot: opposite}) != FAIL


def _read_button(message: Message, payload: Tuple[str, Dict[str, Any]], question: Optional[OpenQuestion],
                 emergency: Optional[str]) -> Reading:
    intent, entities = payload
    asked_for = entities.get("q")
    if question is not None and asked_for and asked_for != question.slot:
        return Reading(digressions=("stale_button",), typed=False, evidence=("button for " + str(asked_for),))
    if intent in BUTTON_DIGRESSIONS:
        kind = BUTTON_DIGRESSIONS[intent]
        return Reading(digressions=(kind,), typed=False, topic=entities.get("topic"),
                       language=entities.get("lang"), confirmed=entities.get("confirmed") is True,
                       evidence=("button",))
    if intent.startswith("faq_"):
        return Reading(digressions=("faq:" + intent,), typed=False, evidence=("button",))
    if intent in OPENING_INTENTS and question is not None:
        return Reading(digressions=("resume",), typed=False, evidence=("button",))
    if question is None:
        return Reading(typed=False, emergency=emergency, evidence=("button without a question",))
    answer = _entity_answer(question.kind, question.question, entities)
    if answer is not None and question.question is not None and not question.question.accepts(answer):
        answer = None
    return Reading(answer=answer, typed=False, emergency=None, evidence=("button",))


def _topic(text: str, lang: Optional[str], question: Optional[OpenQuestion], trial: Optional[Trial],
           answered: Mapping[str, Any]) -> Tuple[Optional[str], Any]:
    """The question a message names, and a new value for it when one is given for an answered
    question other than the open one ("actually he's 8" while asked about CAR-T)."""
    topic = parsing.parse_topic(text, lang)
    if trial is None:
        return topic, None
    open_slot = question.slot if question else None
    if topic is None and "patient_age" in answered and open_slot != "patient_age" and _AGE_WORDS.search(fold(text)):
        months = parsing.parse_duration_months(text, lang)
        number = parsing.parse_number(text, lang)
        if months is not None or number is not None:
            topic = "patient_age"
    if topic is None or topic == open_slot or topic not in answered:
        return topic, None
    target = trial.question(topic)
    if target is None or target.kind == TRI:
        return topic, None  # "no wait, she did have CAR-T" is read by the change flow, not guessed
    value, _notes = read_answer(OpenQuestion(topic, target.kind, target), text, lang)
    return topic, value if value not in (None, UNSURE) else None


def _corrected(text: str, lang: Optional[str], question: Optional[OpenQuestion], trial: Optional[Trial],
               answered: Mapping[str, Any], found: Tuple[str, ...], answers_open: bool) -> Optional[str]:
    """The earlier yes/no question a message corrects, or None. It names that question (asked
    before the open one and answered) and either says something else than the answer stored, or
    carries a correction word ("actually", "其实", "me equivoqué") and no answer to the open
    question. A contradiction alone, beside an answer to the open question or in a question,
    changes nothing ("no, the CAR-T is still working" answers the open question), and so does one
    about a condition with qualifiers unless a correction word says so."""
    if trial is None or question is None:
        return None
    order = trial.slots
    limit = order.index(question.slot) if question.slot in order else len(order)
    earlier = [slot for slot in parsing.parse_topics(text, lang)
               if slot in answered and slot != question.slot and slot in order[:limit]
               and (trial.question(slot) is not None and trial.question(slot).kind == TRI)]
    if not earlier:
        return None
    correcting = "change" in found or cues.corrects(text)
    if not correcting and (answers_open or cues.is_question(text)):
        return None
    # Of the questions named, the latest asked is the narrowest ("CAR-T其实没失效" is about the
    # CAR-T working, not about having had it): the message is read against that one only.
    slot = max(earlier, key=order.index)
    value, _notes = read_answer(OpenQuestion.of(trial, slot), text, lang)
    if value is not None and value != answered[slot] and (correcting or trial.question(slot).qualifiers is None):
        return slot  # a condition ("a fungus in the lung") told at a related question needs the word
    if correcting and not answers_open and value is None:
        return slot  # "hang on, I think I said no to relapse earlier": asked again, whatever it is now
    return None


def _asks_about_age(text: str) -> bool:
    """A question about the ages that can take part: an age limit named, or taking part asked
    about with an age or a child named ("can a 12 year old join?", "小孩才两岁可以参加吗")."""
    if cues.has("age_limit", text):
        return True  # "is there an age limit, my son is only 3" asks without a question word
    return cues.is_question(text) and cues.has("take_part", text) and (cues.has("age_named", text) or _AGE_WORDS.search(fold(text)) is not None)
