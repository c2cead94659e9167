"""The coordinator inbox: a small Sanic app over the lead store.

Separate from the patient-facing Rasa server on purpose: it listens on its own port (loopback by
default), has its own login, and nothing in the conversation side links to it, so the public
side has no route to coordinator data. Every route except ``/login`` (and the stylesheet) needs a
valid, unexpired server-side session; pages redirect to the login, exports and POSTs get 401.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Sanic, response
from sanic.request import Request

from bot.coordinator.auth import (
    LoginThrottle,
    burn_password_check,
    hash_token,
    new_token,
    tokens_equal,
    verify_password,
)
from bot.leads.models import utcnow
from bot.leads.store import (
    FUNNEL_STAGES,
    STATUSES,
    InvalidTransition,
    LeadNotFound,
    LeadStore,
    LeadValidationError,
)
from bot.settings import Settings

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
COOKIE = "coordinator_session"
MAX_SESSION_HOURS = 12  # absolute cap on a session, however active
PUBLIC_PATHS = {"/login", "/static/inbox.css"}
API_PATHS = ("/export.csv", "/export.json")

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
}

STATUS_LABELS = {
    "new": "New",
    "contacted": "Contacted",
    "screening_scheduled": "Screening scheduled",
    "enrolled": "Enrolled",
    "not_enrolled": "Not enrolled",
}
OUTCOME_LABELS = {"likely_eligible": "Likely eligible", "needs_review": "Needs review"}
VERDICT_LABELS = {
    "pass": "Pass",
    "fail": "Fail",
    "unknown": "Unknown",
    "pending": "Not asked",
    "confirmed_by_study_doctor": "Confirmed by the study doctor",
}
FUNNEL_LABELS = {
    "started": "Conversations started",
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
    "note": "Add a note, or choose a different status.",
    "conflict": "The lead was changed by someone else; reload and try again.",
}

TYPED_CONTACT_FIELDS = ("name", "wechat", "time")
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_safe(value: Any) -> Any:
    """Neutralise spreadsheet formulas: a text cell starting with = + - @ tab or CR (also after
    leading spaces, and their full-width forms) gets a leading single quote."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    if value.lstrip(" ").startswith(FORMULA_TRIGGERS) or value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _answers_text(answers: Dict[str, Any]) -> str:
    return "; ".join(f"{slot}={value}" for slot, value in (answers or {}).items())


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat(timespec="seconds")


def funnel_svg_bars(counts: Dict[str, int], width: int = 520) -> List[Dict[str, Any]]:
    """Bar geometry for the funnel chart, computed here so the SVG needs no script or style."""
    top = max([1, *counts.values()])
    bars = []
    for i, stage in enumerate(FUNNEL_STAGES):
        n = int(counts.get(stage, 0))
        bars.append(
            {
                "stage": stage,
                "label": FUNNEL_LABELS[stage],
                "count": n,
                "y": 10 + i * 34,
                "width": max(2, round(width * n / top)) if n else 0,
            }
        )
    return bars


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
    app.ctx.settings = settings
    app.ctx.store = store
    app.ctx.throttle = throttle or LoginThrottle()

    jinja = Environment(
        loader=FileSystemLoader(str(HERE / "templates")),
        autoescape=select_autoescape(enabled_extensions=("html", "svg"), default_for_string=True, default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    jinja.globals.update(
        STATUS_LABELS=STATUS_LABELS,
        OUTCOME_LABELS=OUTCOME_LABELS,
        VERDICT_LABELS=VERDICT_LABELS,
        trial_title=settings.trial_title,
        trial_id=settings.trial_id,
    )
    jinja.filters["answers_text"] = _answers_text
    jinja.filters["iso"] = _iso
    ttl = timedelta(minutes=settings.session_ttl_minutes)

    def render(request: Request, template: str, status: int = 200, **context: Any) -> response.HTTPResponse:
        session = getattr(request.ctx, "session", None)
        body = jinja.get_template(template).render(
            session=session, csrf_token=session["csrf_token"] if session else None, **context
        )
        return response.html(body, status=status)

    def refuse(request: Request) -> response.HTTPResponse:
        if request.method in ("GET", "HEAD") and request.path not in API_PATHS:
            return response.redirect("/login")
        return response.text("Login required.", status=401)

    def token_hash(token: str) -> str:
        return hash_token(settings.session_secret, token)

    # --- middleware ---------------------------------------------------------------------------

    @app.on_request
    async def authenticate(request: Request):
        request.ctx.session = None
        if request.method == "POST":
            origin = request.headers.get("origin")
            if origin and origin != "null" and urlsplit(origin).netloc != request.host:
                return response.text("Cross-origin request refused.", status=403)
            if origin == "null":
                return response.text("Cross-origin request refused.", status=403)
        if request.path in PUBLIC_PATHS:
            return None
        token = request.cookies.get(COOKIE)
        if not token:
            return refuse(request)
        now = clock()
        th = token_hash(token)
        session = store.get_session(th, now)
        if session is None:
            return refuse(request)
        # Sliding idle expiry, capped so a session cannot be kept alive forever.
        hard_limit = session["created_at"] + timedelta(hours=MAX_SESSION_HOURS)
        if now >= hard_limit:
            store.delete_session(th)
            return refuse(request)
        store.touch_session(th, min(now + ttl, hard_limit))
        session["token_hash"] = th
        request.ctx.session = session
        if request.method == "POST" and not tokens_equal(request.form.get("csrf_token"), session["csrf_token"]):
            return response.text("Invalid or missing form token; reload the page and try again.", status=403)
        return None

    @app.on_response
    async def security_headers(request: Request, resp: response.HTTPResponse):
        for header, value in SECURITY_HEADERS.items():
            resp.headers.setdefault(header, value)

    # --- login / logout -----------------------------------------------------------------------

    @app.get("/login")
    async def login_form(request: Request):
        return render(request, "login.html")

    @app.post("/login")
    async def login(request: Request):
        username = (request.form.get("username") or "").strip()
        password = request.form.get("password") or ""
        throttle_ = app.ctx.throttle
        if throttle_.is_locked(username):
            store.audit(username[:64] or "-", "login_locked")
            return render(request, "login.html", status=429, error="Too many failed attempts. Try again later.")
        account = store.get_coordinator(username) if username else None
        if account is None or not account["is_active"]:
            burn_password_check(password)
            ok = False
        else:
            ok = verify_password(password, account["password_hash"])
        if not ok:
            throttle_.record_failure(username)
            store.audit(username[:64] or "-", "login_failed")
            return render(request, "login.html", status=401, error="Wrong username or password.")
        throttle_.reset(username)
        token, csrf = new_token(), new_token()
        now = clock()
        store.create_session(token_hash(token), account["id"], account["username"], csrf, now + ttl)
        store.audit(account["username"], "login")
        resp = response.redirect("/", status=303)
        resp.cookies[COOKIE] = token
        cookie = resp.cookies[COOKIE]
        cookie["httponly"] = True
        cookie["samesite"] = "Strict"
        cookie["path"] = "/"
        if settings.secure_cookies:
            cookie["secure"] = True
        return resp

    @app.post("/logout")
    async def logout(request: Request):
        session = request.ctx.session
        store.delete_session(session["token_hash"])
        store.audit(session["username"], "logout")
        resp = response.redirect("/login", status=303)
        del resp.cookies[COOKIE]
        return resp

    # --- pages --------------------------------------------------------------------------------

    @app.get("/")
    async def inbox(request: Request):
        leads = store.list_leads(include_contact=True)
        return render(request, "leads.html", leads=leads)

    @app.get("/leads/<lead_id:int>")
    async def lead_page(request: Request, lead_id: int):
        lead = store.get_lead(lead_id)
        if lead is None:
            return render(request, "not_found.html", status=404)
        actor = request.ctx.session["username"]
        store.audit(actor, "view", lead_id)
        error = STATUS_ERRORS.get(request.args.get("error", ""))
        return render(
            request,
            "lead.html",
            lead=lead,
            next_statuses=store.allowed_transitions(lead["status"]),
            error=error,
        )

    @app.post("/leads/<lead_id:int>/status")
    async def change_status(request: Request, lead_id: int):
        status = request.form.get("status") or ""
        note = request.form.get("note") or ""
        actor = request.ctx.session["username"]
        if status not in STATUSES:
            return response.redirect(f"/leads/{lead_id}?error=transition", status=303)
        try:
            store.set_status(lead_id, status, note, actor)
        except LeadNotFound:
            return render(request, "not_found.html", status=404)
        except InvalidTransition as exc:
            code = "conflict" if "someone else" in str(exc) else ("note" if "add a note" in str(exc) else "transition")
            return response.redirect(f"/leads/{lead_id}?error={code}", status=303)
        except LeadValidationError:
            return response.redirect(f"/leads/{lead_id}?error=note", status=303)
        return response.redirect(f"/leads/{lead_id}", status=303)

    @app.get("/funnel")
    async def funnel(request: Request):
        counts = store.funnel_counts()
        return render(request, "funnel.html", bars=funnel_svg_bars(counts), height=10 + 34 * len(FUNNEL_STAGES))

    @app.get("/audit")
    async def audit_page(request: Request):
        return render(request, "audit.html", entries=store.audit_log(limit=500))

    # --- exports ------------------------------------------------------------------------------

    def export_rows(leads: Iterable[Dict[str, Any]]) -> tuple:
        leads = list(leads)
        criterion_ids: List[str] = []
        for lead in leads:
            for row in lead["packet"]:
                if row.get("id") not in criterion_ids:
                    criterion_ids.append(str(row.get("id")))
        header = [
            "lead_id", "created_at", "updated_at", "status", "outcome", "trial_id", "conversation_id",
            "respondent", "language", "name", "phone", "email", "wechat", "preferred_time",
            "failed_criteria", "unknown_criteria", "documents_needed",
            *[f"{cid}_verdict" for cid in criterion_ids],
            *[f"{cid}_answers" for cid in criterion_ids],
        ]
        rows = []
        for lead in leads:
            by_id = {str(r.get("id")): r for r in lead["packet"]}
            contact = lead.get("contact") or {}
            rows.append(
                [
                    lead["id"], _iso(lead["created_at"]), _iso(lead["updated_at"]), lead["status"], lead["outcome"],
                    lead["trial_id"], lead["conversation_id"], lead["respondent"], lead["language"],
                    contact.get("name"), contact.get("phone"), contact.get("email"), contact.get("wechat"),
                    contact.get("time"),
                    " ".join(lead["failed_criteria"]), " ".join(lead["unknown_criteria"]),
                    "; ".join(f"{d['id']}: {d['documents']}" for d in lead["unknown_documents"]),
                    *[by_id.get(cid, {}).get("verdict", "") for cid in criterion_ids],
                    *[_answers_text(by_id.get(cid, {}).get("answers") or {}) for cid in criterion_ids],
                ]
            )
        return header, rows

    def audit_export(request: Request, leads: List[Dict[str, Any]], fmt: str) -> None:
        actor = request.ctx.session["username"]
        if leads:
            store.audit_many(actor, "export", [lead["id"] for lead in leads], fmt)
        else:
            store.audit(actor, "export", None, f"{fmt} (no leads)")

    def attachment(fmt: str) -> Dict[str, str]:
        stamp = clock().strftime("%Y%m%d-%H%M%S")
        return {"Content-Disposition": f'attachment; filename="leads-{stamp}.{fmt}"'}

    @app.get("/export.csv")
    async def export_csv(request: Request):
        leads = store.list_leads(include_contact=True)
        audit_export(request, leads, "csv")
        header, rows = export_rows(leads)
        buf = io.StringIO()
        writer = csv.writer(buf, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([csv_safe(cell) for cell in row])
        # The BOM makes spreadsheet programs read Chinese and Spanish names as UTF-8.
        return response.text("\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8", headers=attachment("csv"))

    @app.get("/export.json")
    async def export_json(request: Request):
        leads = store.list_leads(include_contact=True)
        audit_export(request, leads, "json")
        # Free text a person typed is neutralised here too: JSON exports end up in spreadsheets.
        payload = [
            {
                **{k: v for k, v in lead.items() if k not in ("created_at", "updated_at")},
                "contact": {k: csv_safe(v) if k in TYPED_CONTACT_FIELDS else v
                            for k, v in (lead.get("contact") or {}).items()},
                "created_at": _iso(lead["created_at"]),
                "updated_at": _iso(lead["updated_at"]),
            }
            for lead in leads
        ]
        body = json.dumps({"trial_id": settings.trial_id, "leads": payload}, ensure_ascii=False, indent=2)
        return response.text(body, content_type="application/json; charset=utf-8", headers=attachment("json"))

    app.static("/static/inbox.css", str(HERE / "static" / "inbox.css"), name="inbox_css")
    return app
