"""The report: a table as text or markdown, a summary line, and what the offline snapshot cannot vouch for."""

from __future__ import annotations

import re
from typing import Dict, List, Sequence, Tuple

from tools.audit.findings import Finding
from tools.audit.osv import canonical

COLUMNS = ("package", "pinned", "advisory", "CVE", "fixed in", "why not fixed", "reachable?")


def _row(f: Finding) -> List[str]:
    return [f.package, f.pinned, f.advisory, f.cve, ", ".join(f.fixed_in) or "-", f.why,
            f.reachable]


def summary_line(findings: Sequence[Finding]) -> str:
    count = {s: sum(1 for f in findings if f.status == s)
             for s in ("held", "fixable", "no-fix", "unparsed")}
    packages = len({canonical(f.package) for f in findings})
    line = (f"{len(findings)} advisories affect {packages} packages: "
            f"{count['held']} held back by pins, {count['fixable']} fixable, "
            f"{count['no-fix']} with no fixed release")
    if count["unparsed"]:
        line += f", {count['unparsed']} to check by hand"
    return line


def snapshot_gaps(snapshot: dict, pins: Dict[str, Tuple[str, str]]) -> List[str]:
    """What the snapshot does not vouch for, so a short findings list is not read as "clean"."""
    gaps = [str(n) for n in snapshot.get("notes") or []]
    checked = {canonical(k): v for k, v in (snapshot.get("packages_checked") or {}).items()}
    for key, info in sorted(checked.items()):
        note = str(info.get("note") or "")
        if re.search(r"incomplete|truncated", note, re.I):
            gaps.append(f"{key} {info.get('version', '')}: NOT known clean. {note}")
    for key, info in sorted(checked.items()):
        note = str(info.get("note") or "")
        if note and not re.search(r"incomplete|truncated", note, re.I):
            gaps.append(f"Collector's note on {key} {info.get('version', '')}: {note}")
    missing = sorted(pins[k][0] for k in pins if k not in checked)
    if missing:
        gaps.append("Not covered by the snapshot at all: " + ", ".join(missing))
    stale = sorted(f"{pins[k][0]} (lock {pins[k][1]}, snapshot {checked[k].get('version')})"
                   for k in pins if k in checked and str(checked[k].get("version")) != pins[k][1])
    if stale:
        gaps.append("Pinned version differs from the one the snapshot was collected for, so "
                    "advisories for the new version may be missing: " + ", ".join(stale))
    unread = sorted(
        f"{k} ({v.get('advisory_files', 0)}+{(v.get('fallback') or {}).get('advisory_files', 0)})"
        for k, v in checked.items()
        if not v.get("files_read")
        and (v.get("advisory_files") or (v.get("fallback") or {}).get("advisory_files"))
    )
    if unread:
        gaps.append("Advisory files listed but none read by the collector (not re-verified "
                    "here; counts are pypa+fallback files): " + ", ".join(unread))
    return gaps


def render_text(findings, header: List[str], gaps: List[str]) -> str:
    rows = [list(COLUMNS)] + [_row(f) for f in findings]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    lines = list(header) + [""]
    for i, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(widths[j]) for j, cell in enumerate(row)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines += ["", summary_line(findings)]
    lines += _reach_notes(findings, lambda name, v, n: f"  {name}: {v}. {n}")
    if gaps:
        lines += ["", "Gaps in the offline snapshot:"] + [f"  - {g}" for g in gaps]
    return "\n".join(lines) + "\n"


def _reach_notes(findings, fmt) -> List[str]:
    seen: Dict[str, Finding] = {}
    for f in findings:
        seen.setdefault(canonical(f.package), f)
    notes = [fmt(f.package, f.reachable, f.reach_note) for f in seen.values() if f.reach_note]
    return ["", "Reachable? is our assessment for this project, not the advisories':"] + notes \
        if notes else []


def render_markdown(findings, header: List[str], gaps: List[str]) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|")

    lines = ["# Dependency audit", ""] + [f"{h}  " for h in header] + [""]
    lines.append("| " + " | ".join(COLUMNS) + " |")
    lines.append("|" + "---|" * len(COLUMNS))
    for f in findings:
        lines.append("| " + " | ".join(cell(c) for c in _row(f)) + " |")
    lines += ["", f"**{summary_line(findings)}**"]
    lines += _reach_notes(findings, lambda name, v, n: f"- **{name}**: {v}. {n}")
    if gaps:
        lines += ["", "## Gaps in the offline snapshot", ""] + [f"- {cell(g)}" for g in gaps]
    return "\n".join(lines) + "\n"
