"""The coordinator's whole journey in Debian's Chromium (Playwright, headless, the launch of
tests/fixtures/web.py, no flag that relaxes web security or allows a port), against the inbox as
`make run` starts it (`python -m bot.cli serve-coordinator`) with an account made by the CLI:

the notification e-mail's link, log in with the two-factor step, see the new lead, open it, add a
note only (the status stays), move it through the statuses, export CSV and JSON, log out, and the
back button shows nothing. No console errors; a reload after each POST sends nothing again.

Screenshots of the list and of a lead page go to test-artifacts/ (or to $INBOX_SCREENSHOT_DIR,
which is how docs/img/ is made: `INBOX_SCREENSHOT_DIR=docs/img make test`).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.coordinator.totp import totp
from bot.leads.service import submit_lead, submit_question
from bot.leads.store import LeadStore
from bot.settings import Settings
from tests.fixtures.leads import eligible_answers, lead_kwargs
from tests.fixtures.servers import free_port, wait_for
from tests.fixtures.web import ARTIFACTS

ROOT = Path(__file__).resolve().parents[2]
USER, PASSWORD = "coordinator.li", "a long and private passphrase"


@pytest.fixture(scope="module")
def inbox(tmp_path_factory, smtp_sink):
    """The inbox process, its database (migrated by the CLI) and an account enrolled by the CLI."""
    tmp = tmp_path_factory.mktemp("inbox-journey")
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp / 'leads.db'}", "LEADS_KEY": Fernet.generate_key().decode(),
           "SESSION_SECRET": "journey-" + "s" * 40, "COORDINATOR_PORT": str(port), "SMTP_HOST": "127.0.0.1",
           "SMTP_PORT": str(smtp_sink.port), "COORDINATOR_EMAIL": "coordinator@example.org",
           "RASA_TELEMETRY_ENABLED": "false"}
    env.pop("INBOX_BASE_URL", None)
    cli = [sys.executable, "-m", "bot.cli"]
    subprocess.run([*cli, "db-upgrade"], cwd=ROOT, env=env, check=True, capture_output=True)
    enrolled = subprocess.run([*cli, "add-coordinator", USER, "--password-stdin"], cwd=ROOT, env=env, check=True,
                              input=PASSWORD + "\n", text=True, capture_output=True).stdout
    secret = re.search(r"otpauth://\S*[?&]secret=([A-Z2-7]+)", enrolled).group(1)
    log = (tmp / "inbox.log").open("w")
    proc = subprocess.Popen([*cli, "serve-coordinator"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{port}/login", timeout=60)
        settings = Settings.from_env(env)
        store = LeadStore(settings)
        yield {"url": f"http://127.0.0.1:{port}", "settings": settings, "store": store, "secret": secret,
               "log": tmp / "inbox.log"}
        store.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def realistic_leads(inbox) -> int:
    """Three families as a coordinator would see them on a Tuesday; returns the one to work on."""
    store, settings = inbox["store"], inbox["settings"]
    submit_lead(store, settings, "web-5f3a", **{**lead_kwargs(eligible_answers(respondent="patient", patient_age=24.0,
                                                                               ecog=0.0, sex="female",
                                                                               pregnant_or_breastfeeding="no"),
                                                              name="Chen Jing", phone="+86 139 1234 5678",
                                                              email=None, time="after 6 pm"), "language": "zh"})
    submit_question(store, settings, "web-77c1", message="My daughter relapsed in March after CAR-T. "
                    "Is the trial open to patients from Shanghai?", contact={"name": "María López",
                                                                              "email": "maria.lopez@example.es"},
                    language="es", respondent="guardian", outcome="not_eligible")
    answers = eligible_answers(bendamustine_9_months="unsure")
    return submit_lead(store, settings, "web-91be", **lead_kwargs(answers, name="Li Wei", phone="138 0013 8000",
                                                                  email="li.wei@example.com", wechat="liwei_88",
                                                                  time="weekday evenings")).lead_id


def screenshot(page, name: str) -> None:
    target = Path(os.environ.get("INBOX_SCREENSHOT_DIR") or ARTIFACTS)
    target = target if target.is_absolute() else ROOT / target
    target.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target / name), full_page=True)


def test_the_coordinator_journey_in_chromium(browser, inbox, smtp_sink):
    url, store = inbox["url"], inbox["store"]
    before = len(smtp_sink.messages)
    lead_id = realistic_leads(inbox)
    link = re.search(r"Open it \(login required\): (\S+)", smtp_sink.bodies()[before + 2]).group(1)
    assert link == f"{url}/leads/{lead_id}"  # the e-mail points at the port the inbox listens on

    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 860}, accept_downloads=True)
    page = context.new_page()
    problems: list = []
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}")
            if msg.type in ("error", "warning") else None)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    # ERR_ABORTED is the browser dropping a request because the page moved on (a favicon, a download).
    page.on("requestfailed", lambda req: problems.append(f"request failed: {req.url} {req.failure}")
            if "ERR_ABORTED" not in (req.failure or "") else None)
    requests_seen: list = []
    page.on("request", lambda req: requests_seen.append((req.method, req.url)))

    def changes() -> tuple:
        actions = [e["action"] for e in store.audit_log(limit=None) if e["action"] != "view"]
        return len(store.get_lead(lead_id)["history"]), len(actions)

    def reload_sends_nothing_again() -> None:
        """A reload after a POST asks for the page again (GET) and changes nothing."""
        before_reload = changes()
        with page.expect_request(lambda r: r.is_navigation_request()) as reload:
            page.reload()
        assert reload.value.method == "GET"
        assert changes() == before_reload

    # The e-mail's link asks for a login first.
    page.goto(link)
    assert page.url == f"{url}/login"
    page.fill("input[name=username]", USER)
    page.fill("input[name=password]", PASSWORD)
    page.click("text=Log in")
    assert page.url == f"{url}/login/code"
    assert page.locator("h1").text_content() == "Enter your code"
    page.fill("input[name=code]", totp(inbox["secret"]))
    page.click("text=Continue")
    assert page.url == f"{url}/"
    reload_sends_nothing_again()

    # The list: newest first, in words, every row a link.
    rows = page.locator("tr.lead")
    assert rows.count() == 3
    first = rows.nth(0).inner_text()
    for expected in ("Needs review", "7 years", "A parent or legal guardian", "English", "Li Wei",
                     "+86 138 0013 8000", "li.wei@example.com", "liwei_88", "weekday evenings", "New", "just now"):
        assert expected in first, expected
    assert "Question (not eligible)" in rows.nth(1).inner_text()
    screenshot(page, "inbox-list.png")
    rows.nth(0).locator("td").nth(5).click()  # the "best time" cell: anywhere on the row opens it
    assert page.url == f"{url}/leads/{lead_id}"
    assert page.locator("#status").text_content() == "New"
    body = page.locator("main").inner_text()
    assert body.index("Summary") < body.index("Answers, criterion by criterion")
    assert "Age: 7 years" in body and "Sex: not asked: does not apply" in body
    assert page.locator('a[href="tel:+8613800138000"]').count() == 1
    assert page.locator("#wechat").input_value() == "liwei_88"

    # A note only: the status stays.
    page.fill("form.note-form textarea[name=note]", "Called at 18:10, no answer; will try tomorrow.")
    page.click("form.note-form button")
    assert page.locator("#status").text_content() == "New"
    assert "Called at 18:10, no answer" in page.locator("table.history").inner_text()
    reload_sends_nothing_again()
    assert [h["note"] for h in store.get_lead(lead_id)["history"]] == ["Called at 18:10, no answer; will try tomorrow."]

    # Through the statuses, each a deliberate button; a final one is asked about first.
    for button, shown in (("Mark as contacted", "Contacted"), ("Mark screening scheduled", "Screening scheduled"),
                          ("Mark as enrolled", "Enrolled")):
        page.click(f"text={button}")
        if shown == "Enrolled":
            assert "cannot be changed afterwards" in page.locator("main").inner_text()
            page.click("text=No, go back to the lead")
            assert page.locator("#status").text_content() == "Screening scheduled"
            assert store.get_lead(lead_id)["status"] == "screening_scheduled"
            page.click(f"text={button}")
            page.fill("form.confirm-form textarea[name=note]", "Consent signed on the ward.")
            page.click("text=Yes, mark as enrolled")
        assert page.locator("#status").text_content() == shown
        reload_sends_nothing_again()
        if shown == "Contacted":
            screenshot(page, "inbox-lead.png")
    assert store.get_lead(lead_id)["status"] == "enrolled"
    assert len(store.get_lead(lead_id)["history"]) == 4  # one note and three changes: no reload re-sent one

    # Exports.
    with page.expect_download() as download:
        page.click("text=Export CSV")
    rows_csv = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8-sig"))))
    assert download.value.suggested_filename.endswith(".csv") and len(rows_csv) == 3
    exported = next(r for r in rows_csv if r["Lead"] == str(lead_id))
    assert exported["Status"] == "Enrolled" and exported["Phone"] == "'+8613800138000"
    assert "Called at 18:10" in exported["History and notes"]
    with page.expect_download() as download:
        page.click("text=Export JSON")
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert download.value.suggested_filename.endswith(".json")
    assert {lead["id"] for lead in data["leads"]} >= {lead_id}

    # Log out; the back button shows nothing of the leads.
    page.click("text=Log out")
    assert page.url == f"{url}/login?bye=1" and "You are signed out" in page.locator("main").inner_text()
    reload_sends_nothing_again()
    for _ in range(3):
        page.go_back()
        text = page.content()
        assert "/login" in page.url, page.url
        for private in ("Li Wei", "+8613800138000", "+86 138 0013 8000", "liwei_88", "Chen Jing", "Called at 18:10"):
            assert private not in text, (page.url, private)
    context.close()

    posts = [u for m, u in requests_seen if m == "POST"]
    assert posts and all(u.startswith(url) for u in posts)
    assert all(u.startswith(url) for _, u in requests_seen), "the inbox asked something of another host"
    assert problems == [], problems
    log = inbox["log"].read_text(encoding="utf-8", errors="replace")
    assert "Li Wei" not in log and "13800138000" not in log and "Called at" not in log
