"""Chinese and Spanish patient profiles (the counterparts of tests/support/profiles.py), and helpers the
zh / es / language-switch conversation tests share: drive a form to its end, and check that every
bot reply is in the conversation's language.

Answers are written the way people type them, not the way the buttons say them.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterable, List

import yaml

from bot.trial import TRIAL
from tests.support.profiles import NO_TO_EVERYTHING_ELSE

QUESTION_ORDER = TRIAL.slots

DOMAIN = Path(__file__).resolve().parents[2] / "domain"

ELIGIBLE_ADULT_ZH: Dict[str, str] = {
    "prescreen_consent": "好的",
    "respondent": "我就是病人",
    "patient_age": "三十一岁",
    "b_all_diagnosis": "是的",
    "relapsed_or_refractory": "是的，去年复发了",
    "had_car_t": "做过",
    "car_t_activity_lost": "是的，医生说已经查不到CAR-T细胞了",
    "car_t_loss_months": "大概回输后四个月",
    "relapse_since_car_t": "没有",
    "ecog": "能走路，但是干不了重活",
    "sex": "男",
}

PARENT_OF_SEVEN_ZH: Dict[str, str] = {
    "prescreen_consent": "好的",
    "respondent": "我是孩子妈妈",
    "patient_age": "他七岁",
    "b_all_diagnosis": "是的",
    "relapsed_or_refractory": "是的",
    "had_car_t": "做过",
    "car_t_activity_lost": "是的",
    "car_t_loss_months": "三个月后",
    "relapse_since_car_t": "没有",
    "ecog": "和以前一样，正常上学",
}

ELIGIBLE_ADULT_ES: Dict[str, str] = {
    "prescreen_consent": "vale",
    "respondent": "soy yo, el paciente",
    "patient_age": "treinta y un años",
    "b_all_diagnosis": "sí",
    "relapsed_or_refractory": "sí, volvió el año pasado",
    "had_car_t": "sí, la recibí",
    "car_t_activity_lost": "sí, me dijeron que las células habían desaparecido",
    "car_t_loss_months": "unos cuatro meses después",
    "relapse_since_car_t": "no",
    "ecog": "puedo caminar, pero no puedo hacer trabajos pesados",
    "sex": "hombre",
}

PARENT_OF_SEVEN_ES: Dict[str, str] = {
    "prescreen_consent": "vale",
    "respondent": "soy su madre",
    "patient_age": "tiene siete años",
    "b_all_diagnosis": "sí",
    "relapsed_or_refractory": "sí",
    "had_car_t": "sí, la recibió",
    "car_t_activity_lost": "sí",
    "car_t_loss_months": "tres meses después",
    "relapse_since_car_t": "no",
    "ecog": "hace vida normal, va al colegio como antes",
}

PROFILES = {
    "zh": {"adult": ELIGIBLE_ADULT_ZH, "parent": PARENT_OF_SEVEN_ZH},
    "es": {"adult": ELIGIBLE_ADULT_ES, "parent": PARENT_OF_SEVEN_ES},
}
GREETING = {"en": "hi", "zh": "你好", "es": "hola"}
from bot.simulate import CONFIRM  # noqa: E402  (the simulated person confirms the same way)

DEFAULT_ANSWER = NO_TO_EVERYTHING_ELSE


def answer_until_done(c, answers: Dict[str, str], default: str, limit: int = 40) -> List[str]:
    """Answer the pre-screening questions until the form ends (a following hand-off question is
    left unanswered); returns the slots asked, in order."""
    asked: List[str] = []
    for _ in range(limit):
        slot = c.requested_slot
        if slot == "answer_check":  # "Just to check: ... Is that right?" -- yes, that is what they meant
            c.say(CONFIRM[c.language or "en"])
            continue
        if slot is None or slot not in QUESTION_ORDER:
            return asked
        asked.append(slot)
        c.say(answers.get(slot, default))
    raise AssertionError("the form never ended; the last turns:\n" + "\n".join(c.transcript[-12:]))


def run_profile(c, lang: str, answers: Dict[str, str]) -> List[str]:
    """Greet, then answer the whole pre-screening from a profile (unlisted slots: "no")."""
    c.say(GREETING[lang])
    return answer_until_done(c, answers, DEFAULT_ANSWER[lang])


def answer(c, answers: Dict[str, str], slots: Iterable[str]) -> None:
    """Answer the listed questions, checking each is the one being asked."""
    for slot in slots:
        assert c.requested_slot == slot, "\n".join(c.transcript)
        c.say(answers[slot])


def outcome(c):
    return c.slot("prescreen_outcome"), c.slot("failed_criteria"), c.slot("unknown_criteria")


def bot_lines(c, last: int = 0) -> List[str]:
    """The bot's messages in the transcript (the last ``last`` transcript lines, if given)."""
    lines = c.transcript[-last:] if last else c.transcript
    return [line[len("BOT: "):] for line in lines if line.startswith("BOT: ")]


# --- Which language a reply is in ------------------------------------------------------------------

_CJK = re.compile(r"[\u4e00-\u9fff]")
# Words that appear in almost any Spanish sentence of this assistant, and hardly ever in English.
_SPANISH = re.compile(
    r"[¿¡ñáéíóú]|\b(?:el|la|los|las|de|del|que|una|usted|su|sus|es|ha|para|por|con|ensayo|"
    r"preguntas?|respuestas?)\b",
    re.IGNORECASE,
)
# Trilingual on purpose (it is said when the language is unknown).
_TRILINGUAL = ("utter_language_unsupported",)


def _variation_language(condition) -> str:
    langs = [c.get("value") for c in condition or [] if c.get("name") == "language"]
    return langs[0] if langs else "en"


@lru_cache(maxsize=1)
def response_texts() -> Dict[str, List[str]]:
    """The start (up to the first slot) of every response text in the domain, by language."""
    found: Dict[str, set] = {"en": set(), "zh": set(), "es": set()}
    for path in sorted(DOMAIN.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for name, variations in (data.get("responses") or {}).items():
            if name in _TRILINGUAL:
                continue
            for variation in variations:
                head = (variation.get("text") or "").split("{", 1)[0].strip()
                if len(head) >= 12:
                    found.setdefault(_variation_language(variation.get("condition")), set()).add(head[:60])
    return {lang: sorted(heads) for lang, heads in found.items()}


def foreign_texts_in(text: str, lang: str) -> List[str]:
    """Response texts of another language that appear in ``text``."""
    return [head for other, heads in response_texts().items() if other != lang for head in heads
            if head in text]


def assert_in_language(lines: Iterable[str], lang: str) -> None:
    """Every line is in ``lang`` (zh: has Chinese characters; es: reads as Spanish; en: neither),
    and none contains a response text of another language."""
    lines = [line for line in lines if line]
    assert lines, "no bot reply to check"
    for line in lines:
        leaked = foreign_texts_in(line, lang)
        assert not leaked, f"another language in a {lang} reply: {leaked!r} in {line!r}"
        if lang == "zh":
            assert len(_CJK.findall(line)) >= 2, f"not Chinese: {line!r}"
        elif lang == "es":
            assert len(_SPANISH.findall(line)) >= 1 and not _CJK.search(line), f"not Spanish: {line!r}"
        elif lang == "en":
            assert not _CJK.search(line) and not re.search(r"[¿¡ñ]", line), f"not English: {line!r}"


def assert_transcript_in_language(c, lang: str) -> None:
    assert_in_language(bot_lines(c), lang)
