"""A restart of the Rasa server loses nobody: real `rasa run` processes over REST, the endpoints.yml
tracker store on a SQLite file, the real action server. Conversations are left mid-screening,
mid-hand-off and mid-correction; Rasa is killed (SIGKILL, no chance to tidy up) and started
again; each person answers the next question and the assistant carries on where they were.
The same server purges an expired conversation by itself, "delete my data" removes a
conversation's rows, and the database file never holds the contact details."""

from __future__ import annotations

import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.channels import UNAVAILABLE
from bot.simulate import send, tracker_slots
from tests.fixtures.servers import ACTION_TOKEN, free_port, stop_process_group, wait_for
from tests.support.profiles import ELIGIBLE_ADULT_EN

ROOT = Path(__file__).resolve().parents[2]
RASA = str(Path(sys.executable).parent / "rasa")
pytestmark = pytest.mark.conversation


class RasaServer:
    """`rasa run` as scripts/run.sh starts it, in its own process group."""

    def __init__(self, env: dict, log: Path):
        self.port = free_port()
        self.token = secrets.token_hex(8)
        self.env, self.log, self.proc = env, log, None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with open(self.log, "a") as log:
            self.proc = subprocess.Popen(
                [RASA, "run", "--model", "models/prescreen.tar.gz", "--endpoints", "endpoints.yml",
                 "--credentials", "credentials.yml", "--interface", "127.0.0.1", "--port", str(self.port),
                 "--enable-api", "--auth-token", self.token],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_for(self.url + "/", timeout=240)

    def kill(self) -> None:
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)


@pytest.fixture
def server(tmp_path, action_server_url, lead_env):
    db = tmp_path / "conversations.db"
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "ACTION_SERVER_URL": action_server_url,
           "ACTION_SERVER_TOKEN": ACTION_TOKEN, "TRACKER_STORE_URL": f"sqlite:///{db}",
           "LEADS_KEY": lead_env["LEADS_KEY"], "CONVERSATION_PURGE_EVERY_MINUTES": "0.05"}
    for name in ("CONVERSATION_RETENTION_DAYS", "LOCK_STORE_URL"):
        env.pop(name, None)
    rasa = RasaServer(env, tmp_path / "rasa.log")
    rasa.start()
    rasa.db = db
    yield rasa
    if rasa.proc.poll() is None:
        stop_process_group(rasa.proc)


def rows(db: Path, sender: str, key: str):
    """The stored events of one conversation, decrypted, straight from the database file."""
    with sqlite3.connect(db) as conn:
        data = [r[0] for r in conn.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,))]
    # each save is one Fernet token in its first row; the save's other rows say "+"
    return [Fernet(key).decrypt(d.encode()).decode() for d in data if d != "+"]


class Person:
    def __init__(self, server, name):
        self.server, self.sender, self.replies = server, f"{name}-{secrets.token_hex(4)}", []

    def say(self, text):
        self.replies.append(send(self.server.url, self.sender, text))
        return self.replies[-1]

    @property
    def slots(self):
        return tracker_slots(self.server.url, self.sender, self.server.token)

    def answer_until(self, slot, answers=ELIGIBLE_ADULT_EN):
        for _ in range(30):
            asked = self.slots.get("requested_slot")
            if asked == slot:
                return
            self.say(answers.get(asked, "no"))
        raise AssertionError(f"{slot} was never asked")


def test_a_killed_and_restarted_rasa_carries_on_where_each_person_was(server, lead_env):
    key = lead_env["LEADS_KEY"]
    screening, handoff, correction, leaving = (Person(server, n) for n in ("screening", "handoff", "correction", "leaving"))
    expired = Person(server, "expired")
    for p in (screening, handoff, correction, leaving, expired):
        p.say("hi")
    screening.answer_until("b_all_diagnosis")  # consent, respondent and age given
    handoff.answer_until("contact_consent")  # the screening is done: likely eligible
    handoff.say("yes")
    handoff.say("Li Wei")
    assert handoff.slots["requested_slot"] == "contact_details"
    correction.answer_until("relapsed_or_refractory")
    correction.say("I want to change an answer")
    correction.say('/change_answer{"topic": "patient_age"}')
    assert correction.slots["requested_slot"] == "patient_age"
    leaving.answer_until("respondent")
    with sqlite3.connect(server.db) as conn:  # nobody has written to this one for 31 days
        conn.execute("UPDATE events SET timestamp = timestamp - 31 * 86400 WHERE sender_id = ?", (expired.sender,))

    server.kill()
    server.start()

    reply = screening.say("yes")
    assert reply and UNAVAILABLE["en"] not in [r.get("text") for r in reply]
    slots = screening.slots
    assert (slots["requested_slot"], slots["patient_age"], slots["respondent"]) == ("relapsed_or_refractory", 31.0, "patient")

    handoff.say("13800138000")
    slots = handoff.slots
    assert slots["requested_slot"] == "contact_time"
    assert (slots["prescreen_outcome"], slots["contact_consent"], slots["patient_age"]) == ("likely_eligible", "yes", 31.0)
    assert slots["contact_name"]  # kept as a marker: the name itself is not in the stored events

    correction.say("32")
    slots = correction.slots
    assert slots["patient_age"] == 32.0 and slots["b_all_diagnosis"] == "yes"
    assert slots["requested_slot"] == "relapsed_or_refractory"

    leaving.say("please delete my data")
    assert rows(server.db, leaving.sender, key)  # asked first, nothing deleted yet
    leaving.say("yes")
    assert rows(server.db, leaving.sender, key) == []

    deadline = time.time() + 30  # the server's own purge: at start, then every 3 s here
    while rows(server.db, expired.sender, key) and time.time() < deadline:
        time.sleep(0.5)
    assert rows(server.db, expired.sender, key) == []
    assert rows(server.db, screening.sender, key)  # the others are kept

    stored = "\n".join(rows(server.db, handoff.sender, key))
    assert '"31"' in stored or "thirty-one" in stored  # health answers are there, encrypted
    assert "13800138000" not in stored and "Li Wei" not in stored
    raw = b"".join(p.read_bytes() for p in server.db.parent.glob("conversations.db*"))
    assert b"13800138000" not in raw and b"thirty-one" not in raw
