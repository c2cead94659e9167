"""The scaled set-up (`make run-scaled`): two Rasa replicas and two action servers behind nginx,
conversations in PostgreSQL, Rasa's RedisLockStore in Redis, all real servers from Debian's
packages on loopback. Two screenings whose turns alternate between the replicas; one replica is
killed (SIGKILL) mid-form and both finish on the other; nothing is lost, crossed or answered
twice, in what the people saw and in the stored trackers; the killed replica comes back (its
supervisor restarts it) and reads the same conversations from the database."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import subprocess
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered

from bot.channels import UNAVAILABLE
from bot.leads.store import LeadStore
from bot.tracker_privacy import PLACEHOLDER
from bot.tracker_store import DurableTrackerStore
from tests.fixtures.agent import conversation_store_settings
from tests.fixtures.leads import postgres_base_url
from tests.fixtures.servers import free_port, stop_process_group, wait_for
from tests.support.profiles import ELIGIBLE_ADULT_EN, PARENT_OF_SEVEN_EN

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.conversation


def rasa_pid(port: int) -> int:
    """The `rasa run` process serving `port` (a child of run-scaled.sh's supervisor)."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"run" in argv and b"--port" in argv and argv[argv.index(b"--port") + 1] == str(port).encode() \
                    and any(a.endswith(b"/rasa") for a in argv):
                return int(entry.name)
    raise AssertionError(f"no rasa run on port {port}")


def wait_refused(port: int, timeout: float = 30.0) -> None:
    import socket

    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            return
        time.sleep(0.05)
    raise AssertionError(f"port {port} still answers")


@pytest.fixture(scope="module")
def scaled(tmp_path_factory, smtp_sink):
    base = sa.engine.make_url(postgres_base_url())
    names = {kind: f"scaled_{kind}_{uuid.uuid4().hex[:8]}" for kind in ("conversations", "leads")}
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names.values():
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))  # generated names, not input
    urls = {kind: base.set(database=name).render_as_string(hide_password=False) for kind, name in names.items()}
    replicas, actions = [free_port(), free_port()], [free_port(), free_port()]
    directory = tmp_path_factory.mktemp("scaled")
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false",
           "RASA_PORT": str(free_port()), "ACTION_PORT": str(free_port()), "COORDINATOR_PORT": str(free_port()),
           "WEB_PORT": str(free_port()), "REDIS_PORT": str(free_port()),
           "RASA_REPLICA_PORTS": " ".join(map(str, replicas)), "ACTION_REPLICA_PORTS": " ".join(map(str, actions)),
           "TRACKER_STORE_URL": urls["conversations"], "DATABASE_URL": urls["leads"],
           "LEADS_KEY": Fernet.generate_key().decode(), "RASA_API_TOKEN": secrets.token_hex(12),
           "SCALED_DIR": str(directory), "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_sink.port),
           "COORDINATOR_EMAIL": "coordinator@example.org"}
    for name in ("ACTION_SERVER_URL", "ACTION_SERVER_TOKEN", "LOCK_STORE_URL", "CONVERSATION_RETENTION_DAYS"):
        env.pop(name, None)
    log = open(directory / "run-scaled.log", "w")
    proc = subprocess.Popen(["scripts/run-scaled.sh"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        for port in replicas:
            wait_for(f"http://127.0.0.1:{port}/", timeout=300)
        wait_for(f"http://127.0.0.1:{env['RASA_PORT']}/", timeout=60)
        yield {"env": env, "replicas": replicas, "nginx": f"http://127.0.0.1:{env['RASA_PORT']}", "proc": proc}
    finally:
        stop_process_group(proc, signal.SIGTERM, timeout=60)
        log.close()
        with admin.connect() as conn:
            for name in names.values():
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def post(base: str, sender: str, text: str):
    req = urllib.request.Request(f"{base}/webhooks/rest/webhook", data=json.dumps({"sender": sender, "message": text}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read()), resp.headers.get("X-Served-By")


def slots(base: str, sender: str, token: str):
    query = urllib.parse.urlencode({"token": token})
    with urllib.request.urlopen(f"{base}/conversations/{sender}/tracker?{query}", timeout=30) as resp:
        return json.loads(resp.read())["slots"]


class Screening:
    def __init__(self, name, answers, token):
        self.sender, self.answers, self.token = f"{name}-{uuid.uuid4().hex[:8]}", answers, token
        self.sent, self.asked, self.replies, self.served = [], [], [], []

    def turn(self, base: str) -> bool:
        """Answers the question being asked (read from `base`); False once the screening is over."""
        if self.sent:
            now = slots(base, self.sender, self.token)
            if not now.get("requested_slot") or now.get("prescreen_outcome"):
                return False
            self.asked.append(now["requested_slot"])
            text = self.answers.get(now["requested_slot"], "no")
        else:
            text = "hi"
        reply, served = post(base, self.sender, text)
        self.sent.append(text)
        self.replies.append([r.get("text") for r in reply])
        self.served.append(served or base)
        return True


def test_screenings_alternating_between_replicas_survive_one_being_killed_mid_form(scaled):
    token = scaled["env"]["RASA_API_TOKEN"]
    a, b = (f"http://127.0.0.1:{port}" for port in scaled["replicas"])
    adult, parent = Screening("adult", ELIGIBLE_ADULT_EN, token), Screening("parent", PARENT_OF_SEVEN_EN, token)
    for k in range(5):  # turn by turn, each conversation on the other replica than its last turn
        assert adult.turn([a, b][k % 2]) and parent.turn([b, a][k % 2])
    assert adult.served[:5] == [a, b, a, b, a] and parent.served[:5] == [b, a, b, a, b]

    killed = scaled["replicas"][0]
    os.kill(rasa_pid(killed), signal.SIGKILL)
    wait_refused(killed)  # gone: a request racing its death would get nginx's 502 (the bench counts those)
    while adult.turn(scaled["nginx"]) | parent.turn(scaled["nginx"]):
        pass
    after = adult.served[5:] + parent.served[5:]
    assert after and all(served.split(", ")[-1] == f"127.0.0.1:{scaled['replicas'][1]}" for served in after), after

    for s, outcome, age, respondent in ((adult, "likely_eligible", 31.0, "patient"),
                                        (parent, "likely_eligible", 7.0, "guardian")):
        # What the person saw: one reply to every message, never "could not be saved".
        assert len(s.replies) == len(s.sent) and all(s.replies), s.replies
        assert not any(UNAVAILABLE["en"] in r for r in s.replies)
        assert len(s.asked) == len(set(s.asked)), f"a question was asked twice: {s.asked}"  # nothing lost
        final = slots(b, s.sender, token)
        assert (final["prescreen_outcome"], final["patient_age"], final["respondent"]) == (outcome, age, respondent)

    # The adult hands off through nginx: one lead, and the contact details are in no stored event.
    for text in ("yes", "Ana Li", "13900000001", "evenings", "yes"):
        reply, _ = post(scaled["nginx"], adult.sender, text)
        adult.sent.append(text)
        assert reply and UNAVAILABLE["en"] not in [r.get("text") for r in reply], (text, reply)
    leads = LeadStore(scaled["env"]["DATABASE_URL"], scaled["env"]["LEADS_KEY"])
    lead = leads.get_lead_by_conversation(adult.sender)
    assert lead is not None and lead["submissions"] == 1
    assert leads.get_lead_by_conversation(parent.sender) is None
    leads.close()

    # The killed replica is back (restarted by its supervisor) and reads the same from PostgreSQL.
    wait_for(a + "/", timeout=300)
    stored = DurableTrackerStore(Domain.load(str(ROOT / "domain")), url=scaled["env"]["TRACKER_STORE_URL"],
                                 key=scaled["env"]["LEADS_KEY"], purge_every_minutes=0)
    loop = asyncio.new_event_loop()
    settings = conversation_store_settings()
    private = set(settings["private_answers"]) if settings.get("keep_private_in_memory") else set()
    for s in (adult, parent):  # the same on both (private answers aside while memory keeps them)
        on_a, on_b = slots(a, s.sender, token), slots(b, s.sender, token)
        assert {k: v for k, v in on_a.items() if k not in private} == {k: v for k, v in on_b.items() if k not in private}
        tracker = loop.run_until_complete(stored.retrieve_full_tracker(s.sender))
        said = [e.text for e in tracker.events if isinstance(e, UserUttered)]
        expected = [PLACEHOLDER if t in ("Ana Li", "13900000001", "evenings") else t for t in s.sent]
        assert said == expected, "messages lost, doubled or from another conversation"
    with stored.engine.connect() as conn:
        rows = [r[0] for r in conn.execute(sa.text("SELECT data FROM events WHERE sender_id = :s"), {"s": adult.sender})]
    events = [e for r in rows if r != "+" for e in json.loads(Fernet(scaled["env"]["LEADS_KEY"]).decrypt(r.encode()))]
    typed = json.dumps([e for e in events if e["event"] in ("user", "slot")])  # what the person said and the slots
    assert "thirty-one" in typed and "13900000001" not in typed and "Ana Li" not in typed
    # (The summary the bot repeats them in is stored as [private] once the dialogue sends it with
    # private=True; bot/tracker_privacy.py and tests/pure/test_tracker_store.py cover that part.)
    stored.engine.dispose()
