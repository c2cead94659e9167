"""What the benchmark does with a running stack: load levels (each straight after against the
starter bot, so both see the same machine), idle conversations piling up while Rasa's memory is
read, and a level during which one replica is killed and comes back."""

from __future__ import annotations

import concurrent.futures
import math
import os
import signal
import threading
import time
import uuid
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from tools.bench.conversations import BenchClient, Conversation, crossed_problems, idle_conversation, lead_problems
from tools.bench.procs import MemoryPoller, machine_busy_seconds, own_cpu_seconds, refuses, wait_until
from tools.bench.stats import latency_summary


def run_level(bot: str, concurrency: int, count: int, make_conversation: Callable[[int, str], Conversation],
              client: BenchClient, poller: Optional[MemoryPoller],
              all_pollers: Sequence[MemoryPoller] = (),
              find_lead: Optional[Callable[[str], Optional[Dict[str, Any]]]] = None,
              during: Optional[Callable[[], None]] = None) -> Dict[str, Any]:
    """Runs `count` conversations, `concurrency` at a time, then checks every tracker for lost,
    doubled or crossed messages and answers and, with `find_lead`, every consented conversation's
    lead in the database. `all_pollers` are every server process alive (ours and the reference),
    to tell apart the CPU that other processes on the machine used. `during` runs in a thread
    while the conversations do (the failover phase kills a replica there)."""
    pollers = list(all_pollers) or ([poller] if poller else [])
    roots_before = poller.roles() if poller else {}
    cpu_before = poller.cpu_seconds() if poller else {}
    servers_before = sum(sum(p.cpu_seconds().values()) for p in pollers)
    machine_before, own_before = machine_busy_seconds(), own_cpu_seconds()
    prefix = f"bench-{bot.replace(' ', '-')}-{concurrency}-{uuid.uuid4().hex[:6]}"  # ids the channel keeps as they are
    side = threading.Thread(target=during, daemon=True) if during else None
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = [pool.submit(make_conversation, i, f"{prefix}-{i}") for i in range(count)]
        if side:
            side.start()
        convs = [f.result() for f in futures]
    wall = time.perf_counter() - start
    cpu_after = poller.cpu_seconds() if poller else {}
    roots_after = poller.roles() if poller else {}
    servers = sum(sum(p.cpu_seconds().values()) for p in pollers) - servers_before
    machine = machine_busy_seconds() - machine_before
    client_cpu = own_cpu_seconds() - own_before
    if side:
        side.join()

    for conv in convs:  # after the level: every tracker holds only what its conversation said
        try:
            conv.crossed = crossed_problems(conv.sent, conv.expected_slots, client.tracker(conv.sender))
        except Exception as e:  # noqa: BLE001
            conv.crossed = [f"tracker unreadable: {type(e).__name__}: {e}"]
    leads = lead_problems(convs, find_lead) if find_lead else None

    turns = sum(len(c.turn_latencies) for c in convs)
    errors = [c for c in convs if c.error]
    crossed = [c for c in convs if c.crossed]
    error_kinds: Dict[str, int] = {}
    for c in errors:
        kind = c.error.split(":")[0] if c.error else "?"
        error_kinds[kind] = error_kinds.get(kind, 0) + 1
    return {
        "bot": bot,
        "concurrency": concurrency,
        "conversations": count,
        "turns": turns,
        "turns_per_conversation": turns / count,
        "wall_s": wall,
        "mean_active_conversations": sum(c.ended - c.started for c in convs) / wall if wall else math.nan,
        "messages_per_s": turns / wall if wall else math.nan,
        "turn_latency": latency_summary([x for c in convs for x in c.turn_latencies]),
        "tracker_read_latency": latency_summary([x for c in convs for x in c.read_latencies]),
        "errors": len(errors),
        "error_kinds": error_kinds,
        "error_examples": [f"{c.sender} ({c.profile}): {c.error}" for c in errors[:5]],
        "failed_turns": sum(c.failed_turns for c in convs),
        "crossed": len(crossed),
        "crossed_examples": [f"{c.sender} ({c.profile}): {'; '.join(c.crossed)}" for c in crossed[:5]],
        "leads": leads,
        "served_by": _served_by(convs),
        "server_cpu_ms_per_turn": {name: 1000.0 * (cpu_after[name] - cpu_before.get(name, 0.0)) / turns
                                   for name in cpu_after if roots_after.get(name) == roots_before.get(name)}
        if turns else {},  # a replica restarted during the level has no figure of its own
        "client_cpu_cores": client_cpu / wall if wall else math.nan,
        "other_processes_cpu_cores": max(0.0, machine - servers - client_cpu) / wall if wall else math.nan,
        "_conversations": convs,
    }


def _served_by(convs: Sequence[Conversation]) -> Dict[str, int]:
    counts: Dict[str, int] = {}
    for conv in convs:
        for _, replica in conv.served:
            counts[replica] = counts.get(replica, 0) + 1
    return counts


def _leads_cell(lv: Dict[str, Any]) -> str:
    leads = lv.get("leads")
    return f"{leads['saved']}/{leads['lost']}/{leads['crossed']}" if leads else "-"


def print_level(lv: Dict[str, Any]) -> None:
    lat = lv["turn_latency"]
    cpu = ", ".join(f"{k} {v:.1f}" for k, v in lv["server_cpu_ms_per_turn"].items())
    print(f"  {lv['bot']:>9} x{lv['concurrency']:<3} {lv['conversations']:>4} conversations, {lv['turns']:>5} turns "
          f"in {lv['wall_s']:.1f}s: {lv['messages_per_s']:.1f} msg/s, p50 {lat['p50_ms']:.0f} / p95 "
          f"{lat['p95_ms']:.0f} / p99 {lat['p99_ms']:.0f} ms, tracker read p95 "
          f"{lv['tracker_read_latency']['p95_ms']:.0f} ms, errors {lv['errors']}, crossed {lv['crossed']}"
          + (f", failed turns {lv['failed_turns']}" if lv.get("failed_turns") else "")
          + (f"; leads {_leads_cell(lv)} saved/lost/crossed" if lv.get("leads") else "")
          + (f"; server CPU ms/turn: {cpu}" if cpu else "")
          + f"; mean active {lv['mean_active_conversations']:.1f}, simulator {lv['client_cpu_cores']:.2f} cores, "
            f"other processes {lv['other_processes_cpu_cores']:.2f} cores", flush=True)
    for line in lv["error_examples"] + lv["crossed_examples"] + ((lv.get("leads") or {}).get("examples") or []):
        print(f"      {line}", flush=True)


def public(level: Dict[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in level.items() if not k.startswith("_")}


def run_load(levels: Sequence[Tuple[int, int]], stack: Any, reference: Optional[Any], figures: Dict[str, Any],
             with_leads: bool = True) -> Tuple[Dict[int, Dict[str, Any]], Dict[int, Dict[str, Any]]]:
    """Each level against `stack`, then straight away against the starter bot (same concurrency and
    conversation count, conversations as long as ours averaged), so that both see the same machine."""
    stacks = [st for st in (stack, reference) if st is not None]
    pollers = [st.poller.start() for st in stacks]
    results: Dict[str, Dict[int, Dict[str, Any]]] = {"ours": {}, "reference": {}}
    for conc, count in levels:
        lv = run_level(stack.name, conc, count, stack.conversation(0), stack.client, stack.poller, pollers,
                       find_lead=stack.find_lead if with_leads else None)
        results["ours"][conc] = public(lv)
        print_level(lv)
        if reference is not None:
            turns = max(1, round(lv["turns_per_conversation"]))
            ref = run_level("reference", conc, count, reference.conversation(turns), reference.client,
                            reference.poller, pollers)
            results["reference"][conc] = public(ref)
            print_level(ref)
    figures[f"{stack.name}_peak_rss_mb_during_load"] = {k: v / 1024.0 for k, v in stack.poller.peak_kb.items()}
    figures[f"{stack.name}_peak_rss_mb_lifetime"] = stack.poller.lifetime_peaks_mb()
    if reference is not None:
        figures["reference_peak_rss_mb_during_load"] = {k: v / 1024.0 for k, v in reference.poller.peak_kb.items()}
        figures["reference_peak_rss_mb_lifetime"] = reference.poller.lifetime_peaks_mb()
    return results["ours"], results["reference"]


def idle_memory(stack: Any, count: int, checkpoints: int = 10, concurrency: int = 20) -> Dict[str, Any]:
    """`count` people start a screening, agree, and never come back. Rasa's memory (VmRSS, after
    a garbage collection has had time to run) is read after every `count / checkpoints` of them;
    the first few are then read back, to show they were kept (in the database), not dropped."""
    rss_role = "rasa"
    step = max(1, count // checkpoints)
    prefix = f"bench-idle-{uuid.uuid4().hex[:6]}"
    samples: List[Tuple[int, float]] = [(0, stack.poller.current_mb().get(rss_role, math.nan))]
    errors = 0
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=concurrency) as pool:
        for first in range(0, count, step):
            batch = range(first, min(count, first + step))
            convs = list(pool.map(lambda i: idle_conversation(stack.client, f"{prefix}-{i}"), batch))
            errors += sum(1 for c in convs if c.error)
            samples.append((batch[-1] + 1, stack.poller.current_mb().get(rss_role, math.nan)))
            print(f"  idle conversations {batch[-1] + 1:>6}: Rasa RSS {samples[-1][1]:.0f} MB", flush=True)
    kept = 0
    for i in range(min(5, count)):
        slots = stack.client.tracker(f"{prefix}-{i}").get("slots") or {}
        kept += slots.get("requested_slot") == "respondent" and slots.get("prescreen_consent") == "yes"
    return {"conversations": count, "samples": samples, "errors": errors, "seconds": time.perf_counter() - started,
            "first_five_kept": kept, **memory_growth(samples)}


def memory_growth(samples: Sequence[Tuple[int, float]]) -> Dict[str, float]:
    """MB of Rasa RSS per 1,000 idle conversations from the first checkpoint on (the first one
    includes warming up), and the growth from there to the last."""
    usable = [(n, mb) for n, mb in samples if n > 0 and not math.isnan(mb)]
    if len(usable) < 2 or usable[-1][0] == usable[0][0]:
        return {"growth_mb": math.nan, "mb_per_1000": math.nan}
    (n0, mb0), (n1, mb1) = usable[0], usable[-1]
    return {"growth_mb": mb1 - mb0, "mb_per_1000": (mb1 - mb0) * 1000.0 / (n1 - n0)}


def failover(stack: Any, concurrency: int, count: int, kill_after_s: float, poll: float = 0.2) -> Dict[str, Any]:
    """A level on the scaled set-up during which the first Rasa replica is killed (SIGKILL) after
    `kill_after_s` and restarted by run-scaled.sh's supervisor. The simulated people retry failed
    turns as a person would (answering whatever is then asked); afterwards every tracker must hold
    exactly what its conversation said: nothing lost, doubled or crossed."""
    port = stack.replicas[0]
    events: Dict[str, float] = {}

    def kill_and_watch() -> None:
        time.sleep(kill_after_s)
        pid = stack.replica_pid(port)
        events["killed"] = time.time()
        os.kill(pid, signal.SIGKILL)
        wait_until(lambda: refuses(port), 60, f"replica {port} going down", step=0.02)
        events["down"] = time.time()
        wait_until(lambda: not refuses(port), 600, f"replica {port} coming back", step=poll)
        events["back"] = time.time()

    stack.client.retry = True
    try:
        lv = run_level(f"{stack.name} failover", concurrency, count, stack.conversation(0), stack.client,
                       stack.poller, find_lead=stack.find_lead, during=kill_and_watch)
        # A few conversations more once it is back, in case the level ended before it was.
        after = run_level(f"{stack.name} after restart", min(concurrency, 10), min(concurrency, 10),
                          stack.conversation(0), stack.client, stack.poller) if "back" in events else None
    finally:
        stack.client.retry = False
    print_level(lv)
    convs = lv.pop("_conversations") + (after.pop("_conversations") if after else [])
    if after:
        print_level(after)
        lv["errors"] += after["errors"]
        lv["crossed"] += after["crossed"]
        lv["failed_turns"] += after["failed_turns"]
    replica = f"127.0.0.1:{port}"
    lv["failover"] = {
        "replica": replica,
        "down_after_kill_s": events["down"] - events["killed"] if "down" in events else None,
        "back_after_kill_s": events["back"] - events["killed"] if "back" in events else None,
        "turns_served_by_it_after_it_came_back": sum(1 for c in convs for t, r in c.served
                                                     if r == replica and t > events.get("back", math.inf)),
        "lost": sum(1 for c in convs if any("missing: [" in p and "missing: []" not in p for p in c.crossed)
                    or (c.error and "wrong outcome" in c.error)),
        "doubled": sum(1 for c in convs if any("doubled: [" in p and "doubled: []" not in p for p in c.crossed)),
        "foreign": sum(1 for c in convs if any("foreign: [" in p and "foreign: []" not in p for p in c.crossed)
                       or any(p.startswith("slot ") for p in c.crossed)),
    }
    print(f"      replica {replica}: killed, down after {lv['failover']['down_after_kill_s'] or 0:.2f}s, back after "
          f"{lv['failover']['back_after_kill_s'] or math.nan:.1f}s, then served "
          f"{lv['failover']['turns_served_by_it_after_it_came_back']} turns", flush=True)
    return lv
