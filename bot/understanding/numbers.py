"""Numbers, durations and dates as people type them, in English, Chinese and Spanish.

Every value the assistant asks about (0-200) in words and digits, decimals in words ("two point
five", "dos coma cinco", "二点五"), halves ("seven and a half", "一岁半", "año y medio"), years read
digit by digit (二零一九), dates of birth, spans between two month names, and "one" as a pronoun.
A number with a scale word that is not read ("two million", "三万") gives no number rather than a
wrong one. The words are data (``lang/<code>/numbers.yml`` and ``dates.yml``); the structure that
combines them (tens and units, hundreds, Chinese 十/百/千) is here.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from functools import cache, partial
from typing import Dict, FrozenSet, List, NamedTuple, Sequence, Tuple

from spacy.tokens import Doc, Span

from bot.understanding.lang import LANGUAGES
from bot.understanding.matching import (
    CLAUSE_PUNCT,
    Hit,
    Prepared,
    as_text,
    entries,
    fold_phrase,
    guess,
    latin_word_set,
    make_doc,
    phrase_list,
    phrase_spans,
    prepare,
    run,
    span_offsets,
    word_set,
    word_values,
)

DIGITS_RE = re.compile(r"^\d+(?:[.,]\d+)?$")
FRACTIONS: Dict[str, float] = {"½": 0.5, "¼": 0.25, "¾": 0.75}


@cache
def _zh_ints(key: str) -> Dict[str, int]:
    """A Chinese numeral table ({character: value}) from ``zh/numbers.yml``."""
    return {w: int(v) for w, v in word_values("zh", "numbers", key).items()}


@cache
def _zh_digit_char(value: int) -> str:
    """The usual character for a digit (the first one listed)."""
    return str((entries("zh", "numbers", "digits") or {})[value][0])


@cache
def _zh_digit_char_of_ten() -> str:
    return str((entries("zh", "numbers", "multipliers") or {})[10][0])


@cache
def _unit_words(lang: str) -> FrozenSet[str]:
    """The first word of every unit ("years" of "years old")."""
    groups = entries(lang, "numbers", "units") or {}
    return frozenset(fold_phrase(u).split(" ")[0] for units in groups.values() for u in units)


@cache
def _duration_joiners() -> FrozenSet[str]:
    return frozenset().union(*(word_set(code, "numbers", "duration_joiners") for code in LANGUAGES))


@cache
def _articles(lang: str) -> FrozenSet[str]:
    return word_set(lang, "numbers", "articles")


@cache
def _plus_half(lang: str) -> Tuple[Tuple[str, ...], ...]:
    """ "and a half", "y medio" as token sequences."""
    return tuple(tuple(fold_phrase(p).split(" ")) for p in phrase_list(lang, "numbers", "plus_half"))




class _Num(NamedTuple):
    value: float
    start: int  # token offsets
    end: int
    kind: str = ""  # "" a quantity, or one of _KINDS_NOT_QUANTITY / "article"
    low: float = 0.0  # a range's ends ("3 or 4")
    high: float = 0.0


# A calendar year, a month name ("三月"), a percentage, "one" as a pronoun or a range ("3 or 4")
# is no quantity: no unit makes it a duration. "un"/"una" ("article") is 1 only before a unit or another number.
_KINDS_NOT_QUANTITY = frozenset({"year", "month", "percent", "pronoun", "range"})
_KINDS_NOT_BARE = _KINDS_NOT_QUANTITY | {"article", "ordinal"}  # ordinal: 初三, 第三 (a day 28 before a unit counts)
_MIXED_FRACTION_RE = re.compile(r"^(\d+)([½¼¾])$")
_FRACTION_RE = re.compile(r"^(\d{1,2})/(\d{1,2})$")
_ORDINAL_RE = re.compile(r"^(\d{1,2})(st|nd|rd|th|º|°|o)?$")  # a day: "5", "5th", "1º"
_NUMERIC_DATE_RES = (  # (regex, order of year / month / day groups)
    (re.compile(r"(?<![\d/.-])(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?![\d/.-])"), "ymd"),
    (re.compile(r"(?<![\d/.-])(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?![\d/.-])"), "xxy"),
    (re.compile(r"(?<![\d/.-])(\d{1,2})/(\d{1,2})/(\d{2})(?![\d/.-])"), "xxy"),  # 3/3/15
    (re.compile(r"(?<![\d/.-])(\d{1,2})[-/.](\d{4})(?![\d/.-])"), "my"),  # 3/2019, 03-2019
)


def _digits_value(text: str, lang: str) -> float | None:
    if not DIGITS_RE.match(text):
        return None
    if "," in text:
        head, tail = text.split(",", 1)
        if lang != "es" and len(tail) == 3:
            text = head + tail  # 1,000
        else:
            text = head + "." + tail  # 7,5
    elif "." in text and lang == "es":
        head, tail = text.split(".", 1)
        if len(tail) == 3:
            text = head + tail  # 1.000
    try:
        value = float(text)
    except ValueError:  # pragma: no cover - the regex only lets digits through
        return None
    return value if value == value and value != float("inf") else None


# --- English and Spanish: a scan over tokens --------------------------------------------------------


def _tens_units(norms: Sequence[str], i: int, lang: str) -> Tuple[int, int]:
    """0-99 from the number word at ``i``: "thirty-one", "treinta y uno", "twenty five"."""
    small = word_values(lang, "numbers", "words")
    value, j = int(small[norms[i]]), i + 1
    if value == 10 and lang == "es" and j + 1 < len(norms) and norms[j] == "y" and 6 <= small.get(norms[j + 1], 0) < 10:
        return value + int(small[norms[j + 1]]), j + 2  # "diez y seis", the old spelling of 16
    if 20 <= value < 100 and value % 10 == 0:
        joiners = word_set(lang, "numbers", "tens_joiners")
        k = j + 1 if j < len(norms) and norms[j] in joiners else j
        if k < len(norms) and 0 < small.get(norms[k], 0) < 10:
            value, j = value + int(small[norms[k]]), k + 1
    return value, j


def _after_scale(norms: Sequence[str], j: int, lang: str) -> Tuple[int | None, int]:
    """What follows "hundred"/"ciento"/"thousand": "(and) twenty-five" -> (25, end)."""
    small = word_values(lang, "numbers", "words")
    k = j + 1 if j + 1 < len(norms) and norms[j] in word_set(lang, "numbers", "scale_joiners") else j
    if k < len(norms) and small.get(norms[k], 0) > 0:
        return _tens_units(norms, k, lang)
    return None, j


def _group(norms: Sequence[str], i: int, lang: str) -> Tuple[int | None, int]:
    """0-999 at ``i``: "one hundred and twenty-five", "ciento veinte", "nineteen hundred"."""
    if i >= len(norms):
        return None, i
    small, hundreds = word_values(lang, "numbers", "words"), word_values(lang, "numbers", "hundreds")
    w = norms[i]
    if w in small:
        value, j = _tens_units(norms, i, lang)
        if lang == "en" and value > 0 and j < len(norms) and norms[j] in hundreds:
            rest, j = _after_scale(norms, j + 1, lang)
            value = value * 100 + (rest or 0)
        return value, j
    if w in hundreds and (lang != "en" or w == "hundred"):
        rest, j = _after_scale(norms, i + 1, lang)
        return int(hundreds[w]) + (rest or 0), j
    return None, i


def _word_number(norms: Sequence[str], i: int, lang: str) -> Tuple[int | None, int, str]:
    """A whole number in words at ``i``, up to the thousands; kind "unread" for a scale word that
    is not read (million, dozen) or a bare "thousand"/"mil": no number at all, never a part."""
    thousands, unread = word_values(lang, "numbers", "thousands"), word_set(lang, "numbers", "unread_scales")
    value, j = _group(norms, i, lang)
    if j < len(norms) and norms[j] in thousands:
        k = j + 1
        if k + 1 < len(norms) and norms[k] in word_set(lang, "numbers", "scale_joiners"):
            k += 1  # "two thousand and nine"
        rest, after = _group(norms, k, lang)
        if value is None and rest is None:
            return None, j + 1, "unread"
        value = (1 if value is None else value) * 1000 + (rest or 0)
        j = after if rest is not None else j + 1
    if j < len(norms) and norms[j] in unread:
        return None, j + 1, "unread"
    if value is None and i < len(norms) and norms[i] in unread:
        return None, i + 1, "unread"
    return value, j, ""


def _year_pair(norms: Sequence[str], i: int, lang: str) -> Tuple[int, int] | None:
    """ "(in) twenty nineteen", "nineteen ninety-nine", "twenty oh nine": a year said in pairs.
    After a cue ("in", "since") any such year; without one only a past year, so "twenty
    thirty" stays two numbers but "nineteen ninety-nine" is never read as 19."""
    small = word_values(lang, "numbers", "words")
    if lang != "en" or small.get(norms[i]) not in (19, 20) or i + 1 >= len(norms):
        return None
    century, k = int(small[norms[i]]) * 100, i + 1
    year = None
    if norms[k] in word_set(lang, "numbers", "zero_words") and k + 1 < len(norms) and 0 < small.get(norms[k + 1], 0) < 10:
        year, end = century + int(small[norms[k + 1]]), k + 2
    elif small.get(norms[k], 0) >= 10:
        low, end = _tens_units(norms, k, lang)
        if end >= len(norms) or norms[end] not in word_values(lang, "numbers", "hundreds"):
            year = century + low
    cued = i > 0 and norms[i - 1] in word_set(lang, "dates", "year_cues")
    return (year, end) if year is not None and (cued or year <= date.today().year) else None


def _decimal_tail(norms: Sequence[str], end: int, value: float, lang: str) -> Tuple[float, int]:
    """ "two point five", "doce coma noventa y nueve", "one point oh five", "2 point 5"."""
    if value != int(value) or end + 1 >= len(norms) or norms[end] not in word_set(lang, "numbers", "decimal_points"):
        return value, end
    k = end + 1
    if norms[k].isdigit():
        return float(f"{int(value)}.{norms[k]}"), k + 1
    digits = ""
    zero = word_set(lang, "numbers", "zero_words")
    small = word_values(lang, "numbers", "words")
    while k < len(norms) and (norms[k] in zero or small.get(norms[k]) == 0):
        digits, k = digits + "0", k + 1  # leading zeros: "point zero five"
    group, after = _group(norms, k, lang)
    if group is not None and group < 10 and after == k + 1:
        while group is not None and group < 10 and after == k + 1:  # "point two five" = .25
            digits, k = digits + str(group), after
            group, after = _group(norms, k, lang)
    elif group is not None:
        digits, k = digits + str(group), after  # "point ninety-nine", "coma cuatrocientos uno"
    return (float(f"{int(value)}.{digits}"), k) if digits else (value, end)


@cache
def _plus_fractions(lang: str) -> Tuple[Tuple[Tuple[str, ...], float], ...]:
    """ "and three quarters", "y cuarto" as (token sequence, value), longest first."""
    table = entries(lang, "numbers", "plus_fractions") or {}
    out = [(tuple(fold_phrase(str(p)).split(" ")), float(v)) for v, phrases in table.items() for p in phrases]
    return tuple(sorted(out, key=lambda pv: -len(pv[0])))


def _half_after(norms: Sequence[str], end: int, lang: str) -> int:
    """How many tokens at ``end`` say "and a half" ("y medio"); 0 if none."""
    for words in _plus_half(lang):
        if tuple(norms[end:end + len(words)]) == words:
            return len(words)
    return 0


def _half_tail(norms: Sequence[str], end: int, value: float, lang: str) -> Tuple[float, int]:
    """ "seven and a half", "siete y medio", "7½", "2 1/2"."""
    tail = norms[end:end + 3]
    added = _half_after(norms, end, lang)
    if added:
        return value + 0.5, end + added
    for words, fraction in _plus_fractions(lang):
        if value == int(value) and tuple(norms[end:end + len(words)]) == words:
            return value + fraction, end + len(words)  # "six and three quarters", "seis y cuarto"
    if tail[:1] and tail[0] in FRACTIONS:
        return value + FRACTIONS[tail[0]], end + 1
    skip = 1 if tail[:1] == ["and"] and len(tail) > 1 else 0  # "4 and 3/4"
    m = _FRACTION_RE.match(tail[skip]) if len(tail) > skip and value == int(value) else None
    if m and 0 < int(m.group(1)) < int(m.group(2)):
        return value + int(m.group(1)) / int(m.group(2)), end + 1 + skip
    return value, end


def _latin_number_at(norms: Sequence[str], i: int, lang: str) -> Tuple[float | None, int, str] | None:
    """The number starting at token ``i`` as (value, end, kind), or None when none starts here."""
    w = norms[i]
    digits = _digits_value(w, lang)
    if digits is not None:
        j = i + 1
        if j < len(norms) and norms[j] in word_set(lang, "numbers", "unread_scales"):
            return None, j + 1, "unread"  # "3 million"
        if j < len(norms) and norms[j] in word_values(lang, "numbers", "thousands") and digits == int(digits):
            return digits * 1000, j + 1, ""  # "2 thousand"
        return digits, j, ""
    m = _MIXED_FRACTION_RE.match(w)
    if m:
        return int(m.group(1)) + FRACTIONS[m.group(2)], i + 1, ""
    if w == "1/2":
        return 0.5, i + 1, ""
    if w in word_set(lang, "numbers", "leading_points"):
        value, end = _decimal_tail(norms, i, 0.0, lang)
        return (value, end, "") if end > i else None
    pair = _year_pair(norms, i, lang)
    if pair:
        return float(pair[0]), pair[1], "year"
    k = i
    scales = (set(word_values(lang, "numbers", "hundreds")) | set(word_values(lang, "numbers", "thousands"))
              | word_set(lang, "numbers", "unread_scales"))
    if w in _articles(lang) and i + 1 < len(norms) and norms[i + 1] in scales:
        k = i + 1  # "a hundred", "a thousand", "a million"
    value, end, kind = _word_number(norms, k, lang)
    if value is None and not kind:
        return None
    return (None if value is None else float(value)), end, kind


def _percent_length(norms: Sequence[str], end: int, lang: str) -> int:
    """How many tokens at ``end`` say "per cent" ("%", "percent", "por ciento"); 0 if none."""
    for phrase in phrase_list(lang, "numbers", "percent_words"):
        words = prepare(phrase).folded.split(" ")
        if list(norms[end:end + len(words)]) == words:
            return len(words)
    return 0


def _month_before(norms: Sequence[str], start: int, lang: str) -> bool:
    """A month name just before ``start``, skipping a day and fillers ("May 5, 2020")."""
    fillers = word_set(lang, "dates", "date_fillers")
    k = start - 1
    while k >= 0 and start - k <= 4 and (norms[k] in fillers or _ORDINAL_RE.match(norms[k])):
        k -= 1
    return k >= 0 and _month_at(norms, k, lang) is not None


def _latin_kind(norms: Sequence[str], start: int, end: int, value: float, lang: str) -> str:
    prev = norms[start - 1] if start else ""
    nxt = norms[end] if end < len(norms) else ""
    if _percent_length(norms, end, lang):
        return "percent"
    if end - start == 1 and norms[start] in word_set(lang, "numbers", "one_words"):
        before_unit_or_number = nxt in _unit_words(lang) or _latin_number_at(norms, end, lang) \
            if nxt else False
        if norms[start] in word_set(lang, "numbers", "article_one") and not before_unit_or_number:
            return "article"
        if nxt in word_set(lang, "numbers", "one_pronoun_after") or (
                prev in word_set(lang, "numbers", "one_pronoun_before") and not before_unit_or_number):
            return "pronoun"
        # "the sick one", "that other one": a determiner, one describing word, then "one"
        if start >= 2 and norms[start - 2] in word_set(lang, "numbers", "one_determiners") and prev.isalpha() \
                and prev not in word_set(lang, "numbers", "one_not_describing") and not before_unit_or_number:
            return "pronoun"
    if value == int(value) and 1900 <= value <= 2100 and (
            prev in word_set(lang, "dates", "year_cues") or _month_before(norms, start, lang)):
        return "year"
    return ""


def _latin_numbers(doc: Doc, lang: str) -> List[_Num]:
    norms = [tok.norm_ for tok in doc]
    found: List[_Num] = []
    i = 0
    while i < len(norms):
        got = _latin_number_at(norms, i, lang)
        if got is None:
            i += 1
            continue
        value, end, kind = got
        if value is not None:
            if kind != "year":
                value, end = _decimal_tail(norms, end, value, lang)
                value, end = _half_tail(norms, end, value, lang)
                kind = _latin_kind(norms, i, end, value, lang)
            found.append(_Num(value, i, end, kind))
            if kind == "percent":
                end += _percent_length(norms, end, lang)  # "por ciento" is no second number
        i = end
    return _mark_ranges(found, norms, lang)


def _mark_ranges(found: List[_Num], norms: Sequence[str], lang: str) -> List[_Num]:
    """Two numbers that give a range ("2-3 months", "3 or 4", "between 4 and 5", "entre 2 y 3",
    "三个月还是四个月", "2到3个月") become one of kind "range": no one value, never two answers.
    A limit may lie between the ends ("6 or 7 months"), so the readers give none and
    ``vague_duration`` says the person is unsure; ``parse_range`` gives both ends."""
    joiners = _phrase_tokens(lang, "range_joiners")
    starts = _phrase_tokens(lang, "range_starts")
    units = _unit_words(lang)
    out: List[_Num] = []
    i = 0
    while i < len(found):
        a = found[i]
        b = found[i + 1] if i + 1 < len(found) else None
        if b is not None and not a.kind and not b.kind and a.value < b.value:
            gap = list(norms[a.end:b.start])
            if lang == "zh":
                gap = ["".join(gap)]
                for u in sorted(units, key=len, reverse=True):
                    if gap[0].startswith(u) and len(gap[0]) > len(u):
                        gap = [gap[0][len(u):]]
                        break
                gap_words = tuple(t.norm_ for t in make_doc(gap[0], "zh")) if gap[0] else ()
            else:
                while gap and gap[0] in units:
                    gap.pop(0)
                gap_words = tuple(gap)
            between = any(tuple(norms[a.start - len(w):a.start]) == w for w in starts) and gap_words in (
                ("and",), ("y",), ("e",), ("和",), ("到",))
            if gap_words in joiners or between:
                out.append(_Num((a.value + b.value) / 2, a.start, b.end, "range", a.value, b.value))
                i += 2
                continue
        out.append(a)
        i += 1
    return out


# --- Chinese: runs of numeral characters ----------------------------------------------------------


def _zh_digit_string(chars: str, decimal: bool) -> Tuple[float | None, str]:
    """Numerals without 十/百/千: one digit, or digits read one by one (二零一九 = 2019; two digits
    so read are a year only, ``_zh_numbers``). Two
    neighbouring digits such as 三四 or 七八 mean "three or four": a range, kind "range", with
    the value between them."""
    digits = [_zh_ints("digits")[c] for c in chars]
    if len(digits) > 15:
        return None, ""  # no age, duration or year is that long
    if not decimal and len(digits) == 2 and digits[0] > 0 and digits[1] == digits[0] + 1:
        return digits[0] + 0.5, "range"  # the ends are the value -/+ 0.5
    return float("".join(str(d) for d in digits)), ("digits" if len(digits) > 1 else "")


def _zh_value(chars: str) -> Tuple[float | None, str]:
    """Value of a run of Chinese numerals, and "digits" when read digit by digit. None when it
    holds a scale that is not read (万), says "N or N+1" (十二三) or is not a number (十一十二)."""
    if any(c in word_set("zh", "numbers", "unread_scales") for c in chars):
        return None, ""
    for c, tens in _zh_ints("tens").items():
        chars = chars.replace(c, _zh_digit_char(tens // 10) + _zh_digit_char_of_ten())
    whole, point, frac = chars.partition("点")
    if point and (not frac or not whole):
        return None, ""
    if not any(c in _zh_ints("multipliers") for c in whole):
        value, kind = _zh_digit_string(whole, bool(point)) if whole else (None, "")
    else:
        value, kind = _zh_with_multipliers(whole), ""
    if value is None or not point:
        return value, kind
    digits = _zh_ints("digits")
    return float(f"{int(value)}.{''.join(str(digits[c]) for c in frac)}"), kind


def _zh_with_multipliers(chars: str) -> float | None:
    """三十一 = 31, 一百零五 = 105, 一百二 = 120, 两千六 = 2600; None for 十一十二 or 十二三."""
    if all(c in _zh_ints("multipliers") and _zh_ints("multipliers")[c] >= 100 for c in chars):
        return None  # 百, 千 alone ("百分之", "千万") are words
    total, current, last_mult, prev = 0, None, 10 ** 9, ""
    for c in chars:
        if c in _zh_ints("digits"):
            if prev in _zh_ints("digits") and _zh_ints("digits")[prev] and _zh_ints("digits")[c]:
                return None  # 十二三: twelve or thirteen
            current = _zh_ints("digits")[c]
        else:
            mult = _zh_ints("multipliers")[c]
            if mult >= last_mult:
                return None
            total += (current or 1) * mult
            last_mult, current = mult, None
        prev = c
    if current:
        # 一百二 is 120 and 两千六 2600: a last digit right after 百/千 counts in the next place down.
        total += current * (last_mult // 10 if prev in _zh_ints("digits") and chars[-2:-1] in
                            [k for k, v in _zh_ints("multipliers").items() if v >= 100] else 1)
    return float(total)


def _zh_skip_single(chars: str, prev: str, nxt: str) -> bool:
    """一/十/formal numerals alone inside ordinary words ("一些", "十分", "陆续", "收拾")."""
    if chars in word_set("zh", "numbers", "formal"):
        return True
    if chars in ("一", "十"):
        return nxt in word_set("zh", "numbers", "not_number_after") or prev in word_set("zh", "numbers", "not_number_before") or (
            chars == "十" and nxt == "分")
    return False


def _zh_two_digit_year(value: float) -> float:
    year = 2000 + int(value)
    return float(year if year <= date.today().year else year - 100)


_ZH_NUMERALS = frozenset(_zh_ints("digits")) | frozenset(_zh_ints("multipliers")) | frozenset(_zh_ints("tens")) | frozenset(
    word_set("zh", "numbers", "unread_scales"))


def _zh_runs(doc: Doc) -> List[Span]:
    """Arabic digit tokens, and the longest runs of Chinese numerals ("三十一", "二零一九", "二点五"),
    in one pass (a Matcher with "+" enumerates every sub-run: quadratic on a long message)."""
    texts = [tok.text for tok in doc]
    runs: List[Span] = []
    i = 0
    while i < len(texts):
        if DIGITS_RE.match(texts[i]):
            runs.append(doc[i:i + 1])
            i += 1
            continue
        j = i
        while j < len(texts) and texts[j] in _ZH_NUMERALS:
            j += 1
        if j > i and j + 1 < len(texts) and texts[j] in word_set("zh", "numbers", "decimal_points") and texts[j + 1] in _zh_ints("digits"):
            j += 1
            while j < len(texts) and texts[j] in _zh_ints("digits"):
                j += 1
        if j > i:
            runs.append(doc[i:j])
        i = max(j, i + 1)
    return runs


def _zh_numbers(doc: Doc) -> List[_Num]:
    texts = [tok.text for tok in doc]
    spans = _zh_runs(doc)
    found: List[_Num] = []
    skip_until = -1
    for idx, span in enumerate(spans):
        s, e = span.start, span.end
        if s < skip_until:
            continue
        prev = texts[s - 1] if s > 0 else ""
        nxt = texts[e] if e < len(texts) else ""
        chars = span.text.replace(" ", "")
        if nxt in word_set("zh", "numbers", "unread_scales") or prev in word_set("zh", "numbers", "unread_scales"):
            continue  # 10万, 100万三千
        if len(span) == 1 and DIGITS_RE.match(span.text):
            value, kind = _digits_value(span.text, "zh"), ""
            if nxt in word_set("zh", "numbers", "decimal_points") and texts[e + 1:e + 2] and texts[e + 1].isdigit() \
                    and value is not None and value == int(value):
                value, e, skip_until = float(f"{int(value)}.{texts[e + 1]}"), e + 2, e + 2  # 2点5岁
                nxt = texts[e] if e < len(texts) else ""
        elif len(chars) == 1 and _zh_skip_single(chars, prev, nxt):
            continue
        else:
            value, kind = _zh_value(chars)
        if value is None and chars == "百" and texts[e:e + 2] == ["分", "之"]:
            value = 100.0  # 百分之八
        if value is None:
            continue
        if prev in word_set("zh", "numbers", "negative"):
            value, s = -value, s - 1
        following = spans[idx + 1] if idx + 1 < len(spans) else None
        if texts[e:e + 2] == ["分", "之"] and following is not None and following.start == e + 2:
            part, _ = _zh_value(following.text.replace(" ", ""))
            if part is not None and value:  # 三分之一 = 1/3; 百分之八 is 8 (per cent)
                found.append(_Num(part if value == 100 else part / value, s, following.end,
                                  "percent" if value == 100 else ""))
            skip_until = following.end
            continue
        after_year = "".join(texts[e + 1:e + 3])
        if nxt == "年" and value == int(value) and (kind == "digits" or value >= 1000 or (
                10 <= value < 100 and len(chars) == 2 and after_year.startswith(
                    tuple(phrase_list("zh", "dates", "birth_year_after"))))):
            value, kind = (_zh_two_digit_year(value) if value < 100 else value), "year"  # 95年的
        elif kind == "digits" and len(chars) == 2 and _zh_ints("digits")[chars[0]]:
            continue  # 五一, 六一, 三八 are holidays: 51 is said 五十一, a year has 年 (零五 is 5)
        elif prev in word_set("zh", "numbers", "ordinal_before"):
            kind = "ordinal"
        elif nxt == "月" and prev != "个" and chars not in ("两", "兩") and value == int(value) \
                and 1 <= value <= 12:
            kind = "month"
        elif nxt == "%":
            kind = "percent"
        elif kind != "range":
            kind = ""
        found.append(_Num(value, s, e, kind, value - 0.5, value + 0.5) if kind == "range" else _Num(value, s, e, kind))
    return _mark_ranges(found, texts, "zh")


def numbers_in(doc: Doc, lang: str) -> List[_Num]:
    """Every number in the doc, with "point five", "and a half", "y medio", "½" added on."""
    return _zh_numbers(doc) if lang == "zh" else _latin_numbers(doc, lang)


# --- Durations ------------------------------------------------------------------------------------


class _Piece(NamedTuple):
    months: float
    start: int
    end: int
    unit: float  # months per unit, to add "39 years 11 months" but not "11 months 39 years"
    age: str = ""  # Chinese "nominal" (虚岁) or "real" (周岁); "" when not said


def _units(doc: Doc, lang: str) -> List[Tuple[int, int, float, str]]:
    """The unit words. A short unit that is also a word of the other language ("y", "m") counts
    only glued to its number or ending the clause ("7y", "7 y." but not "3 y medio"); a Chinese
    unit that starts a longer word (年级, 年代) is none."""
    glued_only = word_set(lang, "numbers", "glued_only_units")
    not_after = word_set(lang, "numbers", "not_unit_after")
    out = []
    for value, _kind, s, e in phrase_spans(doc, "units", lang):
        if doc[s:e].text in glued_only and not (s > 0 and not doc[s - 1].whitespace_) and not (
                e == len(doc) or doc[e].text in CLAUSE_PUNCT):
            continue
        if e < len(doc) and doc[e].text in not_after:
            continue
        out.append((s, e, float(value), doc[s:e].text.replace(" ", "")))
    return out


def _zh_age_kind(norms: Sequence[str], start: int, end: int, unit: str) -> str:
    """虚岁 / 周岁 named by the unit, just before the number ("虚岁8岁", "周岁：7") or in brackets
    after it ("8岁（虚岁）")."""
    before = "".join(norms[max(0, start - 4):start]).rstrip("：:是为有 ")
    after = "".join(norms[end:end + 4])
    for kind, markers in (("nominal", phrase_list("zh", "numbers", "nominal_age")), ("real", phrase_list("zh", "numbers", "real_age"))):
        if unit in markers or any(before.endswith(m) or after.startswith(("（" + m, "(" + m))
                                  for m in markers):
            return kind
    return ""


def _zh_piece(doc: Doc, norms: Sequence[str], by_end: Dict[int, _Num], us: int, ue: int,
              mult: float, unit: str) -> _Piece | None:
    value: float | None = None
    start, end = us, ue
    halves = word_set("zh", "numbers", "half_words")
    if us >= 1 and norms[us - 1] in _zh_ints("count_words"):  # 俩月, 仨星期
        value, start = float(_zh_ints("count_words")[norms[us - 1]]), us - 1
    elif unit == "月":  # bare 月 is a month name ("三月"), except in 两个半月 / 三个多月
        if us >= 2 and norms[us - 1] in ("半", "多") and norms[us - 2] == "个" and (us - 2) in by_end:
            n = by_end[us - 2]
            value, start = n.value + (0.5 if norms[us - 1] == "半" else 0.0), n.start
    elif us >= 1 and norms[us - 1] in halves:
        value, start = 0.5, us - 1
    elif us in by_end:
        value, start = by_end[us].value, by_end[us].start
    elif us >= 1 and norms[us - 1] == "多" and (us - 1) in by_end:  # 三十多岁
        value, start = by_end[us - 1].value, by_end[us - 1].start
    if value is None or (unit == "年" and value >= 1000):  # 2019年 is a date
        return None
    if ue < len(doc) and norms[ue] in halves:  # 一岁半, 一年半
        value, end = value + 0.5, ue + 1
    return _Piece(value * mult, start, end, mult, _zh_age_kind(norms, start, end, unit))


def _number_after_unit(norms: Sequence[str], by_start: Dict[int, _Num], ue: int,
                       unit_starts: FrozenSet[int]) -> _Num | None:
    """The number a unit names when it comes first: "day 28", "week 10", "month 3 after the
    infusion", "al día 28", "día +28" (a day of treatment, counted from the infusion). Not when
    that number has a unit of its own ("a year 3 months")."""
    k = ue + 1 if ue < len(norms) and norms[ue] == "+" else ue
    plus = re.match(r"^\+(\d{1,3})$", norms[ue]) if ue < len(norms) else None
    if plus:
        return _Num(float(plus.group(1)), ue, ue + 1)
    n = by_start.get(k)
    if n is None or n.end in unit_starts or n.value != int(n.value):
        return None
    return n


_ORDINAL_SUFFIX_RE = re.compile(r"^(\d{1,3})(?:st|nd|rd|th|º|°|o|er|a)$")


def _latin_piece(norms: Sequence[str], by_end: Dict[int, _Num], us: int, ue: int, mult: float,
                 lang: str, by_start: Dict[int, _Num] | None = None,
                 unit_starts: FrozenSet[int] = frozenset()) -> _Piece | None:
    value: float | None = None
    start, end = us, ue
    halves = word_set(lang, "numbers", "half_words")
    k = us - 1 if us >= 1 and norms[us - 1] == "-" else us
    after = _number_after_unit(norms, by_start or {}, ue, unit_starts) if k not in by_end and \
        " ".join(norms[us:ue]) in word_set(lang, "numbers", "leading_units") else None
    ordinal = _ORDINAL_SUFFIX_RE.match(norms[k - 1]) if k >= 1 else None
    if k in by_end:
        value, start = by_end[k].value, by_end[k].start
    elif ordinal:  # "the 4th month"
        value, start = float(ordinal.group(1)), k - 1
    elif after is not None:
        value, end = after.value, after.end
        return _Piece(value * mult, start, end, mult)
    elif _half_after(norms, ue, lang) and not (k >= 1 and norms[k - 1] in _articles(lang)):
        value = 1.0  # "año y medio", "mes y medio": one and a half
    elif k >= 1 and norms[k - 1] in _articles(lang):
        value, start = 1.0, k - 1
        if k >= 2 and norms[k - 2] in halves:  # half a year
            value, start = 0.5, k - 2
    elif k >= 1 and norms[k - 1] in halves:  # half year, a half year, medio año
        value, start = 0.5, k - 1
        if k >= 2 and norms[k - 2] in _articles(lang):
            start = k - 2
    if value is None:
        return None
    added = _half_after(norms, ue, lang)
    if added:
        value, end = value + 0.5, ue + added
    return _Piece(value * mult, start, end, mult)


def _duration_pieces(doc: Doc, lang: str, drop_ago: bool = False) -> List[_Piece]:
    """Each "number + unit" in the doc (and in Chinese a number after 虚岁/周岁 alone); with
    ``drop_ago`` not those said as a time ago ("diagnosed 2 years ago" is no age), which still
    answer "how long ago" questions."""
    nums = [n for n in numbers_in(doc, lang) if n.kind not in _KINDS_NOT_QUANTITY]
    by_end = {n.end: n for n in nums}
    by_start = {n.start: n for n in nums}
    norms = [tok.norm_ for tok in doc]
    pieces = []
    units = _units(doc, lang)
    unit_starts = frozenset(u[0] for u in units)
    for us, ue, mult, unit in units:
        piece = (_zh_piece(doc, norms, by_end, us, ue, mult, unit) if lang == "zh"
                 else _latin_piece(norms, by_end, us, ue, mult, lang, by_start, unit_starts))
        if piece is not None:
            pieces.append(piece)
    if lang == "zh":  # "虚岁8", "周岁：7" without 岁 after the number
        for n in nums:
            age = _zh_age_kind(norms, n.start, n.end, "")
            if age and not any(p.start <= n.start < p.end for p in pieces) and not (
                    n.end < len(norms) and norms[n.end] in _unit_words("zh")):
                pieces.append(_Piece(n.value * 12, n.start, n.end, 12, age))
    return sorted((p for p in pieces if not (drop_ago and _ago(doc, p, lang))), key=lambda p: p.start)


def _ago(doc: Doc, piece: _Piece, lang: str) -> bool:
    """ "2 years ago", "hace 2 años", "三个月前": a point in time, neither an age nor a duration."""
    norms = [t.norm_ for t in doc]
    lo, _ = _clause_of(doc, piece.start, lang)
    if lang != "zh" and any(norms[k] in word_set(lang, "dates", "birth_cues") for k in range(lo, piece.start)):
        return False  # "born 7 years ago" is an age
    if lang == "zh" and any(c in "".join(norms[lo:piece.end + 3]) for c in phrase_list("zh", "dates", "birth_cues")):
        return False  # 七年前出生的
    return _ends_at(norms, piece.start, 0, "ago_before", lang) >= 0 or any(
        tuple(norms[piece.end:piece.end + len(w)]) == w for w in _phrase_tokens(lang, "ago_after"))


def _ago_spans(doc: Doc, lang: str) -> List[Tuple[int, int]]:
    """The numbers of "2 years ago" and the like, which are no bare number either."""
    norms = [t.norm_ for t in doc]
    out = []
    for n in numbers_in(doc, lang):
        k = n.end
        for us, ue, _m, _u in _units(doc, lang):
            if us == k:
                k = ue
        piece = _Piece(0.0, n.start, k, 1.0)
        if k > n.end and _ago(doc, piece, lang) or (k == n.end and any(
                tuple(norms[k:k + len(w)]) == w for w in _phrase_tokens(lang, "ago_after")) and lang != "zh"):
            out.append((n.start, n.end))
    return out




def _breaks(doc: Doc, lang: str) -> FrozenSet[int]:
    """Token positions that end a clause for reading numbers: punctuation, a conjunction
    ("and", "but", "y", "pero", "和", "但是"), and in Chinese a space between two words that are
    not a number and its unit ("他 七岁 上个月复发" as dictated). A break at i means token i is no
    part of either clause; ``_ZERO`` marks a break between i - 1 and i."""
    out = {i for i, t in enumerate(doc) if t.text in CLAUSE_PUNCT} | _word_breaks(doc, lang)
    if lang == "zh":
        unit_starts = {u[0] for u in _unit_words("zh")}
        for i in range(1, len(doc)):
            a, b = doc[i - 1], doc[i]
            if a.whitespace_ and not (a.text.isascii() and a.text.isalpha()) and not (
                    b.text.isascii() and b.text.isalpha()) and b.text[0] not in unit_starts:
                out.add(_ZERO + i)
    return frozenset(out)


def _word_breaks(doc: Doc, lang: str) -> FrozenSet[int]:
    """The tokens of the conjunctions that join two clauses ("and", "pero", "但是")."""
    norms = [t.norm_ for t in doc]
    out: set = set()
    for i in range(1, len(norms)):
        for w in _phrase_tokens(lang, "clause_words"):
            if tuple(norms[i:i + len(w)]) == w:
                out.update(range(i, i + len(w)))
                break
    return frozenset(out)


def _joined(doc: Doc, a: int, b: int, lang: str) -> bool:
    """Whether a conjunction stands between tokens ``a`` and ``b`` ("she's 7 and he's 10")."""
    lo, hi = min(a, b), max(a, b)
    return any(lo < i < hi for i in _word_breaks(doc, lang))


_ZERO = 1 << 20  # offset for a break that falls between two tokens


def _clause_of(doc: Doc, start: int, lang: str = "en") -> Tuple[int, int]:
    breaks = _breaks(doc, lang)
    lo = start
    while lo > 0 and lo - 1 not in breaks and _ZERO + lo not in breaks:
        lo -= 1
    hi = start
    while hi < len(doc) and hi not in breaks and (hi == start or _ZERO + hi not in breaks):
        hi += 1
    return lo, hi


@cache
def _phrase_tokens(lang: str, key: str) -> Tuple[Tuple[str, ...], ...]:
    """The phrases of ``numbers.yml[key]`` as token sequences, longest first; a Chinese phrase
    that ends in a numeral ("快八") loses it: the number is read, not matched."""
    out = set()
    codes = ("en", "es") if lang in ("en", "es") else (lang,)  # a Latin text is read as both
    for phrase in (p for code in codes for p in phrase_list(code, "numbers", key)):
        p = fold_phrase(str(phrase))
        if lang == "zh":
            p = p.rstrip("0123456789" + "".join(_ZH_NUMERALS))
        words = tuple(t.norm_ for t in make_doc(p, lang)) if p else ()
        if words:
            out.add(words)
    return tuple(sorted(out, key=len, reverse=True))


def _ends_at(norms: Sequence[str], end: int, lo: int, key: str, lang: str, gap: int = 0,
             blocked: FrozenSet[int] = frozenset()) -> int:
    """Where a phrase of ``key`` starts when it ends at ``end`` or up to ``gap`` tokens before it
    (none of them in ``blocked``), inside [lo, end); -1 if none."""
    for g in range(gap + 1):
        e = end - g
        if any(i in blocked for i in range(e, end)):
            break
        for words in _phrase_tokens(lang, key):
            if e - len(words) >= lo and tuple(norms[e - len(words):e]) == words:
                return e - len(words)
    return -1


def _hedged(doc: Doc, start: int, end: int, lang: str, taken: FrozenSet[int]) -> bool:
    """Whether the number at [start, end) is an age not reached yet: "almost 8", "turning 29",
    "快八岁", "casi 8", "40 next week", "sixteen in april". Only the number beside the word:
    "almost 8, his sister is 12" hedges 8 and not 12. ``taken`` are the tokens of numbers."""
    norms = [t.norm_ for t in doc]
    lo, hi = _clause_of(doc, start, lang)
    if _ends_at(norms, start, lo, "reached", lang, gap=2, blocked=taken) >= 0:
        return False  # "I turned 22 in october", "cumplió 12 en mayo"
    if _ends_at(norms, start, lo, "approaching", lang, gap=2, blocked=taken) >= 0:
        return True
    if _has_words(doc, lo, start, lang, "future_before"):
        return True  # "明年三月满十岁", "next year she'll be": said of a time still to come
    k = end
    for us, ue, _mult, _unit in _units(doc, lang):
        if us == k:
            k = ue
    for words in _phrase_tokens(lang, "approaching_after"):
        if k + len(words) <= hi and tuple(norms[k:k + len(words)]) == words:
            return True
    # "sixteen in april", "10 en marzo": an age said with a month still to come
    return lang != "zh" and k + 1 < hi and norms[k] in word_set(lang, "numbers", "birthday_cues") and \
        norms[k + 1] in word_values(lang, "dates", "months")


def _other_person(doc: Doc, start: int, lang: str, taken: FrozenSet[int]) -> bool:
    """Whether the number at ``start`` is said of someone else: "his sister is 12", "她弟弟三岁",
    "su hermano 8" (another person named before it in its clause, no number between)."""
    norms = [t.norm_ for t in doc]
    lo, _ = _clause_of(doc, start, lang)
    return _ends_at(norms, start, lo, "other_people", lang, gap=4, blocked=taken) >= 0


def _taken(nums: Sequence[_Num]) -> FrozenSet[int]:
    return frozenset(i for n in nums for i in range(n.start, n.end))


def _has_words(doc: Doc, lo: int, hi: int, lang: str, key: str, topic: str = "numbers") -> bool:
    """A phrase of ``<topic>.yml[key]`` in tokens [lo, hi) (Chinese: anywhere in those characters)."""
    norms = [t.norm_ for t in doc[lo:hi]]
    text = "".join(norms) if lang == "zh" else " " + " ".join(norms) + " "
    for phrase in phrase_list(lang, topic, key):
        p = fold_phrase(phrase)
        if (p.replace(" ", "") in text) if lang == "zh" else (" " + " ".join(
                t.norm_ for t in make_doc(p, lang)) + " ") in text:
            return True
    return False


def _bound_before(doc: Doc, start: int, lang: str) -> str:
    """ "below" / "above" when a bound word stands right before the duration ("不到一个月",
    "less than 3 months", "más de un año"), or right after it in Chinese ("一个月以内");
    "near_below" / "near_above" for "just under", "a little over", "poco más de": a value
    just beside the one given, no bound. A bound word inside a longer "about" word is none
    (差不多 ends in 多 but says "about")."""
    norms = [t.norm_ for t in doc]
    for kind in ("near_below", "near_above"):
        if _ends_at(norms, start, 0, kind, lang) >= 0:
            return kind
    about = _ends_at(norms, start, 0, "about", lang)
    for kind in ("below", "above"):
        for phrase in phrase_list(lang, "numbers", kind):
            words = tuple(t.norm_ for t in make_doc(fold_phrase(phrase), lang))
            n = len(words)
            if start >= n and tuple(t.norm_ for t in doc[start - n:start]) == words and not (
                    0 <= about < start - n):
                return kind
    return ""


def _group_kind(doc: Doc, group: List[_Piece], lang: str) -> str:
    return _bound_before(doc, group[0].start, lang)


def _is_age_unit(doc: Doc, piece: _Piece, lang: str) -> bool:
    units = word_set(lang, "numbers", "age_units")
    text = "".join(t.norm_ for t in doc[piece.start:piece.end]) if lang == "zh" else \
        " ".join(t.norm_ for t in doc[piece.start:piece.end])
    return any(u.replace(" ", "") in text if lang == "zh" else text.endswith(u) for u in units)


def _choose(doc: Doc, groups: List[List[_Piece]], lang: str, for_age: bool | None = None) -> List[_Piece] | None:
    """Of several durations: one given plainly over a bound ("不到一个月，三个礼拜左右"), one said
    of the patient over one said of someone else ("7, his sister is 12"), one reached over one
    to come ("6岁，下个月7岁"), one outside a clause about a relapse over one inside it, one said
    of now over one said of then ("diagnosed when he was 3, he's 7 now"), and of answers that agree ("一岁半，18个月") the most precise. Two ages that
    disagree with nothing to tell them apart give none (the question is asked again)."""
    if len(groups) == 1:
        return groups[0]
    nums = numbers_in(doc, lang)
    taken = _taken(nums)
    if for_age:
        groups = [g for g in groups if not _other_person(doc, g[0].start, lang, taken)] or groups
        groups = [g for g in groups if not _hedged(doc, g[0].start, g[-1].end, lang, taken)] or groups
        if len(groups) == 1:
            return groups[0]
    plain = [g for g in groups if not _group_kind(doc, g, lang)] or groups
    clauses = {id(g): _clause_of(doc, g[0].start, lang) for g in plain}
    # "gone at 2 months, she relapsed 5 months after", "三个月，复发是在半年后": a number in a
    # clause about another event (a relapse) answers neither question while another is left.
    plain = [g for g in plain if not _has_words(doc, *clauses[id(g)], lang, "other_event_words")] or plain
    now = [g for g in plain if _has_words(doc, *clauses[id(g)], lang, "now_words")]
    then = [g for g in plain if _has_words(doc, *clauses[id(g)], lang, "then_words")]
    candidates = now or [g for g in plain if g not in then] or plain
    values = [sum(p.months for p in g) for g in candidates]
    spread = max(values) - min(values)  # ages a year apart are two ages, not one said twice
    if spread < 12 or (spread == 12 and not for_age):
        return max(candidates, key=lambda g: (len(g), g[0].start))
    if for_age and any(_joined(doc, candidates[0][0].start, g[0].start, lang) for g in candidates[1:]):
        return None  # "他7岁和他10岁": which is the patient's? Asked again.
    return candidates[0]


def _short_of(doc: Doc, groups: List[List[_Piece]], lang: str) -> List[List[_Piece]]:
    """ "差两个月满七岁", "le faltan 2 semanas para los 6", "3 weeks off her 6th birthday": a time
    short of the age after it is that age less the time (5 years 11 months), one answer instead
    of two, and never the time itself as the age. A time before something that is no age ("2
    weeks before christmas 2018") is no age either: it is left out."""
    norms = [t.norm_ for t in doc]
    nums = numbers_in(doc, lang)
    out: List[List[_Piece]] = []
    i = 0
    while i < len(groups):
        g = groups[i]
        nxt = groups[i + 1] if i + 1 < len(groups) else None
        before = _ends_at(norms, g[0].start, 0, "short_of", lang, gap=2) >= 0
        after = _starts_at(norms, g[-1].end, "short_of_after", lang)
        if before or after:
            lo, hi = _clause_of(doc, g[0].start, lang)
            short = sum(p.months for p in g)
            if nxt is not None and lo <= nxt[0].start < hi:
                age, end, skip = sum(p.months for p in nxt), nxt[-1].end, 2
            else:
                target = _age_number_after(norms, nums, g[-1].end, hi)
                age, end, skip = (target[0] * 12, target[1], 1) if target else (0.0, 0, 1)
            if 0 < short < age:
                out.append([g[-1]._replace(start=g[0].start, end=end, months=age - short, unit=1.0)])
                i += skip
                continue
            if after:  # "2 weeks before christmas": a distance to a date, no age
                i += 1
                continue
        out.append(g)
        i += 1
    return out


def _starts_at(norms: Sequence[str], start: int, key: str, lang: str) -> bool:
    """Whether a phrase of ``numbers.yml[key]`` starts at token ``start``."""
    return any(tuple(norms[start:start + len(w)]) == w for w in _phrase_tokens(lang, key))


def _age_number_after(norms: Sequence[str], nums: Sequence[_Num], start: int, hi: int
                      ) -> Tuple[float, int] | None:
    """The first age after ``start`` in its clause, a bare number or an ordinal ("her 6th
    birthday", "para los 6"); None when the first number there is a year or a date."""
    for k in range(start, hi):
        n = next((n for n in nums if n.start == k), None)
        if n is not None:
            return (n.value, n.end) if n.kind in ("", "ordinal") else None
        m = _ORDINAL_SUFFIX_RE.match(norms[k])
        if m:
            return float(m.group(1)), k + 1
    return None


def _from_now(doc: Doc, start: int, lang: str) -> bool:
    """Whether the duration at token ``start`` follows "in" / "within" / "dentro de" (an article
    aside): a time from now ("in a month", "en dos semanas")."""
    k = start
    if k > 0 and doc[k - 1].norm_ in _articles(lang) | word_set(lang, "numbers", "one_words"):
        k -= 1
    before = tuple(t.norm_ for t in doc[max(0, k - 2):k])
    for words in phrase_list(lang, "numbers", "from_now_before"):
        seq = tuple(fold_phrase(str(words)).split(" "))
        if len(before) >= len(seq) and before[-len(seq):] == seq:
            return True
    return False


def _duration_hits(t: Prepared, doc: Doc, lang: str, for_age: bool | None = None) -> List[Hit]:
    pieces = _duration_pieces(doc, lang, drop_ago=bool(for_age))
    if for_age is False:  # "现在孩子7岁" is the child's age, not how many months after CAR-T
        pieces = [p for p in pieces if not _is_age_unit(doc, p, lang)]
    if for_age:  # "she'll be 12 in a month": a time from now is no age
        pieces = [p for p in pieces if not _from_now(doc, p.start, lang)]
    if not pieces:
        return []
    groups: List[List[_Piece]] = [[pieces[0]]]
    for piece in pieces[1:]:
        prev = groups[-1][-1]
        gap = [tok.norm_ for tok in doc[prev.end:piece.start]]
        # "39 years and 11 months" adds up; "一岁半，18个月" says the same thing twice, and
        # "不到一个月，三个礼拜左右" gives a bound, then the answer.
        if piece.start >= prev.end and all(g in _duration_joiners() for g in gap) and \
                piece.unit < prev.unit and piece.months < prev.unit and not _group_kind(doc, groups[-1], lang):
            groups[-1].append(piece)
        else:
            groups.append([piece])
    groups = _short_of(doc, groups, lang) if for_age else groups
    if not groups:  # only a time before a date ("born 2 weeks before christmas 2018")
        return []
    # A real age (周岁) beats a nominal one (虚岁); a nominal age alone is one year more than the
    # real age, and is flagged so the assistant can check it with the person.
    ages = [next((p.age for p in g if p.age), "") for g in groups]
    kind = "nominal" if "nominal" in ages and "real" not in ages else ""
    chosen = groups[ages.index("real")] if "real" in ages else (
        groups[ages.index("nominal")] if kind else _choose(doc, groups, lang, for_age))
    if chosen is None:
        return [Hit(None, 0, len(t.original), "unclear")]
    months = round(sum(p.months for p in chosen), 4)
    if kind:
        months = max(months - 12, 0.0)
    bound = kind or _group_kind(doc, chosen, lang)
    if bound.startswith("near_"):  # "just under 3 months" = 2.75; "a little over 6 months" is over 6
        step = 0.25 * min(chosen[-1].unit, 1.0)
        months, bound = round(months + (step if bound == "near_above" else -step), 4), ""
    return [Hit(months, *span_offsets(t, doc, chosen[0].start, chosen[-1].end), bound)]


def duration(text: str, lang: str | None, for_age: bool | None = None) -> Hit | None:
    _, hits = run(text, lang, partial(_duration_hits, for_age=for_age))
    if any(h.kind == "unclear" for h in hits):
        return None
    if not hits:
        return None
    return sorted(hits, key=lambda h: (h.start, -(h.end - h.start)))[0]


class Duration(NamedTuple):
    months: float
    kind: str  # "" as given; "nominal" (虚岁); "below" / "above" a bound ("less than a month")


def parse_duration(text: str, lang: str | None = None, for_age: bool | None = None) -> Duration | None:
    """The duration or age in the text with how it was given; ``for_age`` False leaves out ages
    ("现在孩子7岁" when asked how many months after CAR-T), True reads ages."""
    hit = duration(as_text(text), lang, for_age)
    return Duration(float(hit.value), hit.kind) if hit else None  # type: ignore[arg-type]


@cache
def _vague_pattern(lang: str):
    words = [fold_phrase(w) for w in phrase_list(lang, "numbers", "vague")]
    units = sorted({fold_phrase(u) for g in (entries(lang, "numbers", "units") or {}).values() for u in g}, key=len, reverse=True)
    if not words or not units:
        return None
    sep = "" if lang == "zh" else r"\s+(?:of\s+)?"
    return re.compile("(?:" + "|".join(map(re.escape, words)) + ")" + sep + "(?:" + "|".join(map(re.escape, units)) + ")")


def _range_hits(t: Prepared, doc: Doc, lang: str) -> List[Hit]:
    out = []
    for n in numbers_in(doc, lang):
        if n.kind == "range":
            out.append(Hit((n.low, n.high), *span_offsets(t, doc, n.start, n.end)))
    return out


def parse_range(text: str, lang: str | None = None) -> Tuple[float, float] | None:
    """The two ends of the first range in the text, as numbers ("3 or 4 months" = (3, 4),
    "两三个月" = (2, 3)); the unit is not applied. For a reader that knows its limits: both ends
    on one side of a limit decide; a limit between them must be asked."""
    _, hits = run(text, lang, _range_hits)
    return min(hits, key=lambda h: h.start).value if hits else None  # type: ignore[return-value]


def range_ends(text: str, lang: str | None = None) -> Tuple[str, str] | None:
    """The text with its first range said at each end: "4-5 months" -> ("4 months", "5 months"),
    "两三个月" -> ("2个月", "3个月"). The caller reads each end with its units, and decides only
    when no limit lies between them."""
    _, hits = run(text, lang, _range_hits)
    if not hits:
        return None
    first = min(hits, key=lambda h: h.start)

    def said(v: float) -> str:
        return str(int(v)) if float(v).is_integer() else str(v)

    low, high = first.value  # type: ignore[misc]
    return tuple(f"{text[:first.start]}{said(v)}{text[first.end:]}" for v in (low, high))  # type: ignore[return-value]


def vague_duration(text: str) -> bool:
    """ "a few months", "几个月", "unos meses": a duration with no number to it; or a range
    ("3 or 4 months", "两三个月", "七八岁"), which is no one value either."""
    folded = prepare(as_text(text)).folded
    if any(p is not None and p.search(folded) for p in (_vague_pattern(code) for code in LANGUAGES)):
        return True
    return parse_range(text) is not None


def parse_duration_months(text: str, lang: str | None = None) -> float | None:
    """A duration or age given WITH a unit, in total months; None without a unit.

    Adjacent pieces add up ("39 years and 11 months" = 479); weeks are a quarter month, days
    1/30. A bare Chinese "月" after a number is a month name (三月 = March), so only 个月 counts;
    a year before 年 (2019年, 二零一九年) is a calendar year. A Chinese nominal age (虚岁) gives
    the real age, one year less, unless the real age (周岁) is given too; ``extract_entities``
    flags the first case with a ``nominal_age_years`` entity.
    """
    hit = duration(text, lang)
    return float(hit.value) if hit else None  # type: ignore[arg-type]


# --- Bare numbers ---------------------------------------------------------------------------------


def _counted(doc: Doc, n: _Num, lang: str) -> bool:
    """A number that counts or names things is neither an age nor a number of months: a Chinese
    number before a measure word ("一个回答", "三次"), "one answer", "wait one minute",
    "answer 3", "la pregunta número 5"."""
    if lang == "zh":
        return n.end < len(doc) and doc[n.end].text in word_set("zh", "numbers", "counters")
    counted = latin_word_set("numbers", "counted")  # both tables: every Latin text is read as English and as Spanish
    if n.end < len(doc) and doc[n.end].norm_ in counted:
        return True
    before = [doc[i].norm_ for i in range(max(n.start - 2, 0), n.start)]
    return bool(before) and (before[-1] in counted or before[-1] in latin_word_set("numbers", "number_labels")
                             and len(before) == 2 and before[0] in counted)


def _number_hits(t: Prepared, doc: Doc, lang: str) -> List[Hit]:
    if _duration_pieces(doc, lang, drop_ago=True):
        return [Hit(None, 0, len(t.original), "unit")]
    # The day and month of a date ("born March 4, 2015", "2015年3月4日") are no age either.
    dated = [(d.start, d.end) for d in _dates(t, doc, lang) if d.month or d.day] + _ago_spans(doc, lang)
    nums = numbers_in(doc, lang)
    taken = _taken(nums)
    hits = []
    for n in nums:
        skip = n.kind in _KINDS_NOT_BARE or _counted(doc, n, lang) or any(
            s <= n.start < e for s, e in dated)
        clause = _clause_of(doc, n.start, lang)
        when = "now" if _has_words(doc, *clause, lang, "now_words") else (
            "then" if _has_words(doc, *clause, lang, "then_words")
            or _has_words(doc, *clause, lang, "other_event_words") else "")  # "relapsed at 10"
        if not skip and _other_person(doc, n.start, lang, taken):
            when = "other"
        elif not skip and when != "now" and _hedged(doc, n.start, n.end, lang, taken):
            when = "soon"
        hits.append(Hit(None if skip else n.value, *span_offsets(t, doc, n.start, n.end),
                        "skip" if skip else when))
    # The conjunctions, for ``number`` to tell two ages apart
    hits.extend(Hit(None, *span_offsets(t, doc, i, i + 1), "join") for i in _word_breaks(doc, lang))
    return hits


_CUE_ORDER = ("other", "soon", "then", "now")


def _cues_shared(hits: List[Hit]) -> List[Hit]:
    """The same number read in two languages keeps what either language's words say of it: "im
    38 but 39 in feb" is hedged by the English month even where the Spanish reading sees none."""
    out = []
    for h in hits:
        same = [k.kind for k in hits if (k.start, k.end, k.value) == (h.start, h.end, h.value)]
        kind = next((c for c in _CUE_ORDER if c in same), h.kind)
        out.append(Hit(h.value, h.start, h.end, kind))
    return out


def number(text: str, lang: str | None) -> Hit | None:
    """The first bare number. What one language reads as a year, a pronoun or an article is no
    number in the other either ("en 2019", "the one")."""
    _, hits = run(text, lang, _number_hits)
    if any(h.kind == "unit" for h in hits):
        return None
    joins = [h for h in hits if h.kind == "join"]
    hits = [h for h in hits if h.kind != "join"]
    skips = [h for h in hits if h.kind == "skip"]
    kept = _cues_shared([h for h in hits if h.kind != "skip" and not any(
        h.start < s.end and s.start < h.end for s in skips)])
    # The patient's over someone else's ("7, his sister is 12"), one reached over one to come
    # ("11, nearly 12"), and "diagnosed in 2022 when he was 3, he's 7 now": the one said of now.
    kept = [h for h in kept if h.kind != "other"] or kept
    kept = [h for h in kept if h.kind != "soon"] or kept
    kept = [h for h in kept if h.kind == "now"] or [h for h in kept if h.kind != "then"] or kept
    kept = sorted(kept, key=lambda h: (h.start, -(h.end - h.start)))
    if any(h.value != kept[0].value and any(kept[0].end <= j.start < h.start for j in joins) for h in kept[1:]):
        return None  # "she's 7 and he's 10": which one is the patient's? Asked again.
    return kept[0] if kept else None


def parse_number(text: str, lang: str | None = None) -> float | None:
    """The first bare number (digits or words) in the text; None when there is a unit.

    "7,5" is 7.5 (a comma followed by exactly three digits is a thousands separator, except in
    Spanish where the comma is always decimal). Not numbers: Spanish "un"/"una" as an article,
    "one" as a pronoun ("no one knows"), a calendar year ("in 2019", "二零一九年"), a month name,
    a percentage, and any number with a scale word that is not read ("a thousand", "一万"):
    those give None rather than a part of a number.
    """
    hit = number(text, lang)
    return float(hit.value) if hit else None  # type: ignore[arg-type]


class NumberFound(NamedTuple):
    value: float
    start: int  # character offsets in the original text
    end: int
    kind: str  # "" a quantity; "year", "month", "percent" (pronouns and articles are left out)


def _found_hits(t: Prepared, doc: Doc, lang: str) -> List[Hit]:
    return [Hit(n.value, *span_offsets(t, doc, n.start, n.end), f"{lang}:{n.kind}")
            for n in numbers_in(doc, lang) if n.kind not in ("pronoun", "article")]


def find_numbers(text: str, lang: str | None = None) -> List[NumberFound]:
    """Every number the parser reads in the text, in order, with its kind (for measurement and
    debugging: the answers come from ``parse_number`` / ``parse_duration_months``). When English
    and Spanish read the same words differently, ``lang``'s reading wins."""
    t, hits = run(text, lang, _found_hits)
    first = lang if lang in LANGUAGES else (guess(t, margin=2) or "en")
    ranked = sorted(hits, key=lambda h: (-(h.end - h.start), h.start, not h.kind.startswith(first)))
    kept: List[Hit] = []
    for hit in ranked:
        if all(hit.end <= k.start or hit.start >= k.end for k in kept):
            kept.append(hit)
    return [NumberFound(float(h.value), h.start, h.end, h.kind.partition(":")[2])  # type: ignore[arg-type]
            for h in sorted(kept, key=lambda h: h.start)]


# --- Dates: calendar years, month spans, dates of birth -------------------------------------------


class _Date(NamedTuple):
    year: int | None
    month: int | None
    day: int | None
    start: int  # token offsets
    end: int
    month_last: int | None = None  # 3/4/1995: March or April, the order is not known


def _month_at(norms: Sequence[str], i: int, lang: str) -> int | None:
    months = word_values(lang, "dates", "months")
    w = norms[i]
    if w not in months:
        return None
    if w in word_set(lang, "dates", "month_words_need_cue"):
        prev = norms[i - 1] if i else ""
        nxt = norms[i + 1] if i + 1 < len(norms) else ""
        day_before = bool(_ORDINAL_RE.match(prev)) and prev[:2].rstrip("stndrh").isdigit() and \
            1 <= int(re.match(r"\d+", prev).group()) <= 31  # type: ignore[union-attr]
        if prev not in word_set(lang, "dates", "month_cues") and not _ORDINAL_RE.match(nxt) and not (
                nxt.isdigit() and len(nxt) == 4) and not day_before:
            return None  # "I may be wrong", "they march"
    return int(months[w])


def _latin_dates(doc: Doc, lang: str, loose: bool) -> List[_Date]:
    """Month names with their day and year, and years alone: those after a cue ("in 2019"), and
    with ``loose`` any four digits from 1900 to 2100 (near a birth word, "DOB: 2015")."""
    norms = [tok.norm_ for tok in doc]
    nums = _latin_numbers(doc, lang)
    years = {n.start: n for n in nums if n.kind == "year" or (
        n.value == int(n.value) and 1900 <= n.value <= 2100 and len(norms[n.start]) == 4)}
    if loose:  # "born in 98", "born in '88", "nací en el 98": a year in two digits after a cue
        for n in nums:
            prev = norms[n.start - 1] if n.start else ""
            beside_month = any(0 <= k < len(norms) and _month_at(norms, k, lang) is not None
                               for k in (n.start - 1, n.end, n.end + 1))  # "born 14 Feb 2019": a day
            if len(norms[n.start]) == 2 and norms[n.start].isdigit() and n.end - n.start == 1 and not beside_month and (
                    prev in word_set(lang, "dates", "year_cues") or prev in ("'", "’")):
                years[n.start] = n._replace(value=_zh_two_digit_year(n.value), kind="year")
    fillers = word_set(lang, "dates", "date_fillers")
    dates: List[_Date] = []
    used: set = set()
    for i in range(len(norms)):
        month = _month_at(norms, i, lang)
        if month is None:
            continue
        day, year, start, end = None, None, i, i + 1
        k = i - 1
        while k >= 0 and norms[k] in fillers and i - k <= 2:
            k -= 1
        m = _ORDINAL_RE.match(norms[k]) if k >= 0 else None
        if m and 1 <= int(m.group(1)) <= 31 and k not in years:
            day, start = int(m.group(1)), k  # 5 January, 5 de enero
        k = i + 1
        while k < len(norms) and k - i <= 4:
            m = _ORDINAL_RE.match(norms[k])
            if k in years:
                year, end = int(years[k].value), years[k].end
                break
            if m and day is None and 1 <= int(m.group(1)) <= 31:
                day, end = int(m.group(1)), k + 1  # January 5th
            elif norms[k] not in fillers:
                break
            k += 1
        used.update(range(start, end))
        dates.append(_Date(year, month, day, start, end))
    for start, n in years.items():
        if (loose or n.kind == "year") and start not in used:
            dates.append(_Date(int(n.value), None, None, n.start, n.end))
    return sorted(dates, key=lambda d: d.start)


def _zh_dates(doc: Doc) -> List[_Date]:
    texts = [tok.text for tok in doc]
    nums = _zh_numbers(doc)
    by_start = {n.start: n for n in nums}
    dates: List[_Date] = []
    for n in nums:
        if n.kind == "year":
            date_ = _Date(int(n.value), None, None, n.start, n.end + 1)
        elif n.kind == "month" and not (dates and dates[-1].end == n.start and dates[-1].month is None
                                        and dates[-1].year is not None):
            date_ = _Date(None, int(n.value), None, n.start, n.end + 1)
        elif n.kind == "month":
            date_ = dates.pop()._replace(month=int(n.value), end=n.end + 1)  # 2015年3月
        else:
            continue
        k = date_.end + (1 if date_.end < len(texts) and texts[date_.end] == "份" else 0)
        day = by_start.get(k)
        if date_.month and day and day.end < len(texts) and texts[day.end] in word_set("zh", "numbers", "day_markers") \
                and 1 <= day.value <= 31:
            date_ = date_._replace(day=int(day.value), end=day.end + 1)
        dates.append(date_)
    return dates


def _numeric_dates(t: Prepared, doc: Doc) -> List[_Date]:
    """2015-03-04, 2015/3/4, 04/03/2015 (day and month kept only when the order is clear)."""
    dates = []
    for regex, order in _NUMERIC_DATE_RES:
        for m in regex.finditer(t.folded):
            if order == "my":
                month, year = (int(g) for g in m.groups())
                span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
                if span is not None and 1 <= month <= 12:
                    dates.append(_Date(year, month, None, span.start, span.end))
                continue
            a, b, c = (int(g) for g in m.groups())
            if order == "xxy" and c < 100:  # a two-digit year: this century unless that is still to come
                c += 2000 if 2000 + c <= date.today().year else 1900
            if order == "ymd":
                year, month, day = a, b, c
            else:
                year = c
                month, day = (b, a) if a > 12 >= b else (a, b) if b > 12 >= a else (None, None)
            if month is not None and not (1 <= month <= 12 and 1 <= day <= 31):  # type: ignore[operator]
                continue
            span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
            if span is not None and month is None and order == "xxy" and 1 <= min(a, b) and max(a, b) <= 12:
                # 3/4/1995 is 3 April or 4 March: the age spans both
                dates.append(_Date(year, min(a, b), max(a, b), span.start, span.end, max(a, b)))
            elif span is not None:
                dates.append(_Date(year, month, day, span.start, span.end))
    return dates


def _dates(t: Prepared, doc: Doc, lang: str, loose: bool = False) -> List[_Date]:
    found = _zh_dates(doc) if lang == "zh" else _latin_dates(doc, lang, loose)
    numeric = _numeric_dates(t, doc)
    found = [d for d in found if not any(n.start <= d.start < n.end for n in numeric)]
    return sorted(found + numeric, key=lambda d: d.start)


def _year_hits(t: Prepared, doc: Doc, lang: str) -> List[Hit]:
    return [Hit(d.year, *span_offsets(t, doc, d.start, d.end)) for d in _dates(t, doc, lang)
            if d.year is not None]


def parse_year(text: str, lang: str | None = None) -> int | None:
    """The first calendar year in the text: "in 2019", "in twenty nineteen", "en dos mil
    diecinueve", "二零一九年确诊", "May 2020". A bare "2019" with nothing around it is not one."""
    _, hits = run(text, lang, _year_hits)
    return int(min(hits, key=lambda h: h.start).value) if hits else None  # type: ignore[arg-type]


def _span_hits(t: Prepared, doc: Doc, lang: str) -> List[Hit]:
    named = [d for d in _dates(t, doc, lang) if d.month is not None]
    if len(named) < 2:
        return []
    a, b = named[0], named[1]
    norms = [tok.norm_ for tok in doc]
    if _after_word(norms, a.start, lang, "since_words") and not _after_word(norms, b.start, lang, "until_words"):
        a, b = b, a  # "gone since March, infused in January": January to March
    elif _said_of(doc, a.start, lang, "span_end_words") and _said_of(doc, b.start, lang, "span_start_words"):
        a, b = b, a  # "lost them in July, the infusion was in April": April to July
    year_a, year_b = a.year or b.year, b.year or a.year
    months = (b.month or 0) - (a.month or 0) + 12 * ((year_b or 0) - (year_a or 0))
    wrapped = months < 0 and (a.year is None or b.year is None)
    if wrapped:
        months += 12  # "November to February": the next year
    if months < 0:
        return []
    value = float(months)
    if a.day and b.day and value + (b.day - a.day) / DAYS_PER_MONTH >= 0:
        value = round(value + (b.day - a.day) / DAYS_PER_MONTH, 4)  # "Feb 2 to April 20": 2.59
    return [Hit(value, *span_offsets(t, doc, min(a.start, b.start), max(a.end, b.end)))]


DAYS_PER_MONTH = 30.4375


def _said_of(doc: Doc, start: int, lang: str, key: str) -> bool:
    """Whether the clause of the month at ``start`` says ``dates.yml[key]`` (how the span began or
    ended) and not the other."""
    other = "span_start_words" if key == "span_end_words" else "span_end_words"
    lo, hi = _clause_of(doc, start, lang)
    return _has_words(doc, lo, hi, lang, key, "dates") and not _has_words(doc, lo, hi, lang, other, "dates")


def _after_word(norms: Sequence[str], start: int, lang: str, key: str) -> bool:
    """Whether a word of ``dates.yml[key]`` stands just before ``start`` (a day or "the" between)."""
    words = word_set(lang, "dates", key)
    return any(norms[k] in words for k in range(max(0, start - 3), start))


def parse_month_span(text: str, lang: str | None = None) -> float | None:
    """Whole months between the first two months named: "infused in January, found gone in May"
    = 4, "de noviembre a febrero" = 3 (the next year), "2025年1月回输，2026年3月失效" = 14. Days
    are ignored; None with fewer than two month names. For the CAR-T question only: an age
    question must not read it (``extract_entities`` gives it as ``month_span_months``)."""
    _, hits = run(text, lang, _span_hits)
    return float(min(hits, key=lambda h: h.start).value) if hits else None  # type: ignore[arg-type]


class AgeRange(NamedTuple):
    """An age worked out from a date of birth, in years (whole months / 12): at least ``low``,
    at most ``high``. They are equal for a full date; a year alone spans a year, so a limit
    (1, 10, 18, 40) between them means the assistant must ask."""
    low: float
    high: float


def _completed_months(born: date, today: date) -> int:
    return (today.year - born.year) * 12 + today.month - born.month - (today.day < born.day)


def _age_range(d: _Date, today: date) -> AgeRange | None:
    if d.year is None or d.year < 1900:
        return None
    month_first, month_last = (d.month, d.month_last or d.month) if d.month else (1, 12)
    last_day = calendar.monthrange(d.year, month_last)[1]
    try:
        earliest = date(d.year, month_first, d.day or 1)
        latest = min(date(d.year, month_last, (d.month if d.month_last and d.month_last != d.month else d.day) or last_day), today)
    except ValueError:
        return None  # 31 February
    if earliest > today:
        return None
    return AgeRange(round(_completed_months(latest, today) / 12, 4),
                    round(_completed_months(earliest, today) / 12, 4))


def _birth_cue_offsets(t: Prepared, doc: Doc, lang: str) -> List[int]:
    if lang == "zh":
        # "95年的" / "我是零五年的" ending a clause says the year someone was born
        ends = [doc[d.end].idx for d in _zh_dates(doc) if d.month is None and d.end < len(doc)
                and doc[d.end].text == "的" and (d.end + 1 == len(doc) or doc[d.end + 1].text in CLAUSE_PUNCT
                                                  or doc[d.end + 1].text in word_set("zh", "dates", "sentence_particles"))]
        # "2019年3月生的", "2015年6月出生": a date with a month, followed by a birth verb
        verbs = tuple(w for w in phrase_list("zh", "dates", "birth_year_after") if w != "的")
        ends += [doc[d.end].idx for d in _zh_dates(doc) if d.month is not None and d.end < len(doc)
                 and t.folded[doc[d.end].idx:].startswith(verbs)]
        return ends + [m.start() for cue in phrase_list("zh", "dates", "birth_cues") for m in re.finditer(re.escape(cue), t.folded)]
    # a cue of one word ("born") or of several ("es de octubre de 2014", "date of birth")
    norms = [tok.norm_ for tok in doc]
    cues = [tuple(fold_phrase(w).split(" ")) for w in phrase_list(lang, "dates", "birth_cues")]
    found = [tok.idx for i, tok in enumerate(doc) if any(tuple(norms[i:i + len(c)]) == c for c in cues)]
    # "my son is 2007", "es del 2007": a year said as the age, ending the message
    for words in (tuple(fold_phrase(w).split(" ")) for w in phrase_list(lang, "dates", "birth_year_before")):
        for i, tok in enumerate(doc):
            if tok.text.isdigit() and len(tok.text) == 4 and 1900 <= int(tok.text) <= date.today().year and \
                    tuple(norms[i - len(words):i]) == words and (i + 1 == len(doc) or doc[i + 1].text in CLAUSE_PUNCT):
                found.append(tok.idx)
    return found


def _birth_hits(t: Prepared, doc: Doc, lang: str, today: date) -> List[Hit]:
    cues = _birth_cue_offsets(t, doc, lang)
    dates = [d for d in _dates(t, doc, lang, loose=True) if d.year is not None] if cues else []
    if not dates:
        return []
    nearest = min(dates, key=lambda d: min(abs(doc[d.start].idx - c) for c in cues))
    ages = _age_range(nearest, today)
    if ages is not None and ages.low != ages.high:  # "he's 12, born in 2014": 12, not 11 or 12
        said = {n.value for n in numbers_in(doc, lang) if not n.kind and n.value == int(n.value)
                and not (nearest.start <= n.start < nearest.end) and int(ages.low) <= n.value <= ages.high
                and n.value >= ages.low - 1}
        if len(said) == 1:
            ages = AgeRange(float(next(iter(said))), float(next(iter(said))))
    return [Hit(ages, *span_offsets(t, doc, nearest.start, nearest.end))] if ages else []


def parse_birth_age(text: str, lang: str | None = None, today: date | None = None
                    ) -> AgeRange | None:
    """The age from a date of birth ("born in 2001", "nació el 4 de marzo de 2015", "2015年3月
    出生", "DOB 2015-03-04"), as of ``today`` (default: the real today). A year alone gives a
    one-year range; a year and month a one-month range. None without a birth word or a year."""
    _, hits = run(text, lang, partial(_birth_hits, today=today or date.today()))
    return min(hits, key=lambda h: h.start).value if hits else None  # type: ignore[return-value]



def span_hits(text: str, lang: str | None) -> Hit | None:
    """The first month span (``parse_month_span``) with its offsets."""
    _, hits = run(text, lang, _span_hits)
    return min(hits, key=lambda h: h.start) if hits else None


def birth_hits(text: str, lang: str | None, today: date | None = None) -> Hit | None:
    """The first age from a date of birth (``parse_birth_age``) with its offsets."""
    _, hits = run(text, lang, partial(_birth_hits, today=today or date.today()))
    return min(hits, key=lambda h: h.start) if hits else None


def _hedge_hits(t: Prepared, doc: Doc, lang: str) -> List[Hit]:
    nums = [n for n in numbers_in(doc, lang) if n.kind not in _KINDS_NOT_BARE]
    taken = _taken(nums)
    return [Hit(True, *span_offsets(t, doc, n.start, n.end)) for n in nums
            if _hedged(doc, n.start, n.end, lang, taken)]


def approaching(text: str, lang: str | None = None) -> bool:
    """Whether the age read from the text is one not reached yet: "almost 40", "40 next week",
    "cumple 9 en febrero", "快满一岁" (``numbers.yml``: ``approaching`` before the number,
    ``approaching_after`` after it). Only the number beside the word counts: in "11, nearly 12"
    the age read is 11, reached."""
    text = as_text(text)
    chosen = duration(text, lang, True) or number(text, lang)
    if chosen is None:
        return False
    _, hedges = run(text, lang, _hedge_hits)
    return any(h.start < chosen.end and chosen.start < h.end for h in hedges)
