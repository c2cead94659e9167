"""The servers `make run` starts (scripts/run.sh), driven over HTTP by a simulated patient that
reads `requested_slot` from the tracker API and answers in natural language."""

from __future__ import annotations

import re
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import requests

from bot import speedups
from bot.coordinator.totp import totp
from bot.simulate import run_screening, send
from tests.support.profiles import ELIGIBLE_ADULT_EN, handoff_replies

ROOT = Path(__file__).resolve().parents[2]

# Boundary and free-text profiles: (answers, expected outcome, failed, unknown).
PROFILES = [
    (ELIGIBLE_ADULT_EN, "likely_eligible", [], []),
    ({**ELIGIBLE_ADULT_EN, "patient_age": "39 years and 11 months"}, "likely_eligible", [], []),
    ({**ELIGIBLE_ADULT_EN, "patient_age": "forty"}, "not_eligible", ["I3"], []),
    ({**ELIGIBLE_ADULT_EN, "respondent": "I'm her dad", "patient_age": "a year and a half", "sex": "girl"},
     "likely_eligible", [], []),
    ({**ELIGIBLE_ADULT_EN, "patient_age": "11 months"}, "not_eligible", ["I3"], []),
    ({**ELIGIBLE_ADULT_EN, "car_t_loss_months": "6 months"}, "likely_eligible", [], []),
    ({**ELIGIBLE_ADULT_EN, "car_t_loss_months": "6.1"}, "not_eligible", ["I2"], []),
    ({**ELIGIBLE_ADULT_EN, "organ_transplant": "yes, a kidney transplant"}, "not_eligible", ["E14"], []),
    ({**ELIGIBLE_ADULT_EN, "respondent": "it's for me", "patient_age": "16", "guardian_can_consent": "no idea"},
     "needs_review", [], ["I7"]),
    ({**ELIGIBLE_ADULT_EN, "sex": "female", "pregnant_or_breastfeeding": "yes I'm breastfeeding"},
     "not_eligible", ["E15"], []),
]


@pytest.mark.parametrize("answers,outcome,failed,unknown", PROFILES)
def test_profiles_over_the_rest_channel_reach_the_right_result(stack, answers, outcome, failed, unknown):
    s = run_screening(answers, base_url=stack["url"], token=stack["token"])
    assert s.outcome == (outcome, failed, unknown), s.asked


def test_the_rasa_server_says_whether_it_runs_the_speed_patches_which_go_on_before_the_model_loads(stack):
    """`make test` runs these servers with the speed patches, then again with RASA_SPEEDUPS=0."""
    log = Path(stack["log"]).read_text(errors="replace")
    loading = log.index("Loading model")
    if speedups.stock_reason() is None:
        assert log.count("Speed patches on: 8 Rasa 3.6.21 internals") == 1
        assert log.index("Speed patches on") < loading
    else:
        assert log.count("RASA_SPEEDUPS=0: speed patches off, running stock Rasa") == 1
        assert "Speed patches on" not in log


def test_the_http_api_refuses_requests_without_the_token(stack):
    send(stack["url"], "someone", "hi")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(f"{stack['url']}/conversations/someone/tracker", timeout=5)
    assert err.value.code in (401, 403)


def test_a_consented_lead_over_rest_is_one_lead_in_the_inbox_and_one_email(stack, smtp_sink):
    from bot.leads.store import LeadStore

    before = len(smtp_sink.messages)
    s = run_screening(ELIGIBLE_ADULT_EN, base_url=stack["url"], token=stack["token"])
    assert s.outcome[0] == "likely_eligible"
    for text in handoff_replies("Li Wei", "13800138000", "evenings"):
        send(stack["url"], s.sender, text)
    store = LeadStore(stack["env"]["DATABASE_URL"], stack["env"]["LEADS_KEY"])
    lead = store.get_lead_by_conversation(s.sender)
    assert lead is not None and lead["contact"]["phone"] == "+8613800138000"  # stored as E.164
    assert len(smtp_sink.messages) == before + 1
    # The inbox is up, refuses anyone without a session, and shows the lead after login.
    inbox = f"http://127.0.0.1:{stack['ports']['COORDINATOR_PORT']}"
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(f"{inbox}/export.json", timeout=5)
    assert err.value.code == 401
    enrolled = subprocess.run([sys.executable, "-m", "bot.cli", "add-coordinator", "jen", "--password-stdin"],
                              cwd=ROOT, env=stack["env"], input="a long enough password 1\n", text=True, check=True,
                              capture_output=True)
    secret = re.search(r"otpauth://\S*[?&]secret=([A-Z2-7]+)", enrolled.stdout).group(1)
    session = requests.Session()
    r = session.post(f"{inbox}/login", data={"username": "jen", "password": "a long enough password 1"})
    assert r.status_code == 200 and r.url.endswith("/login/code")
    token = re.search(r'name="csrf_token" value="([^"]+)"', r.text).group(1)
    r = session.post(f"{inbox}/login/code", data={"code": totp(secret), "csrf_token": token})
    assert r.status_code == 200 and r.url == f"{inbox}/"
    page = session.get(f"{inbox}/leads/{lead['id']}")
    assert page.status_code == 200
    for cid in ("I1", "I2", "I3", "I6", "I7", "E1", "E14", "E16"):
        assert cid in page.text
    assert "Li Wei" in page.text and "Likely eligible" in page.text and "Age: 31 years" in page.text
    # The notification e-mail links to the lead on the address the inbox listens on.
    assert f"{inbox}/leads/{lead['id']}" in smtp_sink.bodies()[-1]


def test_the_patient_side_cannot_reach_coordinator_data(stack):
    for port in (stack["ports"]["RASA_PORT"], stack["ports"]["WEB_PORT"]):
        for path in ("/leads/1", "/export.csv", "/export.json", "/audit", "/funnel"):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as resp:
                    body = resp.read().decode("utf-8", "replace")
                    assert "Li Wei" not in body and "I1" not in body, (port, path)
            except urllib.error.HTTPError as err:
                assert err.code in (401, 403, 404, 405), (port, path)




def test_saying_hello_does_not_count_as_starting_the_screening(stack):
    """The funnel counts a conversation from record_screening_started() only; "hi" is not it."""
    from bot.leads.store import LeadStore

    store = LeadStore(stack["env"]["DATABASE_URL"], stack["env"]["LEADS_KEY"])
    before = store.funnel_counts()["started"]
    for n in range(3):
        assert send(stack["url"], f"just-hello-{n}", "hi")
    assert store.funnel_counts()["started"] == before
