"""Benchmark: the durable default and the scaled set-up under concurrent simulated patients,
against Rasa's starter bot in the same run.

    make bench                                    # the full run (about 20-30 minutes on 2 cores)
    .venv/bin/python -m tools.bench --quick       # a short functional run (small levels, 300 idle)
    .venv/bin/python -m tools.bench --levels 1:5,20:40,50:100 --json results/bench.json

In order, one heavy thing at a time (the machine may have only two cores):

1. times a cold `rasa train` of this project and `Agent.load` of models/prescreen.tar.gz in a
   fresh process; makes the reference, Rasa's starter bot (`rasa init --no-prompt`), timed too;
2. the durable default: scripts/run.sh (conversations in a SQLite file) on free loopback ports with
   throwaway databases and keys; at each level, whole screenings over the REST channel through
   bot/simulate.py (each turn: post the answer, then read `requested_slot` from the tracker API,
   timed apart), then the same level against the starter bot; after each level every tracker must
   hold exactly its conversation's messages and answers and every consented lead must be saved
   once with its own details; then `--idle` people start a screening and never come back while
   Rasa's memory is read;
3. the scaled set-up: scripts/run-scaled.sh (two Rasa replicas and two action servers behind nginx,
   PostgreSQL, Redis); the levels again (with the starter bot straight after each), then one level
   at 50 concurrent during which one replica is killed (SIGKILL) and restarted by the script's
   supervisor; the people retry failed turns as a person would; nothing may be lost, doubled or
   crossed; then the tracker stores compared in-process on its PostgreSQL and Redis;
4. prints the tables and the targets (tools/bench/report.py) and writes results/bench.md (and --json).

It exits 0 whatever the figures are: a benchmark, not a test. It exits non-zero, with a message,
when it cannot run or cannot find what it measures (the model, the channel's failure replies, the
servers among a script's children).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

from tools.bench.conversations import BenchSetupError, channel_failure_texts, private_placeholder
from tools.bench.phases import failover, idle_memory, public, run_load
from tools.bench.procs import BASE_ENV, child_env, timed_run
from tools.bench.report import evaluate_targets, report
from tools.bench.stacks import RASA, ROOT, OurStack, ReferenceStack, ScaledStack, agent_load_times
from tools.bench.stats import parse_levels

MODEL = ROOT / "models" / "prescreen.tar.gz"
RESULTS = ROOT / "results"
DEFAULT_LEVELS = "1:5,20:40,50:100"
DEFAULT_SCALED_LEVELS = "20:40,50:100"
QUICK_LEVELS = "1:2,4:4"


def parse_args(argv: Optional[List[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default=None,
                        help=f"durable default, concurrency:conversations,... (default {DEFAULT_LEVELS}; --quick {QUICK_LEVELS})")
    parser.add_argument("--scaled-levels", default=None, help=f"scaled set-up levels (default {DEFAULT_SCALED_LEVELS})")
    parser.add_argument("--failover", default=None,
                        help="concurrency:conversations of the level with a replica killed (default 50:300; --quick 6:12)")
    parser.add_argument("--kill-after", type=float, default=None, help="seconds into the failover level (default 15)")
    parser.add_argument("--idle", type=int, default=None, help="idle conversations to pile up (default 10000; --quick 300)")
    parser.add_argument("--quick", action="store_true",
                        help="a short functional run: small levels, no training or Agent.load timing, the starter "
                             "bot kept in results/bench-reference between runs")
    parser.add_argument("--model", default=str(MODEL), help="our model (default models/prescreen.tar.gz)")
    parser.add_argument("--reference-dir", default=None, help="keep the starter bot here and reuse it when it has a model")
    parser.add_argument("--skip-train", action="store_true", help="do not time a cold training of our model")
    parser.add_argument("--skip-agent-load", action="store_true", help="do not time Agent.load in-process")
    parser.add_argument("--skip-reference", action="store_true", help="no starter bot (no ratios)")
    parser.add_argument("--skip-scaled", action="store_true", help="no scaled set-up")
    parser.add_argument("--skip-stores", action="store_true", help="no in-process tracker store comparison")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean seconds each simulated person waits before answering, uniformly 0.5-1.5 times "
                             "this (default 0: closed loop, the next answer as soon as the last reply is in)")
    parser.add_argument("--stack-env", action="append", default=[], metavar="KEY=VALUE",
                        help="extra environment for the durable default (scripts/run.sh), e.g. "
                             "CONVERSATIONS_ENCRYPTED=false to measure what encryption costs")
    parser.add_argument("--json", default=None, help="also write every figure to this JSON file")
    parser.add_argument("--markdown", default=str(RESULTS / "bench.md"), help="the markdown snippet (default results/bench.md)")
    args = parser.parse_args(argv)
    quick = args.quick
    args.levels = parse_levels(args.levels or (QUICK_LEVELS if quick else DEFAULT_LEVELS))
    args.scaled_levels = parse_levels(args.scaled_levels or (QUICK_LEVELS.split(",")[-1] if quick else DEFAULT_SCALED_LEVELS))
    args.failover = parse_levels(args.failover or ("6:12" if quick else "50:300"))[0]
    args.kill_after = args.kill_after if args.kill_after is not None else (3.0 if quick else 15.0)
    args.idle = args.idle if args.idle is not None else (300 if quick else 10000)
    if quick:
        args.skip_train = args.skip_agent_load = True
        args.reference_dir = args.reference_dir or str(RESULTS / "bench-reference")
    args.model = Path(args.model).resolve()
    return args


def check_setup(args: argparse.Namespace) -> None:
    """What the benchmark measures must be there before anything starts."""
    if not args.model.exists():
        raise BenchSetupError(f"{args.model} is missing: run `make train` first")
    for script in ("scripts/run.sh", "scripts/run-scaled.sh"):
        if not os.access(ROOT / script, os.X_OK):
            raise BenchSetupError(f"{script} is missing or not executable")
    channel_failure_texts()
    private_placeholder()


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    try:
        check_setup(args)
    except BenchSetupError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    os.environ.update(BASE_ENV)
    random.seed(6)
    RESULTS.mkdir(exist_ok=True)
    logs = RESULTS / "bench-logs"
    logs.mkdir(exist_ok=True)
    t0 = time.perf_counter()
    figures: Dict[str, Any] = {
        "started_at": time.strftime("%Y-%m-%d %H:%M"),
        "loadavg_before": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "levels": args.levels, "scaled_levels": args.scaled_levels, "failover_level": args.failover,
        "think": args.think, "stack_env": args.stack_env,
    }
    print(f"Benchmark: levels {args.levels}, scaled {args.scaled_levels}, failover {args.failover}, idle {args.idle}, "
          f"load average {figures['loadavg_before']}, logs in {logs}", flush=True)
    results: Dict[str, Any] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="bench-") as tmpdir:
            run_all(args, Path(tmpdir), logs, figures, results)
    except BenchSetupError as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    figures["total_s"] = time.perf_counter() - t0
    targets = evaluate_targets(results.get("ours", {}), results.get("reference", {}), results.get("idle"),
                               results.get("failover"))
    text, md = report(figures, results.get("ours", {}), results.get("reference", {}), targets,
                      results.get("scaled"), results.get("scaled_reference"), results.get("idle"),
                      results.get("failover"), results.get("stores"))
    print("\n" + text)
    Path(args.markdown).parent.mkdir(parents=True, exist_ok=True)
    Path(args.markdown).write_text(md, encoding="utf-8")
    print(f"\nMarkdown: {args.markdown}")
    if args.json:
        payload = {"figures": figures, **results, "targets": targets}
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(payload, indent=2, default=str), encoding="utf-8")
        print(f"JSON: {args.json}")
    return 0


def run_all(args: argparse.Namespace, tmp: Path, logs: Path, figures: Dict[str, Any], results: Dict[str, Any]) -> None:
    if not args.skip_train:
        print("Cold rasa train of this project into a temporary directory ...", flush=True)
        figures["ours_train_s"] = timed_run(
            [RASA, "train", "--config", "config.yml", "--domain", "domain", "--data", "data", "--out",
             str(tmp / "models"), "--fixed-model-name", "prescreen", "--quiet"],
            cwd=ROOT, env=child_env(RASA_CACHE_DIRECTORY=str(tmp / "cache")), log=logs / "train.log")
        print(f"  took {figures['ours_train_s']:.1f}s", flush=True)
    if not args.skip_agent_load:
        print("Agent.load of our model in a fresh process ...", flush=True)
        figures["ours_agent_load"] = agent_load_times(args.model, ROOT, logs / "agent-load.log")
    reference = None if args.skip_reference else ReferenceStack(args, tmp, logs)
    if reference is not None:
        model = reference.prepare(figures)
        if not args.skip_agent_load:
            figures["reference_agent_load"] = agent_load_times(model, model.parent.parent,
                                                               logs / "reference-agent-load.log")
    try:
        if reference is not None:
            reference.start(figures)
        durable_default(args, tmp, logs, figures, results, reference)
        if not args.skip_scaled:
            scaled_setup(args, tmp, logs, figures, results, reference)
    finally:
        if reference is not None:
            reference.stop()


def durable_default(args, tmp: Path, logs: Path, figures: Dict[str, Any], results: Dict[str, Any], reference) -> None:
    stack = OurStack(args, tmp, logs)
    try:
        stack.start(figures)
        print("The durable default (scripts/run.sh) against the starter bot:", flush=True)
        results["ours"], results["reference"] = run_load(args.levels, stack, reference, figures)
        if args.idle:
            print(f"{args.idle:,} idle conversations piling up on the durable default:", flush=True)
            results["idle"] = idle_memory(stack, args.idle)
        results["sample_tracker"] = sample_tracker(stack)
    finally:
        stack.stop()


def sample_tracker(stack) -> Optional[List[Dict[str, Any]]]:
    """A finished likely-eligible screening with its hand-off, for the store comparison."""
    from tools.bench.conversations import make_case, screening

    conv = screening(stack.client, make_case(0), "bench-sample-tracker")
    return None if conv.error else stack.client.tracker(conv.sender).get("events")


def scaled_setup(args, tmp: Path, logs: Path, figures: Dict[str, Any], results: Dict[str, Any], reference) -> None:
    stack = ScaledStack(args, tmp, logs)
    try:
        stack.start(figures)
        print("The scaled set-up (scripts/run-scaled.sh) against the starter bot:", flush=True)
        results["scaled"], results["scaled_reference"] = run_load(args.scaled_levels, stack, reference, figures)
        conc, count = args.failover
        print(f"Scaled, {conc} concurrent, one replica killed after {args.kill_after:g}s and restarted:", flush=True)
        results["failover"] = public(failover(stack, conc, count, args.kill_after))
        if not args.skip_stores:
            from tools.bench.stores import compare

            print("Tracker stores compared in-process (on the scaled set-up's PostgreSQL and Redis):", flush=True)
            pg = stack.env["TRACKER_STORE_URL"].rsplit("/", 1)[0] + "/postgres"
            results["stores"] = compare(results.get("sample_tracker") or [], pg,
                                        stack.env["LOCK_STORE_URL"].rsplit("/", 1)[0] + "/2") \
                if results.get("sample_tracker") else None
    finally:
        stack.stop()
