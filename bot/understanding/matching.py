"""How the readers see text: folded with an index map, tokenized by blank spaCy pipelines, and
matched against the lexicons (``lang/<code>/*.yml``) in every language that could apply.

* Only the first ``MAX_CHARS`` characters are looked at, so work is bounded on any input.
* Text is folded one character at a time (NFKC, lower case, Latin accents stripped, curly quotes
  straightened, control/format characters such as NUL or an RTL override turned into spaces,
  whitespace runs collapsed). An index map keeps every match's offsets in the *original* text.
  Accent folding lets "no se" match "no sé" and "ano" match "año"; lexicon phrases are folded the
  same way, so they are written with their accents.
* English and Spanish are tokenized by ``spacy.blank("en")`` / ``spacy.blank("es")`` (plus a
  suffix rule so "39years" or "10meses" split into number and unit). Matching uses the ``NORM``
  attribute, which spaCy's English exceptions set to "not" for "n't", "nt" and "cannot": one
  phrase "can't breathe" also covers "cannot breathe" and "cant breathe".
* Chinese is matched on a Doc of single characters (digit and Latin runs kept whole) built on the
  vocab of ``spacy.blank("zh")`` with the jieba segmenter. jieba segments numbers and units
  differently depending on context ("十二岁" + "半", "三个" + "月"), so phrases built from jieba
  tokens would miss; on characters they always line up, and ``filter_spans`` keeps the longest
  match so "没有" wins over "有" and "不知道" over "不". The jieba pipeline itself is what the
  Rasa tokenizer uses (``get_nlp("zh")``).

Languages: ``lang`` is a preference, not a filter. People switch languages mid-conversation, so
the English and Spanish lexicons are both consulted for any Latin-script text, and the Chinese one
whenever there are CJK characters; across languages the longest match wins ("no sé" is Spanish
"unsure", not English "no"). The preference (``lang``, else a clear ``guess``) only drops the
*other* language's false friends (``language.yml``): Spanish "once" is 11 and "son" means "they
are", so in an English conversation "once" is not a number, and in a Spanish one "son" is no boy.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from typing import Callable, Dict, FrozenSet, Iterable, List, NamedTuple, Sequence, Tuple

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.util import compile_suffix_regex, filter_spans

from bot.understanding.lang import LANG_DIR, LANGUAGES, load
from bot.understanding.text import simplified

MAX_CHARS = 500
LATIN = ("en", "es")

_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
_ZH_WORD_RE = re.compile(r"[a-z]+|\d+(?:[.,]\d+)?|\S")
CLAUSE_PUNCT = frozenset(",.;:!?。，；：！？、")
# A space between Chinese characters ends a clause (Chinese is typed without spaces; dictation and
# phones put one between clauses: "没有 还在缓解期"). CJK_SPACE keeps a negation with its word
# across one space ("没有 发烧" is still "no fever"), for readers of negation scope.
CJK_SPACE_BREAK = r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])"
CJK_SPACE = (r"(?<=[\u3400-\u9fff])(?<!没)(?<!不)(?<!无)(?<!未)(?<!别)(?<!非)(?<!没有)(?<!不是)(?<!不要)(?<!并没有)"
             r"\s+(?=[\u3400-\u9fff])")
_APOSTROPHES = frozenset("\u2018\u2019\u02bc\u00b4`\uff07")


class Prepared(NamedTuple):
    original: str  # the first MAX_CHARS characters of the input
    folded: str
    index: Tuple[int, ...]  # folded position -> original position
    has_cjk: bool


class Hit(NamedTuple):
    value: object
    start: int  # offsets in the original text
    end: int
    kind: str = ""


def _fold_char(ch: str) -> str:
    if ch in _APOSTROPHES:
        return "'"
    c = unicodedata.normalize("NFKC", ch)
    if len(c) != 1:
        c = ch
    low = c.lower()
    if len(low) == 1:
        c = low
    c = simplified().get(ord(c), c)
    decomposed = unicodedata.normalize("NFD", c)
    if len(decomposed) > 1 and decomposed[0].isascii() and all(
        unicodedata.combining(x) for x in decomposed[1:]
    ):
        c = decomposed[0]
    if c.isspace() or unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
        return " "
    return c


@lru_cache(maxsize=512)
def prepare(text: str) -> Prepared:
    original = text[:MAX_CHARS]
    chars: List[str] = []
    index: List[int] = []
    for i, ch in enumerate(original):
        c = _fold_char(ch)
        if c == " " and (not chars or chars[-1] == " "):
            continue
        chars.append(c)
        index.append(i)
    if chars and chars[-1] == " ":
        chars.pop()
        index.pop()
    folded = "".join(chars)
    return Prepared(original, folded, tuple(index), bool(_CJK_RE.search(folded)))


def fold_phrase(phrase: str) -> str:
    return prepare(phrase).folded


def as_text(text: object) -> str:
    return text if isinstance(text, str) else ""


# --- lexicon access --------------------------------------------------------------------------------


def entries(lang: str, topic: str, key: str):
    """One entry of ``lang/<lang>/<topic>.yml`` as written (a list, a mapping or None)."""
    return load(lang, topic).get(key)


@cache
def word_set(lang: str, topic: str, key: str) -> FrozenSet[str]:
    """A list of words, folded like the input."""
    return frozenset(fold_phrase(w) for w in entries(lang, topic, key) or ())


@cache
def latin_word_set(topic: str, key: str) -> FrozenSet[str]:
    """English and Spanish words together (a Latin-script message is read as both)."""
    return frozenset().union(*(word_set(code, topic, key) for code in LATIN))


@cache
def word_values(lang: str, topic: str, key: str) -> Dict[str, float]:
    """A "value: [words]" mapping turned round and folded: {word: value}."""
    table = entries(lang, topic, key) or {}
    return {fold_phrase(w): float(value) for value, words in table.items() for w in words}


@cache
def phrase_list(lang: str, topic: str, key: str) -> Tuple[str, ...]:
    """A list of phrases as written, in order."""
    return tuple(entries(lang, topic, key) or ())


# --- pipelines -----------------------------------------------------------------------------------


def _unit_suffix() -> str:
    units = sorted({u for code in LATIN for u in phrase_list(code, "numbers", "glued_units")},
                   key=len, reverse=True)
    return r"(?<=[0-9])(?i:" + "|".join(re.escape(u) for u in units) + ")"


@cache
def get_nlp(lang: str) -> Language:
    """The blank spaCy pipeline for ``lang``, built once.

    English and Spanish get a suffix rule that splits a unit glued to a number ("39years"), which
    helps both the readers and the Rasa tokenizer's features.
    """
    if lang == "zh":
        return spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    nlp = spacy.blank(lang if lang in LATIN else "en")
    suffixes = list(nlp.Defaults.suffixes or []) + [_unit_suffix()]
    nlp.tokenizer.suffix_search = compile_suffix_regex(suffixes).search
    return nlp


def _zh_doc(folded: str) -> Doc:
    words: List[str] = []
    spaces: List[bool] = []
    for m in _ZH_WORD_RE.finditer(folded):
        words.append(m.group())
        spaces.append(m.end() < len(folded) and folded[m.end()] == " ")
    return Doc(get_nlp("zh").vocab, words=words, spaces=spaces)


@lru_cache(maxsize=256)
def make_doc(folded: str, lang: str) -> Doc:
    if lang == "zh":
        return _zh_doc(folded)
    doc = get_nlp(lang).make_doc(folded)
    for tok in doc:
        fixed = typo_fix(tok.norm_, lang)
        if fixed:
            tok.norm_ = fixed
    return doc


# --- typo tolerance ------------------------------------------------------------------------------

TYPO_MIN_LENGTH = 5  # shorter words are too easily another word
TYPO_TARGETS = (("numbers", "words"), ("numbers", "hundreds"), ("sex", "nouns"), ("respondent", "parent"),
                ("respondent", "child"), ("respondent", "other"), ("respondent", "legal"))


def _lexicon_words(lang: str) -> FrozenSet[str]:
    words: set = set()

    def walk(node: object) -> None:
        if isinstance(node, str):
            words.update(fold_phrase(node.lstrip("^<")).split())
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in (LANG_DIR / lang).glob("*.yml"):
        walk(load(lang, path.stem))
    return frozenset(words)


@cache
def _known(lang: str) -> FrozenSet[str]:
    return _lexicon_words("en") | _lexicon_words("es") if lang in LATIN else _lexicon_words(lang)


@cache
def _typo_targets(lang: str) -> Tuple[str, ...]:
    out = set()
    for topic, key in TYPO_TARGETS:
        table = entries(lang, topic, key)
        values = table.values() if isinstance(table, dict) else [table or []]
        for words in values:
            for w in (words.values() if isinstance(words, dict) else [words]):
                out.update(fold_phrase(x) for x in (w or []) if " " not in x and len(x) >= TYPO_MIN_LENGTH)
    return tuple(sorted(out))


def _one_edit(a: str, b: str) -> bool:
    """Whether ``a`` becomes ``b`` by one insertion, deletion, substitution or swap of neighbours."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


@lru_cache(maxsize=4096)
def typo_fix(word: str, lang: str) -> str | None:
    """The one lexicon word (a number, a word for a person's sex or relation) that an unknown word
    of five letters or more is a typing slip of ("femaile", "trenta", "dauther"), else None."""
    if len(word) < TYPO_MIN_LENGTH or not word.isalpha() or word in _known(lang):
        return None
    found = [t for t in _typo_targets(lang) if t[0] == word[0] and _one_edit(word, t)]
    return found[0] if len(found) == 1 else None


def pattern_doc(lang: str, phrase: str) -> Doc:
    return make_doc(fold_phrase(phrase), lang)


def span_offsets(t: Prepared, doc: Doc, start: int, end: int) -> Tuple[int, int]:
    """Token span -> character offsets in the original text."""
    if not t.index or end <= start:
        return 0, len(t.original)
    s = doc[start].idx
    last = doc[end - 1]
    e = last.idx + len(last.text) - 1
    s = min(max(s, 0), len(t.index) - 1)
    e = min(max(e, 0), len(t.index) - 1)
    return t.index[s], t.index[e] + 1


def folded_offsets(t: Prepared, start: int, end: int) -> Tuple[int, int]:
    """Offsets in the folded text -> offsets in the original text."""
    if not t.index or end <= start:
        return 0, len(t.original)
    return t.index[min(start, len(t.index) - 1)], t.index[min(end, len(t.index)) - 1] + 1


def is_punct(token_text: str) -> bool:
    return all(unicodedata.category(c).startswith(("P", "S")) for c in token_text)


def content_tokens(doc: Doc) -> List[int]:
    return [i for i, tok in enumerate(doc) if not tok.is_space and not is_punct(tok.text)]


# --- phrase tables -------------------------------------------------------------------------------

# The phrase tables the matchers are built from: name -> (topic file, how to read it).
PhraseTable = Callable[[str], Dict[str, Sequence[str]]]


def _tri_table(lang: str) -> Dict[str, Sequence[str]]:
    return {v: phrase_list(lang, "yesno", v) for v in ("yes", "no", "unsure", "ignore")}


# A month is 30.4375 days on average (365.25 / 12): "26 weeks" is 5.98 months, inside a 6-month limit.
DAYS_PER_MONTH = 30.4375
UNIT_MONTHS = {"years": 12.0, "months": 1.0, "weeks": 7 / DAYS_PER_MONTH, "days": 1 / DAYS_PER_MONTH}


def _units_table(lang: str) -> Dict[str, Sequence[str]]:
    groups = entries(lang, "numbers", "units") or {}
    return {str(UNIT_MONTHS[group]): units for group, units in groups.items()}


RESPONDENT_VALUES = ("patient", "parent", "child", "child_weak", "legal", "other", "ignore")


def _respondent_table(lang: str) -> Dict[str, Sequence[str]]:
    return {v: phrase_list(lang, "respondent", v) for v in RESPONDENT_VALUES
            if phrase_list(lang, "respondent", v)}


def _sex_table(lang: str) -> Dict[str, Sequence[str]]:
    table: Dict[str, Sequence[str]] = {}
    for strength, key in (("noun", "nouns"), ("pronoun", "pronouns")):
        for value, words in (entries(lang, "sex", key) or {}).items():
            table[f"{value}|{strength}"] = words
    table["other|explicit"] = phrase_list(lang, "sex", "other")
    if phrase_list(lang, "sex", "ignore"):
        table["ignore|ignore"] = phrase_list(lang, "sex", "ignore")
    return table


def _language_table(lang: str) -> Dict[str, Sequence[str]]:
    return dict(entries(lang, "language", "names") or {})


TABLES: Dict[str, PhraseTable] = {
    "tri": _tri_table,
    "units": _units_table,
    "respondent": _respondent_table,
    "sex": _sex_table,
    "language": _language_table,
}


def _key(*parts: object) -> str:
    return "|".join(str(p) for p in parts)


def build_phrase_matcher(lang: str, table: Dict[str, Sequence[str]]) -> PhraseMatcher:
    """A PhraseMatcher over {value: phrases}; match ids are "value|flag" ("", "^" or "<")."""
    matcher = PhraseMatcher(get_nlp(lang).vocab, attr="NORM")
    for value, phrases in table.items():
        by_flag: Dict[str, List[Doc]] = {}
        for phrase in phrases:
            flag = phrase[0] if phrase[:1] in ("^", "<") else ""
            by_flag.setdefault(flag, []).append(pattern_doc(lang, phrase[len(flag):]))
        for flag, docs in by_flag.items():
            matcher.add(_key(value, flag), docs)
    return matcher


@cache
def _phrase_matcher(table: str, lang: str) -> PhraseMatcher:
    return build_phrase_matcher(lang, TABLES[table](lang))


def matched_spans(doc: Doc, matcher: PhraseMatcher) -> List[Tuple[str, str, int, int]]:
    """Longest non-overlapping matches as (value, flag, start_token, end_token), in text order."""
    content = content_tokens(doc)
    labels: Dict[Tuple[int, int], str] = {}
    for match_id, s, e in matcher(doc):
        label = doc.vocab.strings[match_id]
        flag = label.rpartition("|")[2]
        if flag == "^" and [i for i in content if s <= i < e] != content:
            continue  # only as the whole message
        if flag == "<" and content and s > content[0]:
            continue  # only at the start of the message
        if flag in ("^", "<"):
            labels[(s, e)] = label  # said as the whole message (or its start): more telling than the same words anywhere
        else:
            labels.setdefault((s, e), label)
    out = []
    for span in sorted(filter_spans([doc[s:e] for s, e in labels]), key=lambda sp: sp.start):
        value, _, kind = labels[(span.start, span.end)].rpartition("|")
        out.append((value, kind, span.start, span.end))
    return out


def phrase_spans(doc: Doc, table: str, lang: str) -> List[Tuple[str, str, int, int]]:
    return matched_spans(doc, _phrase_matcher(table, lang))


# --- which languages to read a message in ----------------------------------------------------------


def detect_script_language(text: str) -> str | None:
    """"zh" when the text has CJK ideographs, else None: a cheap hint, not a language detector."""
    return "zh" if prepare(as_text(text)).has_cjk else None


def guess_language(text: str) -> str | None:
    """"zh" for CJK text; "es" / "en" when Spanish or English function words dominate.

    Only a hint: None means "could be either" (or neither: French, with its accents, is not taken
    for Spanish).
    """
    return guess(prepare(as_text(text)), margin=1)


def _chars(lang: str, key: str) -> FrozenSet[str]:
    return frozenset("".join(phrase_list(lang, "language", key)))


def guess(t: Prepared, margin: int) -> str | None:
    if t.has_cjk:
        return "zh"
    lower = t.original.lower()
    if any(c in _chars("es", "signs") for c in lower):
        return "es"
    words = re.findall(r"[a-z']+", t.folded)
    es = sum(w in word_set("es", "language", "markers") for w in words)
    en = sum(w in word_set("en", "language", "markers") for w in words)
    fr = sum(w in word_set("fr", "language", "markers") for w in words) + sum(
        c in _chars("fr", "letters") for c in lower)
    if fr >= 2 and fr > es and fr > en:
        return None
    if any(c in _chars("es", "accents") for c in lower):
        return "es"
    if es - en >= margin:
        return "es"
    if en - es >= margin:
        return "en"
    return None


def _languages(t: Prepared, lang: str | None) -> Tuple[List[str], str | None]:
    """Which languages' lexicons to consult, and the preferred Latin language (if any)."""
    langs: List[str] = ["zh"] if t.has_cjk else []
    if not t.has_cjk or re.search("[a-z]", t.folded):
        langs.extend(LATIN)
    preferred = lang if lang in LATIN else guess(t, margin=2)
    return langs, preferred if preferred in LATIN else None


def longest_first(hits: Iterable[Hit]) -> List[Hit]:
    """Across languages, keep the longest non-overlapping hits (character offsets)."""
    kept: List[Hit] = []
    for hit in sorted(hits, key=lambda h: (-(h.end - h.start), h.start)):
        if all(hit.end <= k.start or hit.start >= k.end for k in kept):
            kept.append(hit)
    return sorted(kept, key=lambda h: h.start)


def run(text: object, lang: str | None, per_lang: Callable[[Prepared, Doc, str], List[Hit]]
        ) -> Tuple[Prepared, List[Hit]]:
    """``per_lang`` over the message in every language that could apply, the other Latin
    language's false friends left out when one is preferred."""
    t = prepare(as_text(text))
    hits: List[Hit] = []
    if not t.folded:
        return t, hits
    langs, preferred = _languages(t, lang)
    for code in langs:
        found = per_lang(t, make_doc(t.folded, code), code)
        friends = word_set(code, "language", "false_friends")
        if preferred and friends and code != preferred:
            found = [h for h in found if fold_phrase(t.original[h.start:h.end]) not in friends]
        hits.extend(found)
    return t, hits


__all__ = ["LANGUAGES", "MAX_CHARS", "Hit", "Prepared", "get_nlp", "guess_language",
           "detect_script_language", "prepare", "make_doc", "run"]
