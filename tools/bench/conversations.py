"""The simulated conversations of the benchmark, on the product's simulator (bot/simulate.py).

`screening` runs `bot.simulate.run_screening` with a client of our own that times each turn (a
webhook round trip: what a person waits for) apart from the simulator's tracker reads, notices
the channel's "could not be saved" reply, and, where replicas are being killed, counts a failed
turn and lets the simulator answer whatever is asked next, as a person would. The checks after a
level (`message_problems`, `crossed_problems`, `lead_problems`) say whether any conversation lost,
doubled or received another's messages or answers."""

from __future__ import annotations

import json
import random
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

from bot.simulate import RestClient, run_screening
from bot.simulated_patients import ELIGIBLE_ADULT_EN, PARENT_OF_SEVEN_EN
from tools.bench.stats import same_value

# The starter bot's conversation: greet, a mood, an answer, goodbye, and round again.
REFERENCE_SCRIPT = ["hi", "I am sad", "yes", "bye", "hello", "I am great", "goodbye", "are you a bot?"]
# What each hand-off question is answered with (the contact answers are private: see below).
HANDOFF_ANSWERS = {"contact_consent": "yes", "contact_name": "name", "contact_details": "phone",
                   "contact_time": "mornings", "handoff_confirm": "yes"}
PRIVATE_QUESTIONS = ("contact_name", "contact_details", "contact_time")


class BenchSetupError(RuntimeError):
    """The benchmark cannot find something it measures: it stops, loudly, instead of guessing."""


@lru_cache(maxsize=1)
def channel_failure_texts() -> Tuple[str, ...]:
    """The replies the REST channel gives (with status 200) when a turn could not be saved:
    `bot.channels.UNAVAILABLE`, imported, so a rename stops the benchmark instead of silently
    counting every failure as a success."""
    try:
        from bot.channels import UNAVAILABLE
    except ImportError as error:
        raise BenchSetupError(f"cannot import bot.channels.UNAVAILABLE, the channel's 'could not be saved' "
                              f"replies the benchmark counts as errors: {error}") from None
    texts = tuple(v for v in UNAVAILABLE.values() if isinstance(v, str) and v.strip()) \
        if isinstance(UNAVAILABLE, dict) else ()
    if not texts:
        raise BenchSetupError(f"bot.channels.UNAVAILABLE holds no reply texts: {UNAVAILABLE!r}")
    return texts


@lru_cache(maxsize=1)
def private_placeholder() -> str:
    """What the tracker store keeps instead of a contact detail (bot.tracker_privacy)."""
    try:
        from bot.tracker_privacy import PLACEHOLDER
    except ImportError as error:
        raise BenchSetupError(f"cannot import bot.tracker_privacy.PLACEHOLDER: {error}") from None
    if not isinstance(PLACEHOLDER, str) or not PLACEHOLDER:
        raise BenchSetupError(f"bot.tracker_privacy.PLACEHOLDER is not a text: {PLACEHOLDER!r}")
    return PLACEHOLDER


# --- the conversation mix --------------------------------------------------------------------------


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


# --- one conversation ------------------------------------------------------------------------------


@dataclass
class Sent:
    """A message sent. `certain`: the server answered it (HTTP 200, not "could not be saved"),
    so it must be in the tracker exactly once; otherwise it may or may not have been processed.
    `private`: a contact detail, which the tracker store keeps as its placeholder."""

    text: str
    certain: bool = True
    private: bool = False


@dataclass
class Conversation:
    sender: str
    profile: str
    sent: List[Sent] = field(default_factory=list)
    turn_latencies: List[float] = field(default_factory=list)
    read_latencies: List[float] = field(default_factory=list)
    served: List[Tuple[float, str]] = field(default_factory=list)  # (time, replica) of each answered turn
    failed_turns: int = 0
    error: Optional[str] = None
    expected_slots: Dict[str, Any] = field(default_factory=dict)
    crossed: List[str] = field(default_factory=list)
    lead: Optional[Dict[str, Any]] = None  # the lead this conversation must have left: name, phone, age
    started: float = field(default_factory=time.perf_counter)
    ended: float = 0.0


class HttpError(RuntimeError):
    pass


class TurnFailed(RuntimeError):
    pass


def http_json(url: str, payload: Optional[dict] = None, timeout: float = 120.0) -> Tuple[Any, Optional[str]]:
    """The JSON answer and the replica that served it (nginx's X-Served-By, if any)."""
    data = json.dumps(payload).encode() if payload is not None else None
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body, served = resp.read(), resp.headers.get("X-Served-By")
    except urllib.error.HTTPError as e:
        raise HttpError(f"HTTP {e.code} from {url.split('?')[0]}") from None
    except (OSError, urllib.error.URLError) as e:
        raise HttpError(f"{type(e).__name__} from {url.split('?')[0]}") from None
    return json.loads(body.decode() or "null"), served


class BenchClient:
    """Where a level's conversations go and what counts as a failed turn. With `retry` (replicas
    being killed), a failed turn is counted and the conversation goes on; without, it ends it."""

    def __init__(self, base_url: str, token: str, failure_texts: Sequence[str] = (), require_reply: bool = False,
                 think: float = 0.0, retry: bool = False):
        self.base = base_url.rstrip("/")
        self.token = token
        self.failure_texts = set(failure_texts)
        self.require_reply = require_reply
        self.think = think  # seconds a person takes to read and type before each message but the first
        self.retry = retry

    def tracker(self, sender: str, timed: Optional[Conversation] = None) -> Dict[str, Any]:
        query = urllib.parse.urlencode({"token": self.token})
        url = f"{self.base}/conversations/{urllib.parse.quote(sender)}/tracker?{query}"
        deadline = time.time() + (90 if self.retry else 0)
        while True:
            start = time.perf_counter()
            try:
                tracker, _ = http_json(url)
                break
            except HttpError:
                if time.time() > deadline:
                    raise
                time.sleep(0.5)
        if timed is not None:
            timed.read_latencies.append(time.perf_counter() - start)
        return tracker or {}

    def post(self, conv: Conversation, text: str, private: bool = False) -> List[Dict[str, Any]]:
        """One turn. Raises TurnFailed/HttpError when it failed, after recording it as uncertain."""
        if self.think:  # people do not type in step: 0.5-1.5 x think between answers, starts spread too
            time.sleep(self.think * (random.uniform(0.5, 1.5) if conv.sent else random.uniform(0.0, 1.0)))
        sent = Sent(text, certain=False, private=private)
        conv.sent.append(sent)
        start = time.perf_counter()
        reply, served = http_json(f"{self.base}/webhooks/rest/webhook", {"sender": conv.sender, "message": text})
        conv.turn_latencies.append(time.perf_counter() - start)
        if not isinstance(reply, list):
            raise HttpError(f"webhook answered {type(reply).__name__}, not a list")
        if self.require_reply and not reply:
            raise TurnFailed(f"no reply to {text!r}")
        if any(m.get("text") in self.failure_texts for m in reply if isinstance(m, dict)):
            raise TurnFailed(f"'answer could not be saved' reply to {text!r}")
        sent.certain = True
        if served:
            conv.served.append((time.time(), served.split(", ")[-1]))
        return reply


class _SimulatorClient(RestClient):
    """The simulator's client for one conversation, through the benchmark's timing and checks."""

    def __init__(self, bench: BenchClient, conv: Conversation):
        super().__init__(bench.base, bench.token)
        self.bench, self.conv = bench, conv

    def send(self, sender: str, text: str, language: Optional[str] = None) -> List[Dict[str, Any]]:
        first = not self.conv.sent
        for attempt in range(5 if first else 1):
            try:
                return self.bench.post(self.conv, text)
            except (TurnFailed, HttpError):
                if not self.bench.retry:
                    raise
                self.conv.failed_turns += 1
                time.sleep(1.0 + attempt)  # a person waits, then the simulator answers what is asked now
        return []

    def slots(self, sender: str) -> Dict[str, Any]:
        return self.bench.tracker(sender, timed=self.conv).get("slots") or {}


def screening(client: BenchClient, case: Case, sender: str, max_turns: int = 60) -> Conversation:
    """One whole screening with bot.simulate.run_screening, then the hand-off for those who consent."""
    conv = Conversation(sender, case.profile, expected_slots=dict(case.expected_slots))
    simulator = _SimulatorClient(client, conv)
    try:
        result = run_screening(case.answers, client=simulator, sender=sender, max_turns=max_turns)
        if result.outcome != case.outcome:
            conv.error = f"wrong outcome {result.outcome}, expected {case.outcome}"
        elif case.contact:
            handoff(client, simulator, conv, case)
    except Exception as e:  # noqa: BLE001 - every failure is counted, none stops the run
        conv.error = f"{type(e).__name__}: {e}"
    finally:
        conv.ended = time.perf_counter()
    return conv


def handoff(client: BenchClient, simulator: _SimulatorClient, conv: Conversation, case: Case,
            max_turns: int = 15) -> None:
    """Consent, name, phone, a time, confirm: each answer chosen by the question being asked."""
    assert case.contact is not None
    replies = {**HANDOFF_ANSWERS, "contact_name": case.contact["name"], "contact_details": case.contact["phone"]}
    for _ in range(max_turns):
        slot = simulator.slots(conv.sender).get("requested_slot")
        if slot not in replies:
            conv.lead = {**case.contact, "patient_age": case.expected_slots.get("patient_age")}
            return
        try:
            client.post(conv, replies[slot], private=slot in PRIVATE_QUESTIONS)
        except (TurnFailed, HttpError):
            if not client.retry:
                raise
            conv.failed_turns += 1
            time.sleep(1.0)
    raise TurnFailed(f"the hand-off did not end in {max_turns} turns")


def moodbot_chat(client: BenchClient, turns: int, sender: str) -> Conversation:
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


def idle_conversation(client: BenchClient, sender: str, texts: Sequence[str] = ("hi", "yes please")) -> Conversation:
    """A person who starts, agrees, and never comes back."""
    conv = Conversation(sender, "idle")
    try:
        for text in texts:
            client.post(conv, text)
    except Exception as e:  # noqa: BLE001
        conv.error = f"{type(e).__name__}: {e}"
    finally:
        conv.ended = time.perf_counter()
    return conv


# --- the checks after a level --------------------------------------------------------------------


def _explained(said: Sequence[Optional[str]], sent: Sequence[Sent], placeholder: str) -> bool:
    """Whether the tracker's user messages are exactly the sent ones, in order, where a message
    the server never confirmed may be missing (each at most once) and a private one may read as
    the store's placeholder."""
    memo: Dict[Tuple[int, int], bool] = {}

    def fits(i: int, j: int) -> bool:
        if i == len(sent):
            return j == len(said)
        if (i, j) not in memo:
            item = sent[i]
            match = j < len(said) and (said[j] == item.text or (item.private and said[j] == placeholder))
            memo[(i, j)] = (match and fits(i + 1, j + 1)) or (not item.certain and fits(i + 1, j))
        return memo[(i, j)]

    return fits(0, 0)


def message_problems(said: Sequence[Optional[str]], sent: Sequence[Sent], placeholder: str) -> Dict[str, List[str]]:
    """When the messages do not fit: which were lost (confirmed, not stored), doubled (stored more
    often than sent) and foreign (never sent by this conversation)."""
    sent_count, said_count = Counter(s.text for s in sent), Counter(said)
    private = sum(1 for s in sent if s.private)
    foreign = [t for t in said if t not in sent_count and not (private and t == placeholder)]
    doubled = sorted(str(t) for t, n in said_count.items()
                     if (t in sent_count and n > sent_count[t]) or (private and t == placeholder and n > private))
    lost = [s.text for s in sent if s.certain and not said_count[s.text] and not (s.private and said_count[placeholder])]
    return {"lost": lost, "doubled": doubled, "foreign": foreign}


def crossed_problems(sent: Sequence[Union[str, Sent]], expected_slots: Dict[str, Any], tracker: Dict[str, Any]
                     ) -> List[str]:
    """What is wrong with one conversation's tracker: its user messages must be exactly the ones
    this conversation sent, in order (see `_explained`), and the slots its answers set must hold
    this conversation's values. An empty list means nothing was lost, doubled or crossed."""
    items = [s if isinstance(s, Sent) else Sent(s) for s in sent]
    placeholder = private_placeholder() if any(s.private for s in items) else ""
    problems: List[str] = []
    said = [e.get("text") for e in tracker.get("events") or [] if e.get("event") == "user"]
    if not _explained(said, items, placeholder):
        kinds = message_problems(said, items, placeholder)
        problems.append(f"user messages differ (foreign: {kinds['foreign'][:3]}, missing: {kinds['lost'][:3]}, "
                        f"doubled: {kinds['doubled'][:3]}, {len(said)} in tracker vs {len(items)} sent)")
    slots = tracker.get("slots") or {}
    for name, value in expected_slots.items():
        if not same_value(slots.get(name), value):
            problems.append(f"slot {name} = {slots.get(name)!r}, this conversation said {value!r}")
    return problems


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
        if not ages or not same_value(ages[0], conv.lead["patient_age"]):
            wrong.append(f"age {ages[:1]} != {conv.lead['patient_age']}")
        if lead.get("submissions") != 1:
            wrong.append(f"submitted {lead.get('submissions')} times")
        if wrong:
            crossed.append(f"{conv.sender}: {'; '.join(wrong)}")
    return {"expected": len(expected), "saved": len(expected) - len(lost), "lost": len(lost),
            "crossed": len(crossed), "examples": [f"lost: {s}" for s in lost[:3]] + crossed[:3]}
