"""The coordinator inbox: a small Sanic app over the lead store.

Separate from the patient-facing Rasa server on purpose: it listens on its own port (loopback by
default), has its own login with a two-factor code, and nothing in the conversation side links to
it, so the public side has no route to coordinator data. Every route except the login pages and
static files needs a valid, unexpired server-side session; pages redirect to the login, exports
and POSTs get 401. Every POST answers with a redirect (Post/Redirect/Get), so a reload never
sends a form again. CSRF and headers: ``security.py``; words: ``present.py``; exports: ``export.py``.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Dict, List

from cryptography.fernet import InvalidToken
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Sanic, response
from sanic.exceptions import MethodNotSupported, NotFound
from sanic.request import Request
from sqlalchemy.exc import SQLAlchemyError

from bot.coordinator import labels, present
from bot.coordinator.auth import (
    LoginThrottle,
    burn_password_check,
    hash_token,
    new_token,
    tokens_equal,
    verify_password,
)
from bot.coordinator.export import csv_text, json_text
from bot.coordinator.security import SECURITY_HEADERS, client_address, cross_site
from bot.coordinator.totp import matching_step
from bot.leads.models import utcnow
from bot.leads.store import FUNNEL_STAGES, STATUSES, InvalidTransition, LeadNotFound, LeadStore, LeadValidationError
from bot.settings import Settings

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
COOKIE = "coordinator_session"
MAX_SESSION_HOURS = 12  # absolute cap on a session, however active
CODE_MINUTES = 5  # between a correct password and the two-factor code
PUBLIC_PATHS = {"/login", "/static/inbox.css", "/static/favicon.svg", "/favicon.ico"}
CODE_PATHS = {"/login/code"}
API_PATHS = ("/export.csv", "/export.json")
LEAD_ID = re.compile(r"^[1-9][0-9]{0,9}$")
MAX_LEAD_ID = 2**31 - 1  # PostgreSQL INTEGER; anything longer is simply not a lead

FUNNEL_LABELS = {
    "started": "Started the pre-screening",
    "finished": "Finished pre-screening",
    "likely_eligible": "Likely eligible",
    "needs_review": "Needs review",
    "not_eligible": "Not eligible",
    "consented": "Consented to contact",
    "contacted": "Contacted by coordinator",
}
# Fixed messages chosen by code, so nothing user-supplied is reflected through the URL.
STATUS_ERRORS = {
    "transition": "That status change is not allowed from the lead's current status.",
    "note": "Write a note to save, or choose a status change.",
    "conflict": "The lead was changed by someone else; reload and try again.",
}
LOGIN_MESSAGES = {
    "wrong": "Wrong username or password.",
    "wait": "Too many failed attempts. Wait {seconds} seconds, then try again.",
    "code": "That code is not right, or it was already used. Enter the code your authenticator app shows now.",
    "no2fa": "Two-factor sign-in is not set up for this account. An administrator can set it up with: "
             "python -m bot.cli enroll-totp USERNAME",
    "expired": "The sign-in took too long. Please start again.",
    "bye": "You are signed out.",
}


def parse_lead_id(text: str) -> int | None:
    """A lead id from the URL, or None for anything that cannot be one (too long, signs, junk)."""
    if not LEAD_ID.match(text or ""):
        return None
    value = int(text)
    return value if value <= MAX_LEAD_ID else None


def funnel_svg_bars(counts: Dict[str, int], width: int = 520) -> List[Dict[str, Any]]:
    """Bar geometry for the funnel chart, computed here so the SVG needs no script or style."""
    top = max([1, *counts.values()])
    return [
        {"stage": stage, "label": FUNNEL_LABELS[stage], "count": int(counts.get(stage, 0)), "y": 10 + i * 34,
         "width": max(2, round(width * int(counts.get(stage, 0)) / top)) if counts.get(stage) else 0}
        for i, stage in enumerate(FUNNEL_STAGES)
    ]


def _message(code: str, seconds: str | None = None) -> str | None:
    text = LOGIN_MESSAGES.get(code or "")
    if text and "{seconds}" in text:
        wait = int(seconds) if (seconds or "").isdigit() and len(seconds) < 6 else 60
        text = text.format(seconds=wait)
    return text


def create_app(
    settings: Settings,
    store: LeadStore,
    *,
    name: str = "coordinator",
    clock: Callable[[], datetime] = utcnow,
    throttle: LoginThrottle | None = None,
) -> Sanic:
    """Build the inbox. ``clock`` and ``throttle`` are injectable for tests."""
    app = Sanic(name)
    app.config.REQUEST_MAX_SIZE = 1_000_000
    app.config.FALLBACK_ERROR_FORMAT = "text"
    if settings.inbox_proxies_count:
        app.config.PROXIES_COUNT = settings.inbox_proxies_count
    app.ctx.settings = settings
    app.ctx.store = store
    app.ctx.throttle = throttle or LoginThrottle()
    tz = settings.time_zone

    jinja = Environment(
        loader=FileSystemLoader(str(HERE / "templates")),
        autoescape=select_autoescape(enabled_extensions=("html", "svg"), default_for_string=True, default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    jinja.globals.update(
        L=labels, P=present, trial_title=settings.trial_title, trial_id=settings.trial_id,
        time_zone=settings.inbox_time_zone,
    )
    jinja.filters["local"] = lambda value: present.local_time(value, tz)
    ttl = timedelta(minutes=settings.session_ttl_minutes)

    def render(request: Request, template: str, status: int = 200, **context: Any) -> response.HTTPResponse:
        session = getattr(request.ctx, "session", None)
        body = jinja.get_template(template).render(
            session=session, csrf_token=session["csrf_token"] if session else None, now=clock(), **context
        )
        return response.html(body, status=status)

    def see_other(location: str) -> response.HTTPResponse:
        return response.redirect(location, status=303)

    def refuse(request: Request) -> response.HTTPResponse:
        if request.method in ("GET", "HEAD") and request.path not in API_PATHS:
            return response.redirect("/login")
        return response.text("Login required.", status=401)

    def token_hash(token: str) -> str:
        return hash_token(settings.session_secret, token)

    def set_cookie(resp: response.HTTPResponse, token: str) -> None:
        resp.cookies[COOKIE] = token
        cookie = resp.cookies[COOKIE]
        cookie["httponly"] = True
        cookie["samesite"] = "Strict"
        cookie["path"] = "/"
        if settings.secure_cookies:
            cookie["secure"] = True

    def start_session(account: Dict[str, Any], *, pending: bool) -> response.HTTPResponse:
        token, csrf = new_token(), new_token()
        expires = clock() + (timedelta(minutes=CODE_MINUTES) if pending else ttl)
        store.create_session(token_hash(token), account["id"], account["username"], csrf, expires, mfa_pending=pending)
        resp = see_other("/login/code" if pending else "/")
        set_cookie(resp, token)
        return resp

    # --- middleware ---------------------------------------------------------------------------

    @app.on_request
    async def authenticate(request: Request):
        request.ctx.session = None
        if request.method == "POST" and cross_site(request, settings.inbox_base_url):
            return response.text("Cross-origin request refused.", status=403)
        if request.path in PUBLIC_PATHS or request.route is None:
            return None  # no route: Sanic answers 404 or 405 and nothing is served
        token = request.cookies.get(COOKIE)
        if not token:
            return refuse(request)
        now = clock()
        th = token_hash(token)
        session = store.get_session(th, now)
        if session is None:
            return refuse(request)
        session["token_hash"] = th
        if session["mfa_pending"]:
            if request.path not in CODE_PATHS:
                if request.method in ("GET", "HEAD") and request.path not in API_PATHS:
                    return response.redirect("/login/code")
                return refuse(request)
        else:
            # Sliding idle expiry, capped so a session cannot be kept alive forever.
            hard_limit = session["created_at"] + timedelta(hours=MAX_SESSION_HOURS)
            if now >= hard_limit:
                store.delete_session(th)
                return refuse(request)
            if request.path in CODE_PATHS:
                return response.redirect("/")
            store.touch_session(th, min(now + ttl, hard_limit))
        request.ctx.session = session
        if request.method == "POST" and not tokens_equal(request.form.get("csrf_token"), session["csrf_token"]):
            return response.text("Invalid or missing form token; reload the page and try again.", status=403)
        return None

    @app.on_response
    async def security_headers(request: Request, resp: response.HTTPResponse):
        for header, value in SECURITY_HEADERS.items():
            resp.headers.setdefault(header, value)

    # --- errors: plain answers, never a 500 for a bad URL or a database that is down ---------

    @app.exception(NotFound)
    async def not_found(request: Request, exc: Exception):
        request.ctx.session = getattr(request.ctx, "session", None)
        return render(request, "not_found.html", status=404)

    @app.exception(MethodNotSupported)
    async def method_not_allowed(request: Request, exc: Exception):
        return response.text("Method not allowed.", status=405, headers=getattr(exc, "headers", None) or {})

    @app.exception(SQLAlchemyError)
    async def database_down(request: Request, exc: Exception):
        log.warning("lead database unavailable: %s", type(exc).__name__)
        return response.text("The lead database cannot be reached right now. Nothing was changed; "
                             "please try again in a minute.", status=503)

    @app.exception(InvalidToken)
    async def wrong_key(request: Request, exc: Exception):
        log.error("stored leads cannot be decrypted with the configured LEADS_KEY")
        return response.text("Stored leads cannot be read with this server's LEADS_KEY. "
                             "Ask the administrator to check the key.", status=503)

    # --- login / two-factor code / logout ---------------------------------------------------

    @app.get("/login")
    async def login_form(request: Request):
        return render(request, "login.html", error=_message(request.args.get("error", ""),
                                                            request.args.get("seconds")),
                      notice=_message("bye") if "bye" in request.args else None)

    @app.post("/login")
    async def login(request: Request):
        username = (request.form.get("username") or "").strip()[:64]
        password = request.form.get("password") or ""
        address = client_address(request)
        wait = app.ctx.throttle.retry_after(address, username)
        if wait > 0:
            store.audit(username or "-", "login_throttled")
            return see_other(f"/login?error=wait&seconds={math.ceil(wait)}")
        account = store.get_coordinator(username) if username else None
        if account is None or not account["is_active"]:
            burn_password_check(password)
            ok = False
        else:
            ok = verify_password(password, account["password_hash"])
        if not ok:
            app.ctx.throttle.record_failure(address, username)
            store.audit(username or "-", "login_failed")
            return see_other("/login?error=wrong")
        if account["totp_secret"]:
            return start_session(account, pending=True)
        if settings.require_totp:
            store.audit(account["username"], "login_no_2fa")
            return see_other("/login?error=no2fa")
        app.ctx.throttle.record_success(address, username)
        store.audit(account["username"], "login")
        return start_session(account, pending=False)

    @app.get("/login/code")
    async def code_form(request: Request):
        return render(request, "login_code.html", error=_message(request.args.get("error", ""),
                                                                 request.args.get("seconds")))

    @app.post("/login/code")
    async def code(request: Request):
        session = request.ctx.session
        username = session["username"]
        address = client_address(request)
        wait = app.ctx.throttle.retry_after(address, username)
        if wait > 0:
            store.audit(username, "login_throttled")
            return see_other(f"/login/code?error=wait&seconds={math.ceil(wait)}")
        account = store.get_coordinator(username)
        secret = (account or {}).get("totp_secret")
        step = matching_step(secret, request.form.get("code") or "", clock().timestamp()) if secret else None
        if step is None or not store.accept_totp_step(account["id"], step):
            app.ctx.throttle.record_failure(address, username)
            store.audit(username, "login_code_failed")
            return see_other("/login/code?error=code")
        store.delete_session(session["token_hash"])
        app.ctx.throttle.record_success(address, username)
        store.audit(username, "login")
        return start_session(account, pending=False)

    @app.post("/logout")
    async def logout(request: Request):
        session = request.ctx.session
        store.delete_session(session["token_hash"])
        store.audit(session["username"], "logout")
        resp = see_other("/login?bye=1")
        del resp.cookies[COOKIE]
        return resp

    # --- pages --------------------------------------------------------------------------------

    @app.get("/")
    async def inbox(request: Request):
        return render(request, "leads.html", leads=store.list_leads(include_contact=True))

    @app.get("/leads/<lead_id>")
    async def lead_page(request: Request, lead_id: str):
        number = parse_lead_id(lead_id)
        lead = store.get_lead(number) if number is not None else None
        if lead is None:
            return render(request, "not_found.html", status=404)
        store.audit(request.ctx.session["username"], "view", number)
        return render(
            request,
            "lead.html",
            lead=lead,
            summary=present.lead_summary(lead),
            next_statuses=store.allowed_transitions(lead["status"]),
            error=STATUS_ERRORS.get(request.args.get("error", "")),
            saved=request.args.get("saved") in ("note", "status"),
        )

    @app.post("/leads/<lead_id>/status")
    async def change_status(request: Request, lead_id: str):
        number = parse_lead_id(lead_id)
        if number is None:
            return render(request, "not_found.html", status=404)
        status = request.form.get("status") or ""
        note = request.form.get("note") or ""
        page = f"/leads/{number}"
        if status not in STATUSES:
            return see_other(f"{page}?error=transition")
        try:
            current = store.get_lead(number, include_contact=False, include_history=False)
            if current is None:
                raise LeadNotFound(number)
            store.set_status(number, status, note, request.ctx.session["username"])
        except LeadNotFound:
            return render(request, "not_found.html", status=404)
        except InvalidTransition as exc:
            code = "conflict" if "someone else" in str(exc) else ("note" if "add a note" in str(exc) else "transition")
            return see_other(f"{page}?error={code}")
        except LeadValidationError:
            return see_other(f"{page}?error=note")
        return see_other(f"{page}?saved={'note' if status == current['status'] else 'status'}")

    @app.get("/funnel")
    async def funnel(request: Request):
        counts = store.funnel_counts()
        return render(request, "funnel.html", bars=funnel_svg_bars(counts), height=10 + 34 * len(FUNNEL_STAGES))

    @app.get("/audit")
    async def audit_page(request: Request):
        return render(request, "audit.html", entries=store.audit_log(limit=500))

    # --- exports ------------------------------------------------------------------------------

    def exported(request: Request, fmt: str) -> List[Dict[str, Any]]:
        leads = store.list_leads(include_contact=True, include_history=True)
        actor = request.ctx.session["username"]
        if leads:
            store.audit_many(actor, "export", [lead["id"] for lead in leads], fmt)
        else:
            store.audit(actor, "export", None, f"{fmt} (no leads)")
        return leads

    def attachment(fmt: str) -> Dict[str, str]:
        stamp = clock().astimezone(tz).strftime("%Y%m%d-%H%M%S")
        return {"Content-Disposition": f'attachment; filename="leads-{stamp}.{fmt}"'}

    @app.get("/export.csv")
    async def export_csv(request: Request):
        body = csv_text(exported(request, "csv"), tz)
        return response.text(body, content_type="text/csv; charset=utf-8", headers=attachment("csv"))

    @app.get("/export.json")
    async def export_json(request: Request):
        body = json_text(exported(request, "json"), settings.trial_id)
        return response.text(body, content_type="application/json; charset=utf-8", headers=attachment("json"))

    # --- static files and the purge timer ------------------------------------------------------

    app.static("/static/inbox.css", str(HERE / "static" / "inbox.css"), name="inbox_css")
    app.static("/static/favicon.svg", str(HERE / "static" / "favicon.svg"), name="inbox_icon")

    @app.get("/favicon.ico")
    async def favicon(request: Request):
        return response.redirect("/static/favicon.svg", status=301)

    def purge_once() -> Dict[str, int]:
        counts = {"sessions": store.purge_expired_sessions(clock()), "drafts": store.purge_expired_drafts(clock())}
        if any(counts.values()):
            log.info("purged %d expired session(s) and %d expired contact draft(s)", counts["sessions"], counts["drafts"])
        return counts

    async def purge_forever() -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                await loop.run_in_executor(None, purge_once)
            except Exception as exc:  # noqa: BLE001 - the next round tries again
                log.warning("purge failed: %s", type(exc).__name__)
            await asyncio.sleep(settings.purge_interval_seconds)

    @app.after_server_start
    async def start_purging(app_: Sanic, loop) -> None:
        app_.ctx.purge_task = loop.create_task(purge_forever())

    @app.before_server_stop
    async def stop_purging(app_: Sanic, loop) -> None:
        task = getattr(app_.ctx, "purge_task", None)
        if task is not None:
            task.cancel()

    app.ctx.purge_once = purge_once
    return app
