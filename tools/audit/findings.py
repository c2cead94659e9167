"""The audit's inputs (the lock, the installed tools, the snapshot) and the findings made from them."""

from __future__ import annotations

import importlib.metadata
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from packaging.version import InvalidVersion, Version

from tools.audit.holders import Constraint, explain
from tools.audit.osv import affects, canonical, fix_candidates, fixed_versions, last_affected, parse_version
from tools.audit.records import NOT_ASSESSED, REACHABILITY

# pip freeze (and so requirements.lock) leaves these out, but they are installed in .venv too.
TOOLS = ("pip", "setuptools", "wheel")


def read_lock(path: Path) -> Dict[str, Tuple[str, str]]:
    """{canonical name: (name as written, version)} for every `name==version` line."""
    pins: Dict[str, Tuple[str, str]] = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].split(";", 1)[0].strip()
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*===?\s*(\S+)", line)
        if match:
            pins[canonical(match.group(1))] = (match.group(1), match.group(2))
    return pins


def tool_pins() -> Dict[str, Tuple[str, str]]:
    pins = {}
    for tool in TOOLS:
        try:
            pins[tool] = (tool, importlib.metadata.version(tool))
        except importlib.metadata.PackageNotFoundError:
            pass
    return pins


def load_snapshot(path: Path) -> dict:
    data = json.loads(path.read_text())
    if not isinstance(data, dict) or not isinstance(data.get("advisories"), list):
        raise ValueError(f"{path}: no 'advisories' list")
    return data


@dataclass
class Finding:
    package: str
    pinned: str
    advisory: str
    aliases: List[str]
    summary: str
    fixed_in: List[str]
    status: str  # held | fixable | no-fix | unparsed
    why: str
    reachable: str
    reach_note: str

    @property
    def cve(self) -> str:
        cves = [a for a in self.aliases if a.upper().startswith("CVE-")]
        return ", ".join(cves) if cves else "-"


def _finding(
    name: str,
    pinned: str,
    adv_id: str,
    aliases: List[str],
    summary: str,
    fixes: List[str],
    candidates: Sequence[Version],
    constraints: Sequence[Constraint],
    last: Optional[str] = None,
    installed: Optional[Dict[str, str]] = None,
) -> Finding:
    status, why = explain(name, pinned, candidates, constraints, last, installed)
    reachable, note = REACHABILITY.get(canonical(name), NOT_ASSESSED)
    shown = [str(c) for c in candidates] or sorted(set(fixes))
    return Finding(name, pinned, adv_id, aliases, summary, shown, status, why, reachable, note)


def match_snapshot(
    pins: Dict[str, Tuple[str, str]],
    advisories: Sequence[dict],
    constraints: Sequence[Constraint],
    installed: Optional[Dict[str, str]] = None,
) -> List[Finding]:
    findings = []
    for adv in advisories:
        key = canonical(str(adv.get("package", "")))
        if key not in pins:
            continue
        name, pinned = pins[key]
        adv_id = str(adv.get("id", "?"))
        aliases = list(adv.get("aliases") or [])
        summary = str(adv.get("summary") or "")
        try:
            if not affects(pinned, adv):
                continue
            candidates = fix_candidates(pinned, adv)
        except InvalidVersion as exc:
            reachable, note = REACHABILITY.get(key, NOT_ASSESSED)
            findings.append(
                Finding(name, pinned, adv_id, aliases, summary, fixed_versions(adv), "unparsed",
                        f"check by hand: {exc}", reachable, note)
            )
            continue
        findings.append(
            _finding(name, pinned, adv_id, aliases, summary, fixed_versions(adv), candidates,
                     constraints, last_affected(adv), installed)
        )
    return sorted(findings, key=lambda f: (canonical(f.package), f.advisory))


def findings_from_pip_audit(
    data: dict,
    pins: Dict[str, Tuple[str, str]],
    constraints: Sequence[Constraint],
    installed: Optional[Dict[str, str]] = None,
) -> List[Finding]:
    findings = []
    for dep in data.get("dependencies", []):
        name = dep.get("name", "")
        pinned = dep.get("version") or pins.get(canonical(name), ("", ""))[1]
        for vuln in dep.get("vulns") or []:
            fixes = [str(v) for v in vuln.get("fix_versions") or []]
            try:
                here = parse_version(pinned)
                candidates = sorted({parse_version(v) for v in fixes if parse_version(v) > here})
            except InvalidVersion:
                candidates = []
            summary = (vuln.get("description") or "").strip().splitlines()
            findings.append(
                _finding(name, pinned, vuln.get("id", "?"), list(vuln.get("aliases") or []),
                         summary[0] if summary else "", fixes, candidates, constraints,
                         installed=installed)
            )
    return sorted(findings, key=lambda f: (canonical(f.package), f.advisory))
