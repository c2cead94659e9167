"""Activity level (ECOG 0-4) from an everyday description, in three languages.

People describe a day, not a level: "off school, but he gets himself dressed and potters around
the house" is 2; "can't do sports, goes to school" is 1. So each phrase of
``lang/<code>/activity.yml`` says which levels it fits ("walks": 0-2, "needs help washing":
3-4), an ability word negated in its part of the sentence ("can't run", "not at school", "体育课
免了", "educación física no") gives its other range, and a message's phrases are combined:

- where their ranges meet, the lowest level there, when the range is at most two levels wide
  ("walks fine" 0-2 and "can't run" 1-2 give 1); wider is asked again ("walks" alone);
- where they do not meet, the worst (highest) level any of them needs: a description is never
  read as fitter than it is ("normal, but can't do sports" is 1; "bedridden, can't do anything" 4).

A phrase is found in the forms people use, not only the one listed: interchangeable words
(``interchangeable``: "himself / herself / myself", "solo / sola") and, in English, the verb with
and without its -s ("take care of" / "takes care of"). "Completely", "totalmente", "完全" before a
phrase take the far end of its range ("totalmente en cama" is 4, not 3-4), as "almost" takes a
level off.

"level 2", "ECOG 1", "2级" give the level; "the second one", "第二个", "la tercera" pick a button
in order (the first is 0); "it varies" is "unsure".
"""

from __future__ import annotations

import re
from functools import cache
from typing import Dict, List, Optional, Sequence, Tuple

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from bot.understanding.matching import (
    CLAUSE_PUNCT,
    Hit,
    Prepared,
    build_phrase_matcher,
    content_tokens,
    entries,
    longest_first,
    matched_spans,
    pattern_doc,
    phrase_list,
    run,
    span_offsets,
    word_set,
)

UNSURE = "unsure"
NEGATION_REACH = {"zh": 3}  # tokens before an ability a negation may stand (Chinese: characters)
DEFAULT_REACH = 4
Range = Tuple[int, int]


def _range(spec: object) -> Range:
    lo, _, hi = str(spec).partition("-")
    return int(lo), int(hi or lo)


@cache
def _ranges(lang: str) -> Dict[str, Tuple[Range, Optional[Range]]]:
    """label -> (range when said, range when negated)."""
    out: Dict[str, Tuple[Range, Optional[Range]]] = {}
    for level in (entries(lang, "activity", "levels") or {}):
        # "没法正常活动", "not a normal life": a full level 0 said negated is a limit (1-2), as
        # "normal" negated is; the other levels are read as said
        out[f"level{level}"] = ((int(level), int(level)), (1, 2) if int(level) == 0 else None)
    for name, spec in (entries(lang, "activity", "abilities") or {}).items():
        out[name] = (_range(spec["yes"]), _range(spec["no"]) if "no" in spec else None)
    return out


_S_ENDING = re.compile(r"(?:[^aeious]s|[^s]es)$")  # "walks", "goes", "dresses" (not "across")


def _english_forms(word: str) -> Tuple[str, ...]:
    """A verb with and without its third-person -s: "take" / "takes", "dresses" / "dress"."""
    if not word.isalpha() or len(word) < 3:
        return (word,)
    if word.endswith(("shes", "ches", "sses", "xes")):
        return word, word[:-2]
    if word.endswith("ies") and len(word) > 4:
        return word, word[:-3] + "y"
    if _S_ENDING.search(word) and len(word) > 3:
        return word, word[:-1]
    if word.endswith(("sh", "ch", "ss", "x")):
        return word, word + "es"
    return word, word + "s"


@cache
def _swaps(lang: str) -> Dict[str, Tuple[str, ...]]:
    """word -> the words it may stand for in a phrase (``interchangeable`` groups)."""
    out: Dict[str, Tuple[str, ...]] = {}
    for group in entries(lang, "activity", "interchangeable") or []:
        words = tuple(str(w) for w in group)
        for w in words:
            out[w] = words
    return out


def _forms(lang: str, phrase: str) -> List[str]:
    """The phrase as people may type it (see the module docstring); the listed form first."""
    if phrase[:1] in ("^", "<"):
        return [phrase]
    words = phrase.split(" ")
    options = [list(_swaps(lang).get(w, (w,))) for w in words]
    if lang == "en" and len(words) > 1:
        options[0] = list(dict.fromkeys(options[0] + list(_english_forms(words[0]))))
    out = [""]
    for choice in options:
        out = [f"{o} {c}".strip() for o in out for c in choice][:64]
    return list(dict.fromkeys([phrase] + out))


@cache
def _matcher(lang: str) -> PhraseMatcher:
    table: Dict[str, Sequence[str]] = {f"level{k}": v for k, v in (entries(lang, "activity", "levels") or {}).items()}
    for name, spec in (entries(lang, "activity", "abilities") or {}).items():
        table[name] = spec.get("words") or []
    table["unsure"] = phrase_list(lang, "activity", "unsure")
    # A listed phrase wins over a form made from another one: "walks" (walks) stays walks.
    listed = {str(p) for phrases in table.values() for p in phrases}
    expanded = {label: [f for p in phrases for f in _forms(lang, str(p)) if f == str(p) or f not in listed]
                for label, phrases in table.items()}
    return build_phrase_matcher(lang, expanded)


@cache
def _sequences(lang: str, key: str) -> Tuple[Tuple[str, ...], ...]:
    return tuple(tuple(t.norm_ for t in pattern_doc(lang, p)) for p in phrase_list(lang, "activity", key))


def _segment_bounds(doc: Doc, lang: str, i: int) -> Tuple[int, int]:
    """The part of the sentence token ``i`` is in: up to punctuation or a word such as "but"."""
    breaks = _sequences(lang, "scope_breaks")

    def is_break(k: int) -> bool:
        return doc[k].text in CLAUSE_PUNCT or any(
            tuple(t.norm_ for t in doc[k:k + len(b)]) == b for b in breaks)

    lo = i
    while lo > 0 and not is_break(lo - 1):
        lo -= 1
    hi = i
    while hi < len(doc) and not is_break(hi):
        hi += 1
    return lo, hi


def _has_sequence(norms: Sequence[str], sequences: Sequence[Tuple[str, ...]]) -> bool:
    return any(tuple(norms[k:k + len(s)]) == s for s in sequences for k in range(len(norms) - len(s) + 1))


def _reach_start(doc: Doc, lo: int, start: int, lang: str) -> int:
    """Where a negation before ``start`` may stand: ``reach`` words back, not counting the small
    words between a verb and its object ("no tiene fuerzas para el cole", "not up to going to school")."""
    fillers = word_set(lang, "activity", "scope_fillers")
    k, counted = start, 0
    while k > lo and counted < NEGATION_REACH.get(lang, DEFAULT_REACH):
        k -= 1
        counted += doc[k].norm_ not in fillers
    return k


def _negated(doc: Doc, start: int, end: int, lang: str) -> bool:
    lo, hi = _segment_bounds(doc, lang, start)
    before = [t.norm_ for t in doc[_reach_start(doc, lo, start, lang):start]]
    if _has_sequence(before, _sequences(lang, "negators_before")):
        return True
    # "体育课也不上": a word such as "也" between the ability and its negator bridges the break it
    # would otherwise be ("能走，也能吃" stays two parts).
    bridges = _sequences(lang, "negator_bridges")
    for bridge in bridges:
        if tuple(t.norm_ for t in doc[end:end + len(bridge)]) == bridge:
            end += len(bridge)
            hi = _segment_bounds(doc, lang, end)[1] if end < len(doc) else end
            break
    after = [t.norm_ for t in doc[end:min(hi, end + 3)]]
    return any(tuple(after[:len(s)]) == s for s in _sequences(lang, "negators_after"))


def _almost(doc: Doc, start: int, lang: str) -> bool:
    """ "almost", "casi", "差不多" right before a phrase (not before a negation: "casi no")."""
    before = tuple(t.norm_ for t in doc[max(0, start - 3):start])
    return any(len(a) <= len(before) and before[-len(a):] == a for a in _sequences(lang, "almost"))


def _intensified(doc: Doc, start: int, lang: str) -> bool:
    """ "completely", "totalmente", "完全" right before a phrase."""
    before = tuple(t.norm_ for t in doc[max(0, start - 3):start])
    return any(len(a) <= len(before) and before[-len(a):] == a for a in _sequences(lang, "intensifiers"))


def _far_end(value: Range) -> Range:
    """ "totally in bed" is 4, "completely normal" 0: the end of the range away from the middle."""
    lo, hi = value
    return (hi, hi) if lo >= 2 else (lo, lo)


def _softened(value: Range) -> Range:
    """ "almost all day in bed" is 3-4, not 4; "almost normal" 0-1, not 0; a range stays as it is."""
    lo, hi = value
    if hi > lo:
        return value  # already a span of levels ("基本在床上或椅子上" is still 3-4, not 2-4)
    return (max(lo - 1, 0), hi) if lo >= 2 else (lo, min(hi + 1, 4))


def _cue_hits(t: Prepared, doc: Doc, lang: str) -> List[Hit]:
    ranges = _ranges(lang)
    hits = []
    for label, _flag, s, e in matched_spans(doc, _matcher(lang)):
        if label == "unsure":
            hits.append(Hit(UNSURE, *span_offsets(t, doc, s, e), "unsure"))
            continue
        said, negated = ranges[label]
        is_negated = negated is not None and _negated(doc, s, e, lang)
        value = negated if is_negated else said
        if _almost(doc, s, lang):
            value = _softened(value)
        elif not is_negated and value[1] - value[0] == 1 and _intensified(doc, s, lang):
            value = _far_end(value)
        hits.append(Hit(value, *span_offsets(t, doc, s, e), label))
    return hits


def combine(ranges: Sequence[Range]) -> Optional[int]:
    """Where the ranges meet (the lowest level there, if at most two wide), else the worst."""
    if not ranges:
        return None
    lo, hi = max(r[0] for r in ranges), min(r[1] for r in ranges)
    if lo > hi:
        return lo  # they disagree: the level the worst of them needs
    return lo if hi - lo <= 1 else None


# --- buttons in order: "the second one", "第二个", "la tercera" --------------------------------------


@cache
def _option_matcher(lang: str) -> PhraseMatcher:
    return build_phrase_matcher(lang, {str(k): v for k, v in (entries(lang, "activity", "options") or {}).items()})


def _option_hits(t: Prepared, doc: Doc, lang: str) -> List[Hit]:
    """Ordinals in a short message, each either alone (articles aside) or before "one"/"option"/
    "个"; two ordinals ("between the second and third") give the lower."""
    content = content_tokens(doc)
    if not content or len(content) > (16 if lang == "zh" else 8):  # Chinese: characters
        return []
    nouns = word_set(lang, "activity", "option_nouns")
    articles = word_set(lang, "activity", "option_articles")
    matches = matched_spans(doc, _option_matcher(lang))
    found = []
    for value, _flag, s, e in matches:
        nxt = doc[e].norm_ if e < len(doc) else ""
        rest = [i for i in content if not s <= i < e and doc[i].norm_ not in articles]
        if nxt in nouns or not rest or len(matches) > 1 or (lang == "zh" and nxt in ("吧", "")):
            found.append(Hit(int(value), *span_offsets(t, doc, s, e), "option"))
    return found


def read_activity(text: str, lang: Optional[str], explicit: Optional[Hit] = None) -> object:
    """The level (0-4), "unsure", or None. ``explicit`` is a level said as a number."""
    if explicit is not None:
        return int(explicit.value)  # type: ignore[call-overload]
    _, options = run(text, lang, _option_hits)
    if options:
        return min(int(h.value) for h in options)  # type: ignore[call-overload]
    _, hits = run(text, lang, _cue_hits)
    kept = _not_cancelled(lang, _now_part(text, lang, longest_first(hits)))
    if any(h.value == UNSURE for h in kept):
        return UNSURE
    return combine([h.value for h in kept])  # type: ignore[misc]


def _not_cancelled(lang: Optional[str], hits: List[Hit]) -> List[Hit]:
    """An ability whose ``cancels`` names others drops them from the message: too young for
    school, or on holiday, "no school" says nothing of the level ("放暑假了，不用上学")."""
    specs = entries(lang, "activity", "abilities") or {} if lang else {}
    cancelled = {str(c) for h in hits for c in (specs.get(h.kind) or {}).get("cancels", [])}
    return [h for h in hits if h.kind not in cancelled] if cancelled else hits


def _marks(t: Prepared, doc: Doc, lang: str) -> List[Hit]:
    out = []
    for key in ("now_words", "past_words"):
        for seq in _sequences(lang, key):
            for k in range(len(doc) - len(seq) + 1):
                if tuple(t.norm_ for t in doc[k:k + len(seq)]) == seq:
                    out.append(Hit(key, *span_offsets(t, doc, k, k + len(seq)), key))
    return out


def _now_part(text: str, lang: Optional[str], hits: List[Hit]) -> List[Hit]:
    """A day then and a day now ("was bedridden after the transplant, now he's back at school";
    "现在能上学了，之前天天躺着"): the level is today's, read from the part after "now" up to
    the past again. Without both words, every phrase counts."""
    _, marks = run(text, lang, _marks)
    nows = sorted(m.start for m in marks if m.value == "now_words")
    pasts = sorted(m.start for m in marks if m.value == "past_words")
    if not nows or not pasts:
        return hits
    start = nows[0]
    end = min([p for p in pasts if p > start], default=len(text) + 1)
    now_hits = [h for h in hits if start <= h.start < end]
    return now_hits or hits


def activity_hit(text: str, lang: Optional[str]) -> Optional[Hit]:
    """The level as a Hit spanning the words it was read from (for the NLU entity)."""
    _, hits = run(text, lang, _cue_hits)
    _, options = run(text, lang, _option_hits)
    kept = longest_first(hits)
    level = read_activity(text, lang)
    if not isinstance(level, int):
        return None
    spans = [h for h in (options or kept)]
    return Hit(level, min(h.start for h in spans), max(h.end for h in spans), "phrase")


__all__ = ["combine", "read_activity", "activity_hit"]
