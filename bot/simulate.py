"""A simulated patient: talks to the REST channel and answers whatever question is being asked.

It reads `requested_slot` from the tracker API (which needs RASA_API_TOKEN), so it never assumes
the question order. Used by the end-to-end tests and the benchmark; also a CLI:

    python -m bot.simulate --profile profile.json [--url http://127.0.0.1:5005] [--language en]
"""

from __future__ import annotations

import argparse
import json
import os
import time
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

DEFAULT_URL = "http://127.0.0.1:5005"
# "Just to check: ... Is that right?" -- the simulated person confirms what they said.
CONFIRM = {"en": "yes", "zh": "对", "es": "sí"}


@dataclass
class Screening:
    sender: str
    asked: List[str] = field(default_factory=list)
    latencies: List[float] = field(default_factory=list)
    replies: List[List[Dict[str, Any]]] = field(default_factory=list)
    slots: Dict[str, Any] = field(default_factory=dict)

    @property
    def outcome(self):
        return (
            self.slots.get("prescreen_outcome"),
            self.slots.get("failed_criteria") or [],
            self.slots.get("unknown_criteria") or [],
        )


def _request(url: str, payload: Optional[dict] = None, timeout: float = 30.0) -> Any:
    data = json.dumps(payload).encode() if payload is not None else None
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read().decode() or "null")


class RestClient:
    """The REST channel and the tracker API of one Rasa server (or of nginx in front of several).
    `run_screening` talks only through `send` and `slots`, so a benchmark or a test can pass a
    client of its own that times, checks or retries them."""

    def __init__(self, base_url: str = DEFAULT_URL, token: Optional[str] = None, timeout: float = 30.0):
        self.base_url = base_url.rstrip("/")
        self.token = token if token is not None else os.environ.get("RASA_API_TOKEN", "")
        self.timeout = timeout

    def send(self, sender: str, text: str, language: Optional[str] = None) -> List[Dict[str, Any]]:
        payload: Dict[str, Any] = {"sender": sender, "message": text}
        if language:
            payload["metadata"] = {"language": language}
        return _request(f"{self.base_url}/webhooks/rest/webhook", payload, self.timeout) or []

    def tracker(self, sender: str) -> Dict[str, Any]:
        query = urllib.parse.urlencode({"token": self.token})
        return _request(f"{self.base_url}/conversations/{urllib.parse.quote(sender)}/tracker?{query}",
                        timeout=self.timeout) or {}

    def slots(self, sender: str) -> Dict[str, Any]:
        return self.tracker(sender).get("slots") or {}


def send(base_url: str, sender: str, text: str, language: Optional[str] = None) -> List[Dict[str, Any]]:
    return RestClient(base_url, token="").send(sender, text, language)


def tracker_slots(base_url: str, sender: str, token: str) -> Dict[str, Any]:
    return RestClient(base_url, token).slots(sender)


def run_screening(
    answers: Dict[str, str],
    *,
    base_url: str = DEFAULT_URL,
    token: Optional[str] = None,
    language: Optional[str] = None,
    default: str = "no",
    opening: str = "hi",
    max_turns: int = 40,
    sender: Optional[str] = None,
    client: Optional[RestClient] = None,
) -> Screening:
    """Completes one screening; `answers` maps slot names to what the person types. It answers
    whatever `requested_slot` says is being asked, so a turn that failed is simply answered
    again and a turn that went through is not."""
    client = client or RestClient(base_url, token)
    s = Screening(sender or f"sim-{uuid.uuid4().hex}")

    def turn(text: str) -> None:
        start = time.perf_counter()
        s.replies.append(client.send(s.sender, text, language))
        s.latencies.append(time.perf_counter() - start)

    turn(opening)
    for _ in range(max_turns):
        s.slots = client.slots(s.sender)
        slot = s.slots.get("requested_slot")
        if not slot or s.slots.get("prescreen_outcome"):
            return s  # the result is in (a hand-off question may follow; answering it is up to the caller)
        s.asked.append(slot)
        turn(answers.get(slot) or (CONFIRM.get(language or "en", "yes") if slot == "answer_check" else default))
    raise RuntimeError(f"screening {s.sender} did not finish in {max_turns} turns (stuck at {s.asked[-1:]})")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", required=True, help="JSON file: {slot: answer text}")
    parser.add_argument("--url", default=os.environ.get("RASA_URL", DEFAULT_URL))
    parser.add_argument("--language", default=None)
    parser.add_argument("--default", default="no", help="answer for questions the profile does not list")
    args = parser.parse_args(argv)
    with open(args.profile, encoding="utf-8") as f:
        answers = json.load(f)
    s = run_screening(answers, base_url=args.url, language=args.language, default=args.default)
    print(json.dumps({"asked": s.asked, "prescreen_outcome": s.outcome[0], "failed_criteria": s.outcome[1],
                      "unknown_criteria": s.outcome[2]}, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
