"""Free text -> answers, for English, Simplified Chinese and Spanish.

Pure functions with no Rasa imports, so the NLU component (``bot/nlu/components.py``), the
interpretation step (``interpret.py``) and the tests share them without a model. The words are
data, one folder per language (``lang/<code>/``: ``yesno.yml``, ``respondent.yml``, ``sex.yml``,
``activity.yml``, ``language.yml``, ``numbers.yml``, ``dates.yml``); how text is folded,
tokenized and matched is in ``matching.py``, numbers and dates in ``numbers.py``. Parsers hold no
trial words: the questions a message names (``parse_topic``) come from the trial's own word file.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Callable, Dict, List, Mapping, Sequence, Tuple

from spacy.matcher import Matcher
from spacy.tokens import Doc

from bot.understanding import safety
from bot.understanding.activity import activity_hit, read_activity
from bot.understanding.lang import LANGUAGES
from bot.understanding.matching import (
    CJK_SPACE_BREAK,
    CLAUSE_PUNCT,
    LATIN,
    MAX_CHARS,
    Hit,
    Prepared,
    as_text,
    build_phrase_matcher,
    content_tokens,
    detect_script_language,
    entries,
    fold_phrase,
    folded_offsets,
    get_nlp,
    guess_language,
    latin_word_set,
    longest_first,
    make_doc,
    matched_spans,
    pattern_doc,
    phrase_list,
    phrase_spans,
    prepare,
    run,
    span_offsets,
    word_set,
    word_values,
)
from bot.understanding.numbers import (
    AgeRange,
    Duration,
    NumberFound,
    approaching,
    birth_hits,
    duration,
    find_numbers,
    number,
    numbers_in,
    parse_birth_age,
    parse_duration,
    parse_duration_months,
    parse_month_span,
    parse_number,
    parse_year,
    range_ends,
    span_hits,
    vague_duration,
)
from bot.understanding.text import has_cjk

__all__ = [
    "MAX_CHARS",
    "LANGUAGES",
    "get_nlp",
    "detect_script_language",
    "guess_language",
    "parse_tri",
    "parse_duration_months",
    "parse_duration",
    "Duration",
    "approaching",
    "vague_duration",
    "range_ends",
    "parse_number",
    "parse_year",
    "parse_month_span",
    "parse_birth_age",
    "AgeRange",
    "find_numbers",
    "NumberFound",
    "parse_respondent",
    "parse_sex",
    "parse_ecog",
    "parse_activity",
    "parse_language_request",
    "detect_emergency",
    "parse_topic",
    "extract_entities",
]

# Older names, for tools/number_suites.py (which scores another checkout's parser the same way).
_prepare, _doc, _numbers = prepare, make_doc, numbers_in


# ================================================================================================
# yes / no / unsure
# ================================================================================================

# Elongated chat spellings ("yesss", "noooo", "siii"), per language.
_ELONGATED = {
    "en": {"yes": r"^(?:ye+s{2,}|ye{2,}s+|ye+a+h{2,}|ye+p{2,})$", "no": r"^(?:no{2,}|no{2,}pe|na+h{2,})$"},
    "es": {"yes": r"^(?:s+i{2,}|s{2,}i+)$", "no": r"^(?:no{2,}|no+p+)$"},
}


@cache
def _tri_matcher(lang: str) -> Matcher:
    """Structures a phrase list cannot express: "not (really) sure", "have to check"."""
    matcher = Matcher(get_nlp(lang).vocab)
    after_not = sorted(word_set(lang, "yesno", "unsure_after_not"))
    heads = sorted(word_set(lang, "yesno", "not_heads") or {"not"})  # "not", "no" ("aún no sabemos")
    if after_not:
        matcher.add("UNSURE", [[{"NORM": {"IN": heads}}, {"IS_ALPHA": True, "OP": "?"}, {"NORM": {"IN": after_not}}]])
    must, joiner, check = (sorted(word_set(lang, "yesno", k)) for k in ("must", "must_joiner", "check"))
    if must and joiner and check:
        matcher.add("UNSURE", [[{"NORM": {"IN": must}}, {"NORM": {"IN": joiner}}, {"NORM": {"IN": check}}]])
    for value, regex in _ELONGATED.get(lang, {}).items():
        matcher.add(value.upper(), [[{"NORM": {"REGEX": regex}}]])
    return matcher


ZH_NEGATION_REACH = 3  # characters: "冇做过", "木有打过"; "是不是做过" is a question (``not_negations``)


@cache
def _zh_not_sure() -> "re.Pattern[str]":
    """ "没记住", "不太确定", "没怎么听说": a negation, at most two characters, then a word of
    knowing or remembering is "not sure", never a "no"."""
    heads, verbs = (sorted(word_set("zh", "yesno", k), key=len, reverse=True) for k in ("not_heads", "unsure_after_not"))
    if not heads or not verbs:
        return re.compile(r"(?!)")
    return re.compile("(?:%s)[\u3400-\u9fff]{0,2}?(?:%s)" % ("|".join(map(re.escape, heads)), "|".join(map(re.escape, verbs))))


def _negated_before(doc: Doc, start: int, lang: str, window: int = 3) -> bool:
    """A negation word within ``window`` tokens before ``start``, in the same clause."""
    negations = phrase_list(lang, "yesno", "negations")
    if lang == "zh":
        before = ""
        for i in range(start - 1, max(start - window, 0) - 1, -1):
            if doc[i].text in CLAUSE_PUNCT:
                break
            before = doc[i].text + before
        if before.endswith(phrase_list(lang, "yesno", "not_negations")):
            return False
        return before.endswith(negations)
    for i in range(start - 1, max(start - window, 0) - 1, -1):
        if doc[i].text in CLAUSE_PUNCT:
            return False
        if doc[i].norm_ in word_set(lang, "yesno", "negations"):
            return True
    return False


def _reflexive_no_se(t: Prepared, doc: Doc, s: int, e: int, lang: str) -> bool:
    """Spanish "no se" typed without its accent before a verb is reflexive ("ya no se detectaban",
    "no se la controlan"), not "no sé" (I don't know); "no se si..." and "no se" alone are."""
    if lang != "es" or e - s != 2 or doc[s + 1].norm_ != "se":
        return False
    start, end = span_offsets(t, doc, s + 1, e)
    if "é" in t.original[start:end].lower():
        return False
    nxt = doc[e] if e < len(doc) else None
    if nxt is None or not nxt.is_alpha or nxt.norm_ in word_set(lang, "yesno", "after_no_se"):
        return False
    if nxt.norm_ in word_set(lang, "yesno", "clitics"):
        after = doc[e + 1] if e + 1 < len(doc) else None
        return after is not None and _verb_like(after.norm_, nxt.norm_ == "lo", lang)
    return True


def _verb_like(word: str, after_lo: bool, lang: str) -> bool:
    """Whether a word after a pronoun is a verb ("pusieron", "han"), not a noun ("respuesta")."""
    if word in word_set(lang, "yesno", "clitic_verbs"):
        return True
    endings = tuple(word_set(lang, "yesno", "clitic_verb_endings"))
    return word.endswith(endings) or (after_lo and word.endswith("o"))  # "no se lo pongo"


def _tri_hits(t: Prepared, doc: Doc, lang: str) -> List[Hit]:
    hits = []
    for value, _kind, s, e in phrase_spans(doc, "tri", lang):
        if value == "unsure" and _reflexive_no_se(t, doc, s, e, lang):
            continue
        if value == "ignore":
            hits.append(Hit(value, *span_offsets(t, doc, s, e)))
            continue
        if value == "yes" and lang == "zh":
            # an echo of the question's verb after a negation is a no: "冇做过", "木有打过"
            if _negated_before(doc, s, lang, window=ZH_NEGATION_REACH):
                value = "no"
        elif value == "yes":
            nxt = doc[e].norm_ if e < len(doc) else ""
            if _negated_before(doc, s, lang) or (
                nxt in word_set(lang, "yesno", "negations_after") and " " in doc[s:e].text
            ):
                value = "unsure" if doc[s:e].text in word_set(lang, "yesno", "flip_to_unsure") else "no"
        hits.append(Hit(value, *span_offsets(t, doc, s, e)))
    matcher = _tri_matcher(lang)
    for match_id, s, e in (matcher(doc) if len(matcher) else ()):
        hits.append(Hit(doc.vocab.strings[match_id].lower(), *span_offsets(t, doc, s, e)))
    if lang == "zh":  # the Chinese doc is one token a character: the same structure on the text
        hits.extend(Hit("unsure", *folded_offsets(t, m.start(), m.end())) for m in _zh_not_sure().finditer(t.folded))
    if lang == "es":
        # An accented "sí" is yes anywhere ("pues sí"); a bare "si" ("if") at the start, or at the
        # end of a clause, where "if" cannot stand ("desgraciadamente si", "ya no están, si").
        for tok in doc:
            start, end = span_offsets(t, doc, tok.i, tok.i + 1)
            nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
            ends_clause = nxt is None or nxt.text in CLAUSE_PUNCT
            if tok.norm_ == "si" and ("í" in t.original[start:end].lower() or ends_clause) and \
                    not _negated_before(doc, tok.i, lang, window=1):
                hits.append(Hit("yes", start, end))
    return hits


def _alarm_spans(t: Prepared) -> List[Tuple[int, int]]:
    """Where the message uses the words of an emergency (offsets in the original text)."""
    return [folded_offsets(t, s, e) for s, e in safety.alarm_spans(t.folded)]


def _uncontrolled_spans(t: Prepared) -> List[Tuple[int, int]]:
    """Where the message says a condition is not controlled or not improving ("no me la pueden
    controlar", "一直没好转", "not getting better"): the negation there describes the condition
    and is no "no" to the question. Its clause goes with it: "no está controlada para nada",
    "not controlled at all": the "para nada" intensifies it."""
    from bot.understanding import cues

    found = [folded_offsets(t, c.start, c.end) for c in cues.find_cues(t.original) if c.kind == "uncontrolled"]
    # the qualifier class of the same name says it too ("no responde a los medicamentos", "压不住")
    found += [folded_offsets(t, m.start(), m.end()) for m in _uncontrolled_pattern().finditer(t.folded)]
    spans = []
    for start, end in found:
        stop = _CLAUSE_END.search(t.original, end)
        spans.append((start, stop.start() if stop else len(t.original)))
    return spans


@cache
def _uncontrolled_pattern() -> "re.Pattern[str]":
    words = sorted({fold_phrase(w) for code in LANGUAGES
                    for w in (entries(code, "yesno", "qualifier_words") or {}).get("uncontrolled") or ()}, key=len, reverse=True)
    return re.compile("|".join(r"(?<!\w)" + re.escape(w) + r"(?!\w)" if w.isascii() else re.escape(w) for w in words) or r"(?!)")


_SENTENCE_SPAN = re.compile(r"[^.!?。！？]+[.!?。！？]*")
# an embedded question runs to the end of its clause ("why ask if he had one? he hasn't")
_ASKED_CLAUSE_END = re.compile(r"[,.;:!?\n，。；：！？、]|\bbut\b|\bpero\b|但是|可是|不过|" + CJK_SPACE_BREAK)
_ZH_A_NOT_A = re.compile(r"(?<![不没])([^\W\d_不没])[不没]\1")  # "要不要", "可不可以", "是不是": a question, no "no"
ASKING_GATE_WORDS = 3  # how near before "if" / "si" a word of asking must be ("why you ask if ...")


@cache
def _asking_patterns() -> Tuple["re.Pattern[str] | None", "re.Pattern[str] | None", "re.Pattern[str] | None"]:
    """(words that open an embedded question in a sentence that asks or after a word of asking,
    words that always do, the words of asking), over every language (``yesno.yml``)."""
    def compiled(key: str) -> "re.Pattern[str] | None":
        words = sorted({w for code in LANGUAGES for w in word_set(code, "yesno", key)}, key=len, reverse=True)
        parts = [(r"(?<!\w)" + re.escape(w) + r"(?!\w)") if w.isascii() else re.escape(w) for w in words]
        return re.compile("|".join(parts)) if parts else None
    return compiled("asks_whether"), compiled("asks_whether_alone"), compiled("asking_words")


def _asking_spans(t: Prepared) -> List[Tuple[int, int]]:
    """Where the message asks whether, not says that (offsets in the original text): "why do you
    need to know if he had a transplant", "¿importa si tuvo convulsiones?", "为什么要问是不是做过
    移植", "要不要留电话". From the word that opens the embedded question to the end of its clause,
    the words assert nothing: "he had" there is no yes, "不要" no no. "if" / "si" open one in a
    sentence that asks, or after a word of asking ("just curious why you ask if ..."); elsewhere
    they are a condition ("yes if you count the marrow one"). "是否", "有没有" and any A-not-A
    ask wherever they are ("不是不是" is two noes, not "是不是")."""
    from bot.understanding import cues

    gated, alone, asking = _asking_patterns()
    folded = t.folded
    starts: List[int] = [m.start() for m in _ZH_A_NOT_A.finditer(folded)]
    if alone is not None:
        starts += [m.start() for m in alone.finditer(folded)]
    if gated is not None:
        for sentence in _SENTENCE_SPAN.finditer(folded):
            asks = None
            for m in gated.finditer(folded, sentence.start(), sentence.end()):
                original = t.original[slice(*folded_offsets(t, m.start(), m.end()))]
                rest = folded[m.end():]
                if "í" in original.lower() or not rest.strip() or rest.lstrip()[:1] in CLAUSE_PUNCT:
                    continue  # "sí", and a "si" that ends its clause ("ya no están, si"), are yes
                if asks is None:
                    asks = cues.is_question(t.original[slice(*folded_offsets(t, sentence.start(), sentence.end()))])
                before = folded[sentence.start():m.start()].split()[-ASKING_GATE_WORDS:]
                if asks or (asking is not None and asking.search(" ".join(before))):
                    starts.append(m.start())
    spans = []
    for start in starts:
        stop = _ASKED_CLAUSE_END.search(folded, start + 1)
        spans.append(folded_offsets(t, start, stop.start() if stop else len(folded)))
    return spans


def _tri(text: str, lang: str | None) -> Hit | None:
    t, hits = run(text, lang, _tri_hits)
    # The words of an emergency phrase are not an answer: "no" in "mi hijo no puede respirar",
    # "没有" in "孩子没有呼吸了"; nor are those of an embedded question ("why ask if he had one").
    # Not knowing is said wherever it stands: "严不严重我不知道" is unsure after its A-not-A.
    alarms = _alarm_spans(t) + _uncontrolled_spans(t)
    asked = _asking_spans(t)
    kept = [h for h in longest_first(hits) if h.value != "ignore"
            and not any(h.start < a_end and a_start < h.end for a_start, a_end in alarms)
            and not (h.value != "unsure" and any(h.start < a_end and a_start < h.end for a_start, a_end in asked))]
    values = {h.value for h in kept}
    if not values:
        return None
    if "unsure" in values:
        value = "unsure"
    elif len(values) > 1:
        first = _first_clause_answer(t, kept)
        if first is None:
            return None  # "yes ... no": ask again rather than guess
        return first
    else:
        value = values.pop()
    chosen = [h for h in kept if h.value == value]
    return Hit(value, chosen[0].start, chosen[-1].end)


def _corrected(rest: str) -> bool:
    folded = fold_phrase(rest)
    return any(fold_phrase(w) in folded for code in LANGUAGES for w in phrase_list(code, "yesno", "corrections"))


FIRST_CLAUSE_WORDS = 5  # how short an opening clause must be to answer on its own
_CLAUSE_END = re.compile(r"[,.;:!?\n，。；：！？、]|" + CJK_SPACE_BREAK)  # "是的有 去年复发的"


def _first_clause_answer(t: Prepared, hits: List[Hit]) -> Hit | None:
    """ "No, just the leukemia, though she had a cyst removed": a short opening clause with one
    plain answer is the answer; what follows gives the reasons (and may hold words that look like
    answers: "she had", "没了", "nada")."""
    end = _CLAUSE_END.search(t.original)
    if end is None:
        return None
    opening = t.original[:end.start()]
    if not opening.strip() or len(opening.split()) > FIRST_CLAUSE_WORDS or (
            t.has_cjk and len(opening.strip()) > 2 * FIRST_CLAUSE_WORDS):
        return None
    inside = [h for h in hits if h.end <= end.start()]
    if not inside or len({h.value for h in inside}) != 1:
        return None
    if _corrected(t.original[end.start():]):
        return None  # "no. actually yes he did": the person changed their mind
    clause_starts = [0] + [m.end() for m in _CLAUSE_END.finditer(t.original)]
    for h in hits:
        if h.value == inside[0].value:
            continue
        clause_start = max(s for s in clause_starts if s <= h.start)
        clause_end = _CLAUSE_END.search(t.original, h.end)
        clause = t.original[clause_start:clause_end.start() if clause_end else len(t.original)]
        if not t.original[clause_start:h.start].strip() and len(clause.split()) <= 3 and len(clause.strip()) <= 8:
            return None  # "yes, no": a second plain answer, a clause of its own
    return Hit(inside[0].value, inside[0].start, inside[-1].end, "first clause")


def parse_tri(text: str, lang: str | None = None) -> str | None:
    """yes / no / unsure, or None.

    The longest phrase wins ("not sure" over "sure", "no idea" over "no", "不知道" over "不"),
    "unsure" wins over yes/no anywhere in the message, a yes-phrase right after a negation
    ("I don't think he did") is a no, and a message with both a yes and a no is None so the
    question is asked again. Words inside an emergency phrase never count ("mi hijo no puede
    respirar" is not a "no"); an answer beside one does ("sí, y ahora no respira").
    """
    hit = _tri(text, lang)
    return hit.value if hit else None  # type: ignore[return-value]


# ================================================================================================
# Who is answering
# ================================================================================================


def _possessor(doc: Doc, start: int, lang: str) -> str:
    """"self" for my/mi/我, "third" for his/her/su/他的/孩子的, else "". Words that only describe
    the person ("my little girl", "my 7 year old", "我小女儿") stand between and are skipped."""
    modifiers = word_set(lang, "respondent", "modifiers")
    if lang == "zh":
        tail = "".join(doc[i].norm_ for i in range(max(start - 4, 0), start))
        for m in sorted(modifiers, key=len, reverse=True):
            if m and tail.endswith(m) and len(tail) > len(m):
                tail = tail[:-len(m)]
                break
        if tail.endswith(phrase_list(lang, "respondent", "self_possessives")):
            return "self"
        if tail.endswith(phrase_list(lang, "respondent", "other_possessives")):
            return "third"
        return ""
    k = start - 1
    while k >= 0 and start - k <= 4 and (doc[k].norm_ in modifiers or doc[k].like_num):
        k -= 1
    last = doc[k].norm_ if k >= 0 and start - k <= 4 else ""
    if last in word_set(lang, "respondent", "self_possessives"):
        return "self"
    if last in word_set(lang, "respondent", "other_possessives"):
        return "third"
    return ""


def _with_speaker(doc: Doc, start: int, end: int, lang: str) -> bool:
    """A relation said together with the speaker ("my husband and I", "mi esposo y yo",
    "我老公和我", "me and my wife"): someone answering alongside, not the patient."""
    norms = [t.norm_ for t in doc]
    if lang == "zh":
        text, s, e = "".join(norms), len("".join(norms[:start])), len("".join(norms[:end]))
        before = text[:s]
        for p in sorted(phrase_list(lang, "respondent", "self_possessives"), key=len, reverse=True):
            if before.endswith(p):
                before = before[:-len(p)]
                break
        return text[e:].startswith(phrase_list(lang, "respondent", "with_speaker_after")) or \
            before.endswith(phrase_list(lang, "respondent", "with_speaker_before"))
    k = start - 1 if start and norms[start - 1] in word_set(lang, "respondent", "self_possessives") else start
    for key, at in (("with_speaker_after", end), ("with_speaker_before", k)):
        for phrase in phrase_list(lang, "respondent", key):
            words = tuple(t.norm_ for t in pattern_doc(lang, phrase))
            window = tuple(norms[at:at + len(words)]) if key.endswith("after") else tuple(norms[max(at - len(words), 0):at])
            if words and window == words:
                return True
    return False


@cache
def _speaker_words(lang: str) -> Tuple[Tuple[str, ...], ...]:
    return tuple(tuple(t.norm_ for t in pattern_doc(lang, p)) for p in phrase_list(lang, "respondent", "speaker_is"))


def _self_identified(doc: Doc, start: int, lang: str) -> bool:
    """Whether the match follows "I am" / "soy" / "我是" in the same clause."""
    norms = [doc[i].norm_ for i in range(max(start - 6, 0), start)]
    for i in range(len(norms) - 1, -1, -1):
        if norms[i] in CLAUSE_PUNCT:
            norms = norms[i + 1:]
            break
    for words in _speaker_words(lang):
        n = len(words)
        if any(tuple(norms[i:i + n]) == words for i in range(len(norms) - n + 1)):
            return True
    return False


RELATION_TO_PATIENT_TOKENS = 3  # "my daughter [is the] patient", "mi hija [es] la paciente"


def _relation_is_patient(doc: Doc, spans, start: int) -> bool:
    """A relation said just before "the patient", in the same clause ("my daughter is the
    patient", "我女儿是病人"): the patient is that person, not the speaker."""
    for value, _k, _s, e in spans:
        if value in ("child", "child_weak", "parent", "other") and e <= start and start - e <= RELATION_TO_PATIENT_TOKENS \
                and not any(doc[i].text in CLAUSE_PUNCT for i in range(e, start)):
            return True
    return False


def _child_of_another(doc: Doc, spans, end: int, lang: str) -> bool:
    """A child named as someone else's after it ("el hijo de mi pareja", "the son of my
    partner"): the speaker is not the parent."""
    if end >= len(doc) or doc[end].norm_ not in word_set(lang, "respondent", "of_words"):
        return False
    k = end + 1
    possessives = word_set(lang, "respondent", "self_possessives") | word_set(lang, "respondent", "other_possessives")
    k += k < len(doc) and doc[k].norm_ in possessives
    return any(s == k for v, _k, s, _e in spans if v in ("parent", "other", "legal"))


def _respondent_hits(t: Prepared, doc: Doc, lang: str) -> List[Hit]:
    hits = []
    spans = phrase_spans(doc, "respondent", lang)
    relation_starts = {s for value, _k, s, _e in spans if value in ("parent", "legal", "other")}
    possessive_after = word_set(lang, "respondent", "possessive_after")
    for value, _kind, s, e in spans:
        if _negated_before(doc, s, lang):
            continue  # "auntie, not his guardian", "不是监护人", "no soy la tutora": said of whom it is not
        nxt = doc[e].norm_ if e < len(doc) else ""
        possessed_next = nxt in possessive_after
        owner = _possessor(doc, s, lang)
        if value == "patient":
            if possessed_next or e in relation_starts or any(
                    e == cs for v, _k, cs, _e in spans if v in ("child", "child_weak")):
                continue  # "I'm the patient's mother", "para mi hijo" (folded from "para mí")
            if _relation_is_patient(doc, spans, s):
                continue  # "mi hija es la paciente, yo soy su madre": the patient is someone else
            category = "patient"
        elif value == "legal":
            category = "guardian"
        elif value == "parent":
            category = "other" if owner == "self" else "guardian"
        elif value in ("child", "child_weak"):
            if possessed_next or e in relation_starts:
                continue  # "the child's father", "孩子奶奶": the relation comes next
            if value == "child_weak" and owner != "self":
                continue
            category = "other" if owner == "third" or _child_of_another(doc, spans, e, lang) else "guardian"
        elif value == "ignore":
            continue
        else:
            category = "other"
        # "I'm her son" identifies the speaker; "I'm asking for my son" does not.
        speaker = value != "child" or category == "other"
        kind = "legal" if value == "legal" else (
            "self" if value == "patient" or (speaker and _self_identified(doc, s, lang)) else "")
        if value in ("parent", "other") and _with_speaker(doc, s, e, lang):
            kind = "alongside"  # "my husband and I, for our son": answering together
        hits.append(Hit(category, *span_offsets(t, doc, s, e), kind))
    return hits


_OPENING_CLAUSE = re.compile(r"[,.;:!?()\n，。；：！？、（）]|\s-\s|" + CJK_SPACE_BREAK)


def _opening_clause(text: str) -> str:
    """The message up to its first clause break ("me, the patient. my dad is helping me"), or ""
    when the message is one clause."""
    m = _OPENING_CLAUSE.search(text)
    head = text[:m.start()] if m else ""
    return head if head.strip() else ""


def _pick(hits: List[Hit], kinds: Sequence[str]) -> Hit | None:
    """The first hit of the first kind present; someone answering alongside the speaker only when
    nobody else is named ("me and my mum, she's the patient")."""
    hits = [h for h in hits if h.kind != "alongside"] or hits
    for kind in kinds:
        chosen = [h for h in hits if h.kind == kind]
        if chosen:
            return chosen[0]
    return hits[0] if hits else None


def _respondent(text: str, lang: str | None) -> Hit | None:
    """A legal guardian anywhere first; then what the opening clause says on its own ("me, im 24
    and have ALL", "my son - his dad is here too"); then "I am ..."; then the first relation."""
    _, hits = run(text, lang, _respondent_hits)
    hits = longest_first(hits)
    legal = [h for h in hits if h.kind == "legal"]
    if legal:
        return legal[0]
    opening = _opening_clause(as_text(text))
    if opening:
        _, first = run(opening, lang, _respondent_hits)
        first = [h for h in first if h.kind != "alongside"]
        if first:
            named = _in_apposition(as_text(text), opening, first, hits)
            return named or _pick(longest_first(first), ("self",))
    return _pick(hits, ("self",))


def _bare_word(clause: str) -> bool:
    return len(clause.split()) <= 1 and len(clause.strip()) <= (2 if has_cjk(clause) else 6)


def _short(clause: str) -> bool:
    return len(clause.split()) <= 3 and len(clause.strip()) <= (8 if has_cjk(clause) else 16)


def _in_apposition(text: str, opening: str, first: List[Hit], hits: List[Hit]) -> Hit | None:
    """"me, the mum", "我，孩子妈妈", "yo, la mamá": a bare "me" is named by the clause right after
    it, so that relation decides (a clause that names nobody, "me, im 24", leaves "me")."""
    if any(h.kind != "self" for h in first) or not _short(opening):
        return None
    rest = text[len(opening) + 1:]
    second = _opening_clause(rest) or rest
    if not _short(second):  # "me. my mum is helping me type": a sentence of its own, not a name
        return None
    start = len(opening) + 1
    named = [h for h in hits if h.kind not in ("self", "alongside") and start <= h.start < start + len(second)]
    # the clause is the relation and at most a word more ("the mum", "孩子妈妈"), not "我妈在旁边帮我看"
    return next((h for h in named if _bare_word(second.replace(text[h.start:h.end], " ", 1))), None)


def parse_respondent(text: str, lang: str | None = None) -> str | None:
    """patient / guardian / other, or None.

    "my son" / "我儿子" / "mi hijo" -> guardian (a parent answering for a child); "my mother"
    -> other (the patient is the speaker's parent); "I'm his mum" -> guardian. Anyone who
    calls themselves a (legal) guardian or tutor is a guardian even if they are also a
    grandparent or aunt: a grandparent who is the legal guardian should say "guardian".
    Otherwise what follows "I am" / "soy" / "我是" decides, then the first relation mentioned.
    """
    hit = _respondent(text, lang)
    return hit.value if hit else None  # type: ignore[return-value]


# ================================================================================================
# Sex
# ================================================================================================

_SEX_STRENGTH = {"pronoun": 1, "noun": 2, "explicit": 3}


def _sex_hits(t: Prepared, doc: Doc, lang: str) -> List[Hit]:
    hits = []
    for label, _kind, s, e in phrase_spans(doc, "sex", lang):
        value, _, strength = label.partition("|")
        if value == "ignore":
            continue
        if strength == "noun" and _possessor(doc, s, lang) == "third" and _self_identified(doc, s, lang):
            continue  # "I'm his daughter", "soy su sobrina", "我是他侄女": the speaker, not the patient
        hits.append(Hit(value, *span_offsets(t, doc, s, e), strength))
    return hits


def _sex(text: str, lang: str | None) -> Hit | None:
    _, hits = run(text, lang, _sex_hits)
    hits = longest_first(hits)
    if not hits:
        return None
    best = max(_SEX_STRENGTH.get(h.kind, 0) for h in hits)
    top = [h for h in hits if _SEX_STRENGTH.get(h.kind, 0) == best]
    if len({h.value for h in top}) != 1:
        return None
    return top[0]


def parse_sex(text: str, lang: str | None = None) -> str | None:
    """female / male / other, or None.

    Words for a person ("girl", "儿子", "niña") outrank pronouns ("she", "他"); conflicting
    answers at the same level give None. Bare "other"/"otro"/"f"/"m" count only as the whole
    message, so "any other cancer?" is not a sex.
    """
    hit = _sex(text, lang)
    return hit.value if hit else None  # type: ignore[return-value]


# ================================================================================================
# ECOG
# ================================================================================================


def _level_digits(lang: str) -> Dict[str, float]:
    return word_values(lang, "activity", "level_digits")


@cache
def _ecog_matcher(lang: str) -> Matcher:
    """ "level 2", "ECOG: 1", "等级2", "第2级": a level said as a number."""
    matcher = Matcher(get_nlp(lang).vocab)
    digits = sorted(_level_digits(lang))
    codes = LATIN if lang in LATIN else (lang,)
    joiners = sorted(set().union(*(word_set(c, "activity", "level_joiners") for c in codes)))
    patterns = []
    for word in phrase_list(lang, "activity", "level_words"):
        head = [{"NORM": tok.norm_} for tok in pattern_doc(lang, word)]
        patterns.append(head + [{"NORM": {"IN": joiners}, "OP": "?"}, {"NORM": {"IN": digits}}])
    for suffix in phrase_list(lang, "activity", "level_suffixes"):
        prefix = sorted(word_set(lang, "activity", "ordinal_prefix"))
        patterns.append([{"NORM": {"IN": prefix}, "OP": "?"}, {"NORM": {"IN": digits}}, {"NORM": suffix}])
    if lang in LATIN:
        glued = "|".join(sorted(latin_word_set("activity", "level_words")))
        patterns.append([{"NORM": {"REGEX": rf"^(?:{glued})[0-4]$"}}])  # "level2"
    matcher.add("ECOG", patterns)
    return matcher


def _ecog_hits(t: Prepared, doc: Doc, lang: str) -> List[Hit]:
    hits = []
    digits = _level_digits(lang)
    for _match_id, s, e in _ecog_matcher(lang)(doc):
        level = None
        for tok in doc[s:e]:
            if tok.norm_ in digits:
                level = int(digits[tok.norm_])
            elif tok.norm_[-1:].isdigit() and tok.norm_[-1] in "01234" and len(tok.norm_) > 1:
                level = int(tok.norm_[-1])
        if level is not None:
            hits.append(Hit(level, *span_offsets(t, doc, s, e), "explicit"))
    return hits


def _explicit_level(text: str, lang: str | None) -> Hit | None:
    _, hits = run(text, lang, _ecog_hits)
    return min(hits, key=lambda h: h.start) if hits else None


def _ecog(text: str, lang: str | None) -> Hit | None:
    return _explicit_level(text, lang) or activity_hit(text, lang)


def parse_activity(text: str, lang: str | None = None) -> int | str | None:
    """ECOG 0-4, "unsure" ("it varies", "说不上来"), or None (see ``activity``)."""
    return read_activity(as_text(text), lang, _explicit_level(as_text(text), lang))  # type: ignore[return-value]


def parse_ecog(text: str, lang: str | None = None) -> int | None:
    """ECOG 0-4 from a plain activity description, or from "level 2" / "ECOG 2" / "2级".

    A bare digit is not enough. Descriptions are combined as ``activity`` says: where they
    meet, and the worst level when they disagree.
    """
    level = parse_activity(text, lang)
    return level if isinstance(level, int) else None


# ================================================================================================
# Language switch
# ================================================================================================


def _codes(lang: str) -> Tuple[str, ...]:
    """English and Spanish share their request words: either may be typed in a Latin message."""
    return LATIN if lang in LATIN else (lang,)


@cache
def _language_matcher(lang: str) -> Matcher:
    """An explicit request: a request verb, then (for Latin text) a few gap words, then a name."""
    matcher = Matcher(get_nlp(lang).vocab)
    verbs = [pattern_doc(lang, v) for code in _codes(lang) for v in phrase_list(code, "language", "request_verbs")]
    names = sorted({n for names in (entries(lang, "language", "names") or {}).values() for n in names})
    if lang == "zh":
        name_words = [[{"NORM": t.norm_} for t in pattern_doc(lang, n)] for n in names]
        for verb in verbs:
            vpat = [{"NORM": t.norm_} for t in verb]
            matcher.add("LANGREQ", [vpat + npat for npat in name_words])
        return matcher
    name_norms = [fold_phrase(n) for n in names]
    gaps = sorted(latin_word_set("language", "request_gaps"))
    for verb in verbs:
        vpat = [{"NORM": t.norm_} for t in verb]
        matcher.add("LANGREQ", [vpat + [{"NORM": {"IN": gaps}, "OP": "*"}, {"NORM": {"IN": name_norms}}]])
    before = sorted(latin_word_set("language", "request_before_name"))
    after = sorted(latin_word_set("language", "request_after_name"))
    if before and after:  # "in Spanish please", "en español por favor"
        matcher.add("LANGREQ", [[{"NORM": {"IN": before}}, {"NORM": {"IN": name_norms}}, {"NORM": {"IN": after}}]])
    return matcher


def _language_hits(t: Prepared, doc: Doc, lang: str) -> List[Hit]:
    names = phrase_spans(doc, "language", lang)
    if not names:
        return []
    # 1. An explicit request anywhere: "can you please speak Spanish", "请用英文".
    for _match_id, s, e in _language_matcher(lang)(doc):
        for code, _kind, ns, ne in names:
            if s <= ns and ne <= e:
                return [Hit(code, *span_offsets(t, doc, s, e), "explicit")]
    # 2. A short message made of a language name and polite filler only: "中文", "English please".
    codes = {code for code, *_ in names}
    inside = {i for _, _, s, e in names for i in range(s, e)}
    rest = [doc[i].norm_ for i in content_tokens(doc) if i not in inside]
    fillers = set().union(*(word_set(c, "language", "fillers") for c in _codes(lang)))
    if len(codes) == 1 and len(rest) <= 8 and all(w in fillers for w in rest):
        code, _kind, s, e = names[0]
        return [Hit(code, *span_offsets(t, doc, s, e), "short")]
    return []


def _language(text: str) -> Hit | None:
    t = prepare(as_text(text))
    if not t.folded:
        return None
    hits: List[Hit] = []
    for code in (["zh"] if t.has_cjk else []) + list(LATIN):
        hits.extend(_language_hits(t, make_doc(t.folded, code), code))
    explicit = [h for h in hits if h.kind == "explicit"]
    chosen = explicit or hits
    if not chosen or len({h.value for h in chosen}) != 1:
        return None
    return chosen[0]


def parse_language_request(text: str) -> str | None:
    """en / zh / es when the message asks for a language, else None.

    A request is either explicit ("please speak Spanish", "请用英文", "habla español", "en
    español por favor"), or a short message that is only a language name plus polite words
    ("中文", "English please"). "My son speaks Spanish" is not a request ("speaks" is not a
    request verb and "my son" is not filler).
    """
    hit = _language(text)
    return hit.value if hit else None  # type: ignore[return-value]


# ================================================================================================
# Emergencies and topics
# ================================================================================================


def detect_emergency(text: str) -> bool:
    """Whether the message describes a current emergency (``safety.detect``, any language)."""
    return safety.detect(as_text(text)) is not None


TopicWords = Callable[[str], Mapping[str, Sequence[str]]]


def _trial_topics(lang: str) -> Mapping[str, Sequence[str]]:
    from bot.trial.nct06389305.reading import topic_words  # the deployed trial's words

    return topic_words(lang)


@cache
def _topic_matcher(lang: str, words: TopicWords):
    return build_phrase_matcher(lang, dict(words(lang)))


def parse_topic(text: str, lang: str | None = None, words: TopicWords | None = None) -> str | None:
    """The question (its slot) a message is about ("change my age answer" -> patient_age).

    ``words`` gives a language's topic words per slot; by default the trial's own
    (``bot/trial/<trial>/lang/<code>.yml``, ``topics``). The longest keyword wins ("relapse
    since" over "relapse"), then the first in the text.
    """
    hit = _topic_hit(as_text(text), lang, words or _trial_topics)
    return hit.value if hit else None  # type: ignore[return-value]


def parse_topics(text: str, lang: str | None = None, words: TopicWords | None = None) -> Tuple[str, ...]:
    """Every question a message names, longest keyword first ("a kidney transplant": both)."""
    return tuple(dict.fromkeys(h.value for h in _topic_hits(as_text(text), lang, words or _trial_topics)))


def topic_mentions(text: str, lang: str | None = None, words: TopicWords | None = None) -> Tuple[Tuple[str, int, int], ...]:
    """Each question a message names, with where (character offsets in the text)."""
    return tuple((str(h.value), h.start, h.end) for h in _topic_hits(as_text(text), lang, words or _trial_topics))


def as_a_time(text: str, start: int, end: int) -> bool:
    """Whether the words around a mention make it a time, not the thing answered about: "negative
    before the transplant", "移植前都查过了", "antes del trasplante" (``dates.yml``)."""
    before = fold_phrase(text[max(0, start - 20):start]).rstrip()
    after = fold_phrase(text[end:end + 4]).lstrip()
    for code in LANGUAGES:
        if any(before == w or before.endswith(" " + w) or (has_cjk(w) and before.endswith(w))
               for w in word_set(code, "dates", "time_reference_before")):
            return True
        if any(after.startswith(w) for w in word_set(code, "dates", "time_reference_after")):
            return True
    return False


def _topic_hit(text: str, lang: str | None, words: TopicWords) -> Hit | None:
    """A keyword that names one question beats one that other questions' keywords contain
    ("CAR-T" is in "CAR-T activity": it names a family of questions), then the longest, then
    the first: "the CAR-T cells stopped working" is about the loss of activity, not CAR-T itself."""
    kept = _topic_hits(text, lang, words)
    if not kept:
        return None
    return max(kept, key=lambda h: (not _names_a_family(fold_phrase(text[h.start:h.end]), h.value, words),
                                    h.end - h.start, -h.start))


def _names_a_family(keyword: str, slot: str, words: TopicWords) -> bool:
    keyword = keyword.strip()
    return bool(keyword) and any(keyword in other and keyword != other
                                 for other_slot, other in _folded_topics(words) if other_slot != slot)


@cache
def _folded_topics(words: TopicWords) -> Tuple[Tuple[str, str], ...]:
    return tuple((slot, fold_phrase(k)) for code in LANGUAGES for slot, ks in words(code).items() for k in ks)


def _topic_hits(text: str, lang: str | None, words: TopicWords) -> List[Hit]:
    def per_lang(t: Prepared, doc: Doc, code: str) -> List[Hit]:
        return [Hit(slot, *span_offsets(t, doc, s, e))
                for slot, _k, s, e in matched_spans(doc, _topic_matcher(code, words))]

    _, hits = run(text, lang, per_lang)
    return longest_first(hits)


# ================================================================================================
# All entities at once (for the NLU component)
# ================================================================================================


_FLOAT_ENTITIES = frozenset({"duration_months", "number", "nominal_age_years", "month_span_months",
                             "age_years_low", "age_years_high"})


def _number_extras(text: str, lang: str | None, found: Hit | None) -> List[Tuple[str, Hit | None]]:
    """The entities that qualify a number: a nominal age, a month span, an age from a birth date."""
    nominal = None
    if found is not None and found.kind == "nominal":
        nominal = found._replace(value=(float(found.value) + 12) / 12)  # type: ignore[arg-type]
    span = span_hits(text, lang)
    birth = birth_hits(text, lang)
    return [
        ("nominal_age_years", nominal),
        ("month_span_months", span),
        ("age_years_low", birth._replace(value=birth.value.low) if birth else None),  # type: ignore[union-attr]
        ("age_years_high", birth._replace(value=birth.value.high) if birth else None),  # type: ignore[union-attr]
    ]


def extract_entities(text: str, lang: str | None = None) -> List[Dict[str, object]]:
    """Every answer found in ``text`` as entity dicts (entity, value, start, end) per the NLU
    contract, in a fixed order. ``lang`` is a preference (see ``matching``)."""
    text = as_text(text)
    found_duration = duration(text, lang)
    found: List[Tuple[str, Hit | None]] = [
        ("tri", _tri(text, lang)),
        ("duration_months", found_duration),
        ("number", number(text, lang)),
        *_number_extras(text, lang, found_duration),
        ("respondent_kind", _respondent(text, lang)),
        ("sex_value", _sex(text, lang)),
        ("ecog_level", _ecog(text, lang)),
        ("lang", _language(text)),
        ("topic", _topic_hit(text, lang, _trial_topics)),
    ]
    out: List[Dict[str, object]] = []
    for name, hit in found:
        if hit is None or hit.value is None:
            continue
        value = hit.value
        if name in _FLOAT_ENTITIES:
            value = float(value)  # type: ignore[arg-type]
        elif name == "ecog_level":
            value = int(value)  # type: ignore[call-overload]
        start, end = (hit.start, hit.end) if hit.end > hit.start else (0, len(text))
        out.append({"entity": name, "value": value, "start": start, "end": end})
    return out
