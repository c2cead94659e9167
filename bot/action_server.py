"""The rasa_sdk action server, on loopback, refusing calls without the shared secret header.

rasa_sdk 3.6 has no authentication of its own. Rasa sends the header from endpoints.yml
(`X-Action-Token: ${ACTION_SERVER_TOKEN}`); this server compares it in constant time and answers
403 otherwise. `/health` stays open (GET only) so that supervisors can check it. rasa_sdk turns
every error into a 500; here a wrong method is a 405 and an unknown path a 404. What people say
and their contact details are kept out of the logs (``bot.logs``).

    ACTION_SERVER_TOKEN=... python -m bot.action_server --port 5055 [--log-level DEBUG]
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os

from rasa_sdk.endpoint import create_app
from sanic import response
from sanic.exceptions import MethodNotSupported, NotFound

from bot import logs

HEADER = "X-Action-Token"
logger = logging.getLogger(__name__)


def _remember_tracker_texts(request) -> None:
    """The message and contact details this call carries, kept out of every log line it causes."""
    try:
        tracker = (request.json or {}).get("tracker") or {}
    except Exception:  # noqa: BLE001 - rasa_sdk answers a malformed body itself
        return
    latest = tracker.get("latest_message") or {}
    slots = tracker.get("slots") or {}
    logs.remember(latest.get("text"), *(v for k, v in slots.items() if str(k).startswith("contact_")))


def build_app(token: str, action_package: str = "actions"):
    if not token:
        raise SystemExit("ACTION_SERVER_TOKEN must be set: the action server refuses unauthenticated calls")
    app = create_app(action_package, cors_origins=[])

    @app.middleware("request")
    async def require_token(request):
        if request.path == "/health" or request.route is None:
            return None  # no route: the 404/405 handlers answer, nothing runs
        given = request.headers.get(HEADER, "")
        if not hmac.compare_digest(given.encode(), token.encode()):
            return response.json({"error": "forbidden"}, status=403)
        if request.path == "/webhook":
            _remember_tracker_texts(request)
        return None

    @app.exception(MethodNotSupported)
    async def method_not_allowed(request, exc):
        return response.json({"error": "method not allowed"}, status=405, headers=getattr(exc, "headers", None) or {})

    @app.exception(NotFound)
    async def not_found(request, exc):
        return response.json({"error": "not found"}, status=404)

    return app


def warm_up() -> None:
    """Reads a message in each language before the first person is served: the lexicons and
    matchers load on first use, and on a busy machine the first reply otherwise came after the
    channel's turn timeout ("something went wrong" to a first "yes please")."""
    from bot.trial import TRIAL
    from bot.understanding.interpret import Message, OpenQuestion, interpret

    for lang, text in (("en", "yes, he is 31"), ("zh", "是的，31岁"), ("es", "sí, tiene 31 años")):
        for slot in ("patient_age", "respondent", "b_all_diagnosis", "ecog", "contact_details"):
            interpret(Message(text=text, language=lang), OpenQuestion.of(TRIAL, slot), TRIAL, {})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("ACTION_PORT", "5055")))
    parser.add_argument("--host", default=os.environ.get("BIND_HOST", "127.0.0.1"))
    parser.add_argument("--log-level", default=os.environ.get("ACTION_LOG_LEVEL", "INFO"),
                        choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    args = parser.parse_args()
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logs.install()
    app = build_app(os.environ.get("ACTION_SERVER_TOKEN", ""))
    warm_up()
    app.run(host=args.host, port=args.port, workers=1, access_log=False, motd=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
