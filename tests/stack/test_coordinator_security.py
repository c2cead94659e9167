"""The inbox's sign-in and defences over real HTTP (a live server on SQLite and PostgreSQL):
two-factor codes, throttling per client address and per account with backoff, CSRF checks as
browsers send them, Post/Redirect/Get, sessions, purging, and no 500s. Each would fail without
the defence it names."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
import requests
from requests.adapters import HTTPAdapter

from bot.coordinator.app import create_app
from bot.coordinator.auth import hash_password, hash_token
from bot.coordinator.totp import totp
from bot.leads.models import utcnow
from tests.fixtures.inbox import PASSWORD, code_for, csrf_of, login
from tests.fixtures.leads import LiveServer, lead_kwargs

PAGES = ["/", "/leads/1", "/funnel", "/audit"]
API = ["/export.csv", "/export.json"]


class SourceAddress(HTTPAdapter):
    """Connects from another loopback address (127.0.0.0/8 is all ours), as a second client would."""

    def __init__(self, address: str):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        return super().init_poolmanager(*args, **kwargs)


def client_from(address: str) -> requests.Session:
    s = requests.Session()
    s.mount("http://", SourceAddress(address))
    return s


def password_step(server, username, password, session=None):
    s = session or requests.Session()
    return s.post(f"{server.url}/login", data={"username": username, "password": password}, allow_redirects=False)


# --- sessions and routes ---------------------------------------------------------------------

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


def test_session_cookie_and_security_headers(server, store):
    s = requests.Session()
    r = password_step(server, "alice", PASSWORD, s)
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    lead_id = store.upsert_lead("conv-h", **lead_kwargs())
    s = login(server)
    page = s.get(f"{server.url}/leads/{lead_id}")
    assert page.status_code == 200
    assert "default-src 'self'" in page.headers["Content-Security-Policy"]
    assert "script-src 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    # no-referrer made Chromium send "Origin: null" on same-origin form posts: every form failed.
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert '<meta name="referrer" content="same-origin">' in page.text


def test_session_tokens_are_not_stored_in_clear(server, store):
    s = login(server)
    token = s.cookies.get("coordinator_session")
    from sqlalchemy import select

    from bot.leads.models import coordinator_sessions

    with store.engine.connect() as conn:
        stored = conn.execute(select(coordinator_sessions.c.token_hash)).scalars().all()
    assert token not in stored and len(stored) == 1  # the half-way session was replaced, not kept


def test_session_expires_after_idle_ttl(server, settings, clock):
    s = login(server)
    assert s.get(server.url + "/", allow_redirects=False).status_code == 200
    clock.advance(minutes=settings.session_ttl_minutes + 1)
    r = s.get(server.url + "/", allow_redirects=False)
    assert r.status_code == 302 and r.headers["Location"] == "/login"
    assert s.get(server.url + "/export.csv", allow_redirects=False).status_code == 401


def test_session_with_expiry_in_the_past_is_refused(server, store, settings):
    s = login(server)
    token = s.cookies.get("coordinator_session")
    store.touch_session(hash_token(settings.session_secret, token), utcnow() - timedelta(seconds=1))
    assert s.get(server.url + "/audit", allow_redirects=False).status_code == 302


def test_activity_extends_the_session(server, clock):
    s = login(server)
    for _ in range(3):  # each request within the TTL slides the expiry
        clock.advance(minutes=20)
        assert s.get(server.url + "/", allow_redirects=False).status_code == 200


def test_logout_ends_the_session_and_redirects(server):
    s = login(server)
    token = csrf_of(s.get(server.url + "/").text)
    old_cookie = s.cookies.get("coordinator_session")
    r = s.post(server.url + "/logout", data={"csrf_token": token}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/login?bye=1"
    assert "You are signed out" in s.get(server.url + r.headers["Location"]).text
    replay = requests.Session()
    replay.cookies.set("coordinator_session", old_cookie)
    assert replay.get(server.url + "/", allow_redirects=False).status_code == 302


# --- two-factor sign-in ------------------------------------------------------------------------

def test_a_password_alone_opens_only_the_code_form(server, store):
    store.upsert_lead("conv-2fa", **lead_kwargs(name="Hidden Person"))
    s = requests.Session()
    r = password_step(server, "alice", PASSWORD, s)
    assert r.status_code == 303 and r.headers["Location"] == "/login/code"
    for path in PAGES:
        r = s.get(server.url + path, allow_redirects=False)
        assert r.status_code == 302 and r.headers["Location"] == "/login/code", path
    for path in API:
        assert s.get(server.url + path, allow_redirects=False).status_code == 401
    page = s.get(server.url + "/login/code")
    assert "Enter your code" in page.text and "Hidden Person" not in page.text
    r = s.post(f"{server.url}/leads/1/status", data={"status": "contacted", "csrf_token": csrf_of(page.text)},
               allow_redirects=False)
    assert r.status_code == 401 and store.get_lead(1)["status"] == "new"


def test_wrong_missing_and_replayed_codes_are_refused(server, store):
    s = requests.Session()
    password_step(server, "alice", PASSWORD, s)
    token = csrf_of(s.get(server.url + "/login/code").text)
    for code in ("000000", "", "12345", "abcdef", totp(server.secrets["bob"], server.clock().timestamp())):
        r = s.post(f"{server.url}/login/code", data={"code": code, "csrf_token": token}, allow_redirects=False)
        assert r.status_code == 303 and r.headers["Location"] == "/login/code?error=code", code
    assert "That code is not right" in s.get(server.url + "/login/code?error=code").text
    r = s.post(f"{server.url}/login/code", data={"code": code_for(server, "alice")}, allow_redirects=False)
    assert r.status_code == 403  # the code form has a CSRF token too
    server.monotonic.now += 2  # five wrong codes: the account waits a second (tested below)
    good = code_for(server, "alice")
    r = s.post(f"{server.url}/login/code", data={"code": good, "csrf_token": token}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/"
    assert s.get(server.url + "/", allow_redirects=False).status_code == 200

    # The same code cannot sign in a second time (someone who saw it over a shoulder).
    other = requests.Session()
    password_step(server, "alice", PASSWORD, other)
    r = other.post(f"{server.url}/login/code", data={"code": good, "csrf_token": csrf_of(other.get(
        server.url + "/login/code").text)}, allow_redirects=False)
    assert r.headers["Location"] == "/login/code?error=code"
    assert "login_code_failed" in [e["action"] for e in store.audit_log()]


def test_the_code_step_expires(server, clock):
    s = requests.Session()
    password_step(server, "alice", PASSWORD, s)
    clock.advance(minutes=6)
    r = s.get(server.url + "/login/code", allow_redirects=False)
    assert r.status_code == 302 and r.headers["Location"] == "/login"


def test_an_account_without_two_factor_cannot_sign_in_while_it_is_required(server, store, settings, clock, monotonic):
    import dataclasses

    store.add_coordinator("carol", hash_password(PASSWORD))
    r = password_step(server, "carol", PASSWORD)
    assert r.status_code == 303 and r.headers["Location"] == "/login?error=no2fa"
    assert "enroll-totp" in requests.get(server.url + r.headers["Location"]).text
    assert "coordinator_session" not in r.cookies

    relaxed = create_app(dataclasses.replace(settings, require_totp=False), store, name="coordinator_relaxed", clock=clock)
    with LiveServer(relaxed) as live:
        s = requests.Session()
        r = password_step(live, "carol", PASSWORD, s)
        assert r.status_code == 303 and r.headers["Location"] == "/"
        assert s.get(live.url + "/", allow_redirects=False).status_code == 200


def test_a_deactivated_account_is_refused_and_its_sessions_end(server, store):
    s = login(server)
    store.set_coordinator_active("alice", False)
    assert s.get(server.url + "/", allow_redirects=False).status_code == 302
    r = password_step(server, "alice", PASSWORD)
    assert r.headers["Location"] == "/login?error=wrong"  # the same answer as a wrong password
    store.set_coordinator_active("alice", True)
    login(server)


# --- throttling --------------------------------------------------------------------------------

def test_wrong_password_and_unknown_user_are_refused_with_a_redirect(server):
    for username, password in (("alice", "wrong password!!"), ("mallory", PASSWORD), ("", "")):
        s = requests.Session()
        r = password_step(server, username, password, s)
        assert r.status_code == 303 and r.headers["Location"] == "/login?error=wrong"
        assert "coordinator_session" not in r.cookies
        assert "Wrong username or password" in s.get(server.url + r.headers["Location"]).text
        assert s.get(server.url + "/", allow_redirects=False).status_code == 302


def test_trying_many_usernames_from_one_address_is_slowed_there_only(server, monotonic):
    """Per client address: a username-spraying client is slowed even though no account sees more
    than one failure; other addresses are not."""
    for n in range(10):
        assert password_step(server, f"user{n}", "guess guess guess").headers["Location"] == "/login?error=wrong"
    r = password_step(server, "bob", PASSWORD + "!")  # even a right password waits now
    assert r.headers["Location"].startswith("/login?error=wait&seconds=")
    assert "Wait 1 seconds" in requests.get(server.url + r.headers["Location"]).text
    assert login(server, session=client_from("127.0.0.2"))  # another client is not slowed
    monotonic.now += 1.5
    assert login(server, "bob", PASSWORD + "!")  # backoff, not a lock


def test_guessing_one_account_from_many_addresses_is_slowed_with_backoff_and_no_lock(server, monotonic):
    """Per account: five failures from five addresses slow the account (1 s, then 2 s, 4 s ...),
    capped; the real coordinator signs in after the wait; other accounts are not slowed."""
    for n in range(5):
        r = password_step(server, "alice", "guess guess guess", client_from(f"127.0.0.{n + 2}"))
        assert r.headers["Location"] == "/login?error=wrong"
    waiting = client_from("127.0.0.9")
    r = password_step(server, "alice", PASSWORD, waiting)
    assert r.headers["Location"] == "/login?error=wait&seconds=1"
    assert login(server, "bob", PASSWORD + "!", session=client_from("127.0.0.9"))
    monotonic.now += 1.1
    assert password_step(server, "alice", "guess again", client_from("127.0.0.10")).headers["Location"] \
        == "/login?error=wrong"
    assert password_step(server, "alice", PASSWORD, waiting).headers["Location"] == "/login?error=wait&seconds=2"
    monotonic.now += 2.1
    assert login(server, "alice", session=client_from("127.0.0.9"))  # no permanent lock
    # A successful sign-in clears the account's count.
    assert password_step(server, "alice", "wrong once more", client_from("127.0.0.11")).headers["Location"] \
        == "/login?error=wrong"
    assert login(server, "alice", session=client_from("127.0.0.12"))


def test_wrong_codes_count_towards_the_throttle(server, monotonic):
    s = requests.Session()
    password_step(server, "alice", PASSWORD, s)
    token = csrf_of(s.get(server.url + "/login/code").text)
    for _ in range(5):
        s.post(f"{server.url}/login/code", data={"code": "000000", "csrf_token": token}, allow_redirects=False)
    r = s.post(f"{server.url}/login/code", data={"code": code_for(server, "alice"), "csrf_token": token},
               allow_redirects=False)
    assert r.headers["Location"] == "/login/code?error=wait&seconds=1"


def test_the_throttle_forgets_and_caps():
    from bot.coordinator.auth import LoginThrottle

    now = [0.0]
    t = LoginThrottle(account_free=3, base=1, account_cap=8, forget_after=100, clock=lambda: now[0])
    waits = []
    for _ in range(8):
        waits.append(t.retry_after("a", "Alice"))
        now[0] += waits[-1]
        t.record_failure("a", "ALICE")
    assert waits[:4] == [0, 0, 0, 1]
    assert t.retry_after("b", "alice") == 8  # doubled up to the cap, never more
    now[0] += 100
    assert t.retry_after("b", "alice") == 0  # forgotten after a quiet spell


# --- CSRF as browsers send it ---------------------------------------------------------------

@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"},
    {"Origin": "null"},  # a sandboxed frame or data: page
    {"Origin": "http://127.0.0.1:9"},  # another port is another origin
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},  # a sibling subdomain is not the inbox
    {"Sec-Fetch-Site": "cross-site", "Origin": "SELF"},
])
def test_cross_site_posts_are_refused_even_with_a_valid_cookie_and_token(server, store, headers):
    lead_id = store.upsert_lead("conv-csrf", **lead_kwargs())
    s = login(server)
    token = csrf_of(s.get(f"{server.url}/leads/{lead_id}").text)
    headers = {k: (server.url if v == "SELF" else v) for k, v in headers.items()}
    r = s.post(f"{server.url}/leads/{lead_id}/status", data={"status": "contacted", "csrf_token": token},
               headers=headers, allow_redirects=False)
    assert r.status_code == 403 and "Cross-origin request refused" in r.text
    assert store.get_lead(lead_id)["status"] == "new"


@pytest.mark.parametrize("headers", [
    {},  # HTTP clients and old browsers send neither: the token decides
    {"Origin": "SELF", "Sec-Fetch-Site": "same-origin"},  # what Chromium sends with Referrer-Policy same-origin
    {"Origin": "http://127.0.0.1:5070"},  # the configured public address (behind a proxy)
    {"Sec-Fetch-Site": "none"},  # the user's own navigation
])
def test_same_origin_posts_as_browsers_send_them_are_accepted(server, store, headers):
    lead_id = store.upsert_lead("conv-same", **lead_kwargs())
    s = login(server)
    token = csrf_of(s.get(f"{server.url}/leads/{lead_id}").text)
    headers = {k: (server.url if v == "SELF" else v) for k, v in headers.items()}
    r = s.post(f"{server.url}/leads/{lead_id}/status", data={"status": "contacted", "csrf_token": token},
               headers=headers, allow_redirects=False)
    assert r.status_code == 303, r.text
    assert store.get_lead(lead_id)["status"] == "contacted"


def test_a_post_without_the_form_token_is_refused(server, store):
    lead_id = store.upsert_lead("conv-token", **lead_kwargs())
    s = login(server)
    for data in ({"status": "contacted"}, {"status": "contacted", "csrf_token": "forged"}):
        r = s.post(f"{server.url}/leads/{lead_id}/status", data=data, allow_redirects=False)
        assert r.status_code == 403
    assert store.get_lead(lead_id)["status"] == "new"


def test_login_from_another_site_is_refused(server):
    r = requests.post(f"{server.url}/login", data={"username": "alice", "password": PASSWORD},
                      headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}, allow_redirects=False)
    assert r.status_code == 403 and "coordinator_session" not in r.cookies


# --- Post/Redirect/Get, no 500s -------------------------------------------------------------

def test_every_post_answers_with_a_redirect(server, store):
    lead_id = store.upsert_lead("conv-prg", **lead_kwargs())
    s = login(server)  # login and code steps are checked to be 303s in login()
    token = csrf_of(s.get(f"{server.url}/leads/{lead_id}").text)
    for data, location in (
        ({"status": "new", "note": "left a voicemail"}, f"/leads/{lead_id}?saved=note"),
        ({"status": "new", "note": ""}, f"/leads/{lead_id}?error=note"),
        ({"status": "enrolled"}, f"/leads/{lead_id}?error=transition"),
        ({"status": "bogus"}, f"/leads/{lead_id}?error=transition"),
        ({"status": "contacted", "note": "x" * 5000}, f"/leads/{lead_id}?error=note"),
        ({"status": "contacted"}, f"/leads/{lead_id}?saved=status"),
    ):
        r = s.post(f"{server.url}/leads/{lead_id}/status", data={**data, "csrf_token": token}, allow_redirects=False)
        assert (r.status_code, r.headers["Location"]) == (303, location), data
    notes = [h for h in store.get_lead(lead_id)["history"] if h["kind"] == "note"]
    assert [h["note"] for h in notes] == ["left a voicemail"]  # a GET of the result page re-sends nothing
    s.get(server.url + f"/leads/{lead_id}?saved=note")
    assert len([h for h in store.get_lead(lead_id)["history"] if h["kind"] == "note"]) == 1


@pytest.mark.parametrize("path", [
    "/leads/99999999999999999999999999", "/leads/" + "9" * 5000, "/leads/2147483648", "/leads/0", "/leads/-1",
    "/leads/1.5", "/leads/%00", "/leads/abc", "/leads/1%0A2", "/leads/999999", "/nothing-here", "/leads/1/extra",
])
def test_odd_or_overlong_lead_ids_are_404_never_500(server, store, path):
    store.upsert_lead("conv-404", **lead_kwargs())
    s = login(server)
    r = s.get(server.url + path, allow_redirects=False)
    assert r.status_code == 404, (path, r.status_code, r.text[:200])
    assert "Not found" in r.text and r.headers["X-Frame-Options"] == "DENY"
    if path.startswith("/leads/"):
        token = csrf_of(s.get(server.url + "/").text)
        r = s.post(server.url + path + "/status", data={"status": "contacted", "csrf_token": token},
                   allow_redirects=False)
        assert r.status_code == 404, path


def test_a_wrong_method_is_405(server):
    s = login(server)
    for method, path in (("PUT", "/"), ("DELETE", "/leads/1"), ("POST", "/export.csv")):
        token = csrf_of(s.get(server.url + "/").text)
        r = s.request(method, server.url + path, data={"csrf_token": token}, allow_redirects=False)
        assert r.status_code == 405, (method, path, r.status_code)


def test_a_database_that_is_down_gets_a_plain_503(server, store):
    s = login(server)
    store.drop_schema()
    r = s.get(server.url + "/", allow_redirects=False)
    assert r.status_code == 503 and "cannot be reached" in r.text
    r = requests.post(f"{server.url}/login", data={"username": "alice", "password": PASSWORD}, allow_redirects=False)
    assert r.status_code == 503


# --- purging ------------------------------------------------------------------------------------

def test_the_inbox_purges_expired_sessions_and_drafts_on_a_timer(settings, store):
    import dataclasses

    from bot.leads.models import contact_drafts

    cid = store.add_coordinator("dora", hash_password(PASSWORD))
    store.create_session("expired", cid, "dora", "c", utcnow() - timedelta(minutes=1))
    store.create_session("live", cid, "dora", "c", utcnow() + timedelta(minutes=10))
    store.save_contact_draft("conv-stale", "name", "Stale Draft")
    with store.engine.begin() as conn:
        conn.execute(contact_drafts.update().values(updated_at=utcnow() - timedelta(hours=25)))
    app = create_app(dataclasses.replace(settings, purge_interval_seconds=0.2), store, name="coordinator_purge")
    with LiveServer(app):
        deadline = time.time() + 10
        while time.time() < deadline and (store.count_sessions() != 1 or _drafts(store)):
            time.sleep(0.1)
    assert store.get_session("expired") is None and store.get_session("live") is not None
    assert _drafts(store) == 0


def _drafts(store) -> int:
    from sqlalchemy import func, select

    from bot.leads.models import contact_drafts

    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(contact_drafts)).scalar_one()
