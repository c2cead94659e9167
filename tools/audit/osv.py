"""Advisory matching with OSV's semantics: PEP 503 names, PEP 440 versions, ECOSYSTEM ranges."""

from __future__ import annotations

import re
from typing import List, Optional, Sequence, Tuple

from packaging.version import InvalidVersion, Version


def canonical(name: str) -> str:
    """PEP 503, so `Sanic-Cors`, `sanic_cors` and `sanic.cors` meet."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_version(text: str) -> Version:
    """Strict PEP 440: packaging 20.9's parse() would return a LegacyVersion that sorts below
    everything and silently makes a range match or miss."""
    return Version(str(text).strip())


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
