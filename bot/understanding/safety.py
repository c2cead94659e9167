"""Emergencies: every current, severe one, and only those.

A person who writes "he can't breathe" in the middle of a question must be told to call
emergency services at once, in any of the three languages. A person who writes "no breathing
problems", "only hay fever", "she had a seizure two years ago, none since" or "he gets out of
breath on the stairs" must not be. So each phrase of ``lang/<code>/safety.yml`` counts only when,
in its own clause, it is not

- negated just before ("no trouble breathing", "没有呼吸困难", "sin dificultad para respirar"),
- history ("years ago", "none since", "以前", "hace años"),
- a question about the word ("what counts as a high fever?"),
- part of an everyday compound ("hay fever", "blood test", "花粉症", "análisis de sangre"), or
- (for breathing) an ordinary limit on effort ("on the stairs", "when he runs").

A fever counts when it is called high, or when a temperature of 39-45 °C (102.2-113 °F) is given
with it. Each kind has its own reply: only self-harm wording gets the crisis lines.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Pattern, Tuple

import yaml

from bot.understanding.text import fold, has_cjk

LANG_DIR = Path(__file__).resolve().parent / "lang"
LANGUAGES = ("en", "zh", "es")
KINDS = ("self_harm", "breathing", "unresponsive", "seizure", "bleeding", "chest_pain", "confusion",
         "fever", "urgent")
FILTERS = ("history", "definition", "not_alarming", "exertion", "negation")
NEGATION_WINDOW = 12  # characters before a phrase (about three words, or a few Chinese characters)

_CLAUSE = re.compile(r"[^,.;:!?\n，。；：！？、]+")
_FEVER_WORD = re.compile(r"fever|temp|temperature|febrile|fiebre|temperatura|calentura|发烧|发热|体温|烧到")
_READING = re.compile(r"(\d{2,3}(?:[.,]\d)?)\s*(?:°|º|度|degrees?|grados?|c\b|f\b)?")
CELSIUS = (39.0, 45.0)
FAHRENHEIT = (102.2, 113.0)


@lru_cache(maxsize=None)
def lexicon(lang: str) -> Dict[str, List[str]]:
    with open(LANG_DIR / lang / "safety.yml", encoding="utf-8") as f:
        return {k: [str(p) for p in (v or [])] for k, v in yaml.safe_load(f).items()}


def _compile(phrases: List[str]) -> Optional[Pattern[str]]:
    parts = []
    for phrase in sorted({fold(p) for p in phrases if p.strip()}, key=len, reverse=True):
        body = re.escape(phrase).replace(r"\ ", r"\s+")
        if not has_cjk(phrase):
            body = r"(?<![\w])" + body + r"(?![\w])"
        parts.append(body)
    return re.compile("|".join(parts)) if parts else None


@lru_cache(maxsize=None)
def _pattern(kind: str) -> Tuple[Pattern[str], ...]:
    return tuple(p for p in (_compile(lexicon(lang).get(kind, [])) for lang in LANGUAGES) if p)


def _find(kind: str, text: str) -> List[Tuple[int, int]]:
    return [m.span() for p in _pattern(kind) for m in p.finditer(text)]


def _negated(clause: str, start: int) -> bool:
    before = clause[max(0, start - NEGATION_WINDOW):start]
    for _s, e in _find("negation", before):
        # the negation must end right before the phrase, with at most a few words between
        gap = before[e:]
        if len(gap.split()) <= 2 or has_cjk(gap):
            return True
    return False


def _fever_reading(clause: str) -> bool:
    if not _FEVER_WORD.search(clause):
        return False
    for m in _READING.finditer(clause):
        value = float(m.group(1).replace(",", "."))
        if CELSIUS[0] <= value <= CELSIUS[1] or FAHRENHEIT[0] <= value <= FAHRENHEIT[1]:
            return True
    return False


def _clause_kind(clause: str) -> Optional[str]:
    if _find("history", clause) or _find("definition", clause):
        return None
    blocked = _find("not_alarming", clause)
    exertion = bool(_find("exertion", clause))
    for kind in KINDS:
        for start, end in _find(kind, clause):
            if any(bs <= start and end <= be for bs, be in blocked):
                continue
            if kind == "breathing" and exertion:
                continue
            if _negated(clause, start):
                continue
            return kind
    if _fever_reading(clause) and not _negated(clause, _FEVER_WORD.search(clause).start()):
        return "fever"
    return None


@lru_cache(maxsize=2048)
def detect(text: str) -> Optional[str]:
    """The kind of emergency the message describes, or None. Self-harm wins over the rest, so the
    reply always includes the crisis lines when someone speaks of harming themselves."""
    folded = fold((text or "")[:2000])
    found = [k for k in (_clause_kind(c.group()) for c in _CLAUSE.finditer(folded)) if k]
    if not found:
        return None
    return "self_harm" if "self_harm" in found else found[0]


def emergency_clauses(text: str) -> List[Tuple[int, int]]:
    """Where the emergencies are, as spans of ``fold(text)``: their words are not answers
    ("he has a fever of 40" is not an age)."""
    folded = fold((text or "")[:2000])
    return [c.span() for c in _CLAUSE.finditer(folded) if _clause_kind(c.group())]
