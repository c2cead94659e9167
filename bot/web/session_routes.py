"""The page server's session routes: the cookie that binds a browser to its conversation, and
"Continue with a code".

``POST /session``  keeps the browser's session (renewing its expiry) or starts a new conversation
                   when there is none, it has expired, or the body says ``{"fresh": true}`` (after
                   "Delete my answers"). Answers ``{"tag", "retention_days"}``.
``POST /resume``   ``{"code": "ABCD-2345"}``: redeems a resume code (``bot.resume``) and, when it is
                   right, binds this browser to that conversation. A wrong code gets 400, too many
                   tries 429 with ``retry_after`` seconds, a database that is down 503.

The cookie is HttpOnly (scripts never see it), SameSite=Strict (other sites' pages cannot send it)
and Secure over HTTPS. The session is fetched by the page's own script rather than set on
``GET /``: a Strict cookie is not sent when someone follows a link from another site, and
setting one then would silently start them a new conversation. Both routes take JSON from this
page's origin only, so another site cannot bind someone's browser to a conversation it knows the
code of.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import Callable, Optional

from sanic import response
from sanic.request import Request

from bot.sessions import COOKIE_NAME, Session, SessionSigner

log = logging.getLogger(__name__)

NO_STORE = {"Cache-Control": "no-store"}


def session_from(request: Request, signer: SessionSigner) -> Optional[Session]:
    """The browser's valid session, if it sent one."""
    return signer.verify(request.cookies.get(COOKIE_NAME))


def client_address(request: Request) -> str:
    """Who is guessing: the peer, or the proxy's X-Forwarded-For when WEB_PROXIES_COUNT trusts it."""
    return request.remote_addr or request.ip or "unknown"


def add_session_routes(app, signer: SessionSigner, codes: Callable, origin_ok: Callable[[Request], bool],
                       retention_days: int, secure: Optional[bool] = None) -> None:
    """Registers /session and /resume. `codes()` gives the bot.resume.ResumeCodes to use."""

    def refuse(request: Request) -> Optional[response.HTTPResponse]:
        if request.headers.get("origin") is not None and not origin_ok(request):
            return response.json({"error": "origin"}, status=403, headers=NO_STORE)
        if (request.content_type or "").split(";")[0].strip().lower() != "application/json":
            return response.json({"error": "json"}, status=415, headers=NO_STORE)
        return None

    def body(request: Request) -> dict:
        try:
            data = request.json
        except Exception:  # noqa: BLE001 - malformed JSON is an empty request here
            return {}
        return data if isinstance(data, dict) else {}

    def bound(request: Request, session: Session) -> response.HTTPResponse:
        resp = response.json({"tag": signer.tag(session.conversation_id), "retention_days": retention_days},
                             headers=NO_STORE)
        resp.cookies[COOKIE_NAME] = session.token
        cookie = resp.cookies[COOKIE_NAME]
        cookie["httponly"] = True
        cookie["samesite"] = "Strict"
        cookie["path"] = "/"
        cookie["max-age"] = signer.lifetime_s
        if secure if secure is not None else request.scheme in ("https", "wss"):
            cookie["secure"] = True
        return resp

    @app.post("/session", name="session")
    async def session(request: Request) -> response.HTTPResponse:
        refused = refuse(request)
        if refused:
            return refused
        current = None if body(request).get("fresh") is True else session_from(request, signer)
        return bound(request, signer.issue(current.conversation_id if current else None))

    @app.post("/resume", name="resume")
    async def resume(request: Request) -> response.HTTPResponse:
        refused = refuse(request)
        if refused:
            return refused
        code = body(request).get("code")
        loop = asyncio.get_running_loop()
        try:
            result = await loop.run_in_executor(None, lambda: codes().attempt(code, client_address(request)))
        except Exception as error:  # noqa: BLE001 - the database is down: say so, keep the session
            log.warning("resume codes unavailable: %s", type(error).__name__)
            return response.json({"error": "unavailable"}, status=503, headers=NO_STORE)
        if result.reason == "limited":
            return response.json({"error": "limited", "retry_after": result.retry_after_s}, status=429,
                                 headers={**NO_STORE, "Retry-After": str(result.retry_after_s)})
        if result.conversation_id is None:
            return response.json({"error": result.reason}, status=400, headers=NO_STORE)
        return bound(request, signer.issue(result.conversation_id))


def cookie_secure_setting(environ=None) -> Optional[bool]:
    """WEB_COOKIE_SECURE=1/0 forces the Secure flag; unset: Secure whenever the page came over HTTPS."""
    raw = ((environ if environ is not None else os.environ).get("WEB_COOKIE_SECURE") or "").strip().lower()
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    return None


def proxies_count(environ=None) -> Optional[int]:
    raw = ((environ if environ is not None else os.environ).get("WEB_PROXIES_COUNT") or "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else None
