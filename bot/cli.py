"""Operator commands: ``python -m bot.cli COMMAND`` (``--help`` lists them).

One entry point so ``make run`` and deployment scripts use the same settings (``bot.settings``)
as the action server. Accounts: ``add-coordinator`` (with two-factor enrolment), ``enroll-totp``,
``reset-password``, ``deactivate-coordinator`` / ``activate-coordinator``, ``list-coordinators``;
upkeep: ``db-upgrade``, ``purge``, ``delete-conversation``; the inbox: ``serve-coordinator``.
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

    # main() has configured logging already; alembic.ini's own set-up (fileConfig) would close every
    # handler the process had, a host's included (pytest's capture was one).
    upgrade(settings.database_url, args.revision, leads_key=settings.leads_key)
    return 0


def _read_password(args: argparse.Namespace) -> str | None:
    """From stdin (``--password-stdin``) or typed twice; None (and a message) when unusable."""
    from bot.coordinator.auth import MIN_PASSWORD_LENGTH

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat password: ") != password:
            print("Passwords do not match.", file=sys.stderr)
            return None
    if len(password) < MIN_PASSWORD_LENGTH:
        print(f"Password must be at least {MIN_PASSWORD_LENGTH} characters.", file=sys.stderr)
        return None
    return password


def _print_enrolment(username: str, secret: str) -> None:
    from bot.coordinator.totp import provisioning_uri

    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    print(f"Two-factor sign-in for {username}: add this account to an authenticator app")
    print("(FreeOTP, Google or Microsoft Authenticator, 1Password ...) by opening or scanning this URI:")
    print(f"  {provisioning_uri(secret, username)}")
    print(f"or by typing this secret (time-based, 6 digits, 30 s): {grouped}")
    print("Keep it private; run `enroll-totp` again to replace it.")


def _known(args: argparse.Namespace) -> bool:
    if not USERNAME_RE.match(args.username):
        print("Username: 2-64 letters, digits or . _ @ -", file=sys.stderr)
        return False
    return True


def cmd_add_coordinator(settings: Settings, args: argparse.Namespace) -> int:
    from bot.coordinator.auth import hash_password
    from bot.coordinator.totp import new_secret
    from bot.leads.store import CoordinatorExists

    if args.reset_password:
        return cmd_reset_password(settings, args)
    if not _known(args):
        return 2
    password = _read_password(args)
    if password is None:
        return 2
    secret = None if args.no_totp else new_secret()
    store = _store(settings)
    try:
        store.add_coordinator(args.username, hash_password(password), totp_secret=secret)
        store.audit("cli", "add_coordinator", None, args.username)
    except CoordinatorExists:
        print(f"Coordinator {args.username} already exists (use reset-password).", file=sys.stderr)
        return 1
    finally:
        store.close()
    print(f"Coordinator {args.username} created.")
    if secret:
        _print_enrolment(args.username, secret)
    elif settings.require_totp:
        print("Without two-factor sign-in this account cannot log in while INBOX_REQUIRE_TOTP is on; "
              f"run: python -m bot.cli enroll-totp {args.username}")
    return 0


def _account_change(settings: Settings, args: argparse.Namespace, action: str, change) -> int:
    """Apply ``change(store)`` to an existing account, audit it, say so."""
    if not _known(args):
        return 2
    store = _store(settings)
    try:
        if not change(store):
            print(f"No coordinator named {args.username}.", file=sys.stderr)
            return 1
        store.audit("cli", action, None, args.username)
    finally:
        store.close()
    return 0


def cmd_reset_password(settings: Settings, args: argparse.Namespace) -> int:
    from bot.coordinator.auth import hash_password

    if not _known(args):
        return 2
    password = _read_password(args)
    if password is None:
        return 2
    status = _account_change(settings, args, "password_reset",
                             lambda store: store.set_coordinator_password(args.username, hash_password(password)))
    if status == 0:
        print(f"Password changed for {args.username}; their sessions were ended.")
    return status


def cmd_enroll_totp(settings: Settings, args: argparse.Namespace) -> int:
    from bot.coordinator.totp import new_secret

    secret = new_secret()
    status = _account_change(settings, args, "totp_enrolled", lambda store: store.set_coordinator_totp(args.username, secret))
    if status == 0:
        _print_enrolment(args.username, secret)
        print("Any earlier authenticator entry for this account no longer works; its sessions were ended.")
    return status


def cmd_set_active(active: bool):
    def run(settings: Settings, args: argparse.Namespace) -> int:
        status = _account_change(settings, args, "activated" if active else "deactivated",
                                 lambda store: store.set_coordinator_active(args.username, active))
        if status == 0:
            print(f"{args.username} can sign in again." if active
                  else f"{args.username} is deactivated; their sessions were ended.")
        return status

    return run


def cmd_list_coordinators(settings: Settings, args: argparse.Namespace) -> int:
    store = _store(settings)
    try:
        for account in store.list_coordinators():
            state = "active" if account["is_active"] else "deactivated"
            factor = "two-factor on" if account["two_factor"] else "NO two-factor"
            print(f"{account['username']}\t{state}\t{factor}")
    finally:
        store.close()
    return 0


def cmd_purge(settings: Settings, args: argparse.Namespace) -> int:
    store = _store(settings)
    try:
        sessions, drafts = store.purge_expired_sessions(), store.purge_expired_drafts()
    finally:
        store.close()
    print(f"Purged {sessions} expired session(s) and {drafts} expired contact draft(s).")
    return 0


def cmd_delete_conversation(settings: Settings, args: argparse.Namespace) -> int:
    store = _store(settings)
    try:
        counts = store.delete_conversation(args.conversation_id, actor="cli")
    finally:
        store.close()
    print(f"Deleted {counts['leads']} lead(s), {counts['funnel']} funnel row(s) and {counts['drafts']} draft field(s).")
    return 0


def cmd_serve_coordinator(settings: Settings, args: argparse.Namespace) -> int:
    from bot import logs
    from bot.coordinator.app import create_app

    logs.install()
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

    def account(name: str, func, help_: str, password: bool = False) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_)
        p.add_argument("username")
        if password:
            p.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
        p.set_defaults(func=func)
        return p

    p = sub.add_parser("db-upgrade", help="apply Alembic migrations to DATABASE_URL")
    p.add_argument("revision", nargs="?", default="head")
    p.set_defaults(func=cmd_db_upgrade)

    p = account("add-coordinator", cmd_add_coordinator, "create a coordinator account (and enrol two-factor sign-in)", True)
    p.add_argument("--reset-password", action="store_true", help="change the password of an existing account instead")
    p.add_argument("--no-totp", action="store_true", help="no two-factor secret (only for INBOX_REQUIRE_TOTP=0)")
    account("reset-password", cmd_reset_password, "set a new password (ends the account's sessions)", True)
    account("enroll-totp", cmd_enroll_totp, "enrol, or replace, an account's two-factor secret")
    account("deactivate-coordinator", cmd_set_active(False), "stop an account signing in (ends its sessions)")
    account("activate-coordinator", cmd_set_active(True), "let a deactivated account sign in again")

    p = sub.add_parser("list-coordinators", help="accounts, whether active and whether two-factor is set up")
    p.set_defaults(func=cmd_list_coordinators)

    p = sub.add_parser("purge", help="delete expired sessions and expired contact drafts")
    p.set_defaults(func=cmd_purge)

    p = sub.add_parser("serve-coordinator", help="run the coordinator inbox")
    p.add_argument("--host", default=None)
    p.add_argument("--port", type=int, default=None)
    p.set_defaults(func=cmd_serve_coordinator)

    p = sub.add_parser("delete-conversation", help="delete a conversation's leads, funnel rows and drafts")
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
