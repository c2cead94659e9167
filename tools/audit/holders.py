"""What holds a fix back: other distributions' requirements and the project's own pins."""

from __future__ import annotations

import importlib.metadata
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from packaging.markers import InvalidMarker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import InvalidVersion, Version

from tools.audit.osv import canonical, parse_version
from tools.audit.records import FIX_RELEASE_REQUIRES


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
