"""Whether a message mentions something as present, absent, or just names it.

"not diabetic", "no allergies", "没有糖尿病", "sin alergias", "器官没移植过", "la diabetes no":
absent. "he has diabetes", "得了糖尿病", "tiene hepatitis C": present. The words come from the
caller (a trial's words for its questions); what negates and what asserts is general, per
language, in ``lang/<code>/yesno.yml`` (``not_before``, ``not_after``, ``has_before``, ``has_after``). A mention
is read in its own clause: "no, but she has diabetes" is present.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import List, NamedTuple, Pattern, Sequence, Tuple

from bot.understanding.lang import LANGUAGES, load
from bot.understanding.matching import CJK_SPACE
from bot.understanding.text import fold, has_cjk

REACH_WORDS = 3  # Latin words between a negation (or "has") and the mention
REACH_CJK = 3  # Chinese characters between them
_CLAUSE_END = re.compile(r"[,.;:!?\n，。；：！？、]|\bbut\b|\bpero\b|但是|可是|不过|" + CJK_SPACE)  # "不过" is "but", its 不 no negation


class Mention(NamedTuple):
    start: int  # offsets in fold(text)
    end: int
    negated: bool
    asserted: bool


def _compile(phrases: Sequence[str]) -> Pattern[str] | None:
    parts = []
    for phrase in sorted({fold(p) for p in phrases if p.strip()}, key=len, reverse=True):
        body = re.escape(phrase).replace(r"\ ", r"\s+")
        if not has_cjk(phrase):
            body = r"(?<![\w'])" + body + r"(?![\w'])"
        parts.append(body)
    return re.compile("|".join(parts)) if parts else None


@lru_cache(maxsize=None)
def _words(key: str) -> Pattern[str] | None:
    return _compile([w for lang in LANGUAGES for w in load(lang, "yesno").get(key) or []])


@lru_cache(maxsize=256)
def _pattern(words: Tuple[str, ...]) -> Pattern[str] | None:
    return _compile(words)


def _clause(folded: str, start: int, end: int) -> Tuple[int, int]:
    before = [m.end() for m in _CLAUSE_END.finditer(folded) if m.end() <= start]  # endpos would hide CJK_SPACE's lookahead
    after = _CLAUSE_END.search(folded, end)
    return (before[-1] if before else 0), (after.start() if after else len(folded))


def _near_before(text: str, key: str, reach: int = REACH_WORDS) -> bool:
    """A phrase of ``key`` ending at most ``reach`` words (Chinese: characters) before the end."""
    pattern = _words(key)
    if pattern is None:
        return False
    for m in pattern.finditer(text):
        gap = text[m.end():]
        if (has_cjk(gap) or has_cjk(m.group())) and len(gap.strip()) <= min(reach, REACH_CJK):
            return True
        if not has_cjk(gap) and len(gap.split()) <= reach:
            return True
    return False


def _right_after(text: str, key: str) -> bool:
    pattern = _words(key)
    m = pattern.match(text.lstrip()) if pattern else None
    return m is not None


def mentions(text: str, words: Sequence[str], reach: int = REACH_WORDS) -> List[Mention]:
    """Every mention of ``words`` in ``text``, with whether it is negated (a negation at most
    ``reach`` words before, or right after) or asserted ("has", "有", "tiene" before)."""
    folded = fold((text or "")[:2000])
    pattern = _pattern(tuple(words))
    if pattern is None or not folded:
        return []
    found = []
    for m in pattern.finditer(folded):
        lo, hi = _clause(folded, m.start(), m.end())
        before, after = folded[lo:m.start()], folded[m.end():hi]
        negated = _near_before(before, "not_before", reach) or _right_after(after, "not_after")
        asserted = not negated and (_near_before(before, "has_before") or _right_after(after, "has_after"))
        found.append(Mention(m.start(), m.end(), negated, asserted))
    return found


def absent(text: str, words: Sequence[str]) -> bool:
    """Mentioned, and every mention negated."""
    found = mentions(text, words)
    return bool(found) and all(m.negated for m in found)


def present(text: str, words: Sequence[str]) -> bool:
    """Mentioned as had at least once, and never negated."""
    found = mentions(text, words)
    return any(m.asserted for m in found) and not any(m.negated for m in found)


def named(text: str, words: Sequence[str], reach: int = REACH_WORDS) -> bool:
    """Mentioned and not negated."""
    found = mentions(text, words, reach)
    return bool(found) and not any(m.negated for m in found)
