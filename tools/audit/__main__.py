"""`python -m tools.audit`: the command line (`make audit`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List, Optional, Sequence

import tools.audit
from tools.audit.findings import (
    TOOLS,
    findings_from_pip_audit,
    load_snapshot,
    match_snapshot,
    read_lock,
    tool_pins,
)
from tools.audit.holders import (
    dist_constraints,
    installed_dists,
    makefile_pins,
    project_constraints,
    requested_extras,
    requirements_in,
)
from tools.audit.online import run_pip_audit
from tools.audit.osv import canonical
from tools.audit.report import render_markdown, render_text, snapshot_gaps

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "security" / "advisories.json"
LOCK = ROOT / "requirements.lock"
REQUIREMENTS_IN = ROOT / "requirements.in"
MAKEFILE = ROOT / "Makefile"
PIP_AUDIT = ROOT / ".venv-audit" / "bin" / "pip-audit"


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=tools.audit.__doc__.split("\n\n")[0])
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
