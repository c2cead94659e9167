"""Faults: the action server stops mid-conversation, the lead database is unreachable, two
messages arrive at once, many conversations run at once. The person is always told plainly what
happened, never given a success they did not have, and no conversation sees another's answers."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot.channels import UNAVAILABLE
from bot.simulate import send, tracker_slots
from tests.fixtures.agent import Chat, conversation_store
from tests.fixtures.servers import ACTION_TOKEN, free_port, wait_for
from tests.support.profiles import ELIGIBLE_ADULT_EN, handoff_replies

ROOT = Path(__file__).resolve().parents[2]
RASA = Path(sys.executable).with_name("rasa")


def start_action_server(port: int, extra_env=None) -> subprocess.Popen:
    env = {**os.environ, "ACTION_SERVER_TOKEN": ACTION_TOKEN, **(extra_env or {})}
    proc = subprocess.Popen([sys.executable, "-m", "bot.action_server", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(f"http://127.0.0.1:{port}/health", timeout=120)
    return proc


@pytest.fixture
def rasa_with_own_action_server(tmp_path, lead_env):
    """Rasa (the real `rasa run`) with an action server this test may stop and restart."""
    action_port, rasa_port = free_port(), free_port()
    actions = {"proc": start_action_server(action_port, lead_env), "port": action_port}
    env = {**os.environ, "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook",
           "ACTION_SERVER_TOKEN": ACTION_TOKEN, "RASA_TELEMETRY_ENABLED": "false"}
    log = open(tmp_path / "rasa.log", "w")
    rasa = subprocess.Popen([str(RASA), "run", "--model", "models/prescreen.tar.gz", "--endpoints", "endpoints.yml",
                             "--credentials", "credentials.yml", "--interface", "127.0.0.1", "--port", str(rasa_port),
                             "--enable-api", "--auth-token", "t0ken"], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{rasa_port}/", timeout=180)
        yield {"url": f"http://127.0.0.1:{rasa_port}", "token": "t0ken", "actions": actions, "lead_env": lead_env}
    finally:
        rasa.terminate()
        rasa.wait(timeout=30)
        actions["proc"].terminate()
        actions["proc"].wait(timeout=30)
        log.close()


def test_action_server_down_mid_conversation_is_said_plainly_and_nothing_is_lost(rasa_with_own_action_server):
    env = rasa_with_own_action_server
    url, sender = env["url"], "fault-actions"
    for text in ("hi", "yes", "I'm the patient", "31"):
        send(url, sender, text)
    env["actions"]["proc"].terminate()
    env["actions"]["proc"].wait(timeout=30)
    time.sleep(2.5)  # past the channel's health cache
    replies = send(url, sender, "yes")
    assert [r["text"] for r in replies] == [UNAVAILABLE["en"]]
    assert not any("Thank you" in (r.get("text") or "") for r in replies)
    # Back up: the earlier answers are all there and the same question is asked again.
    env["actions"]["proc"] = start_action_server(env["actions"]["port"], env["lead_env"])
    time.sleep(2.5)
    slots = tracker_slots(url, sender, env["token"])
    assert slots["patient_age"] == 31.0 and slots["b_all_diagnosis"] is None
    send(url, sender, "yes")
    assert tracker_slots(url, sender, env["token"])["b_all_diagnosis"] == "yes"


def test_unreachable_lead_database_is_said_plainly_never_a_success(agent, event_loop_for_agent, tmp_path):
    """An action server whose database cannot be reached: bounded retries, then a clear message."""
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    port = free_port()
    broken = {"DATABASE_URL": f"postgresql://nobody@127.0.0.1:{free_port()}/none",
              "RASA_TELEMETRY_ENABLED": "false"}
    from cryptography.fernet import Fernet

    broken["LEADS_KEY"] = Fernet.generate_key().decode()
    proc = start_action_server(port, broken)
    try:
        async def load():
            return Agent.load("models/prescreen.tar.gz",
                              action_endpoint=EndpointConfig(url=f"http://127.0.0.1:{port}/webhook",
                                                             headers={"X-Action-Token": ACTION_TOKEN}),
                              tracker_store=conversation_store(tmp_path, broken["LEADS_KEY"]))

        broken_agent = event_loop_for_agent.run_until_complete(load())
        c = Chat(broken_agent, event_loop_for_agent)
        c.say("hi")
        while c.requested_slot and not c.slot("prescreen_outcome"):
            c.say(ELIGIBLE_ADULT_EN.get(c.requested_slot, "no"))
        c.say("yes")  # to being contacted
        reply = c.texts("Ana")
        # The name is kept in the (unreachable) lead database as it is typed: the person is told
        # at once, plainly, and the question stays open; nothing claims a success.
        assert "couldn't save that" in reply
        assert c.requested_slot == "contact_name"
        assert "have been sent" not in reply
        assert c.slot("lead_id") is None
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_two_messages_at_once_in_one_conversation_are_processed_in_order(stack):
    url, sender = stack["url"], "two-at-once"
    for text in ("hi", "yes", "I'm the patient"):
        send(url, sender, text)
    results = {}

    def say(key, text, delay):
        time.sleep(delay)
        results[key] = send(url, sender, text)

    threads = [threading.Thread(target=say, args=("age", "31", 0)), threading.Thread(target=say, args=("dx", "yes", 0.05))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    slots = tracker_slots(url, sender, stack["token"])
    assert slots["patient_age"] == 31.0
    assert slots["b_all_diagnosis"] == "yes"
    assert slots["requested_slot"] == "relapsed_or_refractory"


def test_under_load_no_conversation_receives_another_s_answers(stack):
    """20 conversations at once, each with its own age; every tracker holds only its own."""
    ages = list(range(2, 22))

    def screen(age):
        sender = f"load-{age}"
        for text in ("hi", "yes", "I'm the patient", str(age), "yes", "yes", "yes"):
            send(stack["url"], sender, text)
        return sender, age

    with ThreadPoolExecutor(max_workers=20) as pool:
        done = list(pool.map(screen, ages))
    for sender, age in done:
        slots = tracker_slots(stack["url"], sender, stack["token"])
        assert slots["patient_age"] == float(age), sender
        assert slots["had_car_t"] == "yes" and slots["requested_slot"] == "car_t_activity_lost"


def test_under_load_every_consented_lead_is_saved_once_with_its_own_answers(stack, smtp_sink):
    """16 families finish the screening and the hand-off at once: 16 leads, 16 e-mails, and each
    lead holds its own name, phone and age, none another's."""
    from bot.leads.store import LeadStore
    from bot.simulate import run_screening

    people = {i: {"age": 18 + i, "name": f"Person Number {i}", "phone": f"1380013{i:04d}"} for i in range(16)}
    before = len(smtp_sink.messages)

    def family(i):
        p = people[i]
        s = run_screening({**ELIGIBLE_ADULT_EN, "patient_age": str(p["age"])}, base_url=stack["url"],
                          token=stack["token"], sender=f"lead-load-{i}")
        assert s.outcome[0] == "likely_eligible", (i, s.outcome)
        replies = [send(stack["url"], s.sender, text) for text in handoff_replies(p["name"], p["phone"])]
        return i, s.sender, replies

    with ThreadPoolExecutor(max_workers=16) as pool:
        done = list(pool.map(family, people))

    store = LeadStore(stack["env"]["DATABASE_URL"], stack["env"]["LEADS_KEY"])
    for i, sender, replies in done:
        last = " ".join(m.get("text") or "" for m in replies[-1])
        assert "couldn't" not in last and "Sorry" not in last, (i, last)
        lead = store.get_lead_by_conversation(sender)
        assert lead is not None, i
        assert lead["contact"]["name"] == people[i]["name"]
        assert lead["contact"]["phone"] == "+86" + people[i]["phone"]  # stored as E.164
        i3 = next(row for row in lead["packet"] if row["id"] == "I3")
        assert i3["answers"]["patient_age"] == float(people[i]["age"])
        assert lead["submissions"] == 1
    assert len(smtp_sink.messages) == before + len(people)
