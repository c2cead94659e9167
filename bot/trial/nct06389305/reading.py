"""How this trial's questions are read beyond yes and no: the trial's own words and limits.

Each hook takes the message (and its language) and gives ``(value, why)`` or None for the usual
reading; ``READINGS`` names the hook of each question. The words are in ``lang/<code>.yml``
(``reading``, ``marrow_transplant``, ``organ_transplant``); the limits are the protocol's.

- E14: a bone marrow, stem-cell or cord-blood transplant is not an organ transplant (the data
  dictionary says so): such an answer with no organ named means "no", and the person is told why.
- E7, E12, E13: a number given is compared with the protocol's limit (creatinine or urea at 1.5
  times normal or more; more than 20 leukemia cells per microlitre of spinal fluid; more than 30%
  blasts in the blood); a rough number near the limit ("about 30%") is "not sure".
- E1: a time given ("two years ago", "hace unos 8 meses") is compared with 9 months.
- A test that was not done ("he hasn't had an MRI", "最近没查肾功能") is "not sure"; a normal result
  ("头颅核磁做过，正常", "clear on the last LPs") is "no".
- Qualifiers, by what each exclusion asks (``ASPECTS``, citing the criterion): "well controlled" to
  *uncontrolled diabetes?* is no; "had DIC at diagnosis, resolved in a week" is no (only the
  present state excludes); "bipolar, stable for years" is the study doctor's call (unsure); "thyroid
  cancer 10 years ago, cured" stays a cancer (unsure); "ended up in A&E" makes an allergy severe.
- Words that answer one question by themselves ("it never went into remission", "细胞没了",
  "ya no funcionan"), and what an exclusion is about said negated ("not diabetic", "没有糖尿病")
  or as had ("tiene insuficiencia cardiaca") when the message holds no plain yes or no.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import yaml

from bot.understanding import cues, mentions
from bot.understanding.lang import load
from bot.understanding.text import contains_any, fold

LANG_DIR = Path(__file__).resolve().parent / "lang"
LANGUAGES = ("en", "zh", "es")
Reading = Optional[Tuple[str, str]]
Hook = Callable[[str, Optional[str]], Reading]

E1_MONTHS = 9.0  # "within the past 9 months"
E7_TIMES_NORMAL = 1.5  # ">= 1.5 times normal"
E12_CELLS_PER_UL = 20.0  # "> 20 cells/uL"
E13_PERCENT = 30.0  # "> 30%"


@lru_cache(maxsize=None)
def trial_words(lang: str) -> Dict[str, object]:
    with open(LANG_DIR / f"{lang}.yml", encoding="utf-8") as f:
        return yaml.safe_load(f)


def _words(key: str) -> List[str]:
    return [w for lang in LANGUAGES for w in trial_words(lang)[key]]


@lru_cache(maxsize=None)
def topic_words(lang: str) -> Dict[str, List[str]]:
    """The words that name each question in ``lang`` ("age", "CAR-T", "过敏"), for ``parse_topic``."""
    return dict(trial_words(lang).get("topics") or {})


@lru_cache(maxsize=None)
def _reading_words(kind: str, slot: str, value: str = "") -> Tuple[str, ...]:
    out: List[str] = []
    for lang in LANGUAGES:
        table = (trial_words(lang).get("reading") or {}).get(kind) or {}
        entry = table.get(slot) if isinstance(table, dict) else table
        if value:
            entry = (entry or {}).get(value) if isinstance(entry, dict) else None
        out.extend(entry or [])
    return tuple(out)


@lru_cache(maxsize=None)
def _normal_words() -> Tuple[str, ...]:
    return tuple(w for lang in LANGUAGES for w in (trial_words(lang).get("reading") or {}).get("normal") or [])


# --- E14 -----------------------------------------------------------------------------------------


def organ_transplant_reading(text: str, _lang: Optional[str]) -> Reading:
    """("no", why) when only a marrow / stem-cell transplant is named, else None."""
    folded = fold(text)
    if contains_any(folded, _words("marrow_transplant")) and not mentions.named(text, _words("organ_transplant")):
        return "no", "marrow_not_organ"
    return None


# --- numbers against the protocol's limits --------------------------------------------------------


def _number_words(key: str) -> List[str]:
    return [w for lang in LANGUAGES for w in load(lang, "numbers").get(key) or []]


def _qualifier(folded: str, start: int, end: int) -> str:
    """ "below", "above" or "about" for the number at [start, end), from the words around it."""
    before = re.sub(r"(?:\b(?:un|una|unos|unas|a|an|the)|约)\s*$", "", folded[max(0, start - 20):start]).rstrip()
    after = folded[end:end + 6]
    for kind in ("below", "above", "about"):
        for word in _number_words(kind):
            w = fold(word)
            if re.search(r"(?:^|\W)" + re.escape(w) + r"\W*$", before) or (
                    not w.isascii() and after.lstrip(" %").startswith(w)):
                return kind
    return ""


def _compare(value: float, kind: str, limit: float, tolerance: float, strict: bool) -> Optional[str]:
    """yes / no / unsure for a value against a limit (``strict``: the limit itself passes)."""
    over = value > limit if strict else value >= limit
    if kind == "about" and abs(value - limit) <= tolerance:
        return "unsure"
    if kind == "below":
        return "no" if value <= limit else "unsure"
    if kind == "above":
        return "yes" if value >= limit else "unsure"
    return "yes" if over else "no"


def _folded_span(text: str, start: int, end: int) -> Tuple[int, int]:
    """Offsets in ``fold(text)`` of text[start:end] (folding may shorten what comes before)."""
    a = len(fold(text[:start] + "|")) - 1
    return a, len(fold(text[:end] + "|")) - 1


def _stated_numbers(text: str, lang: Optional[str], percent_only: bool = False) -> List[Tuple[float, str]]:
    return [(value, kind) for value, kind, _start in _placed_numbers(text, lang, percent_only)]


def _placed_numbers(text: str, lang: Optional[str], percent_only: bool = False) -> List[Tuple[float, str, int]]:
    """The numbers stated, with their qualifier and where they start in ``fold(text)``."""
    from bot.understanding.parsing import find_numbers

    folded = fold(text)
    found = []
    for n in find_numbers(text, lang):
        if n.kind in ("year", "month") or (percent_only and n.kind != "percent" and "%" not in text[n.end:n.end + 2]):
            continue
        start, end = _folded_span(text, n.start, n.end)
        found.append((n.value, _qualifier(folded, start, end), start))
    return found


# a clause ends at punctuation, "but", or a space before Chinese ("以前80% 现在5%": no one types one inside a clause)
_CLAUSE = re.compile(r"[,.;:!?\n，。；：！？、]|\bbut\b|\bpero\b|但是|可是|(?<=[\u3400-\u9fff%\d])\s+(?=[\u3400-\u9fff])")


def _said_of_now(text: str, numbers: List[Tuple[float, str, int]]) -> Optional[Tuple[float, str, int]]:
    """The number said of "now" ("it was 80% blasts, now 5%", "ahora 0, antes 80%",
    "以前80%现在5%"): the current result is the one asked about, wherever it comes. A "now"
    between the previous number and this one, in this clause, binds to this one; failing
    that, a "now" after a number and before the next ("5% now, 80% before")."""
    now = [fold(w) for lang in LANGUAGES for w in load(lang, "yesno").get("now_words") or []]
    folded = fold(text)
    starts = [n[2] for n in numbers]
    for i, number in enumerate(numbers):
        clause_start = max([0] + [m.end() for m in _CLAUSE.finditer(folded, 0, number[2])])
        if contains_any(folded[max(clause_start, starts[i - 1] + 1 if i else 0):number[2]], now):
            return number
    for i, number in enumerate(numbers):
        after = _CLAUSE.search(folded, number[2] + 1)
        stop = min([after.start() if after else len(folded)] + ([starts[i + 1]] if i + 1 < len(numbers) else []))
        if contains_any(folded[number[2]:stop], now):
            return number
    return None


def _percent_reading(limit: float) -> Hook:
    def hook(text: str, lang: Optional[str]) -> Reading:
        percents, every = _placed_numbers(text, lang, percent_only=True), _placed_numbers(text, lang)
        if percents:
            # a bare number after a percentage carries its unit ("60 percent at relapse, down to 2")
            percents = [n for n in every if n[2] >= percents[0][2]]
        numbers = percents or every
        if not numbers:
            return None
        # the current result: the one said of "now" ("ahora 0, antes 80%"), else the one said last
        value, kind, _start = _said_of_now(text, percents) or _said_of_now(text, every) or numbers[-1]
        answer = _compare(value, kind, limit, tolerance=3.0, strict=True)
        return (answer, "compared_with_limit") if answer else None
    return hook


_GLUED_TIMES = re.compile(r"(?<![\w.])(\d+(?:[.,]\d+)?)x\b")


def _ratio(text: str) -> Optional[Tuple[float, str]]:
    """ "1.2 times normal", "两倍多", "高一倍" (twice), "el doble"."""
    from bot.understanding.parsing import find_numbers

    folded = fold(text)
    if contains_any(folded, _number_words("double")):
        return 2.0, ""
    times = [fold(w) for w in _number_words("times")]
    glued = _GLUED_TIMES.search(folded)
    if glued:  # "1.5x", "2x normal": the number reader wants a space there
        return float(glued.group(1).replace(",", ".")), _qualifier(folded, glued.start(), glued.end())
    for n in find_numbers(text, None):
        start, end = _folded_span(text, n.start, n.end)
        after = folded[end:end + 8].lstrip()
        if any(after.startswith(w) and (not w.isascii() or re.match(re.escape(w) + r"\b", after)) for w in times):
            value = n.value
            if folded[max(0, start - 2):start].endswith(("高", "高出", "多")):
                value += 1  # 高一倍: one more time than normal, twice normal
            return value, _qualifier(folded, start, end)
    return None


def kidney_reading(text: str, lang: Optional[str]) -> Reading:
    ratio = _ratio(text)
    if ratio is None:
        return None
    answer = _compare(ratio[0], ratio[1], E7_TIMES_NORMAL, tolerance=0.15, strict=False)
    return answer, "compared_with_limit"


def csf_reading(text: str, lang: Optional[str]) -> Reading:
    numbers = [n for n in _stated_numbers(text, lang)]
    if not numbers:
        return None
    value, kind = numbers[-1]
    return _compare(value, kind, E12_CELLS_PER_UL, tolerance=2.0, strict=True), "compared_with_limit"


def bendamustine_reading(text: str, lang: Optional[str]) -> Reading:
    """E1: a time given is compared with 9 months ("over 2 years ago" no, "hace unos 8 meses" yes)."""
    from bot.understanding.parsing import parse_duration_months

    months = parse_duration_months(text, lang)
    if months is None:
        return None
    folded = fold(text)
    kind = next((k for k in ("below", "above", "about") if contains_any(folded, _number_words(k))), "")
    return _e1(months, kind), "compared_with_limit"


def _e1(months: float, kind: str) -> str:
    """Within 9 months is yes (the limit itself counts)."""
    if kind == "about" and abs(months - E1_MONTHS) <= 0.5:
        return "unsure"
    if kind == "above":
        return "no" if months >= E1_MONTHS else "unsure"
    if kind == "below":
        return "yes" if months <= E1_MONTHS else "unsure"
    return "yes" if months <= E1_MONTHS else "no"


# --- E8, E9: said to be out of control ----------------------------------------------------------


def uncontrolled_reading(slot: str) -> Hook:
    """ "my sugar is all over the place, they can't get it under control", "血糖一直控制不住",
    "la infección no mejora": what the question is about, named and said to be out of control, is
    a yes (the negation in "no me la pueden controlar" is no "no")."""
    def hook(text: str, lang: Optional[str]) -> Reading:
        if cues.is_question(text) or not any(c.kind == "uncontrolled" for c in cues.find_cues(text)):
            return None
        subject = [*_reading_words("conditions", slot), *_reading_words("tests", slot),
                   *(w for code in LANGUAGES for w in topic_words(code).get(slot) or [])]
        return ("yes", "uncontrolled_stated") if mentions.named(text, subject) else None
    return hook


# --- the words of each question ------------------------------------------------------------------


def _unsure_already(text: str, lang: Optional[str]) -> bool:
    from bot.understanding.parsing import parse_tri

    return "unsure" in cues.kinds(text) or parse_tri(text, lang) == "unsure"


def _plain_answer(text: str, lang: Optional[str]) -> Optional[str]:
    from bot.understanding.parsing import parse_tri

    return parse_tri(text, lang)


def reading_for(slot: str, special: Sequence[Hook] = ()) -> Hook:
    """The hook of one question: its special readings, then a normal result, then its own answer
    words, then a test not done, then what it is about said negated or as had."""

    def hook(text: str, lang: Optional[str]) -> Reading:
        base = plain(text, lang)
        read = qualified_reading(slot, text, lang, base) or base
        return _mild_only(slot, text, lang, read) or read

    def plain(text: str, lang: Optional[str]) -> Reading:
        if _unsure_already(text, lang):
            return _hedged_number(special, text, lang) or _own_words_over_unsure(slot, text, lang)
        if _test_not_done(slot, text) and not _normal_result(text):
            return "unsure", "test_not_done"
        for read in special:
            found = read(text, lang)
            if found is not None:
                return found
        part = _part_affirmed(slot, text, lang)
        if part is not None:
            return part
        tests = _reading_words("tests", slot)
        if tests and _normal_result(text):
            return "no", "normal_result"
        # own phrases before "not tested": "no blasts in the csf" answers, it does not say untested
        for value in ("no", "yes") if not cues.is_question(text) else ():
            words = _reading_words("answers", slot, value)
            if words and mentions.named(text, words):
                return value, "answer_words"
        if tests and mentions.absent(text, tests) and not _problem_named(text, tests):
            return "unsure", "test_not_done"
        if _plain_answer(text, lang) is not None or cues.is_question(text):
            return None
        conditions = _reading_words("conditions", slot)
        if conditions and mentions.absent(text, conditions):
            return "no", "condition_negated"
        if conditions and mentions.present(text, conditions):
            return "yes", "condition_stated"
        return None

    hook.__doc__ = f"The reading of `{slot}`."
    return hook


def _part_affirmed(slot: str, text: str, lang: Optional[str]) -> Reading:
    """ "not pregnant, but yes I am breastfeeding", "insuficiencia cardiaca no, pero tiene una
    arritmia grave", "没有艾滋和梅毒，但我有乙肝": a question about A or B, A denied and B said as
    had in a clause of its own, is a yes (the "no" was to A only). B counts as had when a word of
    having stands before it, its clause says yes, or it is one of the question's own yes words
    after a "but" or a full stop ("no im not pregnant. still nursing tho")."""
    if cues.is_question(text):
        return None
    own_yes = _reading_words("answers", slot, "yes")
    found = mentions.mentions(text, (*_reading_words("conditions", slot), *own_yes))
    denied = [m for m in found if m.negated]
    if not denied:
        return None
    folded = fold(text)
    denied_words = {folded[m.start:m.end] for m in denied}
    own = mentions._pattern(own_yes)
    contrast = _contrast()
    for m in found:
        if m.negated or folded[m.start:m.end] in denied_words:
            continue
        lo, hi = mentions._clause(folded, m.start, m.end)
        if any(lo <= d.start < hi for d in denied):
            continue  # "not pregnant or breastfeeding": one clause, one denial
        if _unsure_already(folded[lo:hi], lang):
            continue
        between = folded[max(d.end for d in denied if d.end <= m.start):m.start] if any(
            d.end <= m.start for d in denied) else ""
        broken = bool(re.search(r"[.!?。！？]", between)) or bool(contrast and contrast.search(between))
        own_word = own is not None and own.fullmatch(folded[m.start:m.end]) is not None
        if m.asserted or _plain_answer(folded[lo:hi], lang) == "yes" or (own_word and broken):
            return "yes", "part_affirmed"
    return None


def _mild_only(slot: str, text: str, lang: Optional[str], read: Reading) -> Reading:
    """ "he has ADHD and anxiety" at *severe mental disorder*, "a bit of asthma" at *respiratory
    failure*, "a heart murmur" at *heart failure*: a mild, common condition named at a question
    about a severe one is for the study doctor (unsure), never a yes; nor a no the person did not
    say. The severe condition named too, or said to be severe, leaves ``read`` as it is; so does a
    qualifier or a normal result that already eases it ("asma leve", "soplo inocente"), unless
    the reading would still be a yes."""
    mild = _reading_words("mild_conditions", slot)
    if not mild or cues.is_question(text) or not mentions.named(text, mild):
        return None
    conditions = [w for w in _reading_words("conditions", slot) if w not in mild]
    if conditions and any(not m.negated for m in mentions.mentions(text, conditions)):
        return None
    found = set(qualifier_classes(text))
    if "severe" in found or _plain_answer(text, lang) == "no":
        return None
    said_yes = (read[0] if read is not None else _plain_answer(text, lang)) == "yes"
    if (found & set(EASING) or _normal_result(text)) and not said_yes:
        return None  # "mild asthma, inhaler when i run", "soplo inocente": the qualifiers read it
    return "unsure", "mild_condition"


def _hedged_number(special: Sequence[Hook], text: str, lang: Optional[str]) -> Reading:
    """A number said with a hedge ("好像是3个", "like 3 i think", "creo que unos 5") is a rough
    number, not a "not sure": it is compared with the limit as "about" one (so near the limit it
    stays unsure). Only when the hedge is all that was unsure ("no sé cuánto" stays unsure)."""
    if not special or cues.is_question(text):
        return None
    folded = fold(text)
    hedges = [s for s in qualifier_spans(text) if s[0] == "hedge"]
    if not hedges:
        return None
    rest = folded
    for _k, start, end in sorted(hedges, key=lambda h: -h[1]):
        rest = rest[:start] + " about " + rest[end:]
    if _unsure_already(rest, lang):
        return None
    for read in special:
        found = read(rest, lang)
        if found is not None and found[1] == "compared_with_limit":
            return found
    return None


def _own_words_over_unsure(slot: str, text: str, lang: Optional[str]) -> Reading:
    """A question's own answer words win over the general "not sure" only when they hold every
    unsure word: "还没做" / "not yet" / "todavía no" is "no" to *had CAR-T?* because that question
    lists them, while "todavía no sabemos" stays unsure (its "sabemos" is outside them); so is
    "todavía no, estamos esperando" (what is awaited is the treatment)."""
    if cues.is_question(text):
        return None
    for value in ("no", "yes"):
        words = _reading_words("answers", slot, value)
        found = [m for m in mentions.mentions(text, words) if not m.negated] if words else []
        if not found:
            continue
        folded = fold(text)
        own = " ".join(folded[m.start:m.end] for m in found)
        rest = "".join(" " if any(m.start <= i < m.end for m in found) else ch for i, ch in enumerate(folded))
        stripped = _bare_waiting_out(rest) if value == "no" else rest
        if (_unsure_already(own, lang) or stripped != rest) and not _unsure_already(stripped, lang):
            return value, "answer_words"
    return None


def _bare_waiting_out(folded: str) -> str:
    """The text without a "we're waiting" that names nothing awaited ("todavía no, estamos
    esperando", "还没 在等"): after "not yet" it is the treatment that is awaited, not a result."""
    pattern = mentions._pattern(_flat("waiting"))
    if pattern is None:
        return folded
    out = folded
    for m in pattern.finditer(folded):
        after = re.split(r"[,.;:!?\n，。；：！？、]", folded[m.end():], maxsplit=1)[0]
        if not after.strip():
            out = out[:m.start()] + " " * (m.end() - m.start()) + out[m.end():]
    return out


PROBLEM_REACH = 12  # characters after a test's word (twice as many and a few before: "problemas de sangrado ni de coagulación")


def _problem_named(text: str, tests: Sequence[str]) -> bool:
    """ "没有凝血问题", "no clotting problems", "no tiene problemas de coagulación": a test's word
    with a problem word beside it names the condition, so "no" is an answer, not "not tested"."""
    problems = [fold(w) for lang in LANGUAGES for w in load(lang, "yesno").get("problem_words") or []]
    if not problems:
        return False
    folded = fold(text)
    for m in mentions.mentions(text, tests):
        window = folded[max(0, m.start - 2 * PROBLEM_REACH - 6):m.end + PROBLEM_REACH]
        if contains_any(window, problems):
            return True
    return False


def _normal_result(text: str) -> bool:
    """A normal result ("the MRI was clear"); "not normal" right before is not one."""
    return mentions.named(text, _normal_words(), reach=0)


# --- qualifiers, read by what each exclusion asks ----------------------------------------------
#
# Each exclusion excludes for an ASPECT of a condition; a qualifier class in the answer (the words
# are general, per language: ``qualifier_words`` in ``bot/understanding/lang/<code>/yesno.yml``,
# with the cue words; not negated; after a "but" / "now", only the state said of now) removes
# that aspect (no), leaves it to the study doctor (unsure), or does not touch it. When in doubt:
# unsure, never a guess.
#   current: only the present state excludes; lasting: a lasting condition, a past episode is the
#   doctor's call when the condition itself is named; uncontrolled: only out of control;
#   severe: only severe; ever: ever had, the past does not remove it; window: within a time;
#   limit: a number against the protocol's limit.
ASPECTS: Dict[str, Tuple[str, Tuple[str, ...]]] = {
    "severe_allergies": ("I4", ("severe", "lasting")),  # "No severe allergic constitution"
    "bendamustine_9_months": ("E1", ("window",)),  # "within the past 9 months"
    "brain_pressure_or_consciousness": ("E2", ("current",)),  # intracranial hypertension, impaired consciousness
    "heart_failure_or_arrhythmia": ("E3", ("severe", "lasting")),  # "Symptomatic heart failure or severe arrhythmia"
    "respiratory_failure": ("E4", ("severe", "current")),  # "Symptoms of severe respiratory failure"
    "other_cancer": ("E5", ("ever",)),  # "Other types of malignant tumours"
    "dic": ("E6", ("current",)),  # disseminated intravascular coagulation
    "kidney_problem": ("E7", ("limit",)),  # ">= 1.5 times normal"
    "uncontrolled_infection": ("E8", ("uncontrolled",)),  # "Sepsis or other uncontrollable infections"
    "uncontrolled_diabetes": ("E9", ("uncontrolled",)),  # "Uncontrollable diabetes"
    "severe_mental_disorder": ("E10", ("severe", "lasting")),  # "Severe mental disorders"
    "brain_lesions": ("E11", ("severe", "current")),  # "Significant lesions in the brain on head MRI"
    "csf_blasts_high": ("E12", ("limit",)),  # "> 20 cells/uL"
    "blood_blasts_high": ("E13", ("limit",)),  # "> 30%"
    "organ_transplant": ("E14", ("ever",)),  # "Have undergone organ transplantation"
    "pregnant_or_breastfeeding": ("E15", ("current",)),  # "pregnant or lactating"
    "active_infectious_disease": ("E16", ("current", "uncontrolled")),  # "Active or uncontrollable"
}
# the classes that say the excluding aspect is gone or held
EASING = ("resolved", "controlled", "mild", "past")
# readings the qualifiers leave alone: the trial's own limits, rules and results decide
_FIXED = ("compared_with_limit", "marrow_not_organ", "normal_result", "test_not_done")


def _effect(aspects: Tuple[str, ...], found: Sequence[str], named: bool, said_yes: bool = False) -> Optional[str]:
    """yes / no / unsure for a condition with these qualifier classes, or None for no change.

    ``named``: the criterion's own condition is named ("schizophrenia, stable on meds"), so a
    past or held episode of it is the study doctor's call. ``said_yes``: the person answered yes
    themselves ("有过 刚发病那会儿"): a time in the past alone does not say it is over."""
    found = set(found)
    if "uncontrolled" in found:  # said to be out of control ("sube y baja", "忽高忽低")
        if found & {"resolved", "controlled"}:
            return "unsure"
        return "yes" if "uncontrolled" in aspects else None
    if "partly" in found:
        return "unsure"
    easing = found & set(EASING)
    if "severe" in found and "severe" in aspects:  # "ended up in A&E", "休克过"
        return "unsure" if easing else "yes"
    if "ever" in aspects:  # a past cancer or transplant is still one; treated and cured: the doctor decides
        return "unsure" if named and found & {"resolved", "controlled"} else None
    if "window" in aspects:  # "before the CAR-T", no time said: within 9 months or not is unknown
        return "unsure" if "past" in found else None
    if "limit" in aspects:  # the number decides; "slightly up" alone does not say which side
        return "no" if "resolved" in found else ("unsure" if "mild" in found else None)
    if "once" in found and not easing - {"mild"}:
        return "unsure"  # "only once, only hives": how much it mattered is the doctor's call
    if not easing:
        return None
    if "lasting" in aspects and named and easing - {"mild"} and "mild" not in found:
        return "unsure"  # "bipolar, stable for years", "heart failure, recovered"
    if "severe" in aspects:
        return "no"  # mild; or an unnamed, past or held problem ("palpitations when anxious")
    if "uncontrolled" in aspects:
        if "current" in aspects and "resolved" not in found:
            return "unsure"  # E16 is "active OR uncontrollable": held in check, or once had, may still be active
        return "no"
    if "resolved" in found or ("past" in found and not said_yes):
        return "no"  # only the present state excludes
    if "past" in found:
        return "unsure"  # "yes, at diagnosis": over by now or not, it does not say
    return "unsure" if "controlled" in found else None  # a mild one is still there


def qualified_reading(slot: str, text: str, lang: Optional[str], base: Reading) -> Reading:
    """The reading once qualifiers are weighed, or None to keep ``base``.

    A plain "no" stays a no, unless the condition itself is named and the no belongs to a
    qualifier ("三年前切过一个皮肤癌 之后一直没复发": the 没 is about coming back)."""
    aspect = ASPECTS.get(slot)
    if aspect is None or cues.is_question(text) or (base is not None and base[1] in _FIXED):
        return None
    from bot.understanding.parsing import parse_tri

    if _unsure_already(text, lang):
        return None
    value = base[0] if base is not None else parse_tri(text, lang)
    found = qualifier_classes(text)
    if not found:
        return None
    conditions = _reading_words("conditions", slot)
    named = bool(conditions) and mentions.named(text, conditions)
    if value == "no" and not (named and set(found) & set(EASING)):
        return None
    effect = _effect(aspect[1], found, named, said_yes=value == "yes")
    if effect == "yes" and value == "yes" and "uncontrolled" in found:
        # "she has an infection they can't get under control": read here, so the general cue
        # words ("under control") do not read it again as controlled
        return effect, f"qualified_{aspect[0]}"
    if effect is None or effect == value:
        return None
    return effect, f"qualified_{aspect[0]}"


def _lang_words(key: str) -> Dict[str, List[str]]:
    out: Dict[str, List[str]] = {}
    for code in LANGUAGES:
        for kind, words in (load(code, "yesno").get(key) or {}).items():
            out.setdefault(kind, []).extend(words or [])
    return out


@lru_cache(maxsize=None)
def _class_patterns() -> Tuple[Tuple[str, Optional["re.Pattern[str]"]], ...]:
    return tuple((kind, mentions._pattern(tuple(words))) for kind, words in _lang_words("qualifier_words").items())


QUALIFIER_NEGATION_REACH = 3  # words (Chinese: characters) between a negation and the qualifier


def _negated(folded: str, start: int, anywhere: bool = False) -> bool:
    """A negation just before, in the same clause ("not mild", "no stable", "没有效果"); with
    ``anywhere``, anywhere before in the clause ("didn't need to go to A&E")."""
    lo, _hi = mentions._clause(folded, start, start)
    return mentions._near_before(folded[lo:start], "negations", 10 ** 6 if anywhere else QUALIFIER_NEGATION_REACH)


@lru_cache(maxsize=None)
def _flat(key: str) -> Tuple[str, ...]:
    return tuple(fold(w) for code in LANGUAGES for w in load(code, "yesno").get(key) or [])


CUE_CLASSES = ("past", "controlled", "mild", "partly", "uncontrolled", "current")  # the general cue words count too
FACTS = ("past", "once", "severe")  # when, how often, how bad it got: a later "but ..." about the state does not undo them


def qualifier_spans(text: str) -> List[Tuple[str, int, int]]:
    """The qualifier classes in a message with their spans in ``fold(text)``: the longest phrase
    wins where two overlap ("not working" over "working"), and one negated just before ("no
    stable", "not mild", "没有效果") does not count. The general cue words (``cues.yml``: past,
    controlled, mild, partly, uncontrolled) are read the same way."""
    folded = fold(text)
    own = [(kind, m.start(), m.end()) for kind, pattern in _class_patterns() if pattern is not None
           for m in pattern.finditer(folded) if m.end() > m.start()]
    general = [(c.kind, c.start, c.end) for c in cues.find_cues(text) if c.kind in CUE_CLASSES]
    # this file's classes are the finer ones ("ya se le normalizó" is resolved, not just past)
    found = sorted(own, key=lambda f: (f[1] - f[2], f[1])) + sorted(general, key=lambda f: (f[1] - f[2], f[1]))
    kept: List[Tuple[str, int, int]] = []
    for kind, start, end in found:
        if any(s < end and start < e for _k, s, e in kept):
            continue
        after = folded[end:end + 12].split()
        if " " not in folded[start:end].strip() and after and after[0] in _flat("qualifier_not_before"):
            continue  # "once the dex stopped" is "when"
        if not _negated(folded, start, anywhere=kind == "severe"):  # a wrong "severe" would exclude
            kept.append((kind, start, end))
    return sorted(kept, key=lambda f: f[1])


@lru_cache(maxsize=None)
def _contrast() -> Optional["re.Pattern[str]"]:
    return mentions._pattern(_flat("contrast"))


def qualifier_classes(text: str) -> Tuple[str, ...]:
    """The classes said of now: after the last "but" / "now" that has a class after it, only
    those ("her sugars were crazy during induction but they settled": resolved, not uncontrolled)."""
    spans = qualifier_spans(text)
    pattern = _contrast()
    if pattern is not None and spans:
        for m in reversed(list(pattern.finditer(fold(text)))):
            after = [s for s in spans if s[1] >= m.end()]
            if after and len(after) < len(spans):
                spans = [s for s in spans if s[1] >= m.end() or s[0] in FACTS]
                break
    found = list(dict.fromkeys(k for k, _s, _e in spans))
    if "current" in found:  # "todavía no se la han tratado", "still on treatment": not over
        found = [k for k in found if k not in ("past", "current")]
    return tuple(found)


def _test_not_done(slot: str, text: str) -> bool:
    """ "头颅核磁从来没做过", "nunca me han hecho una resonancia": a test of the question, in one
    clause with words that say it was never done."""
    tests = _reading_words("tests", slot)
    if not tests:
        return False
    folded = fold(text)
    done = [s for s in qualifier_spans(text) if s[0] == "not_done"]
    for m in mentions.mentions(text, tests):
        lo, hi = mentions._clause(folded, m.start, m.end)
        if any(lo <= s < hi for _k, s, _e in done):
            return True
    return False


SLOTS = ("b_all_diagnosis", "relapsed_or_refractory", "had_car_t", "car_t_activity_lost",
         "relapse_since_car_t", "guardian_can_consent", "severe_allergies", "bendamustine_9_months",
         "brain_pressure_or_consciousness", "heart_failure_or_arrhythmia", "respiratory_failure",
         "other_cancer", "dic", "kidney_problem", "uncontrolled_infection", "uncontrolled_diabetes",
         "severe_mental_disorder", "brain_lesions", "csf_blasts_high", "blood_blasts_high",
         "organ_transplant", "pregnant_or_breastfeeding", "active_infectious_disease")
SPECIAL: Dict[str, Tuple[Hook, ...]] = {
    "organ_transplant": (organ_transplant_reading,),
    "kidney_problem": (kidney_reading,),
    "csf_blasts_high": (csf_reading,),
    "blood_blasts_high": (_percent_reading(E13_PERCENT),),
    "bendamustine_9_months": (bendamustine_reading,),
    "uncontrolled_infection": (uncontrolled_reading("uncontrolled_infection"),),
    "uncontrolled_diabetes": (uncontrolled_reading("uncontrolled_diabetes"),),
}
READINGS: Dict[str, Hook] = {slot: reading_for(slot, SPECIAL.get(slot, ())) for slot in SLOTS}
