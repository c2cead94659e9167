"""Contact details as the store accepts them: known fields, bounded text, real phone numbers and
e-mail addresses, phones always written the same way (E.164). Used for leads, questions and
drafts alike, so a draft that was accepted is a contact that will be accepted."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any, Dict, List, Mapping, Optional, Tuple

from bot.leads.errors import LeadValidationError
from bot.leads.validation import normalise_phone, to_e164, valid_email, valid_phone
from bot.understanding.text import contains_any, fold

CONTACT_FIELDS = ("name", "phone", "email", "wechat", "time")
REACHABLE_BY = ("phone", "email", "wechat")
MAX_CONTACT_LENGTH = 200


def clean_text(value: Any, field_name: str, limit: int = MAX_CONTACT_LENGTH) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise LeadValidationError(f"{field_name} must be text")
    value = value.strip()
    if not value:
        return None
    if len(value) > limit:
        raise LeadValidationError(f"{field_name} is too long")
    return value


def validate_contact_field(field_name: str, value: Any) -> str | None:
    """One contact field, normalised; None when empty."""
    if field_name not in CONTACT_FIELDS:
        raise LeadValidationError(f"unknown contact field: {str(field_name)[:32]}")
    cleaned = clean_text(value, f"contact {field_name}")
    if cleaned is None:
        return None
    if field_name == "phone":
        if not valid_phone(cleaned):
            raise LeadValidationError("contact phone is not a valid phone number")
        return to_e164(cleaned)
    if field_name == "email" and not valid_email(cleaned):
        raise LeadValidationError("contact email is not a valid e-mail address")
    return cleaned


def validate_contact(contact: Mapping[str, Any]) -> Dict[str, str | None]:
    """Every field normalised; at least one way to reach the person is required."""
    if not isinstance(contact, Mapping):
        raise LeadValidationError("contact must be a mapping")
    unknown = set(contact) - set(CONTACT_FIELDS)
    if unknown:
        raise LeadValidationError(f"unknown contact fields: {', '.join(sorted(str(u)[:32] for u in unknown))}")
    cleaned = {f: validate_contact_field(f, contact.get(f)) for f in CONTACT_FIELDS}
    if not any(cleaned[f] for f in REACHABLE_BY):
        raise LeadValidationError("a phone number, e-mail address or WeChat ID is required")
    return cleaned


# --- reading a free-text answer ---------------------------------------------------------------
# People type their details in one message, in their own words: "my wechat is lily_z88 and
# phone 139 1234 5678", "手机15800001111 微信同号", "más 34 612 345 678", full-width digits from a
# Chinese keyboard. The words that name a WeChat ID, say "same number" or read a "+" aloud are
# data (bot/understanding/lang/<code>/contact.yml).

_EMAIL_IN_TEXT = re.compile(r"[^\s,;，；<>()]+@[^\s,;，；<>()]+")
_PHONE_IN_TEXT = re.compile(r"(?:\+|00)?\d[\d\s\-().]{5,20}\d")
_WECHAT_ID = re.compile(r"[A-Za-z][-_A-Za-z0-9]{5,19}")
# What real IDs nearly always have beside letters; a plain word alone ("mornings", "Jennifer",
# "mañana") is a time or a name far more often than an ID.
_ID_MARK = re.compile(r"[-_0-9]")
# Control and direction-override characters: never part of what a person meant to type.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


@lru_cache(maxsize=1)
def _contact_words() -> Dict[str, List[str]]:
    from bot.understanding.lang import LANGUAGES, load

    words: Dict[str, List[str]] = {}
    for lang in LANGUAGES:
        for key, phrases in load(lang, "contact").items():
            words.setdefault(key, []).extend(fold(p) for p in phrases)
    # Longest first, so "wechat id" wins over "wechat" and "号是" over "是".
    return {key: sorted(set(v), key=len, reverse=True) for key, v in words.items()}


def _alternation(phrases: List[str]) -> str:
    return "|".join(re.escape(p) for p in phrases)


@lru_cache(maxsize=1)
def _patterns() -> Tuple[re.Pattern, re.Pattern, re.Pattern]:
    words = _contact_words()
    labels = _alternation(words["wechat_labels"])
    # A word joiner ("is", "es") must end as a word; "：" and "是" are glued to the ID ("微信：lily_88").
    joiners = "|".join(re.escape(j) + (r"(?![A-Za-z])" if j[-1:].isascii() and j[-1:].isalpha() else "")
                       for j in words["label_joiners"])
    labelled = re.compile(
        rf"(?<![A-Za-z])(?:{labels})(?![A-Za-z])\s*(?:(?:{joiners})\s*){{0,2}}"
        rf"({_WECHAT_ID.pattern}|(?:\+|00)?\d[\d\s\-]{{5,18}}\d)(?![-_A-Za-z0-9])", re.I)
    spoken_plus = re.compile(rf"(?<![A-Za-z])(?:{_alternation(words['spoken_plus'])})\s*(?=\d)", re.I)
    label = re.compile(rf"(?<![A-Za-z])(?:{labels})(?![A-Za-z])", re.I)
    return labelled, spoken_plus, label


@lru_cache(maxsize=1)
def _name_intro() -> re.Pattern:
    from bot.understanding.lang import LANGUAGES, load

    # As written, not folded: the match is cut from the name as typed, accents and all.
    intros = sorted({p for lang in LANGUAGES for p in load(lang, "contact").get("name_intros", [])}, key=len, reverse=True)
    # A Latin introduction ends as a word ("I'm Ana", not "Imogen"); a Chinese one needs no space.
    alternatives = "|".join(re.escape(p) + (r"(?![^\W\d_])" if p[-1:].isascii() else "") for p in intros)
    return re.compile(rf"^\s*(?:{alternatives})[\s:：,，.]*", re.I)


def read_name(text: str) -> str:
    """The name in a reply to "what name should the coordinator use?", without the words that
    introduce it ("My name is Ana López", "我叫王芳", "me llamo Ana"): the rest as typed."""
    text = str(text or "").strip()
    rest = _name_intro().sub("", text, count=1).strip()
    return rest if any(ch.isalpha() for ch in rest) else text


def read_contact_details(text: str) -> Dict[str, Optional[str]]:
    """Phone, e-mail and WeChat ID found in one free-text answer (each None when absent).

    Found values are as typed apart from the keyboard's width (NFKC) and a spoken "plus"; the
    store writes phones one way. Nothing is guessed: an unlabelled word is a WeChat ID only when
    it is the whole answer and looks like one (a digit, "_" or "-" beside its letters); a named
    one ("wechat: jennifer") may be letters only, but never a time word ("wechat tomorrow").
    """
    text = unicodedata.normalize("NFKC", CONTROL_CHARACTERS.sub("", str(text or ""))).strip()[:500]
    # Accents off ("más" reads as the lexicon's "mas"); IDs, e-mails and numbers have none.
    text = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
    labelled_wechat, spoken_plus, wechat_label = _patterns()
    text = spoken_plus.sub("+", text)
    found: Dict[str, Optional[str]] = {"contact_phone": None, "contact_email": None, "contact_wechat": None}
    for candidate in _EMAIL_IN_TEXT.findall(text):
        candidate = candidate.strip(".")
        if valid_email(candidate):
            found["contact_email"] = candidate
            text = text.replace(candidate, " ")
            break
    labelled = labelled_wechat.search(text)
    if labelled:
        value = labelled.group(1)
        if (value[0].isalpha() and not _a_word_not_an_id(value)) or valid_phone(value):
            found["contact_wechat"] = normalise_phone(value) if not value[0].isalpha() else value
            text = text.replace(labelled.group(0), " ")
    for candidate in _PHONE_IN_TEXT.findall(text):
        if valid_phone(candidate):
            found["contact_phone"] = normalise_phone(candidate)
            text = text.replace(candidate, " ")
            break
    rest = fold(text)
    if found["contact_phone"] and not found["contact_wechat"] and wechat_label.search(rest) \
            and contains_any(rest, _contact_words()["same_number"]):
        found["contact_wechat"] = _national(found["contact_phone"])
    if not any(found.values()):
        words = text.split()
        if len(words) == 1 and _WECHAT_ID.fullmatch(words[0]) and _ID_MARK.search(words[0]) \
                and not _a_word_not_an_id(words[0]):
            found["contact_wechat"] = words[0]
    return found


def _a_word_not_an_id(value: str) -> bool:
    """A time word or the label itself ("wechat tomorrow", "wechat"): never an ID, even named."""
    folded = fold(value)
    return folded in _contact_words()["not_ids"] or folded in _contact_words()["wechat_labels"]


def _national(phone: str) -> str:
    """The number a WeChat account is registered with, as people type it: no country code."""
    compact = normalise_phone(phone)
    for prefix in ("+86", "0086"):
        if compact.startswith(prefix):
            return compact[len(prefix):]
    return compact
