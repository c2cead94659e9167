"""Emergencies: every current, severe one, and only those.

A person who writes "he can't breathe" in the middle of a question must be told to call
emergency services at once, in any of the three languages. A person who writes "no breathing
problems", "only hay fever", "she had a seizure two years ago, none since" or "he gets out of
breath on the stairs" must not be. So each phrase of ``lang/<code>/safety.yml`` counts unless, in
its own part of the message (split at punctuation and at words such as "but now", "但是现在",
"y ahora"), it is

- negated just before ("no trouble breathing", "没有呼吸困难", "sin dificultad para respirar"),
  by a negation with at most two words between that do not start a new statement ("no, he
  can't breathe" and "no he can't breathe" both alarm);
- history ("years ago", "none since", "以前", "hace años"), unless it also says it is happening
  now ("now", "现在", "ahora");
- a question about the word ("what counts as a high fever?": a definition word at the start of
  the part, or a question mark);
- part of an everyday compound ("hay fever", "blood test", "花粉症", "análisis de sangre"); or
- (for the milder breathing phrases) an ordinary limit on effort ("on the stairs", "when he
  runs"); "turning blue" or "not breathing" alarm whatever the effort.

Of two phrases that overlap, the one reaching further is the reading ("没有呼吸困难" is "no
trouble breathing", not "没有呼吸" "not breathing"). A fever counts when it is called high, or
when a temperature of 39-45 °C (102.2-113 °F) is given right by a fever word; bleeding counts too
when a blood word and "won't stop" / "止不住" / "no para" share a sentence. Each kind has its own
reply: only self-harm wording gets the crisis lines.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Dict, List, Optional, Pattern, Tuple

from bot.understanding.lang import LANGUAGES, LexiconError, load
from bot.understanding.text import fold, has_cjk

KINDS = ("self_harm", "breathing", "unresponsive", "seizure", "bleeding", "chest_pain", "confusion",
         "fever", "urgent")
MAX_CHARS = 2000
MAX_GAP_WORDS = 2  # words allowed between a negation and the phrase it negates
MAX_GAP_CJK = 2  # characters allowed between a Chinese negation and the phrase

# Punctuation that ends a part; a point or comma between digits is a decimal ("39.5", "39,5").
_PUNCT = re.compile(r"(?:(?<!\d)[.,]|[.,](?!\d)|[;:!?\n，。；：！？、])")
_SENTENCE = re.compile(r"(?:[^.!?\n。！？]|(?<=\d)\.(?=\d))+")
_READING = re.compile(r"(?<![\d.,])(\d{2,3}(?:[.,]\d)?)(?![\d])\s*(°|º|度|degrees?|grados?|c\b|f\b)?")
CELSIUS = (39.0, 45.0)
FAHRENHEIT = (102.2, 113.0)
READING_DISTANCE = 20  # characters between a fever word and its temperature


def lexicon(lang: str) -> Dict[str, List[str]]:
    table = load(lang, "safety")
    bad = [k for k, v in table.items() if v is not None and not isinstance(v, (list, dict))]
    if bad:
        raise LexiconError(f"{lang}/safety.yml: {bad[0]} is not a list of phrases")
    return {k: list(v or []) for k, v in table.items() if not isinstance(v, dict)}


def _compile(phrases: List[str]) -> Optional[Pattern[str]]:
    parts = []
    for phrase in sorted({fold(p) for p in phrases if p.strip()}, key=len, reverse=True):
        body = re.escape(phrase).replace(r"\ ", r"\s+")
        if not has_cjk(phrase):
            body = r"(?<![\w])" + body + r"(?![\w])"
        parts.append(body)
    # A lookahead finds a match at every position, so overlapping phrases are all seen.
    return re.compile("(?=(" + "|".join(parts) + "))") if parts else None


@lru_cache(maxsize=None)
def _pattern(kind: str) -> Tuple[Pattern[str], ...]:
    return tuple(p for p in (_compile(lexicon(lang).get(kind, [])) for lang in LANGUAGES) if p)


def _find(kind: str, text: str) -> List[Tuple[int, int]]:
    """Every (start, end) of a phrase of ``kind``, the longest at each position, overlaps kept."""
    return [m.span(1) for p in _pattern(kind) for m in p.finditer(text)]


# --- the parts of a message ------------------------------------------------------------------------


def _parts(folded: str) -> List[Tuple[int, str]]:
    """The message split at punctuation and at the words that start a new statement ("but now"),
    as (offset, text)."""
    cuts = {0, len(folded)}
    for m in _PUNCT.finditer(folded):
        cuts.update((m.start(), m.end()))
    for start, _end in _find("part_break", folded):
        cuts.add(start)
    bounds = sorted(cuts)
    parts = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        text = folded[a:b]
        if text.strip() and not _PUNCT.fullmatch(text.strip()):
            parts.append((a, text))
    return parts


def _negated(part: str, start: int) -> bool:
    """A negation just before ``start``: at most two words (two Chinese characters) between, and
    none of them starting a new statement ("no he can't breathe" is no negation)."""
    before = part[:start]
    for _s, e in _find("negation", before):
        gap = before[e:]
        if has_cjk(gap) or has_cjk(before[max(0, e - 1):e]):
            if len(gap.strip()) <= MAX_GAP_CJK and not _find("subject", gap):
                return True
            continue
        words = gap.split()
        if len(words) <= MAX_GAP_WORDS and not _find("subject", gap):
            return True
    return False


def _negated_after(part: str, start: int, end: int) -> bool:
    """A negation closing the part right after the phrase: "sangre en la orina no", "呼吸困难没有";
    not after a phrase that is itself negative ("no respira, no" stays an emergency)."""
    if _find("negation", part[start:end]):
        return False
    rest = part[end:].strip()
    return bool(rest) and any(a == 0 and not rest[b:].strip() for a, b in _find("post_negation", rest))


def _fever_readings(part: str) -> List[Tuple[int, int]]:
    """A fever word with a temperature of 39-45 °C (102.2-113 °F) right by it: after it ("fever
    of 39.5", "发烧39度"), or before it with a degree sign or "de" ("39 degrees fever", "40 de
    fiebre"). "He is 40 and has a fever" is no reading."""
    found = []
    for ws, we in _find("fever_words", part):
        for m in _READING.finditer(part):
            value = float(m.group(1).replace(",", "."))
            if not (CELSIUS[0] <= value <= CELSIUS[1] or FAHRENHEIT[0] <= value <= FAHRENHEIT[1]):
                continue
            after = 0 <= m.start() - we <= READING_DISTANCE
            before = 0 <= ws - m.end() <= READING_DISTANCE and (
                m.group(2) or part[m.end():ws].strip() in ("de", "of"))
            if after or before:
                found.append((ws, we))
    return found


def _still_bleeding(part: str, sentence: str) -> List[Tuple[int, int]]:
    """ "won't stop" / "止不住" / "no para" with a blood word in the same sentence."""
    if not _find("blood_words", sentence):
        return []
    return _find("still_going", part)


def _matches(part: str, sentence: str) -> List[Tuple[str, int, int]]:
    """Every emergency phrase in the part as (kind, start, end). Of two that overlap, the one
    reaching further wins: in "没有呼吸困难" (no trouble breathing) "呼吸困难" absorbs "没有呼吸"
    (not breathing), and its negation then applies."""
    found = [(kind, a, b) for kind in KINDS for a, b in _find(kind, part)]
    found += [("fever", a, b) for a, b in _fever_readings(part)]
    found += [("bleeding", a, b) for a, b in _still_bleeding(part, sentence)]
    offset = sentence.find(part)
    found += [(k, a - offset, b - offset) for k, a, b in _combos(sentence) if offset <= a < offset + len(part)]
    return [m for m in found if not any(
        o is not m and o[1] < m[2] and m[1] < o[2] and (o[2], o[2] - o[1]) > (m[2], m[2] - m[1])
        for o in found)]


@lru_cache(maxsize=None)
def _combo_patterns(kind: str) -> Tuple[Tuple[Pattern[str], ...], ...]:
    """Each combination of ``kind`` as one pattern per group of words."""
    combos = []
    for lang in LANGUAGES:
        for combo in (load(lang, "safety").get("combos") or {}).get(kind) or []:
            groups = tuple(p for p in (_compile(group) for group in combo) if p)
            if len(groups) == len(combo):
                combos.append(groups)
    return tuple(combos)


def _combos(sentence: str) -> List[Tuple[str, int, int]]:
    """Words that alarm together, in one sentence, when neither does alone: a body part and
    what is wrong with it ("胸口" + "很痛", "pecho" + "duele"), "hit his head" + "vomiting". Each
    is (kind, start, end) of its first word; it counts only when no word of it is negated."""
    found = []
    for kind in KINDS:
        for groups in _combo_patterns(kind):
            spans = [[m.span(1) for m in g.finditer(sentence)] for g in groups]
            if all(spans):
                firsts = [s[0] for s in spans]
                if not any(_negated(sentence, a) for a, _b in firsts):
                    start = min(a for a, _b in firsts)
                    found.append((kind, start, next(b for a, b in firsts if a == start)))
    return found


def _is_definition_question(part: str, folded: str) -> bool:
    """A question about the word ("what counts as a high fever?") or about what would happen
    ("what if he has a seizure?"): a definition word at the start of the part or with a question
    mark in the message; a hypothetical only with a question mark."""
    asked = any(mark in folded for mark in "?？¿")
    if asked and _find("hypothetical", part):
        return True
    return any(asked or not part[:start].strip() for start, _end in _find("definition", part))


# Kinds that a history word elsewhere in the sentence makes history too ("CAR-T那会儿出现过神经毒性，
# 说胡话，现在早就恢复了"); breathing, bleeding and self-harm only by history in their own part.
CARRIED_HISTORY = ("fever", "seizure", "confusion", "unresponsive")


def _echoed(part: str, start: int, end: int, after: str) -> bool:
    """The phrase alone as a question: "haemorrhage? no, nothing like that"."""
    return not (part[:start] + part[end:]).strip() and after.startswith(("?", "？"))


def _has_history(part: str, sentence: str) -> bool:
    """History words outside the emergency phrases themselves ("过去" is history, but not in
    "晕过去", fainted)."""
    phrases = [(a, b) for _k, a, b in _matches(part, sentence)]
    return any(not any(a < e and s < b for a, b in phrases) for s, e in _find("history", part))


def _part_alarms(part: str, sentence: str, folded: str, history_elsewhere: bool,
                 after: str) -> List[Tuple[str, int, int]]:
    """The phrases that count in one part, as (kind, start, end), kinds in ``KINDS`` order."""
    current = bool(_find("current", part))
    if (_has_history(part, sentence) and not current) or _is_definition_question(part, folded):
        return []  # "had a seizure years ago" is history; "years ago, and now again" is not
    blocked = _find("not_alarming", part)
    exertion = bool(_find("exertion", part))
    at_rest = _find("breathing_at_rest", part)
    alarms, negated_end = [], None
    for kind, start, end in sorted(_matches(part, sentence), key=lambda m: m[1]):
        if any(bs <= start and end <= be for bs, be in blocked):
            continue
        if kind == "breathing" and exertion and not any(a <= start < b for a, b in at_rest):
            continue
        if kind in CARRIED_HISTORY and history_elsewhere and not current:
            continue
        listed = negated_end is not None and (
            not part[negated_end:start].strip() or _find("list_joiners", part[negated_end:start]))
        if listed or _negated(part, start) or _negated_after(part, start, end):
            negated_end = end  # "no fever or seizures": the negation runs on through the list
            continue
        if _echoed(part, start, end, after):
            continue
        alarms.append((kind, start, end))
    return sorted(alarms, key=lambda a: KINDS.index(a[0]))


def _alarms(folded: str) -> List[Tuple[str, int, int]]:
    """(kind, start, end) of every phrase that counts, part by part, offsets in ``folded``."""
    found = []
    for sentence in _SENTENCE.finditer(folded):
        text = sentence.group()
        parts = _parts(text)
        history = [_has_history(part, text) for _o, part in parts]
        for i, (offset, part) in enumerate(parts):
            base = sentence.start() + offset
            after = folded[base + len(part):].lstrip()
            elsewhere = any(h for j, h in enumerate(history) if j != i)
            found += [(k, base + a, base + b)
                      for k, a, b in _part_alarms(part, text, folded, elsewhere, after)]
    return found


_CLAUSE = re.compile(r"[^,.;:!?\n，。；：！？、]+")  # a clause: up to the next punctuation


def alarm_spans(folded: str) -> List[Tuple[int, int]]:
    """Where an emergency phrase counts in already folded text: the readers of answers leave
    those words alone ("no" in "no respira" is no answer; in "no tiene fiebre alta" it is)."""
    return [(a, b) for _k, a, b in _alarms(folded)]


@lru_cache(maxsize=2048)
def detect(text: str) -> Optional[str]:
    """The kind of emergency the message describes, or None. Self-harm wins over the rest, so the
    reply always includes the crisis lines when someone speaks of harming themselves."""
    found = [kind for kind, _a, _b in _alarms(fold((text or "")[:MAX_CHARS]))]
    if not found:
        return None
    return "self_harm" if "self_harm" in found else found[0]


def emergency_clauses(text: str) -> List[Tuple[int, int]]:
    """Where the emergencies are, as spans of ``fold(text)``: their words are not answers
    ("he has a fever of 40" is not an age)."""
    folded = fold((text or "")[:MAX_CHARS])
    alarms = alarm_spans(folded)
    return [c.span() for c in _CLAUSE.finditer(folded)
            if any(a < c.end() and c.start() < b for a, b in alarms)]
