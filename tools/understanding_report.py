"""The phrase banks through the real trained model and the real forms (`make nlu-report`).

Every item is one message sent to a conversation that is exactly at the item's question: the
answers before it given, the form asking it. The message goes through the trained Rasa agent
(the NLU pipeline, the policies, the form) and the real action server, and what the person
would notice is judged:

- understood first time: the right value stored, or the right value said back for checking
  (a typed answer that would exclude is checked before it counts), or the digression handled;
- wrong value: something else stored or said back -- on exclusion questions the worst failure;
- re-asked: nothing stored and the same question asked again (or put another way);
- derailed: anything else (another question, the form left, a stop or delete offered unasked).

Emergencies: recall over the emergency set, false alarms over the false-alarm set (and any
other item that got the emergency reply). The held-out part is reported apart, figures only.

    python -m tools.understanding_report [--split dev|heldout|both] [--lang en] [-v]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from tools.phrasebank import LANGUAGES, Item, is_exclusion_question, load, matches  # noqa: E402

MODEL = ROOT / "models" / "prescreen.tar.gz"
TOKEN = "report-token"
DIGRESSION_SIGNS = {
    "explain": ("utter_explain_",),
    "why": ("utter_why_",),
    "faq": ("utter_faq_",),
    "bot": ("utter_bot_challenge",),
    "other": ("utter_out_of_scope", "utter_not_understood_", "utter_faq_other"),
    "distress": ("utter_distress",),
    "delete_question": ("utter_delete_info", "utter_nothing_deleted"),
    "not_delete": ("utter_nothing_deleted", "utter_delete_info"),
    "person": ("utter_talk_to_person", "utter_ask_question_consent"),
    "language": ("utter_language_switched",),
}
CONFIRMED_DIGRESSIONS = {"stop": "stop", "later": "stop", "delete": "delete", "restart": "restart"}
SECOND_OPINION = (0.5, 0.7, 0.9)
EMERGENCY_REPLY = "utter_emergency"  # the general reply, and the prefix of every kind's own (actions/replies.py)


@dataclass
class Verdict:
    item: Item
    result: str  # understood | wrong | reasked | derailed
    alarm: bool
    detail: str
    emergency_guess: float = 0.0  # the intent classifier's confidence in "emergency" (it never alarms alone)
    got: Any = None  # the value stored or said back, when one was

    def failure_class(self) -> str:
        """What went wrong in words that name no item's text (so the held-out part can print it)."""
        from tools.phrasebank import _kind, _value_class

        item = self.item
        if item.type == "emergency":
            return f"emergency {item.emergency} missed"
        what = f"{item.type}{' ' + item.digression if item.digression else ''} at {_kind(item.question)}"
        if self.alarm and item.type != "emergency":
            return f"{what}: false alarm"
        if self.result == "wrong":
            return f"{what}: expected {_value_class(item.expect)}, got {_value_class(self.got)}"
        return f"{what}: {self.result}"


# --- the conversation state at a question ---------------------------------------------------------


def _state(item: Item) -> Tuple[str, Dict[str, Any]]:
    """(form, slots) for a conversation at the item's question, answers before it given."""
    from bot import dialogue
    from bot.trial import TRIAL
    from bot.understanding.language import patient_ref_slots

    respondent = item.respondent if item.respondent in ("patient", "guardian", "other") else "guardian"
    slots: Dict[str, Any] = {"language": item.lang, "prescreen_consent": "yes", "respondent": respondent,
                             **patient_ref_slots(item.lang, respondent)}
    if item.question == "guardian_can_consent":
        slots.update(respondent="other" if respondent == "guardian" else respondent, patient_age=15.0)
        slots.update(patient_ref_slots(item.lang, slots["respondent"]))
    elif item.question == "pregnant_or_breastfeeding":
        slots.update(patient_age=16.0 if respondent == "guardian" else 25.0, sex="female")
    own = {s for questions in dialogue.form_questions().values() for s, _ in questions}
    if item.question in own:
        slots.update({k: v for k, v in TRIAL.passing_answers(slots).items() if k not in slots},
                     prescreen_outcome="likely_eligible")
        if item.question != "contact_consent":
            slots["contact_consent"] = "yes"
        if item.question == "contact_time":
            slots.update(contact_name="Test", contact_details="given", contact_phone="+8613800138000")
        return dialogue.HANDOFF_FORM, slots
    for q in TRIAL.questions:
        if q.slot == item.question:
            break
        if q.slot in slots or not q.applies(slots):
            continue
        slots[q.slot] = TRIAL._passing_answer(q.slot, slots)
    return dialogue.PRESCREEN_FORM, slots


def _events(form: str, slots: Dict[str, Any], question: str):
    from rasa.shared.core.events import ActionExecuted, ActiveLoop, SessionStarted, SlotSet

    return [
        ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
        *(SlotSet(k, v) for k, v in slots.items()),
        ActiveLoop(form), SlotSet("requested_slot", question), ActionExecuted(form),
        ActionExecuted("action_listen"),
    ]


# --- judging ----------------------------------------------------------------------------------------


def judge(item: Item, before: Dict[str, Any], tracker, responses: List[str],
          draft: Optional[Dict[str, str]] = None) -> Verdict:
    slot = item.question
    after = tracker.current_slot_values() if tracker is not None else {}
    alarm = any(r.startswith(EMERGENCY_REPLY) for r in responses)
    stored = after.get(slot)
    pending = after.get("pending_answer") or {}
    proposed = pending.get("value") if pending.get("slot") == slot else None
    asking = after.get("requested_slot")
    topic = after.get("confirm_topic")

    if item.type == "emergency":
        return Verdict(item, "understood" if alarm else "derailed", alarm, f"replies {responses}")
    if item.type == "free_text":
        # What is typed is kept in the encrypted draft; the slots only say "given".
        draft = draft or {}
        expected = item.expect
        if isinstance(expected, dict):
            fields = {"contact_phone": "phone", "contact_email": "email", "contact_wechat": "wechat"}
            ok = all(_same_phone(draft.get("phone"), v) if k == "contact_phone"
                     else (draft.get(fields.get(k, k)) or "").lower() == str(v).lower() for k, v in expected.items())
        else:
            field = {"contact_name": "name", "contact_time": "time"}.get(slot, slot)
            ok = str(draft.get(field) or "").strip() == str(expected).strip()
        if not ok and asking == slot:
            return Verdict(item, "reasked", alarm, f"replies {responses}")
        return Verdict(item, "understood" if ok else "wrong", alarm, f"draft {draft!r}")
    if item.type == "digressions":
        kind = item.digression or ""
        if kind in CONFIRMED_DIGRESSIONS:
            ok = topic == CONFIRMED_DIGRESSIONS[kind]
        elif kind == "change":
            ok = asking == "change_which" or "utter_change_answer_ok" in responses or "utter_answer_updated" in responses
        elif kind == "faq":
            ok = any(r.startswith("utter_faq_") for r in responses)
        else:
            ok = any(r.startswith(sign) for r in responses for sign in DIGRESSION_SIGNS.get(kind, ()))
        if item.expect is not None:
            ok = ok and (matches(stored, item.expect) or matches(proposed, item.expect))
        return Verdict(item, "understood" if ok else "derailed", alarm, f"replies {responses}, stored {stored!r}")
    # answers (tri, qualifiers, age, duration, respondent, ecog, sex) and false alarms
    expected = item.expect
    if item.type == "false_alarm" and expected is None:
        return Verdict(item, "understood" if not alarm else "derailed", alarm, f"replies {responses}")
    value = stored if stored is not None else proposed
    if value is not None and not isinstance(value, str) or (isinstance(value, str) and value in
                                                            ("yes", "no", "unsure", "patient", "guardian", "other",
                                                             "female", "male")):
        if matches(value, expected):
            return Verdict(item, "understood", alarm, f"{value!r}")
        return Verdict(item, "wrong", alarm, f"{value!r} ({'said back' if proposed is not None else 'stored'})",
                       got=value)
    if asking in (slot, "clarify") and topic is None:
        return Verdict(item, "reasked", alarm, f"replies {responses}")
    return Verdict(item, "derailed", alarm, f"asking {asking!r}, topic {topic!r}, replies {responses}")


def _digits(value: Any) -> str:
    return "".join(ch for ch in str(value or "") if ch.isdigit())


def _same_phone(stored: Any, typed: Any) -> bool:
    """The number as typed, perhaps with its country code added (13912345678 -> +8613912345678)."""
    a, b = _digits(stored), _digits(typed)
    return bool(b) and a.endswith(b) and len(a) - len(b) <= 3


# --- running ----------------------------------------------------------------------------------------


class Harness:
    """A real action server (subprocess) and the trained agent in-process."""

    def __init__(self, env: Dict[str, str], store=None):
        self.env = env
        self.store = store
        self.proc = None
        self.agent = None
        self.loop = asyncio.new_event_loop()

    def __enter__(self) -> "Harness":
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = {**os.environ, **self.env, "ACTION_SERVER_TOKEN": TOKEN}
        self.proc = subprocess.Popen([sys.executable, "-m", "bot.action_server", "--port", str(port)], cwd=ROOT,
                                     env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 120
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except Exception:
                if time.time() > deadline or self.proc.poll() is not None:
                    raise SystemExit("the action server did not start") from None
                time.sleep(0.3)
        os.environ["ACTION_SERVER_URL"] = f"http://127.0.0.1:{port}/webhook"
        os.environ["ACTION_SERVER_TOKEN"] = TOKEN
        import logging

        from rasa.core.agent import Agent
        from rasa.core.tracker_store import InMemoryTrackerStore
        from rasa.core.utils import AvailableEndpoints
        from rasa.utils.log_utils import configure_structlog

        from bot import logs

        # Unconfigured, Rasa's structlog prints every debug line, the phrase banks' texts with them
        # (the held-out part must never be shown): warnings only, through the log hygiene.
        configure_structlog(logging.WARNING)
        logging.getLogger("rasa").setLevel(logging.WARNING)
        logs.install()

        async def load_agent():
            endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml"))
            return Agent.load(str(MODEL), action_endpoint=endpoints.action, tracker_store=InMemoryTrackerStore(None))

        self.agent = self.loop.run_until_complete(load_agent())
        return self

    def __exit__(self, *exc) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
        self.loop.close()

    def run(self, item: Item) -> Verdict:
        return self.loop.run_until_complete(self._run(item))

    async def _run(self, item: Item) -> Verdict:
        from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
        from rasa.shared.core.events import BotUttered
        from rasa.shared.core.trackers import DialogueStateTracker

        form, slots = _state(item)
        sender = f"report-{uuid.uuid4().hex[:12]}"
        store = self.agent.tracker_store
        tracker = DialogueStateTracker.from_events(sender, _events(form, slots, item.question),
                                                   slots=self.agent.domain.slots)
        await store.save(tracker)
        known = len(tracker.events)
        await self.agent.handle_message(UserMessage(item.text, CollectingOutputChannel(), sender,
                                                    metadata={"language": item.lang}))
        after = await store.retrieve(sender)
        responses = [e.metadata.get("utter_action") or "text" for e in list(after.events)[known:]
                     if isinstance(e, BotUttered)] if after is not None else []
        draft = self.store.contact_draft(sender) if self.store is not None and item.type == "free_text" else None
        verdict = judge(item, slots, after, responses, draft)
        # The stored tracker keeps no classifier guess (Rasa stores the intent and entities only): parse again.
        guess = (await self.agent.parse_message(item.text)).get("classifier_intent") or {}
        if guess.get("name") == "emergency":
            verdict.emergency_guess = float(guess.get("confidence") or 0.0)
        return verdict


def report(harness: Harness, langs, splits, verbose: bool, classes: bool = False) -> Dict[Tuple[str, str], Dict[str, Any]]:
    figures = {}
    for split in splits:
        for lang in langs:
            results, alarms, by_type = Counter(), Counter(), {}
            second = Counter()  # what the classifier would add as a second opinion, per threshold
            wrong_exclusion = 0
            failures = Counter()
            for item in load(lang, split):
                verdict = harness.run(item)
                if classes and (verdict.result != "understood" or verdict.alarm != (item.type == "emergency")):
                    failures[verdict.failure_class()] += 1
                kind = item.type
                by_type.setdefault(kind, Counter())[verdict.result] += 1
                if kind in ("emergency", "false_alarm"):
                    alarms[(kind, verdict.alarm)] += 1
                else:
                    results[verdict.result] += 1
                    alarms[("other", verdict.alarm)] += 1
                for threshold in SECOND_OPINION:
                    if not verdict.alarm and verdict.emergency_guess >= threshold:
                        second[(threshold, kind == "emergency")] += 1
                if verdict.result == "wrong" and kind in ("tri", "qualifiers") and is_exclusion_question(item.question):
                    wrong_exclusion += 1
                if verbose and split == "dev" and verdict.result != "understood":
                    print(f"  [{lang} {kind} {item.question}] {item.text!r}: {verdict.result} -- {verdict.detail}"
                          f" (expected {item.expect if kind != 'emergency' else item.emergency!r}"
                          f"{' / ' + item.digression if item.digression else ''})")
            total = sum(results.values())
            recall_n = alarms[("emergency", True)] + alarms[("emergency", False)]
            false_n = alarms[("false_alarm", True)] + alarms[("false_alarm", False)]
            row = {
                "items": total,
                "understood": results["understood"], "wrong": results["wrong"],
                "reasked": results["reasked"], "derailed": results["derailed"],
                "wrong_on_exclusions": wrong_exclusion,
                "emergency_recall": (alarms[("emergency", True)], recall_n),
                "false_alarms": (alarms[("false_alarm", True)] + alarms[("other", True)], false_n + total),
                "by_type": {k: dict(v) for k, v in by_type.items()},
            }
            figures[(lang, split)] = row
            print(_line(lang, split, row), flush=True)
            print("    by type (understood/items): " + ", ".join(
                f"{kind} {counts.get('understood', 0)}/{sum(counts.values())}"
                for kind, counts in sorted(by_type.items())), flush=True)
            print("    the classifier as a second opinion on emergencies (missed ones it would catch / "
                  "others it would alarm on): " + ", ".join(
                      f">= {t}: {second[(t, True)]} / {second[(t, False)]}" for t in SECOND_OPINION), flush=True)
            for key, n in sorted(failures.items(), key=lambda kv: (-kv[1], kv[0])):
                print(f"    {n:3} {key}", flush=True)
    return figures


def _line(lang: str, split: str, row: Dict[str, Any]) -> str:
    total = max(row["items"], 1)
    hit, n = row["emergency_recall"]
    alarm, m = row["false_alarms"]
    return (f"{lang} {split:7} understood first time {row['understood']}/{row['items']} "
            f"({100 * row['understood'] / total:.1f}%), wrong {row['wrong']} "
            f"(on exclusion questions {row['wrong_on_exclusions']}), re-asked {row['reasked']}, "
            f"derailed {row['derailed']} | emergency recall {hit}/{n}, false alarms {alarm}/{m}")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "heldout", "both"), default="both")
    parser.add_argument("--lang", choices=LANGUAGES, action="append")
    parser.add_argument("-v", "--verbose", action="store_true", help="list dev items not understood first time")
    parser.add_argument("--classes", action="store_true",
                        help="count failures by class (type, question, what happened); no texts, so held-out too")
    args = parser.parse_args(argv)
    if not MODEL.exists():
        raise SystemExit(f"{MODEL} is missing: run `make train`")
    import tempfile

    from cryptography.fernet import Fernet

    from bot.leads.store import LeadStore

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/leads.db"
        key = Fernet.generate_key().decode()
        store = LeadStore(url, key)
        store.create_schema()
        splits = ("dev", "heldout") if args.split == "both" else (args.split,)
        with Harness({"DATABASE_URL": url, "LEADS_KEY": key}, store) as harness:
            report(harness, args.lang or LANGUAGES, splits, args.verbose, args.classes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
