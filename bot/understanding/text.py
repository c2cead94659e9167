"""Text folding shared by every reader: the same text always compares the same way.

Folding lower-cases, applies NFKC (full-width digits and letters become ASCII), strips Latin
accents ("médula" -> "medula", so Spanish typed without accents reads the same), straightens
curly quotes and collapses whitespace. Chinese characters are left as they are.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterable

_APOSTROPHES = dict.fromkeys(map(ord, "\u2018\u2019\u02bc\u00b4`\uff07"), "'")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").translate(_APOSTROPHES).lower()
    stripped = "".join(
        ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch)
    )
    # NFD splits some CJK compatibility forms; recompose what is left.
    return _SPACES.sub(" ", unicodedata.normalize("NFC", stripped)).strip()


def has_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text)


def contains_any(folded_text: str, phrases: Iterable[str]) -> bool:
    """Whether any phrase occurs: as a whole word for Latin script, anywhere for Chinese."""
    for phrase in phrases:
        p = fold(phrase)
        if not p:
            continue
        if has_cjk(p):
            if p in folded_text:
                return True
        elif re.search(r"(?<![\w])" + re.escape(p) + r"(?![\w])", folded_text):
            return True
    return False
