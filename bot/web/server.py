"""The patient and guardian chat page: a small Sanic app.

It serves the built page (``web/dist/``: HTML, one bundled script, one stylesheet, an icon) and
relays the page's socket.io WebSocket at ``/socket.io/`` to Rasa's socketio channel, so the page
only ever talks to its own origin: the Content-Security-Policy can say ``connect-src 'self'``,
Rasa's port never has to be reachable from a browser, and no CORS setting is involved.

The relay is a plain WebSocket pipe: frames go through unchanged, nothing is parsed, stored or
logged (no access log either). A WebSocket from another origin, or without a valid session
cookie, is refused before the handshake; the session token (``bot.sessions``) goes to Rasa in the
``X-Prescreen-Session`` header, and Rasa's channel uses the conversation it names. The cookie is
issued by ``POST /session`` and, with a resume code, ``POST /resume`` (``bot.web.session_routes``).

Run it with ``python -m bot.web.server``. Environment:

``WEB_HOST``    where to listen, default ``127.0.0.1``
``WEB_PORT``    default ``8080``
``RASA_URL``    Rasa's base URL, default ``http://127.0.0.1:${RASA_PORT:-5005}``
``WEB_DIST``    the built page, default ``<repo>/web/dist`` (``make web`` builds it)
``WEB_SESSION_SECRET``  signs sessions (shared with Rasa and the action server; see bot.sessions)
``CONVERSATION_RETENTION_DAYS``  how long a session lasts without use, default 30
``WEB_COOKIE_SECURE``   1 to always mark the cookie Secure (default: when the page came over HTTPS)
``WEB_PROXIES_COUNT``   how many proxies in front to trust for X-Forwarded-For (rate limits)
``DATABASE_URL``        where resume codes are (the lead store's database)
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import logging
import os
import re
from pathlib import Path
from typing import Callable, Dict, Iterable, Optional, Tuple
from urllib.parse import urlsplit

import websockets
from sanic import Sanic, response
from sanic.request import Request

from bot.sessions import RELAY_HEADER, SessionSigner
from bot.web.session_routes import add_session_routes, cookie_secure_setting, proxies_count, session_from

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DIST = ROOT / "web" / "dist"
SOCKET_PATH = "/socket.io/"
MAX_FRAME = 64 * 1024  # a 2000-character message is at most ~8 KB of socket.io JSON
UPSTREAM_OPEN_TIMEOUT = 10

# name -> content type. Only these files are ever served.
ASSETS: Dict[str, str] = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
    "favicon.svg": "image/svg+xml",
}
ROUTES = {"/": "index.html", "/index.html": "index.html", "/app.js": "app.js", "/app.css": "app.css",
          "/favicon.svg": "favicon.svg"}

_HOST = re.compile(r"^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$")
_names = itertools.count(1)


def content_security_policy(host: Optional[str] = None) -> str:
    """The page's CSP. ``'self'`` covers the relay; ws://host is listed too for older browsers."""
    connect = "'self'"
    if host and _HOST.match(host):
        connect += f" ws://{host} wss://{host}"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        f"connect-src {connect}; font-src 'none'; object-src 'none'; media-src 'none'; "
        "frame-src 'none'; worker-src 'none'; manifest-src 'none'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'; require-trusted-types-for 'script'; trusted-types 'none'"
    )


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()",
}


def upstream_socket_url(rasa_url: str) -> str:
    """ws(s)://host:port/socket.io/ for Rasa's base URL."""
    parts = urlsplit(rasa_url if "://" in rasa_url else f"http://{rasa_url}")
    if parts.scheme not in ("http", "https", "ws", "wss") or not parts.netloc:
        raise ValueError(f"RASA_URL must look like http://127.0.0.1:5005, not {rasa_url!r}")
    scheme = "wss" if parts.scheme in ("https", "wss") else "ws"
    return f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}{SOCKET_PATH}"


def load_assets(dist: Path) -> Dict[str, Tuple[bytes, str]]:
    """Every served file read once: name -> (body, etag)."""
    missing = [name for name in ASSETS if not (dist / name).is_file()]
    if missing:
        raise FileNotFoundError(
            f"The web page is not built ({', '.join(missing)} missing in {dist}): "
            "run `npm ci && npm run build` in web/ (or `make web`)."
        )
    assets = {}
    for name in ASSETS:
        body = (dist / name).read_bytes()
        assets[name] = (body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
    return assets


def same_origin(request: Request, allowed: Iterable[str] = ()) -> bool:
    """Whether a browser request comes from this page. No Origin header: not a browser, allowed."""
    origin = request.headers.get("origin")
    if origin is None:
        return True
    host = request.headers.get("host", "")
    return origin in {f"http://{host}", f"https://{host}", *allowed}


async def _pipe_browser_to_rasa(browser, upstream) -> None:
    while True:
        message = await browser.recv()
        if message is None:  # Sanic 21.12 returns None when the socket closes
            return
        await upstream.send(message)


async def _pipe_rasa_to_browser(upstream, browser) -> None:
    async for message in upstream:
        await browser.send(message)


def _default_codes() -> Callable:
    """bot.resume's codes, opened on the first "Continue with a code" (the page works without them)."""
    def codes():
        from bot import resume

        return resume.default_codes()

    return codes


def create_app(rasa_url: str, dist: Optional[Path] = None, *, name: Optional[str] = None,
               extra_origins: Iterable[str] = (), signer: Optional[SessionSigner] = None,
               codes: Optional[Callable] = None) -> Sanic:
    """The page server. ``rasa_url`` is Rasa's base URL (http://127.0.0.1:5005)."""
    upstream_base = upstream_socket_url(rasa_url)
    assets = load_assets(Path(dist) if dist else DEFAULT_DIST)
    allowed = tuple(extra_origins)
    signer = signer or SessionSigner.from_env()

    app = Sanic(name or f"prescreen_web_{next(_names)}", configure_logging=False)
    app.config.FALLBACK_ERROR_FORMAT = "text"
    app.config.REQUEST_MAX_SIZE = 16 * 1024  # the page GETs, and POSTs a few bytes of JSON
    app.config.WEBSOCKET_MAX_SIZE = MAX_FRAME
    app.config.KEEP_ALIVE_TIMEOUT = 5
    app.config.PROXIES_COUNT = proxies_count()
    app.ctx.upstream = upstream_base
    add_session_routes(app, signer, codes or _default_codes(), lambda request: same_origin(request, allowed),
                       max(1, round(signer.lifetime_s / 86400)), cookie_secure_setting())

    def asset(name: str):
        async def handler(request: Request) -> response.HTTPResponse:
            body, etag = assets[name]
            headers = {"ETag": etag, "Cache-Control": "no-cache"}
            if request.headers.get("if-none-match") == etag:
                return response.empty(status=304, headers=headers)
            return response.raw(body, content_type=ASSETS[name], headers=headers)

        handler.__name__ = f"asset_{name.replace('.', '_')}"
        return handler

    for path, file_name in ROUTES.items():
        app.add_route(asset(file_name), path, methods=["GET", "HEAD"], name=f"asset_{path.strip('/').replace('.', '_') or 'root'}")

    @app.get("/healthz", name="healthz")
    async def healthz(_: Request) -> response.HTTPResponse:
        return response.json({"status": "ok"}, headers={"Cache-Control": "no-store"})

    @app.middleware("request")
    async def guard_socket(request: Request):
        if not request.path.startswith("/socket.io"):
            return None
        if not same_origin(request, allowed):
            return response.text("Origin not allowed", status=403)
        if request.headers.get("upgrade", "").lower() != "websocket":
            # The page uses the WebSocket transport only; HTTP long-polling is not relayed.
            return response.text("WebSocket only", status=400)
        if session_from(request, signer) is None:
            # The page asks POST /session for one and connects again.
            return response.text("No session: reload the page", status=401)
        return None

    @app.websocket(SOCKET_PATH, name="socket_relay")
    async def socket_relay(request: Request, browser) -> None:
        url = upstream_base + (f"?{request.query_string}" if request.query_string else "")
        session = session_from(request, signer)  # checked by guard_socket; checked again by Rasa
        if session is None:  # expired in between
            await browser.close(code=1008, reason="no session")
            return
        try:
            upstream = await websockets.connect(
                url, open_timeout=UPSTREAM_OPEN_TIMEOUT, max_size=MAX_FRAME, compression=None,
                ping_interval=20, ping_timeout=20, extra_headers={RELAY_HEADER: session.token},
            )
        except (OSError, asyncio.TimeoutError, websockets.WebSocketException) as exc:
            log.warning("Rasa's socket.io endpoint is not reachable: %s", exc.__class__.__name__)
            await browser.close(code=1013, reason="assistant unavailable")
            return
        tasks = [
            asyncio.ensure_future(_pipe_browser_to_rasa(browser, upstream)),
            asyncio.ensure_future(_pipe_rasa_to_browser(upstream, browser)),
        ]
        try:
            done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                task.cancel()
            for task in done:
                exc = task.exception()
                if exc is not None and not isinstance(exc, (websockets.ConnectionClosed, asyncio.CancelledError)):
                    log.info("socket relay ended: %s", exc.__class__.__name__)
        finally:
            for task in tasks:
                task.cancel()
            await upstream.close()
            await browser.close()

    @app.middleware("response")
    async def security_headers(request: Request, resp: response.HTTPResponse):
        if resp is None:
            return
        for key, value in SECURITY_HEADERS.items():
            resp.headers.setdefault(key, value)
        resp.headers.setdefault("Content-Security-Policy", content_security_policy(request.headers.get("host")))
        resp.headers.setdefault("Cache-Control", "no-store")

    return app


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    host = os.environ.get("WEB_HOST", "127.0.0.1")
    port = int(os.environ.get("WEB_PORT", "8080"))
    rasa_url = os.environ.get("RASA_URL") or f"http://127.0.0.1:{os.environ.get('RASA_PORT', '5005')}"
    dist = Path(os.environ["WEB_DIST"]) if os.environ.get("WEB_DIST") else None
    try:
        app = create_app(rasa_url, dist, name="prescreen_web")
    except FileNotFoundError as exc:
        raise SystemExit(str(exc)) from None
    print(f"Patient web page: http://{host}:{port}/ (assistant at {rasa_url})", flush=True)
    # workers=1 serves in this process; no access log: who asked what is nobody's business here.
    app.run(host=host, port=port, workers=1, access_log=False, motd=False, auto_reload=False)


if __name__ == "__main__":
    main()
