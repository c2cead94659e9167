"""The lexicons as data: one folder per language, one short file per topic, read once.

``<code>/<topic>.yml`` (``en/yesno.yml``, ``zh/numbers.yml``, ``es/activity.yml`` ...) holds the
words one reader needs in one language, so a translator reviews a language in one folder. Each
file starts with a one-line comment saying what it is for. Readers fold text before matching
(``bot.understanding.text``), so phrases are written with their accents for readability.

YAML reads a bare ``no``, ``yes``, ``on`` or ``off`` as true/false: ``load`` refuses a phrase
that is not a string, so a missing pair of quotes cannot silently turn "no" into "False".
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict

import yaml

LANG_DIR = Path(__file__).resolve().parent
LANGUAGES = ("en", "zh", "es")


class LexiconError(ValueError):
    """A lexicon file that cannot be read as intended (a phrase that is not a string)."""


@lru_cache(maxsize=None)
def load(lang: str, topic: str) -> Dict[str, Any]:
    """The contents of ``<lang>/<topic>.yml``; {} when the language has no such file."""
    path = LANG_DIR / lang / f"{topic}.yml"
    if not path.is_file():
        return {}
    with open(path, encoding="utf-8") as f:
        data = yaml.safe_load(f) or {}
    if not isinstance(data, dict):
        raise LexiconError(f"{lang}/{topic}.yml: expected a mapping at the top")
    _check(data, f"{lang}/{topic}.yml")
    return data


def _check(node: Any, where: str) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _check(value, f"{where}: {key}")
    elif isinstance(node, list):
        for item in node:
            if isinstance(item, list):
                _check(item, where)
            elif not isinstance(item, str):
                raise LexiconError(f"{where}: {item!r} is not a string (quote it: \"{item}\")")
