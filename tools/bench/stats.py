"""Percentiles, latency summaries and the level syntax: pure, tested in tests/pure/test_bench.py."""

from __future__ import annotations

import math
from typing import Any, Dict, Iterable, List, Sequence, Tuple


def percentile(values: Iterable[float], p: float) -> float:
    """The p-th percentile (0-100) with linear interpolation between closest ranks, as numpy's
    default; NaN for no values."""
    xs = sorted(values)
    if not xs:
        return math.nan
    if not 0 <= p <= 100:
        raise ValueError(f"percentile must be in [0, 100], got {p}")
    k = (len(xs) - 1) * p / 100.0
    lo = math.floor(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def latency_summary(seconds: Sequence[float]) -> Dict[str, float]:
    """p50/p95/p99/max/mean in milliseconds."""
    ms = [s * 1000.0 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": percentile(ms, 50),
        "p95_ms": percentile(ms, 95),
        "p99_ms": percentile(ms, 99),
        "max_ms": max(ms) if ms else math.nan,
        "mean_ms": sum(ms) / len(ms) if ms else math.nan,
    }


def parse_levels(text: str) -> List[Tuple[int, int]]:
    """"1:5,20:40" -> [(1, 5), (20, 40)]: concurrency and number of conversations."""
    levels = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        conc, _, n = part.partition(":")
        c = int(conc)
        count = int(n) if n else c
        if c < 1 or count < 1:
            raise ValueError(f"bad level {part!r}")
        levels.append((c, count))
    if not levels:
        raise ValueError("no levels")
    return levels


def same_value(actual: Any, expected: Any) -> bool:
    """Slot values compared as the tracker API gives them: floats within 1e-3, bools as bools."""
    if isinstance(actual, bool) or isinstance(expected, bool):
        return actual is expected
    if isinstance(expected, float) and isinstance(actual, (int, float)):
        return abs(actual - expected) <= 1e-3
    return actual == expected
