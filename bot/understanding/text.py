"""Text folding shared by every reader: the same text always compares the same way.

Folding lower-cases, applies NFKC (full-width digits and letters become ASCII), strips Latin
accents ("médula" -> "medula", so Spanish typed without accents reads the same), straightens
curly quotes and collapses whitespace. Traditional Chinese characters become simplified ones
(``lang/zh/traditional.yml``, one character for one), so "兩歲半" reads as "两岁半".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Dict, Iterable

_APOSTROPHES = dict.fromkeys(map(ord, "\u2018\u2019\u02bc\u00b4`\uff07"), "'")


@lru_cache(maxsize=None)
def simplified() -> Dict[int, str]:
    """Traditional -> simplified characters (one for one, so offsets do not move)."""
    from bot.understanding.lang import load

    return {ord(t): s for t, s in (load("zh", "traditional").get("chars") or {}).items()
            if len(str(t)) == 1 and len(str(s)) == 1}
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").translate(_APOSTROPHES).translate(simplified()).lower()
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
