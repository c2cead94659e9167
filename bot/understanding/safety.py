"""Emergencies: every current, severe one, and only those.

A person who writes "he can't breathe" in the middle of a question must be told to call
emergency services at once, in any of the three languages. A person who writes "no breathing
problems", "only hay fever", "she had a seizure two years ago, none since" or "he gets out of
breath on the stairs" must not be.

Emergencies are read by composition, because no list holds every way a frightened parent types
one: each kind is described per language as small word classes (``classes`` and ``compose`` in
``lang/<code>/safety.yml``): a body function and a trouble word ("breath" + "fighting for",
"呼吸" + "费劲", "aire" + "le cuesta"), a movement and a sign, a wish and an end ("wanna" +
"disappear", "no quiero" + "vivir"). One word of each class in the same part of the message, in
any order (``compose_in_order`` where order matters), each within a few words of the next and
nothing negating between, is a reading (``_composed_in``); milder words need a word of severity
or now-ness with them ("out of breath" + "can't talk"). Whole phrases stay for what composition
cannot say ("turning blue", "抽搐", "pensamientos de suicidio"). Each reading, phrase or
composition, counts unless, in its own part of the message (split at punctuation and at words such as "but now", "但是现在",
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

History also comes from a past year ("in 2019"), from the next sentence when it says it ended
("nothing since", "no le ha vuelto a pasar", "之后再没有"), and covers emergency care named beside
it ("休克过两次 都是送急诊"); a part saying it is back now ("and he's having one right now") undoes
it. A symptom echoed as a question and denied ("¿convulsiones? que yo sepa no"), or opened by an
"if" in a question ("¿qué hago si deja de respirar?"), is no report.

Of two phrases that overlap, the one reaching further is the reading ("没有呼吸困难" is "no
trouble breathing", not "没有呼吸" "not breathing"). A fever counts when it is called high, or
when a temperature of 39-45 °C (102.2-113 °F) is given right by a fever word; bleeding counts too
when a blood word and "won't stop" / "止不住" / "no para" share a sentence. Each kind has its own
reply: only self-harm wording gets the crisis lines.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from itertools import product
from typing import Dict, List, Optional, Pattern, Tuple

from bot.understanding.lang import LANGUAGES, LexiconError, load
from bot.understanding.text import fold, has_cjk

KINDS = ("self_harm", "breathing", "unresponsive", "seizure", "bleeding", "chest_pain", "confusion",
         "fever", "urgent")
MAX_CHARS = 2000
MAX_GAP_WORDS = 2  # words allowed between a negation and the phrase it negates
MAX_GAP_CJK = 2  # characters allowed between a Chinese negation and the phrase
NEGATION_WINDOW = 100  # characters before a phrase searched for its negation (two words and one)

# Punctuation that ends a part; a point or comma between digits is a decimal ("39.5", "39,5").
_PUNCT = re.compile(r"(?:(?<!\d)[.,]|[.,](?!\d)|[;:!?\n，。；：！？、])")
# A space by a Chinese character: people typing or dictating Chinese put one between clauses
# (or between one and a word: "做的CAR-T 高烧"), not by a number ("体温 39.8").
_CJK = "\u3400-\u9fff\uf900-\ufaff"
_CJK_SPACE = re.compile(f"(?<=[{_CJK}])\\s+(?=[^\\d\\s])|(?<=[^\\d\\s])\\s+(?=[{_CJK}])")
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


# English "not" contracted onto an auxiliary, apostrophe optional ("isn't", "isnt", "doesnt").
_CONTRACTED_NOT = r"(?:not|(?:is|are|was|were|do|does|did|has|have|had|ca|wo|could|would|should)n'?t)"


def _compile(phrases: List[str]) -> Optional[Pattern[str]]:
    parts = []
    for phrase in sorted({fold(p) for p in phrases if p.strip()}, key=len, reverse=True):
        # Apostrophes are optional: people type "cant breathe", "hes not breathing" on a phone.
        body = re.escape(phrase).replace(r"\ ", r"\s+").replace("'", "'?")
        if not has_cjk(phrase):
            if phrase.startswith("not "):  # "not waking up" is also "isn't waking up", "isnt waking up"
                body = _CONTRACTED_NOT + body[len("not"):]
            body = r"(?<![\w])" + body + r"(?![\w])"
        parts.append(body)
    # A lookahead finds a match at every position, so overlapping phrases are all seen.
    return re.compile("(?=(" + "|".join(parts) + "))") if parts else None


@lru_cache(maxsize=None)
def _lang_pattern(kind: str, lang: str) -> Optional[Pattern[str]]:
    return _compile(lexicon(lang).get(kind, []))


def _find_in(kind: str, text: str, langs=LANGUAGES) -> List[Tuple[str, int, int]]:
    """Every (language, start, end) of a phrase of ``kind`` in the given languages."""
    return [(lang, *m.span(1)) for lang in langs if (p := _lang_pattern(kind, lang)) for m in p.finditer(text)]


def _find(kind: str, text: str) -> List[Tuple[int, int]]:
    """Every (start, end) of a phrase of ``kind``, the longest at each position, overlaps kept."""
    return [(a, b) for _lang, a, b in _find_in(kind, text)]


# --- the parts of a message ------------------------------------------------------------------------


def _ends_with_negation(text: str) -> bool:
    """Whether a Chinese negation ends the text: "没有 发烧" is one clause, dictated with a space."""
    return any(e == len(text) for _lang, _s, e in _find_in("negation", text, ("zh",)))


def _continues(text: str) -> bool:
    """Whether the text opens with words that go on with the clause before ("抽筋 停不下来":
    "won't stop" is about the cramping, dictated after a pause)."""
    return any(a == 0 for _lang, a, _b in _find_in("continues", text, ("zh",)))


def _parts(folded: str) -> List[Tuple[int, str]]:
    """The message split at punctuation, at the words that start a new statement ("but now"),
    and at a space between Chinese clauses ("没发烧 现在喘不上气"), as (offset, text)."""
    cuts = {0, len(folded)}
    for m in _PUNCT.finditer(folded):
        cuts.update((m.start(), m.end()))
    for start, _end in _find("part_break", folded):
        cuts.add(start)
    cuts.update(m.start() for m in _CJK_SPACE.finditer(folded)
                if not _ends_with_negation(folded[:m.start()]) and not _continues(folded[m.end():]))
    bounds = sorted(cuts)
    parts = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        text = folded[a:b]
        if text.strip() and not _PUNCT.fullmatch(text.strip()):
            parts.append((a, text))
    return parts


@lru_cache(maxsize=1024)
def _phrase_starts(part: str) -> Dict[int, frozenset]:
    """Where emergency phrases begin in the part, with the languages they are phrases of."""
    starts: Dict[int, set] = {}
    for kind in KINDS:
        for lang, a, _b in _find_in(kind, part):
            starts.setdefault(a, set()).add(lang)
    for _kind, lang, a, _b in _composed_in(part):
        starts.setdefault(a, set()).add(lang)
    return {a: frozenset(langs) for a, langs in starts.items()}


def _phrase_languages(part: str, start: int) -> frozenset:
    """The languages whose emergency phrases begin at ``start``."""
    return _phrase_starts(part).get(start, frozenset())


def _negated(part: str, start: int) -> bool:
    """A negation just before ``start``: at most two words (two Chinese characters) between, and
    none of them starting a new statement ("no he can't breathe" is no negation). The words that
    start a statement are the grammar of the negation's and the phrase's own language: the
    Spanish "he" of "nunca he pensado en suicidarme" is a verb, not the English "he"."""
    before = part[max(0, start - NEGATION_WINDOW):start]  # a negation's reach is short
    negations: Dict[Tuple[int, int], set] = {}
    words = _find("not_negation", before)  # "不如死了算了": "不如" is "would rather", no negation
    for lang, s, e in _find_in("negation", before):
        if not any(a <= s and e <= b for a, b in words):
            negations.setdefault((s, e), set()).add(lang)
    phrase_langs = _phrase_languages(part, start)
    for (_s, e), langs in negations.items():
        gap = before[e:]
        langs = (langs & phrase_langs) or langs
        new_statement = bool(_find_in("subject", gap, tuple(sorted(langs))))
        if has_cjk(gap) or has_cjk(before[max(0, e - 1):e]):
            if len(gap.strip()) <= MAX_GAP_CJK and not new_statement:
                return True
            continue
        if len(gap.split()) <= MAX_GAP_WORDS and not new_statement:
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
                m.group(2) or part[m.end():ws].strip() in _reading_joiners())
            if after or before:
                found.append((ws, we))
    return found


@lru_cache(maxsize=None)
def _reading_joiners() -> frozenset:
    """The words between a temperature and the fever word after it: "40 de fiebre", "39.8 on
    the thermometer"."""
    return frozenset(fold(w) for lang in LANGUAGES for w in lexicon(lang).get("reading_joiners", []))


def _still_bleeding(part: str, sentence: str) -> List[Tuple[int, int]]:
    """ "won't stop" / "止不住" / "no para" with a blood word in the same sentence."""
    if not _find("blood_words", sentence):
        return []
    return _find("still_going", part)


@lru_cache(maxsize=4096)
def _matches(part: str, sentence: str) -> Tuple[Tuple[str, int, int], ...]:
    """Every emergency phrase in the part as (kind, start, end). Of two that overlap, the one
    reaching further wins: in "没有呼吸困难" (no trouble breathing) "呼吸困难" absorbs "没有呼吸"
    (not breathing), and its negation then applies."""
    found = [(kind, a, b) for kind in KINDS for a, b in _find(kind, part)]
    found += [("fever", a, b) for a, b in _fever_readings(part)]
    found += [("bleeding", a, b) for a, b in _still_bleeding(part, sentence)]
    offset = sentence.find(part)
    found += [(k, a - offset, b - offset) for k, a, b in _combos(sentence) if offset <= a < offset + len(part)]
    found = list(dict.fromkeys(found + list(_composed(part))))  # a phrase a composition also reads, once
    return tuple(m for m in found if not any(
        o is not m and o[1] < m[2] and m[1] < o[2] and (o[2], o[2] - o[1]) > (m[2], m[2] - m[1])
        for o in found))


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


@lru_cache(maxsize=512)
def _combos(sentence: str) -> Tuple[Tuple[str, int, int], ...]:
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
    return tuple(found)


COMPOSE_GAP_WORDS = 3  # words allowed between two words of a composition ("can't catch her breath")
COMPOSE_GAP_CJK = 3  # characters allowed between them in Chinese ("喘气都不顺", "喊她也不理")
MAX_OCCURRENCES = 8  # of one class in one part, tried in combination


@lru_cache(maxsize=None)
def _class_pattern(lang: str, name: str) -> Optional[Pattern[str]]:
    words = (load(lang, "safety").get("classes") or {}).get(name)
    if words is None:
        raise LexiconError(f"{lang}/safety.yml: compose names a class '{name}' that classes lacks")
    return _compile(words)


@lru_cache(maxsize=None)
def _compositions() -> Tuple[Tuple[str, str, Tuple[str, ...], bool], ...]:
    """Every (kind, language, class names, in order) of ``compose`` (any order) and
    ``compose_in_order`` (in the order written: "不认识" + "我", not "我不认识这个药") in every
    language's safety.yml."""
    rules = []
    for lang in LANGUAGES:
        for key, ordered in (("compose", False), ("compose_in_order", True)):
            for kind, combos in (load(lang, "safety").get(key) or {}).items():
                if kind not in KINDS:
                    raise LexiconError(f"{lang}/safety.yml: {key} names an unknown kind '{kind}'")
                rules += [(kind, lang, tuple(names), ordered) for names in combos]
    return tuple(rules)


def _gap_ok(part: str, lang: str, a: int, b: int) -> bool:
    """Whether the text between two words of a composition keeps them one statement: a few words,
    no negation ("breathing isn't hard") and no word that starts another thought ("want to know
    if he will die")."""
    gap = part[a:b]
    if has_cjk(gap) or (lang == "zh" and gap.strip()):
        if len(gap.strip()) > COMPOSE_GAP_CJK:
            return False
    elif len(gap.split()) > COMPOSE_GAP_WORDS:
        return False
    return not (_find_in("negation", gap, (lang,)) or _find_in("compose_breaks", gap, (lang,)))


def _occurrences(part: str, lang: str, name: str, blocked: List[Tuple[int, int]]) -> List[Tuple[int, int]]:
    pattern = _class_pattern(lang, name)
    spans = [m.span(1) for m in pattern.finditer(part)] if pattern else []
    kept = [(a, b) for a, b in spans if not any(bs <= a and b <= be for bs, be in blocked)]
    return kept[:MAX_OCCURRENCES]  # bounded work on any input


def _composed(part: str) -> Tuple[Tuple[str, int, int], ...]:
    """(kind, start, end) of every composition in the part (see ``_composed_in``)."""
    return tuple((kind, a, b) for kind, _lang, a, b in _composed_in(part))


@lru_cache(maxsize=4096)
def _composed_in(part: str) -> Tuple[Tuple[str, str, int, int], ...]:
    """Emergencies read by composition: one word of each class of a rule of ``compose`` (a body
    function and a trouble word: "breath" + "fighting for", "呼吸" + "费劲", "aire" + "le cuesta"),
    in one part, in any order, each within a few words of the next, with nothing between them
    that negates or starts another thought. Words inside an everyday compound ("hay fever",
    "生气") or a question phrase ("how high") do not count. Each is (kind, start, end) over all its words, so the guards of
    ``_part_alarms`` (negation before it, history, questions, effort) apply to it as a whole;
    its language (with the phrase languages, ``_phrase_starts``) sets whose grammar a negation
    before it is read by."""
    blocked = _find("not_alarming", part) + _find("definition", part)  # "how high does a fever ..."
    found = []
    for kind, lang, names, ordered in _compositions():
        occurrences = [_occurrences(part, lang, name, blocked) for name in names]
        if not all(occurrences):
            continue
        readings = set()
        for combo in product(*occurrences):
            spans = sorted(combo)
            if ordered and list(combo) != spans:
                continue
            pairs = list(zip(spans, spans[1:], strict=False))
            if any(b > a2 for (_a, b), (a2, _b) in pairs):
                continue  # two classes on the same words
            if all(_gap_ok(part, lang, b, a2) for (_a, b), (a2, _b) in pairs):
                readings.add((spans[0][0], max(b for _a, b in spans)))
        # The tightest readings: one holding another would hide it ("not struggling to breathe,
        # he can't breathe" is two readings, the second not negated).
        found += [(kind, lang, a, b) for a, b in sorted(readings)
                  if not any((c, d) != (a, b) and a <= c and d <= b for c, d in readings)]
    return tuple(found)


def _is_hypothetical(part: str, asked: bool) -> bool:
    """ "What if he has a seizure?": a hypothetical, in a sentence that is a question."""
    return asked and bool(_find("hypothetical", part))


def _conditional_before(part: str, start: int, asked: bool) -> bool:
    """An "if" opening the phrase's own clause, in a question: "¿qué hago si deja de respirar?",
    "what do we do if she stops breathing?". Not "si no ...": typed without its accent that is
    also "sí, no respira", and a real emergency must never be read as a question."""
    if not asked:
        return False
    offset = max(0, start - NEGATION_WINDOW)
    before = part[offset:start]
    for _lang, _s, e in _find_in("if_words", before):
        gap = before[e:]
        if not has_cjk(gap) and any(a == 0 for a, _b in _find("negation", part[offset + e:].lstrip())):
            continue
        if (len(gap.strip()) <= 2 * MAX_GAP_CJK) if has_cjk(gap) else len(gap.split()) <= MAX_GAP_WORDS:
            return True
    return False


def _subject_before(part: str, start: int, lang: str) -> bool:
    """A subject before the phrase, making it a report ("él tiene dolor de pecho, ¿cuenta?");
    not a word right against it, which is its determiner: "¿el dolor de pecho cuenta como...?"
    ("el" folds to the same letters as "él")."""
    before = part[:start].rstrip()
    return any(e < len(before) for _l, _s, e in _find_in("subject", before, (lang,)))


def _asked_about(part: str, start: int, end: int, asked: bool, kind: str = "") -> bool:
    """A question about the phrase itself ("what counts as a high fever?", "抽搐是什么表现"): a
    definition word before it, at the start of the part or in a question, with no new statement
    between ("what is happening he can't breathe" is a report); or one after it in a question
    ("does chest pain from coughing count?"), or in Chinese right after a phrase opening the part,
    where the question word needs no mark ("他在抽搐是什么情况" is a report)."""
    for lang, s, e in _find_in("definition", part):
        if e <= start:
            if kind == "self_harm" and not asked and _find_in("if_words", part[s:e], (lang,)):
                continue  # "要是我不在了大家都轻松了": an "if" about oneself is the wording, not a question
            gap = part[e:start]
            conditional = any(b == e - s for _l, _a, b in _find_in("conditional", part[s:e], (lang,)))
            if (asked or not part[:s].strip()) and (conditional or not _find_in("subject", gap, (lang,))):
                return True
        elif s >= end and not _subject_before(part, start, lang):
            gap = part[end:s]
            if has_cjk(part[s:e]) and not part[:start].strip() and len(gap.strip()) <= 1:
                return True
            if asked and not has_cjk(gap) and len(gap.split()) <= 3:
                return True
    # "胸痛算心衰吗": "算" (counts as) right after a phrase opening the part asks only in a question.
    return asked and not part[:start].strip() and any(
        a == end for _l, a, _b in _find_in("definition_asked", part, ("zh",)))


def _is_asked(sentence: str, after: str) -> bool:
    """Whether a sentence is a question: a question mark after it or "¿" in it, or a Chinese
    question particle ending it ("发烧38度算紧急情况吗")."""
    if after.startswith(("?", "？")) or "¿" in sentence:
        return True
    tail = sentence.rstrip()
    return any(e == len(tail) for _l, _s, e in _find_in("question_end", tail, ("zh",)))


# Kinds that a history word elsewhere in the sentence makes history too ("CAR-T那会儿出现过神经毒性，
# 说胡话，现在早就恢复了"); breathing, bleeding and self-harm only by history in their own part.
CARRIED_HISTORY = ("fever", "seizure", "confusion", "unresponsive")


ECHO_REST_WORDS = 1  # words (Chinese: three characters) beside the phrase in an echoed question


def _echoed(part: str, start: int, end: int, after: str) -> bool:
    """The phrase alone as a question, repeating the question back: "haemorrhage? no, nothing
    like that", "¿convulsiones? que yo sepa no". With a word or two beside it ("¿el dolor de
    pecho?", "自杀的念头？"), only when a denial answers it: "¿suicidio? no, jamás"."""
    if not after.startswith(("?", "？")):
        return False
    rest = (part[:start] + " " + part[end:]).replace("¿", " ").strip()
    answer = after[1:].lstrip(" ?？,，")
    if not rest:  # unless the answer says it is happening now: "chest pain? yes, right now"
        return not _find("current", _SENTENCE.match(answer).group() if _SENTENCE.match(answer) else "")
    short = len(rest.replace(" ", "")) <= 3 if has_cjk(rest) else len(rest.split()) <= ECHO_REST_WORDS
    return short and not _find("subject", rest) and any(a == 0 for a, _b in _find("negation", answer))


@lru_cache(maxsize=None)
def _long_ago_patterns() -> Tuple[Pattern[str], ...]:
    """A time at least weeks back, built from each language's units and "ago" words: "3 months
    ago", "last year", "hace un mes", "el año pasado", "两年前", "上个月". Minutes, hours and days
    are left out: "an hour ago" is still now."""
    patterns = []
    for lang in LANGUAGES:
        table = load(lang, "safety").get("long_ago") or {}
        units = "|".join(re.escape(fold(u)) for u in table.get("units") or [])
        if not units:
            continue
        gap = r".{0,2}?" if lang == "zh" else r"(?:\s+\S+){0,2}?\s+"
        space = "" if lang == "zh" else r"\s+"
        edge = "" if lang == "zh" else r"(?<!\w)"
        after = "|".join(re.escape(fold(w)) for w in table.get("after") or [])
        before = "|".join(re.escape(fold(w)) for w in table.get("before") or [])
        if after:
            patterns.append(re.compile(f"{edge}(?:{units}){space}(?:{after})" + ("" if lang == "zh" else r"(?!\w)")))
        if before:
            patterns.append(re.compile(f"{edge}(?:{before}){gap}(?:{units})" + ("" if lang == "zh" else r"(?!\w)")))
    return tuple(patterns)


# A year before this one is a date, as "last year" is: "a seizure in 2019", "2019年抽过".
_YEAR = re.compile(r"(?<![\d.,])(19[5-9]\d|20\d\d)(?![\d.,]\d)")


def _past_years(part: str) -> List[Tuple[int, int]]:
    this_year = date.today().year
    return [m.span() for m in _YEAR.finditer(part) if int(m.group(1)) < this_year]


def _history_spans(part: str, habitual: bool = True) -> List[Tuple[int, int]]:
    spans = _find("history", part) + [m.span() for p in _long_ago_patterns() for m in p.finditer(part)]
    spans += _past_years(part)
    return spans + _find("habitual", part) if habitual else spans


EVENT_DISTANCE = 3  # words (Chinese characters: twice as many) between a date and the event it dates


@lru_cache(maxsize=None)
def _unit_pattern() -> Pattern[str]:
    units = [u for lang in LANGUAGES for u in (load(lang, "safety").get("long_ago") or {}).get("units") or []]
    return _compile(units)


def _is_date(text: str) -> bool:
    """Whether a history word is a date: it names weeks, months or years ("last year", "两年前",
    "2019")."""
    return bool(_unit_pattern().search(text)) or bool(_past_years(text))


def _dates_an_event(part: str, s: int, e: int, phrases: List[Tuple[int, int]]) -> bool:
    """A date right by a treatment, with no emergency phrase between, is the treatment's date:
    "a fever of 40, he had CAR-T last week"; "两个月前做的CAR-T". Only dates: "a veces con la
    quimio" (habitual) stays history."""
    if not _is_date(part[s:e]):
        return False
    for a, b in _find("events", part):
        gap = (b, s) if b <= s else (e, a) if e <= a else None
        if gap is None or any(gap[0] <= x < gap[1] for x, _y in phrases):
            continue
        between = part[gap[0]:gap[1]]
        if len(between.split()) <= EVENT_DISTANCE and (not has_cjk(between) or len(between.strip()) <= 2 * EVENT_DISTANCE):
            return True
    return False


def _own_phrases(part: str) -> List[Tuple[int, int]]:
    own = [span for kind in KINDS for span in _find(kind, part)] + _fever_readings(part)
    return own + [(a, b) for _k, a, b in _composed(part)]


def _told_as_past(part: str) -> bool:
    return any(_said_in_past(part, a) for a, _b in _own_phrases(part))


def _has_history(part: str, sentence: str, habitual: bool = True, past: bool = False) -> bool:
    """History words outside the emergency phrases themselves ("过去" is history, but not in
    "晕过去", fainted), and not dating a treatment instead, unless the symptom is told in the
    past (``past``: in another part of the sentence, "sí tuvo una convulsión, pero fue después del
    trasplante hace 3 años"); habitual words ("a veces") too unless ``habitual`` is false. A
    "no longer" that is also a negation ("ya no") is about the words right after it: far before
    the phrase it is another verb's ("ya no le veo sentido a nada, no quiero despertar")."""
    phrases = [(a, b) for _k, a, b in _matches(part, sentence)]
    told_as_past = past or _told_as_past(part)
    spans = [(s, e) for s, e in _history_spans(part, habitual)
             if not (_is_negation_word(part[s:e]) and phrases
                     and all(len(part[e:a].split()) > MAX_GAP_WORDS for a, _b in phrases if a >= e)
                     and not any(b <= s for _a, b in phrases))]
    return any(not any(a < e and s < b for a, b in phrases)
               and (told_as_past or not _dates_an_event(part, s, e, phrases))
               for s, e in spans)


def _is_negation_word(text: str) -> bool:
    return any(a == 0 and b == len(text) for a, b in _find("negation", text))


def _said_in_past(part: str, start: int) -> bool:
    """A past-tense verb right before the phrase ("had a high fever", "tuvo una convulsión"): a
    date in the part is then the symptom's too, even by a treatment."""
    return any(e == len(part[:start].rstrip()) for _l, _s, e in _find_in("past_before", part[:start].rstrip()))


def _is_current(part: str, sentence: str, in_phrases: bool = True) -> bool:
    """A word saying it is happening now, outside the history words: the "está" of "ya está
    bien" says it is over. Against history in the same part, a present verb inside the phrase
    itself is not enough either ("tiene fiebre a veces con la quimio" is habitual); against
    history carried from another part it is ("years ago, and is seizing now")."""
    taken = _history_spans(part)
    if not in_phrases:
        taken = taken + [(a, b) for _k, a, b in _matches(part, sentence)]
    return any(not any(a <= s and e <= b for a, b in taken) for s, e in _find("current", part))


def _history_after(part: str, end: int) -> bool:
    """An aspect marker right after the phrase saying it happened before: "胸口疼过", "抽过";
    in English a count of times after a space: "had a seizure once" (not "once again")."""
    rest = part[end:].lstrip()
    if any(a == 0 for _l, a, _b in _find_in("history_after_not", rest)):
        return False
    return any(a == 0 for _l, a, _b in _find_in("history_after", rest))


def _is_care(words: str) -> bool:
    """Emergency care named ("送急诊", "called an ambulance"): what was done about a symptom, so
    history elsewhere in the sentence is its history too ("休克过两次 都是送急诊抢救的")."""
    return bool(_find("emergency_care", words))


def _revives(part: str, following: str, sentence: str) -> bool:
    """A part with no emergency of its own that says the one before is back now, the "now" in
    it or in the part after ("right now" starts a part): "and he's having one right now", "y
    ahora le está dando otra", "现在又开始了"."""
    if _matches(part, sentence) or not _find("again_now", part) or _history_spans(part):
        return False
    return _is_current(part, sentence) or bool(following) and not _matches(following, sentence) and _is_current(
        following, sentence)


def _lone_word(part: str, start: int, end: int) -> bool:
    """A phrase of one word (two Chinese characters) with no subject or now-word beside it in
    its part: "Socorro Ayala", "陈急救" are names, not reports; "socorro, mi hija" is a sentence.
    Only bare cries and calls for help (kind "urgent") are read so: a sign of its own ("hes gone
    all floppy", "lips r blue") alarms in any answer."""
    phrase = part[start:end].strip()
    if (len(phrase.replace(" ", "")) > 2) if has_cjk(phrase) else len(phrase.split()) > 1:
        return False
    around = _find("subject", part) + _find("current", part)
    return not any(b <= start or a >= end for a, b in around)


def _part_alarms(part: str, sentence: str, asked: bool, history_elsewhere: bool,
                 after: str, revived: bool = False, free_text: bool = False) -> List[Tuple[str, int, int]]:
    """The phrases that count in one part, as (kind, start, end), kinds in ``KINDS`` order.
    ``revived``: another part of the sentence says it is happening again now ("a seizure in 2019
    and he's having one right now"), so history here does not hold. ``free_text``: the answer to
    a name, a time or a message, where a cry for help alone is no report (``_lone_word``)."""
    current = _is_current(part, sentence) or revived
    if _is_hypothetical(part, asked):
        return []
    history = (_has_history(part, sentence) and not _is_current(part, sentence, in_phrases=False)
               and not revived)
    # Thoughts of self-harm "sometimes" are thoughts of self-harm now.
    habitual_only = history and not _has_history(part, sentence, habitual=False)
    blocked = _find("not_alarming", part)
    exertion = bool(_find("exertion", part))
    at_rest = _find("breathing_at_rest", part)
    alarms, negated_end = [], None
    for kind, start, end in sorted(_matches(part, sentence), key=lambda m: m[1]):
        if history and not (habitual_only and kind == "self_harm"):
            continue  # "had a seizure years ago" is history; "years ago, and now again" is not
        if any(bs <= start and end <= be for bs, be in blocked):
            continue
        if kind == "breathing" and exertion and not any(a <= start < b for a, b in at_rest):
            continue
        if (kind in CARRIED_HISTORY or _is_care(part[start:end])) and history_elsewhere and not current:
            continue
        if _history_after(part, end) and not current:
            continue
        listed = negated_end is not None and (
            not part[negated_end:start].strip() or _find("list_joiners", part[negated_end:start]))
        if listed or _negated(part, start) or _negated_after(part, start, end):
            negated_end = end  # "no fever or seizures": the negation runs on through the list
            continue
        if _echoed(part, start, end, after) or _asked_about(part, start, end, asked, kind):
            continue
        if _conditional_before(part, start, asked):
            continue
        if free_text and kind == "urgent" and _lone_word(part, start, end):
            continue  # "Socorro Ayala" given as a name; "she's not breathing, help" still alarms
        if kind == "urgent" and asked and any(a <= start and end <= b for a, b in _find("asked_about", part)):
            continue  # "¿una fiebre de 38 es una emergencia?": the word asked about, not a report
        alarms.append((kind, start, end))
    return sorted(alarms, key=lambda a: KINDS.index(a[0]))


def _alarms(folded: str, free_text: bool = False) -> List[Tuple[str, int, int]]:
    """(kind, start, end) of every phrase that counts, part by part, offsets in ``folded``."""
    found = []
    for sentence in _SENTENCE.finditer(folded):
        text = sentence.group()
        parts = _parts(text)
        asked = _is_asked(text, folded[sentence.end():])
        past = any(_told_as_past(part) for _o, part in parts)
        history = [_has_history(part, text, past=past) for _o, part in parts]
        ended_next = _ended_after(folded, sentence.end())
        revives = [_revives(part, parts[i + 1][1] if i + 1 < len(parts) else "", text)
                   for i, (_o, part) in enumerate(parts)]
        revived = [any(r for j, r in enumerate(revives) if j != i) for i in range(len(parts))]
        for i, (offset, part) in enumerate(parts):
            base = sentence.start() + offset
            after = folded[base + len(part):].lstrip()
            # History carries from another part, unless it dates a treatment ("a fever of 40,
            # CAR-T two months ago" is now): see _has_history; and back from the next sentence
            # when it says it ended ("he had a seizure in 2019. nothing since").
            elsewhere = ended_next or any(h for j, h in enumerate(history) if j != i)
            found += [(k, base + a, base + b)
                      for k, a, b in _part_alarms(part, text, asked, elsewhere, after, revived[i], free_text)]
    return found


def _ended_after(folded: str, end: int) -> bool:
    """Whether the sentence after ``end`` says, with no emergency of its own, that what came
    before ended: "nothing since", "hasn't happened again", "no le ha vuelto a pasar", "之后再没有"."""
    following = _SENTENCE.search(folded, end)
    if following is None or folded[end:following.start()].strip(" .!?。！？\n") != "":
        return False
    text = following.group()
    return bool(_find("ended", text)) and not any(_matches(part, text) for _o, part in _parts(text))


_CLAUSE = re.compile(r"[^,.;:!?\n，。；：！？、]+")  # a clause: up to the next punctuation


def alarm_spans(folded: str) -> List[Tuple[int, int]]:
    """Where an emergency phrase counts in already folded text: the readers of answers leave
    those words alone ("no" in "no respira" is no answer; in "no tiene fiebre alta" it is)."""
    return [(a, b) for _k, a, b in _alarms(folded)]


HELP_ON_THE_WAY = "help_on_the_way"


def _asks(text: str) -> bool:
    """"Should I call an ambulance?" asks; it is no report that help is coming."""
    return "?" in text or "？" in text


@lru_cache(maxsize=2048)
def detect(text: str, free_text: bool = False) -> Optional[str]:
    """The kind of emergency the message describes, or None. ``free_text``: the message answers a
    name, a time or a message for the coordinator, so a cry for help alone (the name "Socorro")
    is no report, while a sentence ("she's not breathing, help") or a sign ("floppy") is. Self-harm wins over the rest, so the
    reply always includes the crisis lines when someone speaks of harming themselves; then the
    first specific kind said, over a bare "help!" ("救命 孩子喘不上来气了" is breathing), and a
    seizure over the unresponsiveness that comes with it ("shaking all over, won't respond")."""
    folded = fold((text or "")[:MAX_CHARS])
    found = [kind for kind, _a, _b in _alarms(folded, free_text)]
    if not found:
        return None
    if "self_harm" in found:
        return "self_harm"
    if _find_in("help_on_the_way", folded) and not _asks(text):
        return HELP_ON_THE_WAY  # "he's breathing again, the ambulance is here": no "call now" again
    specific = [k for k in found if k != "urgent"] or found
    return "seizure" if "seizure" in specific and "unresponsive" in specific else specific[0]


def emergency_clauses(text: str) -> List[Tuple[int, int]]:
    """Where the emergencies are, as spans of ``fold(text)``: their words are not answers
    ("he has a fever of 40" is not an age)."""
    folded = fold((text or "")[:MAX_CHARS])
    alarms = alarm_spans(folded)
    return [c.span() for c in _CLAUSE.finditer(folded)
            if any(a < c.end() and c.start() < b for a, b in alarms)]
