#!/usr/bin/env python3
"""Dependency audit for requirements.lock, with an offline fallback.

pip-audit is tried first. On machines where it cannot reach PyPI's JSON API or OSV it skips every
package and still prints "No known vulnerabilities found", so that result is treated as "could
not audit" and the pinned versions are matched against security/advisories.json instead (a stored
copy of PyPA advisory-database records). Each finding then says which installed distribution's
requirement (or which project pin) keeps the fix out, because under Rasa 3.6 most fixes are not
ours to take.

Exit status: 0 when a report was produced (findings are expected), 1 with --fail-on-fixable when
some finding could be fixed by an upgrade nothing forbids, 2 when no report could be produced.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from packaging.markers import InvalidMarker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = ROOT / "security" / "advisories.json"
LOCK = ROOT / "requirements.lock"
REQUIREMENTS_IN = ROOT / "requirements.in"
MAKEFILE = ROOT / "Makefile"
PIP_AUDIT = ROOT / ".venv-audit" / "bin" / "pip-audit"
# pip freeze (and so requirements.lock) leaves these out, but they are installed in .venv too.
TOOLS = ("pip", "setuptools", "wheel")

# Our assessment, by hand, of whether the affected code can run in THIS project. Only what could
# be checked cheaply against config.yml, endpoints.yml and the installed sources; anything not
# listed is "not assessed". Verdicts are ours, not the advisories'.
REACHABILITY: Dict[str, Tuple[str, str]] = {
    "aiohttp": (
        "yes",
        "Rasa's HTTP client to the action server (endpoints.yml action_endpoint) and the "
        "aiohttp-based channels.",
    ),
    "sanic-cors": (
        "yes",
        "rasa/server.py and rasa_sdk/endpoint.py import sanic_cors.CORS for the Rasa and action "
        "servers.",
    ),
    "skops": (
        "yes",
        "Rasa 3.6.21's LogisticRegressionClassifier (in config.yml) saves and loads its model with "
        "skops.io; the file it loads is the model archive we train ourselves.",
    ),
    "keras": (
        "unlikely",
        "Imported at start-up (Rasa's component registry imports TensorFlow), but no component in "
        "config.yml builds or loads a Keras model.",
    ),
    "scikit-learn": (
        "unlikely",
        "Used by CountVectorsFeaturizer and LogisticRegressionClassifier; the advisory names "
        "TfidfVectorizer (not in config.yml), and CountVectorsFeaturizer persists only its "
        "vocabulary, as JSON.",
    ),
    "pymongo": (
        "unlikely",
        "Imported by Rasa, but only its Mongo tracker/lock stores talk to MongoDB; endpoints.yml "
        "uses bot.tracker_store.ForgetfulTrackerStore.",
    ),
    "sentry-sdk": (
        "no",
        "Rasa starts it only for error reporting with telemetry on; the Makefile and "
        "scripts/run.sh set RASA_TELEMETRY_ENABLED=false.",
    ),
    "pytest": ("no (test-only)", "Used by `make test`; not imported by the servers."),
    "pip": ("no (install-time)", "Build/install tool, not imported by the running servers."),
    "setuptools": ("no (install-time)", "Build/install tool, not imported by the running servers."),
    "wheel": ("no (install-time)", "Build/install tool, not imported by the running servers."),
}
NOT_ASSESSED = ("not assessed", "")

# Requires-Dist of fix releases, copied from their wheels' METADATA (pip download --no-deps,
# 2026-11-25): a fix that needs a newer dependency is held by whoever pins that dependency. A fix
# not listed here is reported as fixable with its own requirements unchecked.
FIX_RELEASE_REQUIRES: Dict[Tuple[str, str], List[str]] = {
    ("wheel", "0.46.2"): ["packaging >= 24.0", 'pytest >= 6.0.0 ; extra == "test"',
                          'setuptools >= 77 ; extra == "test"'],
    ("pip", "23.3"): [],
    ("pip", "24.0"): [],
}


def canonical(name: str) -> str:
    """PEP 503, so `Sanic-Cors`, `sanic_cors` and `sanic.cors` meet."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_version(text: str) -> Version:
    """Strict PEP 440: packaging 20.9's parse() would return a LegacyVersion that sorts below
    everything and silently makes a range match or miss."""
    return Version(str(text).strip())


# ---------------------------------------------------------------- matching (OSV semantics)


def _event_order(event: dict) -> Tuple[int, object]:
    kind, value = next(iter(event.items()))
    if kind == "introduced" and str(value) == "0":
        return (0, 0)
    return (1, parse_version(value))


def range_affects(version: Version, events: Sequence[dict]) -> bool:
    """OSV's algorithm for one ECOSYSTEM range: walk the events in version order."""
    usable = [
        e for e in events if e and next(iter(e)) in ("introduced", "fixed", "last_affected")
    ]
    affected = False
    for event in sorted(usable, key=_event_order):
        kind, value = next(iter(event.items()))
        if kind == "introduced":
            if str(value) == "0" or version >= parse_version(value):
                affected = True
        elif kind == "fixed":
            if version >= parse_version(value):
                affected = False
        elif kind == "last_affected":
            if version > parse_version(value):
                affected = False
    return affected


def affects(pinned: str, advisory: dict) -> bool:
    """True if the advisory's explicit versions or any ECOSYSTEM range cover the pinned version.

    Raises InvalidVersion when a version in play is not PEP 440; the caller reports that rather
    than guessing."""
    if advisory.get("withdrawn"):
        return False
    version = parse_version(pinned)
    for listed in advisory.get("versions") or []:
        try:
            if parse_version(listed) == version:
                return True
        except InvalidVersion:
            continue  # one odd entry in a long list must not hide the ranges
    for rng in advisory.get("ranges") or []:
        if rng.get("type") == "ECOSYSTEM" and range_affects(version, rng.get("events") or []):
            return True
    return False


def fixed_versions(advisory: dict) -> List[str]:
    found = list(advisory.get("fixed_in") or [])
    for rng in advisory.get("ranges") or []:
        if rng.get("type") != "ECOSYSTEM":
            continue
        for event in rng.get("events") or []:
            if event and "fixed" in event:
                found.append(str(event["fixed"]))
    return found


def last_affected(advisory: dict) -> Optional[str]:
    for rng in advisory.get("ranges") or []:
        for event in rng.get("events") or []:
            if event and "last_affected" in event:
                return str(event["last_affected"])
    return None


def fix_candidates(pinned: str, advisory: dict) -> List[Version]:
    """Fixed releases above the pin that this advisory does not itself cover, lowest first."""
    version = parse_version(pinned)
    out = set()
    for text in fixed_versions(advisory):
        try:
            fix = parse_version(text)
        except InvalidVersion:
            continue
        if fix > version and not affects(str(fix), {**advisory, "versions": []}):
            out.add(fix)
    return sorted(out)


# ---------------------------------------------------------------- what holds a fix back


@dataclass(frozen=True)
class Constraint:
    """A requirement an upgrade has to respect: another distribution's metadata, or a project pin
    (requirements.in, Makefile), which is ours to change but is reported so nobody lifts it blind."""

    owner: str  # "rasa 3.6.21", "requirements.in", "Makefile"
    owner_name: str  # canonical name of the owning distribution, "" for project files
    name: str  # canonical name of the constrained package
    specifier: SpecifierSet
    text: str  # "aiohttp<3.10,>=3.9.0"

    def excludes(self, version: Version) -> bool:
        return not self.specifier.contains(version, prereleases=True)


@dataclass
class Dist:
    """The slice of importlib.metadata the audit needs; tests build these by hand."""

    name: str
    version: str
    requires: List[str] = field(default_factory=list)


def installed_dists() -> List[Dist]:
    seen: Dict[str, Dist] = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"]
        if name and canonical(name) not in seen:
            seen[canonical(name)] = Dist(name, dist.version, list(dist.requires or []))
    return list(seen.values())


def _parse(text: str) -> Optional[Requirement]:
    try:
        return Requirement(text)
    except (InvalidRequirement, InvalidMarker):
        return None


def _marker_true(req: Requirement, extras: Iterable[str]) -> bool:
    if req.marker is None:
        return True
    for extra in ("", *extras):
        try:
            if req.marker.evaluate({"extra": extra}):
                return True
        except Exception:  # an unknown marker variable: treat as not applying here
            return False
    return False


def requested_extras(dists: Sequence[Dist], seeds: Iterable[Requirement]) -> Dict[str, set]:
    """Extras someone actually asked for (requirements.in, or an active Requires-Dist such as
    rasa's `pymongo[srv,tls]`), so `extra == "test"` requirements don't pose as holders."""
    extras: Dict[str, set] = {}
    for req in seeds:
        extras.setdefault(canonical(req.name), set()).update(req.extras)
    changed = True
    while changed:
        changed = False
        for dist in dists:
            mine = extras.get(canonical(dist.name), set())
            for text in dist.requires:
                req = _parse(text)
                if req is None or not req.extras or not _marker_true(req, mine):
                    continue
                have = extras.setdefault(canonical(req.name), set())
                if not req.extras <= have:
                    have.update(req.extras)
                    changed = True
    return extras


def dist_constraints(dists: Sequence[Dist], extras: Dict[str, set]) -> List[Constraint]:
    out = []
    for dist in dists:
        mine = extras.get(canonical(dist.name), set())
        for text in dist.requires:
            req = _parse(text)
            if req is None or not str(req.specifier) or not _marker_true(req, mine):
                continue
            out.append(
                Constraint(
                    f"{dist.name} {dist.version}",
                    canonical(dist.name),
                    canonical(req.name),
                    req.specifier,
                    f"{req.name}{req.specifier}",
                )
            )
    return out


def requirements_in(path: Path) -> List[Requirement]:
    reqs = []
    if path.exists():
        for line in path.read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if line and not line.startswith("-"):
                req = _parse(line)
                if req is not None:
                    reqs.append(req)
    return reqs


def makefile_pins(path: Path) -> List[Requirement]:
    """Quoted requirements on `pip install` lines, e.g. "pip<24.1": a project pin, not metadata."""
    reqs = []
    if path.exists():
        for line in path.read_text().splitlines():
            if "pip install" not in line:
                continue
            for quoted in re.findall(r"\"([^\"]+)\"|'([^']+)'", line):
                req = _parse(quoted[0] or quoted[1])
                if req is not None and str(req.specifier):
                    reqs.append(req)
    return reqs


def project_constraints(label: str, reqs: Iterable[Requirement]) -> List[Constraint]:
    return [
        Constraint(label, "", canonical(r.name), r.specifier, f"{r.name}{r.specifier}")
        for r in reqs
        if str(r.specifier) and _marker_true(r, ())
    ]


def holders(name: str, version: Version, constraints: Sequence[Constraint]) -> List[Constraint]:
    key = canonical(name)
    found = [
        c for c in constraints if c.name == key and c.owner_name != key and c.excludes(version)
    ]
    return sorted(set(found), key=lambda c: (c.owner_name == "", c.owner, c.text))


def _held_text(found: Sequence[Constraint]) -> str:
    return "; ".join(f"{c.owner}: {c.text}" for c in found)


def _next_release(version: Version) -> Version:
    release = list(version.release)
    release[-1] += 1
    return Version(".".join(str(p) for p in release))


def _lowest_allowed(spec: SpecifierSet) -> Optional[Version]:
    """The smallest version a requirement's lower bound names (None when it has none)."""
    bounds = []
    for item in spec:
        try:
            version = parse_version(item.version.rstrip(".*"))
        except InvalidVersion:
            continue
        if item.operator in (">=", "==", "~=", "==="):
            bounds.append(version)
        elif item.operator == ">":
            bounds.append(_next_release(version))
    return max(bounds) if bounds else None


def dependency_holders(
    name: str,
    fix: Version,
    constraints: Sequence[Constraint],
    installed: Dict[str, str],
    fix_requires: Dict[Tuple[str, str], List[str]],
) -> Optional[List[Tuple[Constraint, str]]]:
    """Who blocks a dependency the fix release needs: [(holder, "wheel 0.46.2 needs packaging>=24.0")].

    None when the fix's own requirements are not on record."""
    key = canonical(name)
    reqs = fix_requires.get((key, str(fix)))
    if reqs is None:
        return None
    found = []
    for text in reqs:
        req = _parse(text)
        if req is None or not _marker_true(req, ()) or canonical(req.name) == key:
            continue
        dep = canonical(req.name)
        have = installed.get(dep)
        if have is not None:
            try:
                if req.specifier.contains(parse_version(have), prereleases=True):
                    continue  # what is installed already satisfies the fix
            except InvalidVersion:
                pass
        lowest = _lowest_allowed(req.specifier)
        if lowest is None:
            continue
        for holder in holders(dep, lowest, constraints):
            if holder.owner_name != key:  # the release being replaced does not count
                found.append((holder, f"{name} {fix} needs {req.name}{req.specifier}"))
    return found


def explain(
    name: str,
    pinned: str,
    candidates: Sequence[Version],
    constraints: Sequence[Constraint],
    last: Optional[str] = None,
    installed: Optional[Dict[str, str]] = None,
    fix_requires: Optional[Dict[Tuple[str, str], List[str]]] = None,
) -> Tuple[str, str]:
    """(status, why): the first fix nothing forbids, directly or through a dependency it needs,
    makes it "fixable"; otherwise name whoever excludes the lowest fix."""
    installed = installed or {}
    fix_requires = FIX_RELEASE_REQUIRES if fix_requires is None else fix_requires
    if not candidates:
        why = "no fixed release"
        if last:
            why += f" (last affected {last})"
            try:
                beyond = holders(name, _next_release(parse_version(last)), constraints)
            except InvalidVersion:
                beyond = []
            if beyond:
                why += f"; a later release would also be held by {_held_text(beyond)}"
        return "no-fix", why
    indirect: Dict[Version, List[Tuple[Constraint, str]]] = {}
    for fix in candidates:
        if holders(name, fix, constraints):
            continue
        via = dependency_holders(name, fix, constraints, installed, fix_requires)
        if via is None:
            return "fixable", f"fixable: upgrade to {fix} (its own requirements not checked)"
        if not via:
            return "fixable", f"fixable: upgrade to {fix}"
        indirect[fix] = via
    lowest = candidates[0]
    direct = holders(name, lowest, constraints)
    if direct:
        return "held", f"held by {_held_text(direct)}"
    via = indirect[lowest]
    return "held", "held by " + "; ".join(f"{c.owner}: {c.text} ({why})" for c, why in via)


# ---------------------------------------------------------------- inputs


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


# ---------------------------------------------------------------- findings


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


def interpret_pip_audit(data: dict) -> Tuple[bool, str]:
    """(usable, why): pip-audit that skipped every package says "No known vulnerabilities found"
    while having checked nothing, so that result must not count as a clean audit."""
    deps = data.get("dependencies") or []
    skipped = [d for d in deps if d.get("skip_reason")]
    if not deps:
        return False, "pip-audit returned no dependencies"
    if len(skipped) == len(deps):
        reason = skipped[0]["skip_reason"].split(":")[0]
        return False, f"could not audit any of {len(deps)} packages ({reason})"
    note = f"pip-audit audited {len(deps) - len(skipped)} of {len(deps)} packages"
    if skipped:
        note += "; not audited: " + ", ".join(sorted(d.get("name", "?") for d in skipped))
    return True, note


def _error_line(stderr: str, returncode: int) -> str:
    """One readable line from a pip-audit traceback, e.g. "cannot reach api.osv.dev (...)"."""
    host = re.search(r"host='([^']+)'", stderr)
    kind = re.search(r"(NameResolutionError|ConnectTimeoutError|ReadTimeoutError|"
                     r"ConnectionRefusedError|SSLError|ProxyError)", stderr)
    if host:
        return f"cannot reach {host.group(1)} ({kind.group(1) if kind else 'connection error'})"
    lines = [ln.strip() for ln in stderr.strip().splitlines() if ln.strip()]
    return lines[-1][:160] if lines else f"exit {returncode}, no output"


def run_pip_audit(
    binary: Path, pins: Dict[str, Tuple[str, str]], timeout: float
) -> Tuple[Optional[dict], str]:
    """Try the PyPI service, then OSV; returns (json, note) or (None, why it was unusable)."""
    if not binary.exists():
        return None, f"pip-audit not installed at {binary}"
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("".join(f"{name}=={version}\n" for name, version in pins.values()))
        req_file = handle.name
    reasons = []
    try:
        for service in ("pypi", "osv"):
            cmd = [str(binary), "-r", req_file, "--no-deps", "--disable-pip", "-s", service,
                   "--progress-spinner", "off", "--desc", "on", "-f", "json"]
            try:
                proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
            except subprocess.TimeoutExpired:
                reasons.append(f"{service}: timed out after {timeout:.0f}s")
                continue
            try:
                data = json.loads(proc.stdout)
            except json.JSONDecodeError:
                reasons.append(f"{service}: {_error_line(proc.stderr, proc.returncode)}")
                continue
            usable, note = interpret_pip_audit(data)
            if usable:
                return data, f"{note} (service: {service})"
            reasons.append(f"{service}: {note}")
    finally:
        Path(req_file).unlink(missing_ok=True)
    return None, "; ".join(reasons)


# ---------------------------------------------------------------- reporting


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


# ---------------------------------------------------------------- main


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lock", type=Path, default=LOCK)
    parser.add_argument("--snapshot", type=Path, default=SNAPSHOT)
    parser.add_argument("--pip-audit", type=Path, default=PIP_AUDIT, dest="pip_audit")
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds per pip-audit try")
    parser.add_argument("--offline", action="store_true", help="skip pip-audit, use the snapshot")
    parser.add_argument("--markdown", type=Path, help="also write the report as markdown here")
    parser.add_argument("--fail-on-fixable", action="store_true",
                        help="exit 1 if any finding is fixable by an unconstrained upgrade")
    args = parser.parse_args(argv)

    try:
        pins = read_lock(args.lock)
    except OSError as exc:
        print(f"audit: cannot read {args.lock}: {exc}", file=sys.stderr)
        return 2
    if not pins:
        print(f"audit: no name==version pins in {args.lock}", file=sys.stderr)
        return 2
    pins.update({k: v for k, v in tool_pins().items() if k not in pins})

    dists = installed_dists()
    installed = {canonical(d.name): d.version for d in dists}
    seeds = requirements_in(REQUIREMENTS_IN)
    constraints = dist_constraints(dists, requested_extras(dists, seeds))
    constraints += project_constraints("requirements.in", seeds)
    constraints += project_constraints("Makefile", makefile_pins(MAKEFILE))

    header = [f"Audited {len(pins)} packages: {args.lock.name} plus the installed "
              + ", ".join(t for t in TOOLS if t in pins) + "."]
    gaps: List[str] = []
    data = None
    if not args.offline:
        data, note = run_pip_audit(args.pip_audit, pins, args.timeout)
        if data is None:
            header.append(f"pip-audit could not reach a vulnerability database ({note}); "
                          "using the offline snapshot.")
        else:
            header.append(f"Source: {note}.")
    if data is not None:
        findings = findings_from_pip_audit(data, pins, constraints, installed)
    else:
        try:
            snapshot = load_snapshot(args.snapshot)
        except (OSError, ValueError) as exc:
            print(f"audit: cannot read snapshot {args.snapshot}: {exc}", file=sys.stderr)
            return 2
        shown = args.snapshot.resolve()
        shown = shown.relative_to(ROOT) if shown.is_relative_to(ROOT) else shown
        header.append(f"Source: offline snapshot {shown} of {snapshot.get('source', '?')}, "
                      f"collected {snapshot.get('collected', '?')}.")
        if snapshot.get("fallback_source"):
            header.append(f"Fallback source: {snapshot['fallback_source']}")
        findings = match_snapshot(pins, snapshot["advisories"], constraints, installed)
        gaps = snapshot_gaps(snapshot, pins)

    print(render_text(findings, header, gaps), end="")
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(render_markdown(findings, header, gaps))
        print(f"\nMarkdown report written to {args.markdown}")
    if args.fail_on_fixable and any(f.status == "fixable" for f in findings):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
