"""Cues: what a message is doing besides answering ("what does that mean?", "stop", "delete").

The phrases are data, one file per language (``lang/<code>/cues.yml``), so a translator reviews
one language in one place. Every language's phrases are looked for in every message, because
people switch languages mid-sentence; matching is on folded text (``text.fold``), as whole words
for Latin script and anywhere for Chinese.

Deleting is read with care, because a misreading would destroy something: a delete phrase with
a negation before it in the same clause ("please don't delete anything", "不要删除我的信息", "no
borre mis datos") is ``not_delete``; one in a question about deleting ("can I delete my data
later?") is ``delete_question``. Neither ever deletes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, List, Pattern, Sequence, Tuple

from bot.understanding.lang import LANGUAGES, LexiconError, load
from bot.understanding.matching import CJK_SPACE
from bot.understanding.text import _APOSTROPHES, fold, has_cjk

_CLAUSE_BREAK = re.compile(r"[,.;:!?\n，。；：！？、]|" + CJK_SPACE)  # "不要 删除" stays one clause
_QUESTION_MARK = re.compile(r"[?？¿]")
# A Latin phrase is a whole word: no letter, digit or apostrophe of Latin script on either side. A
# Chinese character is no part of an English word, so "先stop一下" and "我想talk to a person" match.
_CJK = r"[\u3400-\u9fff\uf900-\ufaff]"
_LATIN_BEFORE = r"(?<![^\W\u3400-\u9fff\uf900-\ufaff])(?<!')"
_LATIN_AFTER = r"(?![^\W\u3400-\u9fff\uf900-\ufaff])(?!')"
# A Chinese phrase right after a negation is not that phrase: "没有什么关系" is not "有什么关系",
# "我不害怕" is no fear, "没有不明白的" asks nothing. Deleting and stopping read their own negations.
_CJK_NEGATED = re.compile(r"(?:没有|没|不|无|未|别|非)$")
_A_NOT_A = re.compile(r"(.)[不没]\1$")  # "有没有真人", "是不是": a question, no negation
_OWN_NEGATION = ("delete", "stop", "keep", "negation", "not_question", "asking", "question_words", "uncontrolled", "unsure",
                 "contact_me")

# Kinds a message can carry; the order is the order of precedence when several are present.
LEAVING = ("delete", "not_delete", "delete_question", "stop", "later", "restart", "change", "person")
STAYING = ("distress", "explain", "why", "bot")
TOP_LEVEL = ("start", "continue")
QUALIFIERS = ("past", "controlled", "mild", "partly")
KINDS = LEAVING + STAYING + TOP_LEVEL + QUALIFIERS + ("uncontrolled", "current", "unsure")


@dataclass(frozen=True)
class Cue:
    kind: str
    start: int  # offsets in the folded text
    end: int

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end


def lexicon(lang: str) -> Dict[str, List[str]]:
    table = load(lang, "cues")
    bad = [k for k, v in table.items() if v is not None and not isinstance(v, (list, dict))]
    if bad:
        raise LexiconError(f"{lang}/cues.yml: {bad[0]} is not a list of phrases")
    return {k: list(v or []) for k, v in table.items() if not isinstance(v, dict)}


def _pattern(phrases: Sequence[str]) -> Pattern[str] | None:
    """One regex for a list: longest phrase first; ^ and $ anchor to the message."""
    parts, latin_parts = [], []
    for phrase in sorted({fold(p) for p in phrases if p.strip()}, key=len, reverse=True):
        head = phrase.startswith("^")
        tail = phrase.endswith("$") and len(phrase) > 1
        core = phrase[1 if head else 0: -1 if tail else None].strip()
        if not core:
            continue
        # Apostrophes are optional, as people type on phones: "don't" also finds "dont".
        body = re.escape(core).replace(r"\ ", r"\s+").replace("'", "'?")
        latin = not has_cjk(core)
        # "^": at the start of the message or of a sentence within it ("no. why does it matter?"),
        # and, for an English or Spanish phrase, where it switches in from Chinese ("先stop一下").
        start = (r"(?:^|(?<=[.!?。！？]\s)|(?<=[.!?。！？])" + (r"|(?<=" + _CJK + r")|(?<=" + _CJK + r"\s)" if latin else "")
                 + ")") if head else ""
        (latin_parts if latin else parts).append(start + body + (r"(?=\W*$)" if tail else ""))
    if latin_parts:  # the word boundary once around them all: per phrase it took seconds to compile
        parts.insert(0, _LATIN_BEFORE + "(?:" + "|".join(latin_parts) + ")" + _LATIN_AFTER)
    return re.compile("|".join(parts)) if parts else None


def phrase_pattern(phrases: Sequence[str]) -> Pattern[str] | None:
    """A pattern for a word list of another lexicon, matched as cues are (on folded text)."""
    return _pattern(phrases)


def without_acknowledgement(bare: str) -> str:
    """A folded message without the acknowledgements before or after it ("ok", "vale", "好的",
    "please", "吧"): what it says once those are set aside ("ok 继续" -> "继续")."""
    return acknowledged_parts(bare)[-1]


def acknowledged_parts(bare: str) -> Tuple[str, ...]:
    """The message, then what is left as each acknowledgement at its start or end is set aside
    in turn ("vale no gracias" -> "no gracias" -> "no"), so a reader can stop at the first part
    it knows."""
    pattern = _acknowledgement()
    out = [bare.strip()]
    while pattern is not None:
        current = out[-1]
        m = pattern.match(current)
        if m and m.end() > 0:
            out.append(current[m.end():].strip())
            continue
        tail = next((t for t in pattern.finditer(current) if t.end() == len(current) and t.start() > 0), None)
        if tail is None:
            break
        out.append(current[:tail.start()].strip())
    return tuple(out)


@lru_cache(maxsize=None)
def _acknowledgement() -> Pattern[str] | None:
    return _pattern([p for lang in LANGUAGES for p in lexicon(lang).get("acknowledge", [])])


def asking_spans(text: str) -> Tuple[Tuple[int, int], ...]:
    """Where the text asks leave to ask ("能问下", "may I ask", "¿le puedo preguntar"), in ``fold(text)``."""
    return tuple(_spans("asking", fold(text)))


def negated(text: str) -> bool:
    """Whether the text holds a negation ("doesn't", "no", "不", "没")."""
    return bool(_spans("negation", fold(text)))


@lru_cache(maxsize=None)
def _patterns(kind: str) -> Tuple[Pattern[str], ...]:
    found = []
    for lang in LANGUAGES:
        pattern = _pattern(lexicon(lang).get(kind, []))
        if pattern is not None:
            found.append(pattern)
    return tuple(found)


@lru_cache(maxsize=None)
def _compositions(kind: str) -> Tuple[Tuple[Pattern[str], Pattern[str], int], ...]:
    """``compose`` in cues.yml: a cue made of a word of one class followed, within a few words
    of the same clause, by a word of another ("fix" ... "an answer", "cambiar" ... "algo"), so a
    new verb or object works with every word of the other class."""
    found = []
    for lang in LANGUAGES:
        rule = (load(lang, "cues").get("compose") or {}).get(kind)
        if rule:
            first, then = _pattern(rule["first"]), _pattern(rule["then"])
            if first is not None and then is not None:
                found.append((first, then, int(rule.get("within", 3))))
    return tuple(found)


def _composed(kind: str, folded: str) -> List[Tuple[int, int]]:
    spans = []
    for first, then, within in _compositions(kind):
        for a in first.finditer(folded):
            b = then.search(folded, a.end())
            if b is None:
                continue
            gap = folded[a.end():b.start()]
            if len(gap.split()) <= within and not _CLAUSE_BREAK.search(gap):
                spans.append((a.start(), b.end()))
    return spans


def _spans(kind: str, folded: str) -> List[Tuple[int, int]]:
    spans = []
    for pattern in _patterns(kind):
        spans.extend(m.span() for m in pattern.finditer(folded) if m.end() > m.start())
    spans.extend(_composed(kind, folded))
    if kind not in _OWN_NEGATION:
        spans = [(s, e) for s, e in spans if not _negated_chinese(folded, s)]
    return spans


def _negated_chinese(folded: str, start: int) -> bool:
    before = folded[max(0, start - 3):start]
    return has_cjk(folded[start]) and bool(_CJK_NEGATED.search(before[-2:])) and not _A_NOT_A.search(before)


def _clause(folded: str, start: int, end: int) -> Tuple[int, int]:
    """The clause around a span: from the punctuation before it to the punctuation after it."""
    before = [m.end() for m in _CLAUSE_BREAK.finditer(folded) if m.end() <= start]  # endpos would hide CJK_SPACE's lookahead
    after = _CLAUSE_BREAK.search(folded, end)
    return (before[-1] if before else 0), (after.start() if after else len(folded))


def _delete_kind(folded: str, start: int, end: int) -> Tuple[str, int]:
    """The kind of a delete phrase, and where its request starts (a negation before it counts)."""
    lo, hi = _clause(folded, start, end)
    before = folded[lo:start]
    negations = _spans("negation", before)
    if negations:
        return "not_delete", lo + min(s for s, _e in negations)
    clause = folded[lo:hi]
    if _spans("asking", clause) or _QUESTION_MARK.search(folded[start:hi + 1]):
        return "delete_question", lo
    return "delete", start


@lru_cache(maxsize=2048)
def find_cues(text: str) -> Tuple[Cue, ...]:
    """Every cue in the text, in text order (offsets in ``fold(text)``)."""
    folded = fold(text)
    if not folded:
        return ()
    cues: List[Cue] = []
    for kind in KINDS + ("keep",):
        if kind in ("not_delete", "delete_question"):
            continue
        lookalikes = _spans(kind + "_lookalike", folded)  # "it might come back later" is no "later"
        for start, end in _spans(kind, folded):
            if any(lo <= start and end <= hi for lo, hi in lookalikes):
                continue
            if kind == "delete":
                found, begins = _delete_kind(folded, start, end)
                cues.append(Cue(found, begins, end))
            elif kind == "stop" and _negated_before(folded, start):
                continue  # "no puedo parar de llorar", "please don't stop"
            elif kind == "keep":
                cues.append(Cue("not_delete", start, end))
            else:
                cues.append(Cue(kind, start, end))
    return tuple(sorted(cues, key=lambda c: (c.start, -c.end)))


def kinds(text: str) -> Tuple[str, ...]:
    return tuple(dict.fromkeys(c.kind for c in find_cues(text)))


def is_question(text: str) -> bool:
    """A question mark, or a question word at the start of a clause.

    A question word used as an indefinite ("没发烧什么的", "什么都能吃", "没什么", "怎么也") asks
    nothing (``not_question`` in ``cues.yml``): it is masked before the question words are looked
    for, so "复发了，这次没发烧什么的" is read as the answer it is."""
    folded = fold(text)
    if _QUESTION_MARK.search(text):
        return True
    for start, end in _spans("not_question", folded):
        folded = folded[:start] + " " * (end - start) + folded[end:]
    starts = [0] + [m.end() for m in _CLAUSE_BREAK.finditer(folded)]
    kept = _accented(text)
    for pattern in _patterns("question_words"):
        for m in pattern.finditer(folded):
            if has_cjk(m.group()):
                return True
            if any(folded[s:m.start()].strip() == "" for s in starts) and not _opens_a_statement(folded, kept, m):
                return True
    return False


# Subject words after a question word make it open a clause, not ask ("when he was 3 ...",
# "what i can tell you is no"): a question puts a verb there ("when is it", "how does it work").
_OPENERS = frozenset("what when where how who which".split())  # not "whats": that holds its verb
_SUBJECTS = frozenset("i he she we they it my his her our their hes shes im ive its theyre".split())


def _accented(text: str) -> str:
    """The text folded as ``fold`` does but keeping accents (same offsets), or "" if they differ."""
    kept = re.sub(r"\s+", " ", unicodedata.normalize("NFC", unicodedata.normalize("NFKC", text or "")
                                                     .translate(_APOSTROPHES).lower())).strip()
    return kept if len(kept) == len(fold(text)) else ""


@lru_cache(maxsize=None)
def _marked_words() -> frozenset:
    """Question words whose lexicon spelling carries an accent ("cuándo", "cómo"): written without
    it, the word is the conjunction ("cuando tenía 5 ..."), not the question."""
    return frozenset(fold(p) for lang in LANGUAGES for p in lexicon(lang).get("question_words", [])
                     if fold(p) != unicodedata.normalize("NFC", p.lower()))


def _opens_a_statement(folded: str, kept: str, m: "re.Match[str]") -> bool:
    """A question word (no "?" in the message) that opens a statement: written without the accent
    that makes it a question, followed by a subject, or opening a clause that another clause in the
    same sentence completes ("como le dije, tiene 9 años", "when you put it like that, yes")."""
    word = m.group()
    if word in _marked_words() and kept and kept[m.start():m.end()] == word:
        return True
    after = folded[m.end():]
    following = after.split()[:1]
    if following and following[0].replace("'", "") in _SUBJECTS and word in _OPENERS:
        return True
    clause_end = _CLAUSE_BREAK.search(after)
    return bool(clause_end and after[clause_end.start()] in ",，;；:：" and
                re.search(r"\w", after[clause_end.end():].split(".")[0]))


def explain_statements(text: str) -> Tuple[Cue, ...]:
    """The explain cues said, not asked: in a clause with no question ("never heard of that drug",
    not "what is it?")."""
    folded = fold(text)
    out = []
    for cue in find_cues(text):
        if cue.kind == "explain":
            lo, hi = _clause(folded, cue.start, cue.end)
            asks = _spans("asking", folded[lo:hi]) or any(p.search(folded, cue.end, hi) for p in _patterns("question_words"))
            if not _QUESTION_MARK.search(folded[lo:hi + 1]) and not asks:
                out.append(cue)
    return tuple(out)


def qualifiers(text: str) -> Tuple[str, ...]:
    """The qualifiers in a message (past, controlled, mild), most telling first.

    One that is negated just before ("not treated", "no se la han tratado", "没控制住") does not
    count; "not controlled", "hard to control", "控制不住" cancel "controlled" (and "partly"); "still", "还在治",
    "todavía" (still going on) cancel "past"."""
    folded = fold(text)
    found = set()
    for cue in find_cues(text):
        if cue.kind in QUALIFIERS + ("uncontrolled", "current") and not _negated_before(folded, cue.start):
            found.add(cue.kind)
    if "uncontrolled" in found or "partly" in found:
        found.discard("controlled")
    if "uncontrolled" in found:
        found.discard("partly")  # "控制不住，忽高忽低": not controlled at all, not partly
    if "current" in found:
        found.discard("past")
    return tuple(q for q in QUALIFIERS if q in found)


QUALIFIER_NEGATION_WORDS = 3


def _negated_before(folded: str, start: int) -> bool:
    """A negation at most a few words before ``start``, in the same clause."""
    lo, _hi = _clause(folded, start, start)
    before = folded[lo:start]
    for _s, e in _spans("negation", before):
        gap = before[e:]
        if has_cjk(gap) and len(gap.strip()) <= QUALIFIER_NEGATION_WORDS or (
                not has_cjk(gap) and len(gap.split()) <= QUALIFIER_NEGATION_WORDS):
            return True
    return False


def asks_to_be_contacted(text: str) -> str | None:
    """ "please call me", "请联系我", "que me llamen": yes to "may the coordinator contact you?";
    "don't call me", "不要联系我", "no me llamen": no. None when the text says neither."""
    folded = fold(text)
    spans = _spans("contact_me", folded)
    if not spans:
        return None
    said = {"no" if _negated_before(folded, start) else "yes" for start, _end in spans}
    return said.pop() if len(said) == 1 else None


def corrects(text: str) -> bool:
    """Whether the text takes back or corrects something ("actually", "其实", "me equivoqué").
    Only with an earlier question named does it make the message a change (``interpret``)."""
    return has("correction", text)


def correction_spans(folded: str) -> List[Tuple[int, int]]:
    """Where the folded text takes something back ("5, no wait, 6"): the words after count."""
    return _spans("correction", folded)


def conditional(text: str) -> bool:
    """Whether the text opens with a condition ("if he had CAR-T", "如果复发了"): it states nothing."""
    return bool(_spans("condition", fold(text).strip()))


def has(kind: str, text: str) -> bool:
    """Whether the text holds a phrase of the list ``kind`` of ``cues.yml`` (e.g. ``take_part``)."""
    return bool(_spans(kind, fold(text)))
