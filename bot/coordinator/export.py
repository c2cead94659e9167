"""CSV and JSON exports of every lead: human column headers, answers in words, notes and the
status history included, and every text neutralised against spreadsheet formulas in both
formats (JSON exports end up in spreadsheets too)."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, tzinfo
from typing import Any, Dict, Iterable, List

from bot.coordinator.labels import STATUS_LABELS
from bot.coordinator.present import (
    answer_lines,
    history_words,
    language_words,
    local_time,
    outcome_words,
    patient_age,
    respondent_words,
    result_words,
)

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
CONTACT_COLUMNS = (("name", "Name"), ("phone", "Phone"), ("email", "E-mail"), ("wechat", "WeChat ID"),
                   ("time", "Best time"))


def csv_safe(value: Any) -> Any:
    """Neutralise spreadsheet formulas: a text cell starting with = + - @ tab or CR (also after
    leading spaces, and their full-width forms) gets a leading single quote."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    if value.lstrip(" ").startswith(FORMULA_TRIGGERS) or value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def neutralise(value: Any) -> Any:
    """``csv_safe`` on every string in a JSON document (keys are ours and left alone)."""
    if isinstance(value, str):
        return csv_safe(value)
    if isinstance(value, list):
        return [neutralise(v) for v in value]
    if isinstance(value, dict):
        return {k: neutralise(v) for k, v in value.items()}
    return value


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat(timespec="seconds")


def _history_text(lead: Dict[str, Any], tz: tzinfo) -> str:
    lines = []
    for h in lead.get("history") or []:
        line = f"{local_time(h['created_at'], tz)} {h['actor']}: {history_words(h)}"
        lines.append(line + (f" — {h['note']}" if h.get("note") else ""))
    return "\n".join(lines)


def csv_text(leads: Iterable[Dict[str, Any]], tz: tzinfo) -> str:
    """One row per lead; one answers column and one result column per criterion."""
    leads = list(leads)
    criteria: List[tuple] = []
    for lead in leads:
        for row in lead["packet"]:
            if row.get("id") not in [c for c, _ in criteria]:
                criteria.append((str(row.get("id")), str(row.get("criterion") or "")))
    header = [
        "Lead", "Kind", f"Received ({tz})", f"Last updated ({tz})", "Status", "Outcome", "Patient age",
        "Answered by", "Language", *[label for _, label in CONTACT_COLUMNS], "Message",
        "Failed criteria", "Not sure", "Documents to request",
        *[f"{cid} {text}: answers" for cid, text in criteria], *[f"{cid} result" for cid, _ in criteria],
        "History and notes", "Trial", "Conversation",
    ]
    buf = io.StringIO()
    writer = csv.writer(buf, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(header)
    for lead in leads:
        by_id = {str(r.get("id")): r for r in lead["packet"]}
        contact = lead.get("contact") or {}
        cells = [
            lead["id"], "Question" if lead["kind"] == "question" else "Pre-screening",
            local_time(lead["created_at"], tz), local_time(lead["updated_at"], tz),
            STATUS_LABELS.get(lead["status"], lead["status"]), outcome_words(lead), patient_age(lead),
            respondent_words(lead), language_words(lead), *[contact.get(f) for f, _ in CONTACT_COLUMNS],
            "\n".join(m["text"] for m in lead.get("messages") or []),
            " ".join(lead["failed_criteria"]), " ".join(lead["unknown_criteria"]),
            "; ".join(f"{d['id']}: {d['documents']}" for d in lead["unknown_documents"]),
            *["; ".join(f"{line['label']}: {line['value']}" for line in answer_lines(by_id[cid]))
              if cid in by_id else "" for cid, _ in criteria],
            *[result_words(by_id[cid]) if cid in by_id else "" for cid, _ in criteria],
            _history_text(lead, tz), lead["trial_id"], lead["conversation_id"],
        ]
        writer.writerow([csv_safe(cell) for cell in cells])
    # The BOM makes spreadsheet programs read Chinese and Spanish names as UTF-8.
    return "\ufeff" + buf.getvalue()


def json_text(leads: Iterable[Dict[str, Any]], trial_id: str) -> str:
    payload = []
    for lead in leads:
        item = {k: v for k, v in lead.items() if k not in ("created_at", "updated_at", "history", "updates",
                                                            "last_update")}
        item["created_at"] = _iso(lead["created_at"])
        item["updated_at"] = _iso(lead["updated_at"])
        item["history"] = [{**h, "created_at": _iso(h["created_at"])} for h in lead.get("history") or []]
        payload.append(item)
    return json.dumps(neutralise({"trial_id": trial_id, "leads": payload}), ensure_ascii=False, indent=2)
