"""What any trial's pre-screening is made of: questions, criteria, verdicts and the outcome.

Plain Python with no Rasa imports, so the rules read (and test) on their own. A trial is a
definition built from these pieces (see ``bot/trial/nct06389305/``): its questions in asking
order, its criteria with the protocol's own ids, and a few hooks where a rule needs code.

Answers are a mapping from slot name to value: ``"yes" | "no" | "unsure"`` for tri questions,
floats for numbers (or ``"unsure"``), and choice strings. A missing key or ``None`` means "not
asked yet". Each criterion gives one verdict:

- ``PASS`` / ``FAIL``: definitely met / definitely not met;
- ``NOT_APPLICABLE``: met because its question does not apply (E15 for a boy): never asked;
- ``UNKNOWN``: someone answered "unsure" to something the criterion needs;
- ``PENDING``: a question it needs has not been answered yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

PASS = "pass"
FAIL = "fail"
NOT_APPLICABLE = "not_applicable"
UNKNOWN = "unknown"
PENDING = "pending"
DOCTOR_CONFIRMS = "confirmed_by_study_doctor"

YES, NO, UNSURE = "yes", "no", "unsure"
TRI_VALUES = (YES, NO, UNSURE)

LIKELY_ELIGIBLE = "likely_eligible"
NOT_ELIGIBLE = "not_eligible"
NEEDS_REVIEW = "needs_review"
OUTCOMES = (LIKELY_ELIGIBLE, NOT_ELIGIBLE, NEEDS_REVIEW)
HANDOFF_OUTCOMES = (LIKELY_ELIGIBLE, NEEDS_REVIEW)  # the results that are passed to a coordinator

INCLUSION = "inclusion"
EXCLUSION = "exclusion"

# Answer kinds: how a question's answer is read and checked.
TRI = "tri"
AGE = "age"  # years, from years or months
MONTHS = "months"
ECOG = "ecog"  # 0-4 from a plain activity description
CHOICE = "choice"
NUMBER_KINDS = (AGE, MONTHS, ECOG)

Answers = Mapping[str, Any]
Rule = Callable[[Answers], str]


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def always(_answers: Answers) -> bool:
    return True


@dataclass(frozen=True)
class Question:
    """One question of the pre-screening, named by the slot that holds its answer.

    ``applies`` says whether the question can still change the result given the answers so far
    (the skipping rules); ``qualifiers`` says what a qualified yes means for this question
    ("well controlled" diabetes is not *uncontrolled* diabetes), see ``bot/understanding``.
    ``exclusive_value`` names the answers that would end the pre-screening on their own, which
    are checked with the person before they count when they were typed rather than clicked.
    """

    slot: str
    kind: str
    choices: Tuple[str, ...] = ()
    bounds: Optional[Tuple[float, float]] = None  # plausible range; outside it is re-asked
    # Where a number changes what is asked or decided: a range said ("4 or 5 months") counts
    # only when no limit lies between its ends; otherwise it is "not sure".
    limits: Tuple[float, ...] = ()
    applies: Callable[[Answers], bool] = always
    qualifiers: Optional[Mapping[str, str]] = None  # None: qualifiers do not change the answer
    # A trial hook that reads the text itself (E14): (value, why) or None for the usual reading.
    reading: Optional[Callable[[str, Optional[str]], Optional[Tuple[str, str]]]] = None

    def accepts(self, value: Any) -> bool:
        """Whether ``value`` is a valid stored answer to this question."""
        if value is None:
            return False
        if self.kind == TRI:
            return value in TRI_VALUES
        if self.kind == CHOICE:
            return value in self.choices
        if value == UNSURE:
            return True
        if not is_number(value) or value != value:
            return False
        if self.kind == ECOG:
            return value in (0, 1, 2, 3, 4)
        low, high = self.bounds or (float("-inf"), float("inf"))
        return low <= value <= high


@dataclass(frozen=True)
class Criterion:
    """One protocol criterion, with the protocol's own id (I1-I7, E1-E16)."""

    id: str
    kind: str  # INCLUSION | EXCLUSION
    slots: Tuple[str, ...]
    rule: Rule
    protocol_text: str
    documents: str  # what would settle an "unsure" answer (English; the bot has translations)
    asked: bool = True  # False: judged by the study doctor, never asked (I6)
    shown_slots: Optional[Callable[[Answers], Tuple[str, ...]]] = None  # for the packet

    @property
    def number(self) -> int:
        return int(self.id[1:])


@dataclass
class Outcome:
    """The data dictionary's outcome, computed once and passed along (to the reply, the lead)."""

    prescreen_outcome: Optional[str]
    failed_criteria: List[str] = field(default_factory=list)
    unknown_criteria: List[str] = field(default_factory=list)
    verdicts: Dict[str, str] = field(default_factory=dict)
    packet: List[Dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Trial:
    """A trial's pre-screening: its questions in asking order and its criteria."""

    id: str  # registry id, e.g. "NCT06389305"
    title: str
    status: str
    site: str
    questions: Tuple[Question, ...]
    criteria: Tuple[Criterion, ...]
    consent_slot: str = "prescreen_consent"

    # --- lookups ----------------------------------------------------------------------------

    @property
    def slots(self) -> Tuple[str, ...]:
        return tuple(q.slot for q in self.questions)

    def question(self, slot: str) -> Optional[Question]:
        return next((q for q in self.questions if q.slot == slot), None)

    def criterion(self, criterion_id: str) -> Criterion:
        return next(c for c in self.criteria if c.id == criterion_id)

    def criterion_of(self, slot: str) -> Optional[str]:
        """The criterion a question serves (None for consent and who is answering)."""
        return next((c.id for c in self.criteria if slot in c.slots), None)

    # --- answers ----------------------------------------------------------------------------

    def answers(self, slots: Mapping[str, Any]) -> Dict[str, Any]:
        """The valid answers among ``slots`` (raw, not yet validated text counts as unanswered)."""
        found: Dict[str, Any] = {}
        for q in self.questions:
            value = slots.get(q.slot)
            if q.accepts(value):
                found[q.slot] = float(value) if q.kind in NUMBER_KINDS and value != UNSURE else value
        return found

    # --- what to ask ------------------------------------------------------------------------

    def verdicts(self, a: Answers) -> Dict[str, str]:
        return {c.id: (c.rule(a) if c.asked else DOCTOR_CONFIRMS) for c in self.criteria}

    def next_question(self, a: Answers) -> Optional[str]:
        """The next question to ask, or None when the pre-screening is over: consent not given,
        a definite failure, or every question that applies answered."""
        remaining = self.remaining(a)
        return remaining[0] if remaining else None

    def remaining(self, a: Answers) -> List[str]:
        """Every question still to ask if all later answers pass (in order)."""
        consent = a.get(self.consent_slot)
        if consent is None:
            return [q.slot for q in self.questions if a.get(q.slot) is None and q.applies(a)]
        if consent != YES:
            return []
        if any(v == FAIL for v in self.verdicts(a).values()):
            return []
        return [q.slot for q in self.questions if a.get(q.slot) is None and q.applies(a)]

    def progress(self, a: Answers, slot: Optional[str] = None) -> Tuple[int, int]:
        """(number of the next question, about how many in all), the consent question not counted.

        "About" assumes every answer still to come passes, so the total only changes when an
        answer makes questions apply or not (the count follows the skipping). ``slot``: the
        question about to be asked, when it is one asked again (a change): it keeps its own
        place ("Question 2", not "Question 20" for the age)."""
        asked = [q.slot for q in self.questions if q.slot != self.consent_slot and a.get(q.slot) is not None
                 and q.applies(a)]
        future = self.passing_answers(a)
        left = sum(1 for s, value in future.items() if value is not None and a.get(s) is None
                   and s != self.consent_slot)
        total = len(asked) + max(left, 1)
        order = [q.slot for q in self.questions]
        if slot in order:
            return 1 + sum(1 for s in asked if order.index(s) < order.index(slot)), total
        return len(asked) + 1, total

    def passing_answers(self, a: Answers | None = None) -> Dict[str, Any]:
        """The answers of someone who qualifies, each question in turn as it would be asked after
        ``a`` (for tools and tests that need a conversation that is still going)."""
        future = dict(a or {})
        for _ in range(len(self.questions)):
            nxt = self.next_question(future)
            if nxt is None:
                break
            future[nxt] = self._passing_answer(nxt, future)
        return future

    def _passing_answer(self, slot: str, a: Answers) -> Any:
        """An answer to ``slot`` that fails no criterion (for counting the questions to come)."""
        q = self.question(slot)
        candidates: Tuple[Any, ...] = {TRI: (YES, NO), AGE: (20.0,), MONTHS: (3.0,), ECOG: (0.0,)}.get(
            q.kind, q.choices) if q else (YES,)
        for value in candidates:
            trial_answers = {**a, slot: value}
            if not any(c.rule(trial_answers) == FAIL for c in self.criteria if c.asked and slot in c.slots):
                return value
        return candidates[0] if candidates else YES

    def is_applicable(self, slot: str, a: Answers) -> bool:
        q = self.question(slot)
        return q is not None and q.applies(a)

    # --- the result -------------------------------------------------------------------------

    def evaluate(self, a: Answers) -> Outcome:
        """Not eligible on any definite failure, likely eligible when every asked criterion
        passes, otherwise needs review. ``prescreen_outcome`` is None while questions remain or
        when the person did not agree to the pre-screening."""
        v = self.verdicts(a)
        failed = [cid for cid, verdict in v.items() if verdict == FAIL]
        unknown = [cid for cid, verdict in v.items() if verdict == UNKNOWN]
        if a.get(self.consent_slot) != YES:
            return Outcome(None, [], [], v)
        if failed:
            outcome = NOT_ELIGIBLE
        elif any(verdict == PENDING for verdict in v.values()):
            return Outcome(None, [], unknown, v)
        else:
            outcome = NEEDS_REVIEW if unknown else LIKELY_ELIGIBLE
        return Outcome(outcome, failed, unknown, v, self.packet(a, v))

    def packet(self, a: Answers, verdicts: Optional[Dict[str, str]] = None) -> List[Dict[str, Any]]:
        """Criterion by criterion for the coordinator: the answers given and the verdict."""
        v = verdicts or self.verdicts(a)
        rows = []
        for c in sorted(self.criteria, key=lambda c: (c.kind != INCLUSION, c.number)):
            shown = c.shown_slots(a) if c.shown_slots else c.slots
            answered = {s: a[s] for s in shown if a.get(s) is not None and self._shown(s, a)}
            row = {"id": c.id, "criterion": c.protocol_text, "answers": answered, "verdict": v[c.id]}
            if v[c.id] == UNKNOWN:
                row["documents"] = c.documents
            rows.append(row)
        return rows

    def _shown(self, slot: str, a: Answers) -> bool:
        q = self.question(slot)
        return q is None or q.applies(a)


# --- rule builders: the common shapes of criteria -----------------------------------------------


def exclusion(slot: str) -> Rule:
    """Excluded when the answer is yes; "unsure" is unknown, never a pass or a fail."""

    def rule(a: Answers) -> str:
        return {YES: FAIL, NO: PASS, UNSURE: UNKNOWN}.get(a.get(slot), PENDING)

    rule.__doc__ = f"Fails when `{slot}` is yes."
    return rule


def required_yes(value: Any) -> str:
    """An inclusion that needs a yes (I7's guardian question)."""
    return {YES: PASS, NO: FAIL, UNSURE: UNKNOWN}.get(value, PENDING)


def all_yes(*slots: str) -> Rule:
    """Passes only when every answer is yes."""

    def rule(a: Answers) -> str:
        values = [a.get(s) for s in slots]
        if NO in values:
            return FAIL
        if None in values:
            return PENDING
        return UNKNOWN if UNSURE in values else PASS

    rule.__doc__ = "Passes when " + " and ".join(f"`{s}`" for s in slots) + " are yes."
    return rule


def number_in(slot: str, low: float, high_exclusive: float) -> Rule:
    """Passes when low <= value < high_exclusive."""

    def rule(a: Answers) -> str:
        value = a.get(slot)
        if value is None:
            return PENDING
        if not is_number(value):
            return UNKNOWN
        return PASS if low <= value < high_exclusive else FAIL

    rule.__doc__ = f"Passes when {low:g} <= `{slot}` < {high_exclusive:g}."
    return rule


def judged_by_doctor(_a: Answers) -> str:
    return DOCTOR_CONFIRMS
