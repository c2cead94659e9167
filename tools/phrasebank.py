"""The phrase banks (tests/phrasebank/<lang>/{dev,heldout}/), read and scored.

Each bank item is a message a person might send while a question is open, and what it should
mean for that question. ``load`` reads them; ``score_pure`` runs them through the interpretation
step alone (no Rasa, fast, for working on the lexicons); the report over the real trained model
and the real forms is ``tools/understanding_report.py``.

The held-out part is for measuring, never for writing rules: this tool prints item-level
failures for the dev part only, and figures alone for the held-out part.

    python -m tools.phrasebank            # dev figures per language and type
    python -m tools.phrasebank -v         # and every dev item that fails
    python -m tools.phrasebank --heldout  # held-out figures only
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import yaml

ROOT = Path(__file__).resolve().parents[1]
BANK = ROOT / "tests" / "phrasebank"
LANGUAGES = ("en", "zh", "es")
SPLITS = ("dev", "heldout")
TOLERANCE = 0.05
# Exclusion questions: a wrong value there excludes someone, or lets through someone excluded.
EXCLUSION_TYPES = ("tri", "qualifiers")


@dataclass(frozen=True)
class Item:
    lang: str
    split: str
    type: str
    question: str
    text: str
    expect: Any = None  # the answer it gives (a value or a list of acceptable ones), or None
    digression: Optional[str] = None
    emergency: Optional[str] = None
    respondent: str = "guardian"
    raw: Dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


def load(lang: str, split: str) -> List[Item]:
    items = []
    for path in sorted((BANK / lang / split).glob("*.yml")):
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f) or {}
        for raw in doc.get("items") or []:
            items.append(Item(lang, split, doc.get("type") or path.stem, str(raw["question"]), str(raw["text"]),
                              raw.get("expect"), raw.get("digression"), raw.get("emergency"),
                              raw.get("respondent") or "guardian", raw))
    if not items:
        raise SystemExit(f"no phrase-bank items under {BANK / lang / split}")
    return items


def matches(got: Any, expected: Any) -> bool:
    """Whether ``got`` is (one of) the expected value(s); numbers within TOLERANCE."""
    options = expected if isinstance(expected, list) else [expected]
    for option in options:
        if isinstance(option, (int, float)) and not isinstance(option, bool):
            if isinstance(got, (int, float)) and not isinstance(got, bool) and abs(got - option) <= TOLERANCE:
                return True
        elif got == option:
            return True
    return False


def is_exclusion_question(question: str) -> bool:
    from bot.trial import TRIAL

    criterion = TRIAL.criterion_of(question)
    return criterion is not None and TRIAL.criterion(criterion).kind == "exclusion"


# --- the pure score (the interpretation step alone) --------------------------------------------


def _open_question(slot: str):
    from bot import dialogue
    from bot.trial import TRIAL
    from bot.understanding.interpret import OpenQuestion

    own = {s: kind for questions in dialogue.form_questions().values() for s, kind in questions}
    if slot in own:
        return OpenQuestion(slot, own[slot])
    return OpenQuestion.of(TRIAL, slot)


@dataclass
class Outcome:
    item: Item
    ok: bool
    wrong_value: bool
    got: Any
    alarm: bool = False  # an emergency reply to something that is not one


def judge_pure(item: Item) -> Outcome:
    """One item through ``interpret`` with no classifier intent (the lexicons and parsers alone)."""
    from bot.trial import TRIAL
    from bot.understanding import safety
    from bot.understanding.interpret import FREE_TEXT, Message, interpret

    # The other questions answered as a person who qualifies would (as the report over Rasa does):
    # with every answer "yes", any answer to an exclusion would look like the one that excludes.
    # Who is answering is the item's, as in the report over Rasa ("she's 10 and I'm 38" is a parent's).
    respondent = item.respondent if item.respondent in ("patient", "guardian", "other") else "guardian"
    answered = TRIAL.passing_answers({"prescreen_consent": "yes", "respondent": respondent})
    answered.pop(item.question, None)
    question = _open_question(item.question)
    free_text = question.kind in FREE_TEXT  # as the form reads it: a name is given as typed
    if item.type == "emergency":
        kind = safety.detect(item.text, free_text)
        return Outcome(item, kind is not None, False, kind)
    # Every answer is also a chance of a false alarm (the report over Rasa counts them the same way).
    kind = safety.detect(item.text, free_text)
    if kind is not None:
        return Outcome(item, False, False, ("alarm", kind), alarm=True)
    if item.type == "false_alarm" and item.expect is None:
        return Outcome(item, True, False, None)
    reading = interpret(Message(item.text, language=item.lang), question, TRIAL, answered)
    if item.type == "digressions":
        kinds = [d.split(":")[0] for d in reading.digressions]
        ok = (item.digression in kinds or item.digression == "faq") and (
            item.expect is None or matches(reading.answer, item.expect))
        return Outcome(item, ok, reading.answer is not None and item.expect is not None and not matches(reading.answer, item.expect),
                       (reading.answer, reading.digressions))
    if item.type == "free_text":
        return Outcome(item, reading.answer is not None and not reading.digressions, False, reading.answer)
    ok = reading.answer is not None and matches(reading.answer, item.expect) and not reading.leaving
    wrong = reading.answer is not None and not matches(reading.answer, item.expect)
    return Outcome(item, ok, wrong, (reading.answer, reading.digressions, reading.notes))


def score_pure(lang: str, split: str) -> Iterator[Outcome]:
    for item in load(lang, split):
        yield judge_pure(item)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--heldout", action="store_true", help="score the held-out part (figures only)")
    parser.add_argument("-v", "--verbose", action="store_true", help="list failing dev items")
    parser.add_argument("--lang", choices=LANGUAGES, action="append")
    parser.add_argument("--classes", action="store_true",
                        help="count failures by class (type, question, expected -> got); no texts, so held-out too")
    args = parser.parse_args(argv)
    split = "heldout" if args.heldout else "dev"
    for lang in args.lang or LANGUAGES:
        totals, good, wrong, alarms, classes = Counter(), Counter(), Counter(), 0, Counter()
        for outcome in score_pure(lang, split):
            if args.classes and not outcome.ok:
                classes[failure_class(outcome)] += 1
            t = outcome.item.type
            totals[t] += 1
            good[t] += outcome.ok
            wrong[t] += outcome.wrong_value and (t not in EXCLUSION_TYPES or is_exclusion_question(outcome.item.question))
            alarms += outcome.alarm
            if args.verbose and split == "dev" and not outcome.ok:
                print(f"  [{lang} {t} {outcome.item.question}] {outcome.item.text!r} -> {outcome.got!r}"
                      f" expected {outcome.item.expect if t != 'emergency' else outcome.item.emergency!r}"
                      f"{' / ' + str(outcome.item.digression) if outcome.item.digression else ''}")
        figures = ", ".join(f"{t} {good[t]}/{totals[t]}" for t in sorted(totals))
        print(f"{lang} {split}: {sum(good.values())}/{sum(totals.values())} understood"
              f" ({sum(wrong.values())} wrong values, {alarms} false alarms) | {figures}")
        for key, n in sorted(classes.items(), key=lambda kv: (-kv[1], kv[0])):
            print(f"    {n:3} {key}")
    return 0


def failure_class(outcome: Outcome) -> str:
    """A failure's class, in words that name no item's text (held-out figures stay figures)."""
    item = outcome.item
    if item.type == "emergency":
        return f"emergency {item.emergency} missed"
    if outcome.alarm:
        return f"{item.type} at {item.question}: false alarm {outcome.got[1]}"
    if item.type == "digressions":
        answer, found = outcome.got
        kinds = sorted({d.split(':')[0] for d in found}) or ["nothing"]
        return (f"digression {item.digression} (answer {item.expect!r}) at {_kind(item.question)}: "
                f"found {'+'.join(kinds)}, answer {_value_class(answer)}")
    if item.type == "free_text":
        return f"free text at {item.question}: {_value_class(outcome.got)}"
    answer, digressions, _notes = outcome.got
    what = "wrong" if outcome.wrong_value else ("leaving" if answer is not None else "no answer")
    if outcome.wrong_value and isinstance(answer, (int, float)) and isinstance(item.expect, (int, float)):
        ratio = answer / item.expect if item.expect else None
        what = ("wrong (a week read as 7 days where the item counts 4 weeks a month)"
                if ratio is not None and abs(ratio - 28 / 30.4375) < 0.02 else
                f"wrong ({'higher' if answer > item.expect else 'lower'}{' by 12x or more' if ratio and (ratio >= 11 or ratio <= 1 / 11) else ''})")
    extra = f" (+{'+'.join(sorted({d.split(':')[0] for d in digressions}))})" if digressions else ""
    return f"{item.type} at {_kind(item.question)}: expected {_value_class(item.expect)}, {what} {_value_class(answer)}{extra}"


def _kind(question: str) -> str:
    return f"{question}{' [exclusion]' if is_exclusion_question(question) else ''}"


def _value_class(value: Any) -> str:
    if isinstance(value, list):
        return "/".join(_value_class(v) for v in value)
    if isinstance(value, bool) or value is None or isinstance(value, str) and len(value) <= 10:
        return repr(value)
    if isinstance(value, (int, float)):
        return "a number"
    return "a text"


if __name__ == "__main__":
    sys.exit(main())
