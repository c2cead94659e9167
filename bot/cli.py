"""Operator commands: ``python -m bot.cli {db-upgrade,add-coordinator,serve-coordinator,...}``.

One entry point so ``make run`` and deployment scripts use the same settings (``bot.settings``)
as the action server.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import re
import sys
from typing import Sequence

from bot.settings import Settings

USERNAME_RE = re.compile(r"^[A-Za-z0-9._@-]{2,64}$")


def _store(settings: Settings):
    from bot.leads.store import LeadStore

    return LeadStore(settings)


def cmd_db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    from bot.leads.migrate import upgrade

    upgrade(settings.database_url, args.revision, configure_logging=True)
    return 0


def _read_password(args: argparse.Namespace) -> str | None:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    second = getpass.getpass("Repeat password: ")
    if first != second:
        print("Passwords do not match.", file=sys.stderr)
        return None
    return first


def cmd_add_coordinator(settings: Settings, args: argparse.Namespace) -> int:
    from bot.coordinator.auth import MIN_PASSWORD_LENGTH, hash_password
    from bot.leads.store import CoordinatorExists

    if not USERNAME_RE.match(args.username):
        print("Username: 2-64 letters, digits or . _ @ -", file=sys.stderr)
        return 2
    password = _read_password(args)
    if password is None:
        return 2
    if len(password) < MIN_PASSWORD_LENGTH:
        print(f"Password must be at least {MIN_PASSWORD_LENGTH} characters.", file=sys.stderr)
        return 2
    store = _store(settings)
    try:
        if args.reset_password:
            if not store.set_coordinator_password(args.username, hash_password(password)):
                print(f"No coordinator named {args.username}.", file=sys.stderr)
                return 1
            store.audit("cli", "password_reset", None, args.username)
            print(f"Password changed for {args.username}; their sessions were ended.")
            return 0
        try:
            store.add_coordinator(args.username, hash_password(password))
        except CoordinatorExists:
            print(f"Coordinator {args.username} already exists (use --reset-password).", file=sys.stderr)
            return 1
        store.audit("cli", "add_coordinator", None, args.username)
        print(f"Coordinator {args.username} created.")
        return 0
    finally:
        store.close()


def cmd_delete_conversation(settings: Settings, args: argparse.Namespace) -> int:
    store = _store(settings)
    try:
        counts = store.delete_conversation(args.conversation_id, actor="cli")
    finally:
        store.close()
    print(f"Deleted {counts['leads']} lead(s) and {counts['funnel']} funnel row(s).")
    return 0


def cmd_serve_coordinator(settings: Settings, args: argparse.Namespace) -> int:
    from bot.coordinator.app import create_app

    store = _store(settings)
    app = create_app(settings, store)
    for name in ("sanic.root", "sanic.error", "sanic.access"):
        logging.getLogger(name).propagate = False  # Sanic has its own handlers; avoid double lines
    host = args.host or settings.coordinator_host
    port = args.port or settings.coordinator_port
    # Sanic 21.12: workers=1 serves in this process (no `single_process` before 22.9); the
    # in-memory login throttle relies on there being exactly one process.
    app.run(host=host, port=port, workers=1, access_log=True, motd=False, auto_reload=False)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot.cli", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("db-upgrade", help="apply Alembic migrations to DATABASE_URL")
    p.add_argument("revision", nargs="?", default="head")
    p.set_defaults(func=cmd_db_upgrade)

    p = sub.add_parser("add-coordinator", help="create a coordinator account")
    p.add_argument("username")
    p.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    p.add_argument("--reset-password", action="store_true", help="change the password of an existing account")
    p.set_defaults(func=cmd_add_coordinator)

    p = sub.add_parser("serve-coordinator", help="run the coordinator inbox")
    p.add_argument("--host", default=None)
    p.add_argument("--port", type=int, default=None)
    p.set_defaults(func=cmd_serve_coordinator)

    p = sub.add_parser("delete-conversation", help="delete a conversation's lead and funnel rows")
    p.add_argument("conversation_id")
    p.set_defaults(func=cmd_delete_conversation)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    settings = Settings.from_env()
    return int(args.func(settings, args) or 0)


if __name__ == "__main__":
    sys.exit(main())
