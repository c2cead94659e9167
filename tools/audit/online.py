"""pip-audit, run from its own virtualenv against PyPI's service and then OSV, and read with care."""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Dict, Optional, Tuple


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
