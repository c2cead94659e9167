"""The one language decision for each message, and how questions name the patient.

``decide`` is the only place that chooses the conversation's language; the actions call it once
per message with what they know (``actions/language.py``). In order of authority:

1. an explicit request typed at any point ("中文", "español", "English please");
2. the web page's or REST client's ``metadata.language``, when it is new or has changed (a page
   that keeps sending the same language never undoes a switch the person typed);
3. for a first message with neither, a cautious guess: two or more Chinese characters, or three or
   more words that read clearly as Spanish or English ("ok", "sí", "hi" never decide);
4. otherwise the language stays as it is.

It also says whether the message is clearly in a language the assistant does not speak (another
script, or plainly French). That is only ever said to the person when the message could not be
read otherwise: "no, still in remission" or Spanish without accents are never "another language".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, Optional

from bot.understanding import cues, parsing
from bot.understanding.lang import load
from bot.understanding.matching import CJK_SPACE_BREAK
from bot.understanding.text import fold

LANGUAGES = ("en", "zh", "es")
DEFAULT_LANGUAGE = "en"

# How the Chinese and Spanish questions name the patient, by who is answering.
PATIENT_REF = {
    "zh": {"patient": ("您", "您"), "guardian": ("您的孩子", "您的孩子"), "other": ("患者", "患者")},
    "es": {"patient": ("usted", "Usted"), "guardian": ("su hijo o hija", "Su hijo o hija"),
           "other": ("el paciente", "El paciente")},
    "en": {"patient": ("you", "You"), "guardian": ("your child", "Your child"), "other": ("the patient", "The patient")},
}

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_WORD = re.compile(r"[^\W\d_]+")
_OTHER_SCRIPTS = re.compile(r"[\u0600-\u06ff\u0400-\u04ff\u0590-\u05ff\u0e00-\u0e7f\u3040-\u30ff\uac00-\ud7af\u0900-\u097f]")
_FRENCH = frozenset("je suis mon ma est une des pour avec bonjour fils fille ans mois cet cette lui oui merci très".split())


@dataclass(frozen=True)
class Decision:
    language: str  # the conversation's language after this message
    requested: Optional[str] = None  # an explicit request in the message
    unsupported: bool = False  # clearly written in a language the assistant does not speak


def patient_ref_slots(language: Optional[str], respondent: Optional[str]) -> Dict[str, Any]:
    """The {patient_ref} / {patient_ref_title} words the zh and es questions use."""
    lang = language if language in PATIENT_REF else DEFAULT_LANGUAGE
    ref, title = PATIENT_REF[lang].get(respondent or "patient", PATIENT_REF[lang]["patient"])
    return {"patient_ref": ref, "patient_ref_title": title}


def language_of(metadata: Any) -> Optional[str]:
    """A supported language from message metadata ({"language": "zh-CN"} -> "zh")."""
    lang = metadata.get("language") if isinstance(metadata, dict) else None
    if isinstance(lang, str):
        lang = lang.lower()[:2]
    return lang if lang in LANGUAGES else None


def first_message_language(text: str) -> Optional[str]:
    sample = (text or "")[:500]
    if len(_CJK.findall(sample)) >= 2:
        return "zh"
    if len(_WORD.findall(sample)) < 3:
        return None
    guess = parsing.guess_language(sample)
    return guess if guess in LANGUAGES else None


def looks_unsupported(text: str) -> bool:
    """Clearly not English, Chinese or Spanish: another script, or plainly French."""
    sample = (text or "")[:500]
    if len(_OTHER_SCRIPTS.findall(sample)) >= 3:
        return True
    words = [w.lower() for w in _WORD.findall(sample)]
    return len(words) >= 4 and sum(w in _FRENCH for w in words) >= 3


# Language names, for a request the classifier recognises but the request reader does not
# ("¿puedo seguir en español?", "能换成中文吗").
_NAMES = {
    "en": re.compile(r"\b(?:english|ingl[eé]s)\b|英文|英语|英語", re.I),
    "zh": re.compile(r"\b(?:chinese|mandarin|chino|mandar[ií]n)\b|中文|汉语|漢語|普通话|国语|华语", re.I),
    "es": re.compile(r"\b(?:spanish|espa[nñ]ol|castellano)\b|西班牙语|西班牙文|西语", re.I),
}


_LANGUAGE_WORD = re.compile(r"\b(?:language|languages|idioma|idiomas|lengua|lenguaje)\b|语言|语种", re.I)


def names_a_language(text: str) -> bool:
    """Whether the message names a language, or speaks of languages ("other languages?"): the
    classifier's guess of a language switch counts only then, so plain Spanish typed without
    accents ("no sigue en remision") is never told "I can only speak ..."."""
    sample = text or ""
    return bool(_LANGUAGE_WORD.search(sample)) or any(p.search(sample) for p in _NAMES.values())


_CLAUSE = re.compile(r"[.!?。！？,，;；、]|" + CJK_SPACE_BREAK)


@lru_cache(maxsize=None)
def _words(key: str) -> Optional[re.Pattern]:
    """One pattern for a list of ``language.yml`` over the three languages (whole words for Latin)."""
    return cues.phrase_pattern([p for lang in LANGUAGES for p in load(lang, "language").get(key) or []])


def _has(key: str, folded: str) -> bool:
    pattern = _words(key)
    return bool(pattern and pattern.search(folded))


def _tells(clause: str) -> bool:
    """A clause that says what someone speaks ("I speak Spanish at home", "我老公只会说英语",
    "mi marido solo lee inglés"): a speaker and a telling verb, a language named, no question and
    no asking word ("can I speak Spanish?", "我想说英语", "quiero hablar en inglés" ask)."""
    folded = fold(clause)
    return names_a_language(clause) and _has("speakers", folded) and _has("telling_verbs", folded) \
        and not _has("asking", folded) and not cues.is_question(clause)


def _request_in(text: str) -> Optional[str]:
    """The language a message asks for in its own words. Clauses that only tell what someone
    speaks are set aside; a clause that asks is read on its own when the whole message is not
    one request ("my chinese is not good, english ok?"); and a request for another language
    that names none takes the one a clause tells of ("mi hijo habla mejor inglés, ¿se puede
    cambiar el idioma?"), unless that clause denies it ("he doesn't speak English")."""
    clauses = [c.strip() for c in _CLAUSE.split(text) if c and c.strip()]
    telling = [c for c in clauses if _tells(c)]
    if not telling:
        found = parsing.parse_language_request(text)
        if found is not None or len(clauses) < 2:
            return found
    asking = [c for c in clauses if c not in telling]
    codes = {parsing.parse_language_request(c) for c in asking} - {None}
    if len(codes) == 1:
        return codes.pop()
    if codes or not telling:
        return None
    told = {code for c in telling if not cues.negated(c) for code, p in _NAMES.items() if p.search(c)}
    other = any(_LANGUAGE_WORD.search(c) and (cues.is_question(c) or _has("asking", fold(c))) for c in asking)
    return told.pop() if other and len(told) == 1 else None


def requested_language(text: str, intent: Optional[str] = None, current: Optional[str] = None) -> Optional[str]:
    """An explicit request for a language: read from the words, or, when the classifier is sure
    the message asks to switch, the language it names (other than the current one: "¿puedo
    seguir en español? mi inglés no es muy bueno")."""
    found = _request_in(text or "")
    if found is None and intent == "switch_language":
        named = [lang for lang, pattern in _NAMES.items() if pattern.search(text or "") and lang != current]
        found = named[0] if len(named) == 1 else None
    return found


def decide(text: str, *, metadata_language: Optional[str], previous_metadata_language: Optional[str],
           current: Optional[str], first_message: bool, intent: Optional[str] = None) -> Decision:
    """The conversation's language after this message (see the module docstring)."""
    requested = requested_language(text, intent, current)
    language = requested
    if language is None and metadata_language and metadata_language != previous_metadata_language:
        language = metadata_language
    if language is None and first_message:
        language = first_message_language(text)
    chosen = language or (current if current in LANGUAGES else DEFAULT_LANGUAGE)
    return Decision(chosen, requested, requested is None and looks_unsupported(text or ""))
