"""E14's reading: a bone marrow or stem-cell transplant is not an organ transplant.

The data dictionary says so, and families often answer "yes, a bone marrow transplant". Such
an answer, with no organ named, means "no" to the organ-transplant question (and the person is
told why); naming an organ ("a kidney and a stem-cell transplant") leaves the answer as given.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import yaml

from bot.understanding.text import contains_any, fold

LANG_DIR = Path(__file__).resolve().parent / "lang"
LANGUAGES = ("en", "zh", "es")


@lru_cache(maxsize=None)
def trial_words(lang: str) -> Dict[str, object]:
    with open(LANG_DIR / f"{lang}.yml", encoding="utf-8") as f:
        return yaml.safe_load(f)


def _words(key: str) -> List[str]:
    return [w for lang in LANGUAGES for w in trial_words(lang)[key]]


def organ_transplant_reading(text: str, _lang: Optional[str]) -> Optional[Tuple[str, str]]:
    """("no", why) when only a marrow / stem-cell transplant is named, else None."""
    folded = fold(text)
    if contains_any(folded, _words("marrow_transplant")) and not contains_any(folded, _words("organ_transplant")):
        return "no", "marrow_not_organ"
    return None


@lru_cache(maxsize=None)
def topic_words(lang: str) -> Dict[str, List[str]]:
    """The words that name each question in ``lang`` ("age", "CAR-T", "过敏"), for ``parse_topic``."""
    return dict(trial_words(lang).get("topics") or {})
