"""The rasa_sdk action server, on loopback, refusing calls without the shared secret header.

rasa_sdk 3.6 has no authentication of its own. Rasa sends the header from endpoints.yml
(`X-Action-Token: ${ACTION_SERVER_TOKEN}`); this server compares it in constant time and answers
403 otherwise. `/health` stays open so that supervisors can check it.

    ACTION_SERVER_TOKEN=... python -m bot.action_server --port 5055
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os

from rasa_sdk.endpoint import create_app
from sanic import response

HEADER = "X-Action-Token"
logger = logging.getLogger(__name__)


def build_app(token: str, action_package: str = "actions"):
    if not token:
        raise SystemExit("ACTION_SERVER_TOKEN must be set: the action server refuses unauthenticated calls")
    app = create_app(action_package, cors_origins=[])

    @app.middleware("request")
    async def require_token(request):
        if request.path == "/health":
            return None
        given = request.headers.get(HEADER, "")
        if not hmac.compare_digest(given.encode(), token.encode()):
            return response.json({"error": "forbidden"}, status=403)
        return None

    return app


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("ACTION_PORT", "5055")))
    parser.add_argument("--host", default=os.environ.get("BIND_HOST", "127.0.0.1"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = build_app(os.environ.get("ACTION_SERVER_TOKEN", ""))
    app.run(host=args.host, port=args.port, workers=1, access_log=False, motd=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
