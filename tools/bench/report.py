"""Targets and tables: pure, tested in tests/pure/test_bench.py.

Targets (issue 13, "Performance"): for the durable default (`make run`), throughput at least 2.5x
the starter bot's at 20 and 50 concurrent conversations, p95 turn latency under 200 ms at 20, zero
errors at 50, Rasa's memory flat as idle conversations pile up; always, no conversation lost,
doubled or crossed and no consented lead lost or crossed; for the scaled set-up
(`make run-scaled`), none lost, doubled or crossed at 50 concurrent while a replica is killed and
restarted."""

from __future__ import annotations

import math
import os
from typing import Any, Dict, List, Optional, Sequence, Tuple

RATIO_TARGET = 2.5
RATIO_LEVELS = (20, 50)
P95_TARGET_MS = 200.0
P95_TARGET_LEVEL = 20
ZERO_ERRORS_LEVEL = 50
IDLE_GROWTH_TARGET_MB = 64.0  # from the first checkpoint to the last (10,000 conversations in a full run)

LOAD_HEADERS = ["bot", "concurrent", "conversations", "turns", "turns/conv", "msg/s", "ratio",
                "p50 ms", "p95 ms", "p99 ms", "max ms", "tracker read p95 ms", "errors", "crossed",
                "leads saved/lost/crossed", "mean active", "other procs (cores)"]


def _fmt(value: Any, digits: int = 0) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        return f"{value:.{digits}f}"
    return str(value)


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table: first column left-aligned, the others right-aligned."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(r: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                         for i, (c, w) in enumerate(zip(r, widths, strict=True))).rstrip()

    out = [line(cells[0]), "  ".join("-" * w for w in widths)]
    out += [line(r) for r in cells[1:]]
    return "\n".join(out)


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """The same table as GitHub markdown (numbers right-aligned)."""
    def esc(c: Any) -> str:
        return str(c).replace("|", "\\|")

    out = ["| " + " | ".join(esc(h) for h in headers) + " |",
           "|" + "|".join(":---" if i == 0 else "---:" for i in range(len(headers))) + "|"]
    out += ["| " + " | ".join(esc(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def _leads_cell(lv: Dict[str, Any]) -> str:
    leads = lv.get("leads")
    return f"{leads['saved']}/{leads['lost']}/{leads['crossed']}" if leads else "-"


def load_rows(levels: Sequence[Dict[str, Any]]) -> List[List[str]]:
    """One row per bot and level, from the level dictionaries `run_level` returns."""
    rows = []
    for lv in levels:
        lat = lv["turn_latency"]
        rows.append([
            lv["bot"], lv["concurrency"], lv["conversations"], lv["turns"], _fmt(lv["turns_per_conversation"], 1),
            _fmt(lv["messages_per_s"], 1), _fmt(lv.get("ratio"), 2),
            _fmt(lat["p50_ms"]), _fmt(lat["p95_ms"]), _fmt(lat["p99_ms"]), _fmt(lat["max_ms"]),
            _fmt(lv["tracker_read_latency"]["p95_ms"]), lv["errors"], lv["crossed"], _leads_cell(lv),
            _fmt(lv.get("mean_active_conversations"), 1), _fmt(lv.get("other_processes_cpu_cores"), 2),
        ])
    return rows


def ratio(ours: Optional[Dict[str, Any]], ref: Optional[Dict[str, Any]]) -> Optional[float]:
    if not ours or not ref or not ref.get("messages_per_s"):
        return None
    return ours["messages_per_s"] / ref["messages_per_s"]


def _target(name: str, value: str, passed: Optional[bool]) -> Dict[str, Any]:
    return {"target": name, "value": value, "passed": passed}


def evaluate_targets(ours: Dict[int, Dict[str, Any]], reference: Dict[int, Dict[str, Any]],
                     idle: Optional[Dict[str, Any]] = None,
                     failover: Optional[Dict[str, Any]] = None) -> List[Dict[str, Any]]:
    """The targets of the module docstring. `ours`/`reference` map concurrency to level results
    of the durable default and the starter bot. A target whose level or phase was not run is
    reported as not measured (passed None)."""
    targets = []
    for conc in RATIO_LEVELS:
        r = ratio(ours.get(conc), reference.get(conc))
        targets.append(_target(f"throughput ratio >= {RATIO_TARGET} at {conc} concurrent", _fmt(r, 2),
                               None if r is None else r >= RATIO_TARGET))
    lv = ours.get(P95_TARGET_LEVEL)
    p95 = lv["turn_latency"]["p95_ms"] if lv else None
    targets.append(_target(f"p95 turn latency < {P95_TARGET_MS:.0f} ms at {P95_TARGET_LEVEL} concurrent",
                           "-" if p95 is None else f"{p95:.0f} ms", None if p95 is None else p95 < P95_TARGET_MS))
    lv = ours.get(ZERO_ERRORS_LEVEL)
    targets.append(_target(f"zero errors at {ZERO_ERRORS_LEVEL} concurrent", "-" if lv is None else str(lv["errors"]),
                           None if lv is None else lv["errors"] == 0))
    crossed = sum(lv["crossed"] for lv in ours.values())
    targets.append(_target("no conversation lost, doubled or given another's answers (all levels)", str(crossed),
                           crossed == 0 if ours else None))
    checked = [lv["leads"] for lv in ours.values() if lv.get("leads")]
    bad = sum(x["lost"] + x["crossed"] for x in checked)
    targets.append(_target("no consented lead lost or crossed (all levels)",
                           f"{bad} of {sum(x['expected'] for x in checked)}" if checked else "-",
                           bad == 0 if checked else None))
    growth = idle.get("growth_mb") if idle else None
    measured = growth is not None and not math.isnan(growth)
    targets.append(_target(
        f"Rasa memory flat as idle conversations pile up (< {IDLE_GROWTH_TARGET_MB:.0f} MB growth)",
        f"{growth:+.0f} MB over {idle['conversations']:,} ({idle['mb_per_1000']:+.1f} MB per 1,000)" if measured else "-",
        (growth < IDLE_GROWTH_TARGET_MB and idle.get("errors") == 0 and idle.get("first_five_kept") == 5)
        if measured else None))
    if failover:
        f = failover["failover"]
        bad = f["lost"] + f["doubled"] + f["foreign"] + failover["errors"]
        targets.append(_target(
            f"scaled: no conversation lost, doubled or crossed at {failover['concurrency']} concurrent while a "
            f"replica is killed and restarted",
            f"lost {f['lost']}, doubled {f['doubled']}, crossed {f['foreign']}, unfinished {failover['errors']} "
            f"of {failover['conversations']}", bad == 0))
        back = f["back_after_kill_s"]
        targets.append(_target("scaled: the killed replica came back and served again",
                               "-" if back is None else f"back after {back:.0f} s, then {f['turns_served_by_it_after_it_came_back']} turns",
                               None if back is None else f["turns_served_by_it_after_it_came_back"] > 0))
    else:
        targets.append(_target("scaled: no conversation lost, doubled or crossed while a replica is killed and restarted",
                               "-", None))
    return targets


def verdict(passed: Optional[bool]) -> str:
    return "not measured" if passed is None else ("PASS" if passed else "FAIL")


def _with_ratios(ours: Dict[int, Dict[str, Any]], reference: Dict[int, Dict[str, Any]]) -> List[Dict[str, Any]]:
    levels = []
    for conc in sorted(ours):
        lv = dict(ours[conc])
        lv["ratio"] = ratio(lv, reference.get(conc))
        levels.append(lv)
        if reference.get(conc):
            levels.append(reference[conc])
    return levels


def _memory_rows(figures: Dict[str, Any], prefix: str, label: str, levels: Dict[int, Dict[str, Any]]) -> List[List[str]]:
    top = max(levels) if levels else None
    rows = []
    for name, mb in (figures.get(f"{prefix}_peak_rss_mb_during_load") or {}).items():
        cpu = levels[top]["server_cpu_ms_per_turn"].get(name) if top is not None else None
        rows.append([f"{label}{name}", _fmt(mb), _fmt((figures.get(f"{prefix}_peak_rss_mb_lifetime") or {}).get(name)),
                     _fmt(cpu, 1)])
    return rows


def report(figures: Dict[str, Any], ours: Dict[int, Dict[str, Any]], reference: Dict[int, Dict[str, Any]],
           targets: List[Dict[str, Any]], scaled: Optional[Dict[int, Dict[str, Any]]] = None,
           scaled_reference: Optional[Dict[int, Dict[str, Any]]] = None, idle: Optional[Dict[str, Any]] = None,
           failover: Optional[Dict[str, Any]] = None,
           stores: Optional[List[Dict[str, Any]]] = None) -> Tuple[str, str]:
    """The printed report and the markdown snippet."""
    levels = _with_ratios(ours, reference) + _with_ratios(scaled or {}, scaled_reference or {})
    if failover:
        levels.append(failover)
    sections: List[Tuple[str, List[str], List[List[str]]]] = [
        ("Load (ratio = msg/s / the starter bot's msg/s at the same concurrency, measured straight after)",
         LOAD_HEADERS, load_rows(levels))]

    mem_rows = (_memory_rows(figures, "ours", "", ours) + _memory_rows(figures, "scaled", "scaled ", scaled or {})
                + _memory_rows(figures, "reference", "starter bot ", reference))
    if mem_rows:
        sections.append(("Memory and CPU", ["process", "peak RSS during load (MB)", "peak RSS since start (MB)",
                                            "CPU ms/turn at top level"], mem_rows))
    if idle:
        rows = [[f"{n:,}", _fmt(mb)] for n, mb in idle["samples"]]
        sections.append((f"Rasa memory as idle conversations pile up (durable default; {idle['errors']} errors, "
                         f"{idle['first_five_kept']} of the first 5 read back as left)",
                         ["idle conversations", "Rasa RSS (MB)"], rows))
    if failover:
        f = failover["failover"]
        sections.append(("Scaled: one replica killed (SIGKILL) and restarted during the level",
                         ["replica", "down after kill (s)", "back after kill (s)", "turns it served after",
                          "failed turns (retried)", "lost", "doubled", "crossed", "unfinished", "turns by replica"],
                         [[f["replica"], _fmt(f["down_after_kill_s"], 2), _fmt(f["back_after_kill_s"], 1),
                           f["turns_served_by_it_after_it_came_back"], failover["failed_turns"], f["lost"], f["doubled"],
                           f["foreign"], failover["errors"],
                           ", ".join(f"{k} {v}" for k, v in sorted(failover.get("served_by", {}).items()))]]))
    if stores:
        sections.append(("Tracker stores, in-process (a screening's turns: read, append, save)",
                         ["store", "per turn mean ms", "last 5 turns mean ms", "cold read of a finished screening ms",
                          "alternating writers per turn ms"],
                         [[s["store"], _fmt(s["per_turn_ms"], 2), _fmt(s["last_turns_ms"], 2), _fmt(s["cold_read_ms"], 2),
                           _fmt(s.get("alternating_ms"), 2)] for s in stores]))
    ol, rl = figures.get("ours_agent_load") or {}, figures.get("reference_agent_load") or {}
    sections.append(("Start-up and training", ["startup and training", "ours (s)", "starter bot (s)"], [
        ["cold training (empty Rasa cache)", _fmt(figures.get("ours_train_s"), 1), _fmt(figures.get("reference_train_s"), 1)],
        ["rasa run -> / answers (model loaded)", _fmt(figures.get("ours_rasa_run_to_ready_s"), 1),
         _fmt(figures.get("reference_rasa_run_to_ready_s"), 1)],
        ["Agent.load in-process (after imports)", _fmt(ol.get("agent_load_s"), 2), _fmt(rl.get("agent_load_s"), 2)],
        ["import rasa.core.agent", _fmt(ol.get("import_s"), 1), _fmt(rl.get("import_s"), 1)],
        ["whole stack (run.sh) ready", _fmt(figures.get("ours_stack_ready_s"), 1), "-"],
        ["scaled stack (run-scaled.sh) ready", _fmt(figures.get("scaled_stack_ready_s"), 1), "-"],
    ]))
    sections.append(("Targets", ["target", "measured", "result"],
                     [[t["target"], t["value"], verdict(t["passed"])] for t in targets]))

    think = figures.get("think") or 0
    loop = ("Closed loop, no think time: each conversation posts its next answer as soon as it has read the "
            "tracker." if not think else f"Each simulated person waits {think:g} s on average (uniformly "
            f"{think * 0.5:g}-{think * 1.5:g} s) before each answer; conversations start spread over {think:g} s.")
    if figures.get("stack_env"):
        loop += f" Our stack ran with extra environment {' '.join(figures['stack_env'])}."
    note = (f"{loop} A turn is one REST webhook round trip; the tracker read after it (the simulator's "
            f"bookkeeping, done for the starter bot too) is timed apart. Starter bot conversations are "
            f"as many turns as our screenings averaged at that level. Run {figures.get('started_at')}, "
            f"{os.cpu_count()} CPUs, load average before the run {figures.get('loadavg_before')}; "
            f"benchmark took {_fmt(figures.get('total_s'), 0)} s.")
    text = "\n\n".join([f"{title}\n{format_table(h, rows)}" for title, h, rows in sections] + [note])
    md = "\n\n".join(["### Benchmark (`make bench`)"] + [f"{title}:\n\n{markdown_table(h, rows)}"
                                                      for title, h, rows in sections] + [note]) + "\n"
    return text, md
