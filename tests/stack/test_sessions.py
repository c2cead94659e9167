"""Session tokens (bot.sessions): what a browser holds cannot be forged, altered, reused past its
expiry, or made to name another conversation; the development secret is made once and shared."""

from __future__ import annotations

import multiprocessing
import stat

import pytest

from bot.sessions import SessionSigner, load_secret, retention_days
from bot.settings import SettingsError

SECRET = b"s" * 32
DAY = 86400


def signer(secret: bytes = SECRET, days: int = 30) -> SessionSigner:
    return SessionSigner(secret, days * DAY)


def test_a_token_names_its_conversation_until_it_expires():
    session = signer().issue(now=1_000_000)
    assert len(session.conversation_id) == 32 and session.conversation_id not in ("", None)
    assert session.expires_at == 1_000_000 + 30 * DAY
    assert signer().verify(session.token, now=1_000_000 + 30 * DAY - 1).conversation_id == session.conversation_id
    assert signer().verify(session.token, now=1_000_000 + 30 * DAY) is None


def test_each_new_session_is_a_new_conversation():
    assert len({signer().issue().conversation_id for _ in range(50)}) == 50


def test_a_resumed_conversation_keeps_its_id():
    assert signer().verify(signer().issue("rest-user:42").token).conversation_id == "rest-user:42"
    with pytest.raises(ValueError):
        signer().issue("<script>")


def _swap_conversation(token: str, other: str) -> str:
    import base64

    parts = token.split(".")
    parts[1] = base64.urlsafe_b64encode(other.encode()).decode().rstrip("=")
    return ".".join(parts)


@pytest.mark.parametrize("forge", [
    lambda t: _swap_conversation(t, "someone-else"),  # another person's conversation, same signature
    lambda t: t.rsplit(".", 2)[0] + ".9999999999." + t.rsplit(".", 1)[1],  # a later expiry
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # a different signature
    lambda t: t.split(".", 1)[1],  # no version
    lambda t: t + ".x",
    lambda t: "",
    lambda t: "v1...",
    lambda t: "x" * 5000,
])
def test_altered_or_made_up_tokens_are_refused(forge):
    token = signer().issue().token
    assert signer().verify(forge(token)) is None


def test_another_secret_or_a_non_string_is_refused():
    token = signer().issue().token
    assert signer(b"t" * 32).verify(token) is None
    assert signer().verify(None) is None and signer().verify(123) is None


def test_the_tag_the_page_keeps_is_not_the_conversation_id():
    session = signer().issue()
    tag = signer().tag(session.conversation_id)
    assert tag == signer().tag(session.conversation_id) and session.conversation_id not in tag
    assert signer(b"t" * 32).tag(session.conversation_id) != tag


def test_retention_days_default_and_checks():
    assert retention_days({}) == 30
    assert retention_days({"CONVERSATION_RETENTION_DAYS": "7"}) == 7
    for bad in ("0", "-3", "a week"):
        with pytest.raises(SettingsError, match="CONVERSATION_RETENTION_DAYS"):
            retention_days({"CONVERSATION_RETENTION_DAYS": bad})
    assert SessionSigner.from_env({"WEB_SESSION_SECRET": "k" * 40, "CONVERSATION_RETENTION_DAYS": "2"}).lifetime_s == 2 * DAY


def test_secret_from_the_environment_must_be_long_and_is_required_in_production(tmp_path):
    assert load_secret({"WEB_SESSION_SECRET": "k" * 32}) == b"k" * 32
    with pytest.raises(SettingsError, match="at least 32"):
        load_secret({"WEB_SESSION_SECRET": "short"})
    with pytest.raises(SettingsError, match="production"):
        load_secret({"APP_ENV": "production", "WEB_SESSION_SECRET_FILE": str(tmp_path / "k")})
    assert not (tmp_path / "k").exists()


def _read_secret(path: str, queue) -> None:
    queue.put(load_secret({"WEB_SESSION_SECRET_FILE": path}))


def test_the_development_secret_is_made_once_private_and_shared_by_processes_starting_together(tmp_path):
    path = tmp_path / "var" / "web-session.key"
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    procs = [context.Process(target=_read_secret, args=(str(path), queue)) for _ in range(4)]
    for proc in procs:
        proc.start()
    secrets_seen = {queue.get(timeout=60) for _ in procs}
    for proc in procs:
        proc.join(timeout=30)
    assert len(secrets_seen) == 1 and len(secrets_seen.pop()) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["web-session.key"], "no temporary files left"
    (tmp_path / "bad.key").write_text("short\n")
    with pytest.raises(SettingsError, match="delete it"):
        load_secret({"WEB_SESSION_SECRET_FILE": str(tmp_path / "bad.key")})
