"""Browser-facing protections of the inbox: response headers and the cross-site check on POSTs.

CSRF is refused three ways, each enough on its own in a modern browser: the session cookie is
``SameSite=Strict``; every form carries the session's token; and a POST is refused when the
browser says it is cross-site, by ``Sec-Fetch-Site`` (anything but ``same-origin``, or ``none`` for
a user's own navigation) or by an ``Origin`` that is not the inbox's own. The referrer policy is
``same-origin``: with ``no-referrer`` Chromium sends ``Origin: null`` on same-origin form posts,
which no check can tell from a sandboxed attacker, and every form failed.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from sanic.request import Request

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
}
SAME_SITE_FETCH = ("same-origin", "none")


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def own_origins(request: Request, base_url: str) -> set:
    """The inbox as the browser sees it: the configured public URL and the request's own host."""
    return {origin_of(base_url), f"{request.scheme}://{request.host}".lower()}


def cross_site(request: Request, base_url: str) -> bool:
    """True when the browser says this POST did not come from the inbox's own pages."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site.strip().lower() not in SAME_SITE_FETCH:
        return True
    origin = request.headers.get("origin")
    if origin is None:  # not sent by old browsers and HTTP clients: the token decides
        return False
    return origin.strip().lower() == "null" or origin_of(origin.strip()) not in own_origins(request, base_url)


def client_address(request: Request) -> str:
    """The client's address for throttling: behind ``INBOX_PROXIES_COUNT`` proxies, the one they
    forwarded; otherwise the peer."""
    return request.remote_addr or request.ip or "-"
