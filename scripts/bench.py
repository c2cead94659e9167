"""Benchmark: the real stack under concurrent simulated patients, against Rasa's starter bot.

    make bench                      # = .venv/bin/python scripts/bench.py (needs models/prescreen.tar.gz)
    .venv/bin/python scripts/bench.py --quick            # a tiny run to check the script works
    .venv/bin/python scripts/bench.py --levels 1:5,20:40,50:100 --json results/bench.json

What it does, in order (one heavy thing at a time: the machine may have only two cores):

1. times a cold `rasa train` of this project into a temporary directory (own empty Rasa cache), and
   `Agent.load` of models/prescreen.tar.gz in a fresh Python process (imports timed apart);
2. makes the reference, Rasa's starter bot: `rasa init --no-prompt` into a temporary directory
   (which trains it; timed) and times its `Agent.load` the same way;
3. starts scripts/run.sh (action server, coordinator inbox, Rasa with the REST channel and the
   token-protected HTTP API) on free loopback ports with a throwaway SQLite lead database and a
   random LEADS_KEY, as its own process group, and the starter bot with `rasa run --enable-api`;
   times each Rasa's start (process start until `/` answers, i.e. the model is loaded);
4. at each concurrency level, runs whole screenings over the REST channel in threads, one distinct
   sender per conversation, cycling through five profiles (eligible adult, parent of a 7-year-old,
   too young, CAR-T activity lost after 8 months, two "not sure" answers), each with its own age or
   month count so a crossed conversation shows; like bot/simulate.py, each turn posts the answer to
   the webhook (a "turn": what a person waits for) and then reads `requested_slot` from the tracker
   API (the simulator's bookkeeping, timed apart); then, straight after, the same level against the
   starter bot: the same client pattern (post, then a tracker read) with a moodbot script as long as
   our screenings averaged, so both are measured on the same machine at nearly the same time;
5. after each level reads every conversation's tracker and checks it holds exactly that
   conversation's messages and answers ("crossed" otherwise); an error is any non-200 answer,
   exception, "answer could not be saved" reply, unfinished screening or wrong outcome;
6. polls VmRSS of the Rasa, action-server and coordinator processes (each with its children) every
   0.2 s during the load, reads their CPU time, and how much CPU other processes on the machine
   used; stops both with SIGINT to their process groups (SIGKILL fallback);
7. prints a table and the targets (throughput ratio >= 1.0 at every level, p95 turn latency
   < 300 ms at 20 concurrent, zero errors at 50) and writes results/bench.md (and --json).

It exits 0 whatever the figures are; non-zero only if the benchmark itself could not run.
"""

from __future__ import annotations

import argparse
import ast
import concurrent.futures
import json
import math
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # tests/profiles.py: the shared patient profiles
sys.path.insert(1, str(ROOT))  # bot.leads, to read back the leads a level left (imported late)

from profiles import ELIGIBLE_ADULT_EN, PARENT_OF_SEVEN_EN, handoff_replies  # noqa: E402

VENV_BIN = Path(sys.executable).parent
RASA = str(VENV_BIN / "rasa")
MODEL = ROOT / "models" / "prescreen.tar.gz"
RESULTS = ROOT / "results"

DEFAULT_LEVELS = "1:5,20:40,50:100"
QUICK_LEVELS = "1:2,4:4"
P95_TARGET_MS = 300.0
P95_TARGET_LEVEL = 20
ZERO_ERRORS_LEVEL = 50

BASE_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "PYTHONHASHSEED": "0",
}

# The starter bot's conversation: greet, a mood, an answer, goodbye, and round again.
REFERENCE_SCRIPT = ["hi", "I am sad", "yes", "bye", "hello", "I am great", "goodbye", "are you a bot?"]


# --------------------------------------------------------------------------------------------
# Pure parts (tested in tests/test_bench_script.py)
# --------------------------------------------------------------------------------------------


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


def _same_value(actual: Any, expected: Any) -> bool:
    if isinstance(actual, bool) or isinstance(expected, bool):
        return actual is expected
    if isinstance(expected, float) and isinstance(actual, (int, float)):
        return abs(actual - expected) <= 1e-3
    return actual == expected


def crossed_problems(sent: Sequence[str], expected_slots: Dict[str, Any], tracker: Dict[str, Any]) -> List[str]:
    """What is wrong with one conversation's tracker if it got anything another conversation said:
    its user messages must be exactly the ones this conversation sent, in order, and the slots its
    answers set must hold this conversation's values. An empty list means not crossed."""
    problems: List[str] = []
    said = [e.get("text") for e in tracker.get("events") or [] if e.get("event") == "user"]
    if said != list(sent):
        extra = [t for t in said if t not in sent]
        missing = [t for t in sent if t not in said]
        problems.append(f"user messages differ (foreign: {extra[:3]}, missing: {missing[:3]}, "
                        f"{len(said)} in tracker vs {len(sent)} sent)")
    slots = tracker.get("slots") or {}
    for name, value in expected_slots.items():
        if not _same_value(slots.get(name), value):
            problems.append(f"slot {name} = {slots.get(name)!r}, this conversation said {value!r}")
    return problems


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
        return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))).rstrip()

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


LOAD_HEADERS = ["bot", "concurrent", "conversations", "turns", "turns/conv", "msg/s", "ratio",
                "p50 ms", "p95 ms", "p99 ms", "max ms", "tracker read p95 ms", "errors", "crossed",
                "leads saved/lost/crossed", "mean active", "other procs (cores)"]


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


def evaluate_targets(ours: Dict[int, Dict[str, Any]], reference: Dict[int, Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Targets of issue 6: throughput ratio >= 1.0 at every level, p95 < 300 ms at 20 concurrent,
    zero errors at 50, and (always) no crossed conversations. `ours`/`reference` map concurrency
    to level results. A target whose level was not run is reported as not measured (passed None)."""
    targets = []
    for conc in sorted(ours):
        ref = reference.get(conc)
        ratio = ours[conc]["messages_per_s"] / ref["messages_per_s"] if ref and ref["messages_per_s"] else None
        targets.append({"target": f"throughput ratio >= 1.0 at {conc} concurrent", "value": _fmt(ratio, 2),
                        "passed": None if ratio is None else ratio >= 1.0})
    lv = ours.get(P95_TARGET_LEVEL)
    p95 = lv["turn_latency"]["p95_ms"] if lv else None
    targets.append({"target": f"p95 turn latency < {P95_TARGET_MS:.0f} ms at {P95_TARGET_LEVEL} concurrent",
                    "value": "-" if p95 is None else f"{p95:.0f} ms",
                    "passed": None if p95 is None else p95 < P95_TARGET_MS})
    lv = ours.get(ZERO_ERRORS_LEVEL)
    targets.append({"target": f"zero errors at {ZERO_ERRORS_LEVEL} concurrent",
                    "value": "-" if lv is None else str(lv["errors"]),
                    "passed": None if lv is None else lv["errors"] == 0})
    crossed = sum(lv["crossed"] for lv in ours.values())
    targets.append({"target": "no conversation got another's answers (all levels)", "value": str(crossed),
                    "passed": crossed == 0 if ours else None})
    checked = [lv["leads"] for lv in ours.values() if lv.get("leads")]
    bad = sum(x["lost"] + x["crossed"] for x in checked)
    targets.append({"target": "no consented lead lost or crossed (all levels)",
                    "value": f"{bad} of {sum(x['expected'] for x in checked)}" if checked else "-",
                    "passed": bad == 0 if checked else None})
    return targets


def verdict(passed: Optional[bool]) -> str:
    return "not measured" if passed is None else ("PASS" if passed else "FAIL")


# --------------------------------------------------------------------------------------------
# Conversation mix
# --------------------------------------------------------------------------------------------


@dataclass
class Case:
    """One simulated conversation: what the person answers and what must come of it."""

    profile: str
    answers: Dict[str, str]
    outcome: Tuple[str, List[str], List[str]]
    expected_slots: Dict[str, Any]
    contact: Optional[Dict[str, str]] = None  # who then agrees to be contacted (likely eligible ones)


def make_case(i: int) -> Case:
    """The i-th conversation: five profiles in turn, each with an age or month count that varies with i,
    so two conversations of the same profile rarely share an answer. The two likely-eligible profiles
    then consent and leave a name and phone number of their own, so a lost or crossed lead shows."""
    kind = i % 5
    age = 18 + (i // 5) % 22  # 18..39: adult, no guardian question
    contact = {"name": f"Bench Person {i}", "phone": f"139{i:08d}"}
    if kind == 0:
        answers = {**ELIGIBLE_ADULT_EN, "patient_age": str(age)}
        return Case("eligible adult", answers, ("likely_eligible", [], []),
                    {"patient_age": float(age), "respondent": "patient", "car_t_loss_months": 4.0}, contact)
    if kind == 1:
        months = 1 + (i // 5) % 6  # 1..6: inside the I2 window
        answers = {**PARENT_OF_SEVEN_EN, "car_t_loss_months": f"{months} months"}
        return Case("parent of a 7-year-old", answers, ("likely_eligible", [], []),
                    {"patient_age": 7.0, "respondent": "guardian", "car_t_loss_months": float(months)}, contact)
    if kind == 2:
        months = 2 + (i // 5) % 10  # 2..11 months old
        answers = {**ELIGIBLE_ADULT_EN, "patient_age": f"{months} months"}
        return Case("too young", answers, ("not_eligible", ["I3"], []),
                    {"patient_age": months / 12.0, "respondent": "patient"})
    if kind == 3:
        answers = {**ELIGIBLE_ADULT_EN, "patient_age": str(age), "car_t_loss_months": "8 months after"}
        return Case("CAR-T loss after 8 months", answers, ("not_eligible", ["I2"], []),
                    {"patient_age": float(age), "car_t_loss_months": 8.0})
    answers = {**ELIGIBLE_ADULT_EN, "patient_age": str(age), "kidney_problem": "I don't know",
               "csf_blasts_high": "not sure"}
    return Case("two unsure answers", answers, ("needs_review", [], ["E7", "E12"]),
                {"patient_age": float(age), "kidney_problem": "unsure", "csf_blasts_high": "unsure"})


# --------------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------------


class HttpError(RuntimeError):
    pass


def http_json(url: str, payload: Optional[dict] = None, timeout: float = 120.0) -> Any:
    data = json.dumps(payload).encode() if payload is not None else None
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read()
            if resp.status != 200:
                raise HttpError(f"HTTP {resp.status} from {url.split('?')[0]}")
    except urllib.error.HTTPError as e:
        raise HttpError(f"HTTP {e.code} from {url.split('?')[0]}") from None
    return json.loads(body.decode() or "null")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers_http(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=1).read()
        return True
    except urllib.error.HTTPError:
        return True  # it answered, even if with 401/404
    except Exception:
        return False


# --------------------------------------------------------------------------------------------
# Conversations
# --------------------------------------------------------------------------------------------


@dataclass
class Conversation:
    sender: str
    profile: str
    sent: List[str] = field(default_factory=list)
    turn_latencies: List[float] = field(default_factory=list)
    read_latencies: List[float] = field(default_factory=list)
    error: Optional[str] = None
    expected_slots: Dict[str, Any] = field(default_factory=dict)
    crossed: List[str] = field(default_factory=list)
    lead: Optional[Dict[str, Any]] = None  # the lead this conversation must have left: name, phone, age
    started: float = field(default_factory=time.perf_counter)
    ended: float = 0.0


def channel_failure_texts(path: Path = ROOT / "bot" / "channels.py") -> List[str]:
    """The plain "your answer could not be saved" texts our REST channel answers with (status 200)
    when a turn fails or times out, read from bot/channels.py without importing Rasa."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError):
        return []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "UNAVAILABLE" for t in node.targets):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                return []
            return [v for v in value.values() if isinstance(v, str)] if isinstance(value, dict) else []
    return []


class TurnFailed(RuntimeError):
    pass


class Client:
    def __init__(self, base_url: str, token: str, failure_texts: Sequence[str] = (), require_reply: bool = False,
                 think: float = 0.0):
        self.base = base_url
        self.token = token
        self.think = think  # seconds a person takes to read and type before each message but the first
        self.failure_texts = set(failure_texts)
        self.require_reply = require_reply

    def post(self, conv: Conversation, text: str) -> List[Dict[str, Any]]:
        if self.think:  # people do not type in step: 0.5-1.5 x think between answers, starts spread too
            time.sleep(self.think * (random.uniform(0.5, 1.5) if conv.sent else random.uniform(0.0, 1.0)))
        conv.sent.append(text)
        start = time.perf_counter()
        reply = http_json(f"{self.base}/webhooks/rest/webhook", {"sender": conv.sender, "message": text})
        conv.turn_latencies.append(time.perf_counter() - start)
        if not isinstance(reply, list):
            raise HttpError(f"webhook answered {type(reply).__name__}, not a list")
        if self.require_reply and not reply:
            raise TurnFailed(f"no reply to {text!r}")
        if any(m.get("text") in self.failure_texts for m in reply if isinstance(m, dict)):
            raise TurnFailed(f"'answer could not be saved' reply to {text!r}")
        return reply

    def tracker(self, sender: str, timed: Optional[Conversation] = None) -> Dict[str, Any]:
        query = urllib.parse.urlencode({"token": self.token})
        start = time.perf_counter()
        tracker = http_json(f"{self.base}/conversations/{urllib.parse.quote(sender)}/tracker?{query}")
        if timed is not None:
            timed.read_latencies.append(time.perf_counter() - start)
        return tracker or {}


def screening(client: Client, case: Case, sender: str, max_turns: int = 40) -> Conversation:
    """One whole screening, as bot/simulate.run_screening does it, timing posts and reads apart."""
    conv = Conversation(sender, case.profile, expected_slots=dict(case.expected_slots))
    try:
        client.post(conv, "hi")
        for _ in range(max_turns):
            slots = client.tracker(sender, timed=conv).get("slots") or {}
            slot = slots.get("requested_slot")
            if not slot or slots.get("prescreen_outcome"):
                got = (slots.get("prescreen_outcome"), slots.get("failed_criteria") or [],
                       slots.get("unknown_criteria") or [])
                if got != case.outcome:
                    conv.error = f"wrong outcome {got}, expected {case.outcome}"
                elif case.contact:
                    handoff(client, conv, case)
                return conv
            client.post(conv, case.answers.get(slot, "no"))
        conv.error = f"did not finish in {max_turns} turns"
    except Exception as e:  # noqa: BLE001 - every failure is counted, none stops the run
        conv.error = f"{type(e).__name__}: {e}"
    finally:
        conv.ended = time.perf_counter()
    return conv


def handoff(client: Client, conv: Conversation, case: Case) -> None:
    """Consent, name, phone, a time, confirm: the hand-off after a likely-eligible result."""
    assert case.contact is not None
    for text in handoff_replies(case.contact["name"], case.contact["phone"]):
        client.post(conv, text)
    conv.lead = {**case.contact, "patient_age": case.expected_slots.get("patient_age")}


def lead_problems(conversations: Sequence[Conversation], find_lead: Callable[[str], Optional[Dict[str, Any]]]
                  ) -> Dict[str, Any]:
    """Every conversation that consented has exactly its own lead: saved once, its own name and phone,
    its own age in the coordinator's packet. `find_lead` reads a lead by conversation id."""
    expected = [c for c in conversations if c.lead]
    lost, crossed = [], []
    for conv in expected:
        lead = find_lead(conv.sender)
        if lead is None:
            lost.append(conv.sender)
            continue
        contact = lead.get("contact") or {}
        ages = [row.get("answers", {}).get("patient_age") for row in lead.get("packet") or [] if row.get("id") == "I3"]
        wrong = [f"{k} {contact.get(k)!r} != {conv.lead[k]!r}" for k in ("name", "phone") if contact.get(k) != conv.lead[k]]
        if not ages or not _same_value(ages[0], conv.lead["patient_age"]):
            wrong.append(f"age {ages[:1]} != {conv.lead['patient_age']}")
        if lead.get("submissions") != 1:
            wrong.append(f"submitted {lead.get('submissions')} times")
        if wrong:
            crossed.append(f"{conv.sender}: {'; '.join(wrong)}")
    return {"expected": len(expected), "saved": len(expected) - len(lost), "lost": len(lost),
            "crossed": len(crossed), "examples": [f"lost: {s}" for s in lost[:3]] + crossed[:3]}


def moodbot_chat(client: Client, turns: int, sender: str) -> Conversation:
    """The reference conversation: the same client pattern (post, then read the tracker)."""
    conv = Conversation(sender, "moodbot")
    try:
        for k in range(turns):
            client.post(conv, REFERENCE_SCRIPT[k % len(REFERENCE_SCRIPT)])
            client.tracker(sender, timed=conv)
    except Exception as e:  # noqa: BLE001
        conv.error = f"{type(e).__name__}: {e}"
    finally:
        conv.ended = time.perf_counter()
    return conv


# --------------------------------------------------------------------------------------------
# Processes: memory and CPU from /proc
# --------------------------------------------------------------------------------------------

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def _read(path: str) -> Optional[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return None


def _stat_fields(pid: int) -> Optional[List[str]]:
    text = _read(f"/proc/{pid}/stat")
    if not text:
        return None
    return text[text.rindex(")") + 2:].split()  # fields from "state" on (index 0 = field 3)


def children_map() -> Dict[int, List[int]]:
    kids: Dict[int, List[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            f = _stat_fields(int(name))
            if f:
                kids.setdefault(int(f[1]), []).append(int(name))
    return kids


def descendants(pid: int, kids: Optional[Dict[int, List[int]]] = None) -> List[int]:
    kids = kids if kids is not None else children_map()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def cmdline(pid: int) -> str:
    return (_read(f"/proc/{pid}/cmdline") or "").replace("\0", " ").strip()


def rss_kb(pid: int, field_name: str = "VmRSS") -> int:
    text = _read(f"/proc/{pid}/status") or ""
    for line in text.splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    f = _stat_fields(pid)
    return (int(f[11]) + int(f[12])) / CLK_TCK if f else 0.0  # utime + stime


def process_start_epoch(pid: int) -> Optional[float]:
    f = _stat_fields(pid)
    stat = _read("/proc/stat") or ""
    btime = next((int(line.split()[1]) for line in stat.splitlines() if line.startswith("btime")), None)
    if not f or btime is None:
        return None
    return btime + int(f[19]) / CLK_TCK  # field 22: starttime in clock ticks after boot


def machine_busy_seconds() -> float:
    """CPU seconds all processes on the machine have used since boot (every core)."""
    fields = (_read("/proc/stat") or "cpu 0").splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in (fields + ["0"] * 8)[:8])
    return (user + nice + system + irq + softirq + steal) / CLK_TCK


def own_cpu_seconds() -> float:
    """This benchmark process (the simulated patients): every thread."""
    return cpu_seconds(os.getpid())


class MemoryPoller:
    """Polls VmRSS (each process plus its children) of named server processes every `interval` s."""

    def __init__(self, roots: Dict[str, int], interval: float = 0.2):
        self.roots = roots
        self.interval = interval
        self.peak_kb: Dict[str, int] = {name: 0 for name in roots}
        self.samples = 0
        self._trees: Dict[str, List[int]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._refresh()

    def _refresh(self) -> None:
        kids = children_map()
        self._trees = {name: descendants(pid, kids) for name, pid in self.roots.items()}

    def sample(self) -> None:
        if self.samples and self.samples % 25 == 0:  # look for new children every 5 s
            self._refresh()
        for name, pids in self._trees.items():
            self.peak_kb[name] = max(self.peak_kb[name], sum(rss_kb(p) for p in pids))
        self.samples += 1

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def start(self) -> "MemoryPoller":
        self._thread.start()
        return self

    def stop(self) -> Dict[str, float]:
        self._stop.set()
        self._thread.join()
        return {name: kb / 1024.0 for name, kb in self.peak_kb.items()}

    def lifetime_peaks_mb(self) -> Dict[str, float]:
        """VmHWM: each process's own peak since it started (children added at their peak)."""
        self._refresh()
        return {name: sum(rss_kb(p, "VmHWM") for p in pids) / 1024.0 for name, pids in self._trees.items()}

    def cpu_seconds(self) -> Dict[str, float]:
        return {name: sum(cpu_seconds(p) for p in pids) for name, pids in self._trees.items()}


class ProcessGroup:
    """A subprocess in its own session, stopped with SIGINT to the group (SIGKILL after a grace period)."""

    def __init__(self, argv: List[str], *, cwd: Path, env: Dict[str, str], log: Path):
        self.log = open(log, "w")
        self.started = time.time()
        self.proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, grace: float = 30.0) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGINT)
                self.proc.wait(timeout=grace)
            except ProcessLookupError:
                pass
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        try:  # anything left in the group (a child that ignored SIGINT)
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.log.close()


def wait_until(check: Callable[[], bool], timeout: float, what: str, group: Optional[ProcessGroup] = None,
               step: float = 0.1) -> float:
    """Polls `check` until true; returns the epoch time it first was. Fails early if `group` died."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if check():
            return time.time()
        if group is not None and not group.alive():
            raise RuntimeError(f"{what}: the process exited (code {group.proc.returncode}); see {group.log.name}")
        time.sleep(step)
    raise RuntimeError(f"{what} did not come up within {timeout:.0f}s")


def child_env(**extra: str) -> Dict[str, str]:
    env = {**os.environ, **BASE_ENV, **extra}
    for name in ("ACTION_SERVER_URL", "ACTION_SERVER_TOKEN", "BIND_HOST", "SMTP_HOST", "SMTP_PORT",
                 "COORDINATOR_EMAIL", "MODEL", "RASA_API_TOKEN"):
        if name not in extra:
            env.pop(name, None)
    return env


def find_role_pids(root: int) -> Dict[str, int]:
    """The servers among run.sh's children, by command line."""
    kids = children_map()
    roles: Dict[str, int] = {}
    for pid in descendants(root, kids):
        cmd = cmdline(pid)
        if "rasa_sdk" in cmd or "bot.action_server" in cmd:
            roles.setdefault("action server", pid)
        elif "serve-coordinator" in cmd:
            roles.setdefault("coordinator", pid)
        elif "/rasa run" in cmd or cmd.startswith("rasa run"):
            roles.setdefault("rasa", pid)
    return roles


# --------------------------------------------------------------------------------------------
# Levels
# --------------------------------------------------------------------------------------------


def run_level(bot: str, concurrency: int, count: int, make_conversation: Callable[[int, str], Conversation],
              client: Client, poller: Optional[MemoryPoller],
              all_pollers: Sequence[MemoryPoller] = (),
              find_lead: Optional[Callable[[str], Optional[Dict[str, Any]]]] = None) -> Dict[str, Any]:
    """Runs `count` conversations, `concurrency` at a time, then checks every tracker for crossed answers
    and, with `find_lead`, every consented conversation's lead in the database.
    `all_pollers` are every server process alive (ours and the reference), to tell apart the CPU that
    other processes on the machine used during the level."""
    pollers = list(all_pollers) or ([poller] if poller else [])
    cpu_before = poller.cpu_seconds() if poller else {}
    servers_before = sum(sum(p.cpu_seconds().values()) for p in pollers)
    machine_before, own_before = machine_busy_seconds(), own_cpu_seconds()
    prefix = f"bench-{bot}-{concurrency}-{uuid.uuid4().hex[:6]}"
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = [pool.submit(make_conversation, i, f"{prefix}-{i}") for i in range(count)]
        convs = [f.result() for f in futures]
    wall = time.perf_counter() - start
    cpu_after = poller.cpu_seconds() if poller else {}
    servers = sum(sum(p.cpu_seconds().values()) for p in pollers) - servers_before
    machine = machine_busy_seconds() - machine_before
    client_cpu = own_cpu_seconds() - own_before

    # After the level: every conversation's tracker holds only what that conversation said.
    for conv in convs:
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
        "crossed": len(crossed),
        "crossed_examples": [f"{c.sender} ({c.profile}): {'; '.join(c.crossed)}" for c in crossed[:5]],
        "leads": leads,
        "server_cpu_ms_per_turn": {name: 1000.0 * (cpu_after[name] - cpu_before.get(name, 0.0)) / turns
                                   for name in cpu_after} if turns else {},
        "client_cpu_cores": client_cpu / wall if wall else math.nan,
        "other_processes_cpu_cores": max(0.0, machine - servers - client_cpu) / wall if wall else math.nan,
    }


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
          + (f"; leads {_leads_cell(lv)} saved/lost/crossed" if lv.get("leads") else "")
          + (f"; server CPU ms/turn: {cpu}" if cpu else "")
          + f"; mean active {lv['mean_active_conversations']:.1f}, simulator {lv['client_cpu_cores']:.2f} cores, "
            f"other processes {lv['other_processes_cpu_cores']:.2f} cores", flush=True)
    for line in lv["error_examples"] + lv["crossed_examples"] + ((lv.get("leads") or {}).get("examples") or []):
        print(f"      {line}", flush=True)


# --------------------------------------------------------------------------------------------
# Phases
# --------------------------------------------------------------------------------------------


def timed_run(argv: List[str], *, cwd: Path, env: Dict[str, str], log: Path, timeout: float = 900) -> float:
    start = time.perf_counter()
    with open(log, "w") as f:
        proc = subprocess.run(argv, cwd=cwd, env=env, stdout=f, stderr=subprocess.STDOUT, timeout=timeout,
                              start_new_session=True)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:3])}... failed with {proc.returncode}; see {log}")
    return took


AGENT_LOAD_CODE = r"""
import asyncio, json, sys, time
t0 = time.perf_counter()
from rasa.core.agent import Agent
t1 = time.perf_counter()
async def load():
    return Agent.load(sys.argv[1])
agent = asyncio.run(load())
t2 = time.perf_counter()
assert agent.is_ready()
print("BENCH " + json.dumps({"import_s": t1 - t0, "agent_load_s": t2 - t1}))
"""


def agent_load_times(model: Path, cwd: Path, log: Path) -> Dict[str, float]:
    with open(log, "w") as f:
        proc = subprocess.run([sys.executable, "-c", AGENT_LOAD_CODE, str(model)], cwd=cwd,
                              env=child_env(), stdout=subprocess.PIPE, stderr=f, text=True, timeout=600)
    for line in proc.stdout.splitlines():
        if line.startswith("BENCH "):
            return json.loads(line[6:])
    raise RuntimeError(f"Agent.load of {model} failed; see {log}")


def latest_model(directory: Path) -> Optional[Path]:
    models = sorted(directory.glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    return models[-1] if models else None


class OurStack:
    """scripts/run.sh on free loopback ports, a throwaway SQLite lead database, a random LEADS_KEY and
    RASA_API_TOKEN, in its own process group."""

    name = "ours"

    def __init__(self, args, tmp: Path, logs: Path):
        self.args, self.tmp, self.logs = args, tmp, logs
        self.group: Optional[ProcessGroup] = None
        self.poller: Optional[MemoryPoller] = None
        self.client: Optional[Client] = None
        self.env: Dict[str, str] = {}
        self.lead_store: Any = None

    def start(self, figures: Dict[str, Any]) -> None:
        from cryptography.fernet import Fernet

        ports = {"RASA_PORT": free_port(), "ACTION_PORT": free_port(), "COORDINATOR_PORT": free_port(),
                 "WEB_PORT": free_port()}
        token = secrets.token_hex(16)
        env = child_env(**{k: str(v) for k, v in ports.items()}, RASA_API_TOKEN=token,
                        DATABASE_URL=f"sqlite:///{self.tmp / 'leads.db'}", LEADS_KEY=Fernet.generate_key().decode(),
                        MODEL=str(self.args.model), **dict(kv.split("=", 1) for kv in self.args.stack_env))
        base = f"http://127.0.0.1:{ports['RASA_PORT']}"
        print(f"Starting scripts/run.sh (Rasa on {base}, log {self.logs / 'stack.log'}) ...", flush=True)
        self.group = group = ProcessGroup(["scripts/run.sh"], cwd=ROOT, env=env, log=self.logs / "stack.log")
        rasa_up = wait_until(lambda: answers_http(base + "/"), 300, "Rasa", group)
        wait_until(lambda: answers_http(f"http://127.0.0.1:{ports['ACTION_PORT']}/health"), 60, "action server", group)
        wait_until(lambda: answers_http(f"http://127.0.0.1:{ports['COORDINATOR_PORT']}/"), 60, "coordinator", group)
        roles = find_role_pids(group.proc.pid)
        missing = {"rasa", "action server", "coordinator"} - set(roles)
        if missing:
            raise RuntimeError(f"could not find {missing} among run.sh's children")
        rasa_start = process_start_epoch(roles["rasa"])
        figures["ours_stack_ready_s"] = time.time() - group.started
        figures["ours_rasa_run_to_ready_s"] = rasa_up - rasa_start if rasa_start else None
        print(f"  up in {figures['ours_stack_ready_s']:.1f}s (rasa run -> / answers: "
              f"{_fmt(figures['ours_rasa_run_to_ready_s'], 1)}s); pids {roles}", flush=True)
        self.env = env
        self.client = Client(base, token, channel_failure_texts(), require_reply=True, think=self.args.think)
        warm = screening(self.client, make_case(0), f"bench-warmup-{uuid.uuid4().hex[:6]}")
        if warm.error:
            print(f"  warm-up screening failed: {warm.error}", flush=True)
        self.poller = MemoryPoller(roles)

    def conversation(self, turns: int) -> Callable[[int, str], Conversation]:
        def one(i: int, sender: str) -> Conversation:
            return screening(self.client, make_case(i), sender)

        return one

    def find_lead(self, sender: str) -> Optional[Dict[str, Any]]:
        """The lead a conversation left, read from the stack's database as the coordinator's inbox does."""
        if self.lead_store is None:
            from bot.leads.store import LeadStore

            self.lead_store = LeadStore(self.env["DATABASE_URL"], self.env["LEADS_KEY"])
        return self.lead_store.get_lead_by_conversation(sender)

    def stop(self) -> None:
        if self.group is not None:
            self.group.stop()


class ReferenceStack:
    """Rasa's starter bot: `rasa init --no-prompt` (which trains it), then `rasa run --enable-api`."""

    name = "reference"

    def __init__(self, args, tmp: Path, logs: Path):
        self.args, self.tmp, self.logs = args, tmp, logs
        self.model: Optional[Path] = None
        self.group: Optional[ProcessGroup] = None
        self.poller: Optional[MemoryPoller] = None
        self.client: Optional[Client] = None

    def prepare(self, figures: Dict[str, Any]) -> Path:
        project = Path(self.args.reference_dir).resolve() if self.args.reference_dir else self.tmp / "starter"
        model = latest_model(project / "models") if project.exists() else None
        if model is not None:
            print(f"Reusing the starter bot in {project} ({model.name}); its training is not timed", flush=True)
            figures["reference_train_s"] = None
            self.model = model
            return model
        project.mkdir(parents=True, exist_ok=True)
        print(f"rasa init --no-prompt (the starter bot, trained as part of init) into {project} ...", flush=True)
        took = timed_run([RASA, "init", "--no-prompt", "--init-dir", str(project)], cwd=self.tmp,
                         env=child_env(RASA_CACHE_DIRECTORY=str(self.tmp / "reference-cache")),
                         log=self.logs / "reference-init.log")
        figures["reference_train_s"] = took
        print(f"  took {took:.1f}s", flush=True)
        self.model = latest_model(project / "models")
        if self.model is None:
            raise RuntimeError(f"rasa init left no model in {project / 'models'}; see {self.logs / 'reference-init.log'}")
        return self.model

    def start(self, figures: Dict[str, Any]) -> None:
        port = free_port()
        token = secrets.token_hex(16)
        base = f"http://127.0.0.1:{port}"
        print(f"Starting the starter bot (rasa run --enable-api on {base}) ...", flush=True)
        self.group = group = ProcessGroup(
            [RASA, "run", "--model", str(self.model), "--enable-api", "--auth-token", token, "--interface",
             "127.0.0.1", "--port", str(port), "--credentials", "credentials.yml"],
            cwd=self.model.parent.parent, env=child_env(), log=self.logs / "reference.log")
        up = wait_until(lambda: answers_http(base + "/"), 300, "starter bot", group)
        started = process_start_epoch(group.proc.pid) or group.started
        figures["reference_rasa_run_to_ready_s"] = up - started
        print(f"  up: rasa run -> / answers in {up - started:.1f}s", flush=True)
        self.client = Client(base, token, think=self.args.think)
        moodbot_chat(self.client, 8, f"bench-warmup-{uuid.uuid4().hex[:6]}")
        self.poller = MemoryPoller({"rasa": group.proc.pid})

    def conversation(self, turns: int) -> Callable[[int, str], Conversation]:
        def one(i: int, sender: str) -> Conversation:
            return moodbot_chat(self.client, turns, sender)

        return one

    def stop(self) -> None:
        if self.group is not None:
            self.group.stop()


def run_load(levels: Sequence[Tuple[int, int]], ours: OurStack, reference: Optional[ReferenceStack],
             figures: Dict[str, Any]) -> Tuple[Dict[int, Dict[str, Any]], Dict[int, Dict[str, Any]]]:
    """Each level against our stack, then straight away against the starter bot (same concurrency and
    conversation count, conversations as long as ours averaged), so that both see the same machine."""
    stacks = [st for st in (ours, reference) if st is not None]
    pollers = [st.poller.start() for st in stacks]
    results: Dict[str, Dict[int, Dict[str, Any]]] = {"ours": {}, "reference": {}}
    try:
        for conc, count in levels:
            lv = run_level("ours", conc, count, ours.conversation(0), ours.client, ours.poller, pollers,
                           find_lead=ours.find_lead)
            results["ours"][conc] = lv
            print_level(lv)
            if reference is not None:
                turns = max(1, round(lv["turns_per_conversation"]))
                ref = run_level("reference", conc, count, reference.conversation(turns), reference.client,
                                reference.poller, pollers)
                results["reference"][conc] = ref
                print_level(ref)
    finally:
        for st in stacks:
            figures[f"{st.name}_peak_rss_mb_during_load"] = st.poller.stop()
            figures[f"{st.name}_peak_rss_mb_lifetime"] = st.poller.lifetime_peaks_mb()
        figures["memory_samples"] = pollers[0].samples if pollers else 0
    return results["ours"], results["reference"]


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def report(figures: Dict[str, Any], ours: Dict[int, Dict[str, Any]], reference: Dict[int, Dict[str, Any]],
           targets: List[Dict[str, Any]]) -> Tuple[str, str]:
    """The printed report and the markdown snippet."""
    levels = []
    for conc in sorted(ours):
        lv = dict(ours[conc])
        ref = reference.get(conc)
        lv["ratio"] = lv["messages_per_s"] / ref["messages_per_s"] if ref and ref["messages_per_s"] else None
        levels.append(lv)
        if ref:
            levels.append(ref)
    load = load_rows(levels)

    mem_headers = ["process", "peak RSS during load (MB)", "peak RSS since start (MB)", "CPU ms/turn at top level"]
    top = max(ours) if ours else None
    mem_rows = []
    for name, mb in (figures.get("ours_peak_rss_mb_during_load") or {}).items():
        cpu = ours[top]["server_cpu_ms_per_turn"].get(name) if top else None
        mem_rows.append([name, _fmt(mb), _fmt((figures.get("ours_peak_rss_mb_lifetime") or {}).get(name)),
                         _fmt(cpu, 1)])
    for name, mb in (figures.get("reference_peak_rss_mb_during_load") or {}).items():
        cpu = reference[top]["server_cpu_ms_per_turn"].get(name) if top in reference else None
        mem_rows.append([f"starter bot {name}", _fmt(mb),
                         _fmt((figures.get("reference_peak_rss_mb_lifetime") or {}).get(name)), _fmt(cpu, 1)])

    time_headers = ["startup and training", "ours (s)", "starter bot (s)"]
    ol, rl = figures.get("ours_agent_load") or {}, figures.get("reference_agent_load") or {}
    time_rows = [
        ["cold training (empty Rasa cache)", _fmt(figures.get("ours_train_s"), 1), _fmt(figures.get("reference_train_s"), 1)],
        ["rasa run -> / answers (model loaded)", _fmt(figures.get("ours_rasa_run_to_ready_s"), 1),
         _fmt(figures.get("reference_rasa_run_to_ready_s"), 1)],
        ["Agent.load in-process (after imports)", _fmt(ol.get("agent_load_s"), 2), _fmt(rl.get("agent_load_s"), 2)],
        ["import rasa.core.agent", _fmt(ol.get("import_s"), 1), _fmt(rl.get("import_s"), 1)],
        ["whole stack (run.sh) ready", _fmt(figures.get("ours_stack_ready_s"), 1), "-"],
    ]
    target_rows = [[t["target"], t["value"], verdict(t["passed"])] for t in targets]

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
    text = "\n\n".join([
        "Load (ratio = our msg/s / the starter bot's msg/s at the same concurrency)",
        format_table(LOAD_HEADERS, load),
        format_table(mem_headers, mem_rows) if mem_rows else "",
        format_table(time_headers, time_rows),
        format_table(["target", "measured", "result"], target_rows),
        note,
    ])
    md = "\n\n".join([
        "### Benchmark (`make bench`)",
        markdown_table(LOAD_HEADERS, load),
        markdown_table(mem_headers, mem_rows) if mem_rows else "",
        markdown_table(time_headers, time_rows),
        markdown_table(["target", "measured", "result"], target_rows),
        note,
    ]) + "\n"
    return text, md


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default=None,
                        help=f"concurrency:conversations,... (default {DEFAULT_LEVELS}; --quick {QUICK_LEVELS})")
    parser.add_argument("--quick", action="store_true",
                        help="a tiny run: small levels, no training or Agent.load timing, and the starter bot "
                             "kept in results/bench-reference between runs")
    parser.add_argument("--model", default=str(MODEL), help="our model (default models/prescreen.tar.gz)")
    parser.add_argument("--reference-dir", default=None,
                        help="keep the starter bot here and reuse it when it already has a model")
    parser.add_argument("--skip-train", action="store_true", help="do not time a cold training of our model")
    parser.add_argument("--skip-agent-load", action="store_true", help="do not time Agent.load in-process")
    parser.add_argument("--skip-reference", action="store_true", help="no starter bot (no ratios)")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean seconds each simulated person waits before answering, uniformly 0.5-1.5 times "
                             "this (default 0: closed loop, the next answer as soon as the last reply is in)")
    parser.add_argument("--stack-env", action="append", default=[], metavar="KEY=VALUE",
                        help="extra environment for our stack (scripts/run.sh), to try a configuration")
    parser.add_argument("--json", default=None, help="also write every figure to this JSON file")
    parser.add_argument("--markdown", default=str(RESULTS / "bench.md"), help="the markdown snippet (default results/bench.md)")
    args = parser.parse_args(argv)
    if args.quick:
        args.levels = args.levels or QUICK_LEVELS
        args.skip_train = args.skip_agent_load = True
        args.reference_dir = args.reference_dir or str(RESULTS / "bench-reference")
    levels = parse_levels(args.levels or DEFAULT_LEVELS)
    args.model = Path(args.model).resolve()
    if not args.model.exists():
        print(f"{args.model} is missing: run `make train` first", file=sys.stderr)
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
        "levels": levels,
        "think": args.think,
        "stack_env": args.stack_env,
    }
    print(f"Benchmark: levels {levels}, load average {figures['loadavg_before']}, logs in {logs}", flush=True)

    with tempfile.TemporaryDirectory(prefix="bench-") as tmpdir:
        tmp = Path(tmpdir)
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
            print(f"  {figures['ours_agent_load']}", flush=True)

        stack = OurStack(args, tmp, logs)
        ref_stack = None if args.skip_reference else ReferenceStack(args, tmp, logs)
        if ref_stack is not None:
            ref_model = ref_stack.prepare(figures)
            if not args.skip_agent_load:
                print("Agent.load of the starter bot in a fresh process ...", flush=True)
                figures["reference_agent_load"] = agent_load_times(ref_model, ref_model.parent.parent,
                                                                   logs / "reference-agent-load.log")
                print(f"  {figures['reference_agent_load']}", flush=True)
        try:
            stack.start(figures)
            if ref_stack is not None:
                ref_stack.start(figures)
            ours, reference = run_load(levels, stack, ref_stack, figures)
        finally:
            for st in (stack, ref_stack):
                if st is not None:
                    st.stop()

    figures["total_s"] = time.perf_counter() - t0
    targets = evaluate_targets(ours, reference)
    text, md = report(figures, ours, reference, targets)
    print("\n" + text)
    Path(args.markdown).parent.mkdir(parents=True, exist_ok=True)
    Path(args.markdown).write_text(md, encoding="utf-8")
    print(f"\nMarkdown: {args.markdown}")
    if args.json:
        payload = {"figures": figures, "ours": ours, "reference": reference, "targets": targets}
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(payload, indent=2, default=str), encoding="utf-8")
        print(f"JSON: {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
