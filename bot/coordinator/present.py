"""A lead in words, for the inbox pages and the exports: no slot names, no raw values.

"Age: 7 years", "Daily activity: Light activity only (ECOG 1)", "Sex: not asked: does not apply",
times in the coordinator's time zone with "2 hours ago". Pure functions over the dicts the
store returns, so pages and exports say the same thing.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any, Dict, List, Mapping

from bot.coordinator.labels import (
    CHANGE_LABELS,
    CONTACT_LABELS,
    CRITERION_QUESTIONS,
    LANGUAGE_LABELS,
    NOT_APPLICABLE,
    OUTCOME_LABELS,
    RESPONDENT_LABELS,
    SLOT_LABELS,
    STATUS_LABELS,
    VALUE_LABELS,
    VERDICT_LABELS,
)
from bot.leads.validation import group_phone

REACHABLE_BY = ("phone", "email", "wechat")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def age_words(value: Any) -> str:
    """7.0 -> "7 years", 1.5 -> "1 year 6 months", 0.75 -> "9 months"."""
    if not _is_number(value):
        return VALUE_LABELS.get(str(value), str(value))
    months_total = round(float(value) * 12)
    years, months = divmod(months_total, 12)
    parts = ([_plural(years, "year")] if years else []) + ([_plural(months, "month")] if months else [])
    return " ".join(parts) or "0 months"


def months_words(value: Any) -> str:
    if not _is_number(value):
        return VALUE_LABELS.get(str(value), str(value))
    return f"{float(value):g} month" + ("" if float(value) == 1 else "s")


def answer_words(slot: str, value: Any) -> str:
    if slot == "patient_age":
        return age_words(value)
    if slot == "car_t_loss_months":
        return months_words(value)
    if slot == "ecog" and _is_number(value):
        level = int(value)
        return f"{VALUE_LABELS.get(f'ecog_{level}', 'level')} (ECOG {level})"
    if slot == "sex":
        return VALUE_LABELS.get(f"sex_{value}", str(value))
    return VALUE_LABELS.get(str(value), str(value))


def answer_lines(row: Mapping[str, Any]) -> List[Dict[str, Any]]:
    """One line per question of a packet row: the answer given, or why it was not asked."""
    answers = dict(row.get("answers") or {})
    verdict = row.get("verdict")
    lines = [{"label": SLOT_LABELS.get(slot, slot), "value": answer_words(slot, value), "asked": True}
             for slot, value in answers.items()]
    if verdict == "confirmed_by_study_doctor":
        return lines
    for slot in CRITERION_QUESTIONS.get(str(row.get("id")), ()):
        if slot not in answers:
            lines.append({"label": SLOT_LABELS.get(slot, slot), "asked": False,
                          "value": "not asked" if verdict == "pending" else NOT_APPLICABLE})
    return lines


def result_words(row: Mapping[str, Any]) -> str:
    """The row's verdict; "Not asked: does not apply" when none of its questions applied."""
    verdict = row.get("verdict")
    if verdict == "pass" and CRITERION_QUESTIONS.get(str(row.get("id"))) and not row.get("answers"):
        return NOT_APPLICABLE[0].upper() + NOT_APPLICABLE[1:]
    return VERDICT_LABELS.get(verdict, str(verdict))


def local_time(value: datetime | None, tz: tzinfo) -> str:
    return "" if value is None else value.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def ago(value: datetime | None, now: datetime) -> str:
    if value is None:
        return ""
    seconds = max(0, int((now - value).total_seconds()))
    if seconds < 60:
        return "just now"
    for size, word in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            return f"{_plural(seconds // size, word)} ago"
    return "just now"  # pragma: no cover


def criterion_text(lead: Mapping[str, Any], cid: str) -> str:
    for row in lead.get("packet") or []:
        if row.get("id") == cid:
            return str(row.get("criterion") or "")
    return ""


def patient_age(lead: Mapping[str, Any]) -> str:
    for row in lead.get("packet") or []:
        if "patient_age" in (row.get("answers") or {}):
            return age_words(row["answers"]["patient_age"])
    return ""


def phone_words(phone: Any) -> str:
    """A stored phone as a coordinator reads it aloud: "+86 138 1234 5678" (stored as E.164)."""
    return group_phone(str(phone or ""))


def contact_ways(contact: Mapping[str, Any]) -> List[Dict[str, str]]:
    """Every way to reach the person, in the order to try them (phone, e-mail, WeChat), phones
    grouped: the list shows all of them, so an e-mail is not hidden behind a phone."""
    return [{"field": field, "label": CONTACT_LABELS[field],
             "value": phone_words(contact[field]) if field == "phone" else str(contact[field])}
            for field in REACHABLE_BY if contact.get(field)]


def outcome_words(lead: Mapping[str, Any]) -> str:
    outcome = OUTCOME_LABELS.get(lead.get("outcome") or "", "")
    if lead.get("kind") == "question":
        return f"Question ({outcome.lower()})" if outcome else "Question"
    return outcome or "—"


def history_words(entry: Mapping[str, Any]) -> str:
    if entry["kind"] == "updated":
        changed = ", ".join(CHANGE_LABELS.get(c, c) for c in entry.get("changed") or [])
        return f"Updated by the person: {changed}"
    if entry["kind"] == "note":
        return "Note"
    return f"{STATUS_LABELS.get(entry['from_status'], entry['from_status'])} → " \
           f"{STATUS_LABELS.get(entry['to_status'], entry['to_status'])}"


def lead_summary(lead: Mapping[str, Any]) -> Dict[str, Any]:
    """What the lead page shows first: outcome, failed and unknown criteria in words, documents."""
    return {
        "outcome": outcome_words(lead),
        "failed": [{"id": c, "text": criterion_text(lead, c)} for c in lead.get("failed_criteria") or []],
        "unknown": [{"id": c, "text": criterion_text(lead, c)} for c in lead.get("unknown_criteria") or []],
        "documents": list(lead.get("unknown_documents") or []),
    }


def respondent_words(lead: Mapping[str, Any]) -> str:
    return RESPONDENT_LABELS.get(lead.get("respondent") or "", "Not said")


def language_words(lead: Mapping[str, Any]) -> str:
    return LANGUAGE_LABELS.get(lead.get("language") or "", str(lead.get("language") or ""))
