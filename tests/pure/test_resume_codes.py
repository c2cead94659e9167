"""Resume codes (bot.resume) on a real database, SQLite and PostgreSQL: easy to type, never the
conversation id, stored hashed, expire with the conversation, forgotten with it, and guessing
is limited per address and overall. The clock is a variable so expiry is tested without waiting."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot import resume
from bot.resume import Limits, ResumeCodes, display, normalise
from bot.resume_store import ResumeStore, resume_attempts, resume_codes

SECRET = b"r" * 32
START = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self):
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture(name="clock")
def clock_fixture() -> Clock:
    return Clock()


@pytest.fixture(name="codes")
def codes_fixture(database_url, clock):
    store = ResumeStore(database_url)
    store.create_schema()
    yield ResumeCodes(store, SECRET, timedelta(days=30), Limits(per_client=5, overall=12, window_s=900), clock)
    store.close()


def stored_rows(codes: ResumeCodes):
    with codes.store.engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(select(resume_codes))]


def test_a_code_is_short_grouped_and_resumes_its_conversation(codes):
    code, expires_at = codes.issue_code("conv-1")
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", code), code
    assert expires_at == START + timedelta(days=30)
    assert codes.redeem(code, "10.0.0.1") == "conv-1"
    # However it is typed: small letters, spaces, no dash, O for 0 and I or L for 1.
    typed = code.lower().replace("-", "  ").replace("0", "o").replace("1", "l")
    assert codes.redeem(typed, "10.0.0.1") == "conv-1"
    assert codes.redeem(code, "10.0.0.2") == "conv-1", "a code works on any device"


def test_the_database_holds_neither_the_code_nor_anything_that_gives_it_back(codes):
    code, _ = codes.issue_code("conv-secret")
    rows = stored_rows(codes)
    assert len(rows) == 1 and rows[0]["conversation_id"] == "conv-secret"
    plain = normalise(code)
    assert plain not in str(rows) and code not in str(rows)
    # A keyed hash: the same code under another secret has another hash.
    other = ResumeCodes(codes.store, b"x" * 32, timedelta(days=30))
    assert other._hash(plain) != rows[0]["code_hash"]
    assert other.redeem(code, "10.0.0.1") is None


def test_a_code_is_never_the_conversation_id(codes):
    for conversation_id in ("ABCD2345", "abcd-2345"):
        code, _ = codes.issue_code(conversation_id)
        assert normalise(code) != normalise(conversation_id)
    assert codes.redeem("ABCD2345", "10.0.0.1") is None


def test_codes_expire_with_the_conversation_and_use_renews_them(codes, clock):
    used, _ = codes.issue_code("conv-used")
    unused, _ = codes.issue_code("conv-unused")
    clock.advance(days=20)
    assert codes.redeem(used, "10.0.0.1") == "conv-used"  # used on day 20: lasts to day 50
    clock.advance(days=10)
    assert codes.redeem(unused, "10.0.0.1") is None
    assert codes.redeem(used, "10.0.0.1") == "conv-used"
    clock.advance(days=31)
    assert codes.redeem(used, "10.0.0.1") is None
    assert stored_rows(codes) == [], "expired codes are deleted, not just refused"


def test_purge_deletes_expired_codes_without_any_try(codes, clock):
    codes.issue_code("conv-old")
    clock.advance(days=29)
    codes.issue_code("conv-new")
    assert codes.purge_expired() == 0
    clock.advance(days=1)
    assert codes.purge_expired() == 1
    assert [row["conversation_id"] for row in stored_rows(codes)] == ["conv-new"]


def test_asking_again_gives_a_fresh_code_and_the_earlier_ones_keep_working(codes, clock):
    issued = []
    for _ in range(7):
        issued.append(codes.issue_code("conv-again")[0])
        clock.advance(seconds=1)
    assert len(set(issued)) == 7
    assert [codes.redeem(code, "10.0.0.9") for code in issued[-5:]] == ["conv-again"] * 5
    assert codes.redeem(issued[0], "10.0.0.9") is None, "only the five newest stay live"


def test_forget_invalidates_every_code_of_the_conversation_only(codes):
    mine = [codes.issue_code("conv-deleted")[0] for _ in range(2)]
    theirs, _ = codes.issue_code("conv-kept")
    assert codes.forget("conv-deleted") == 2
    assert [codes.redeem(code, "10.0.0.1") for code in mine] == [None, None]
    assert codes.redeem(theirs, "10.0.0.1") == "conv-kept"


@pytest.mark.parametrize("typed", ["", "   ", "ABC", "ABCD-EFGH-JKMN", "ABCD-EFGU", "<script>", "' OR 1=1 --",
                                   "🙂🙂🙂🙂🙂🙂🙂🙂", None, 12345678, "x" * 100_000])
def test_things_that_cannot_be_codes_are_refused_without_counting_as_guesses(codes, typed):
    result = codes.attempt(typed, "10.0.0.1")
    assert result.conversation_id is None and result.reason == "malformed"
    with codes.store.engine.connect() as conn:
        assert conn.execute(select(resume_attempts)).all() == []


def test_full_width_characters_from_a_chinese_keyboard_are_read_as_ascii(codes):
    code, _ = codes.issue_code("conv-zh")
    wide = "".join(chr(ord(c) + 0xFEE0) if c != "-" else "－" for c in code)
    assert codes.redeem(wide, "10.0.0.1") == "conv-zh"


def test_guesses_are_limited_per_address_even_for_the_right_code(codes, clock):
    code, _ = codes.issue_code("conv-target")
    for n in range(5):
        assert codes.attempt(f"ZZZZ-ZZZ{n}", "10.0.0.66").reason == "wrong"
        clock.advance(seconds=60)
    limited = codes.attempt(code, "10.0.0.66")
    assert limited.reason == "limited" and limited.conversation_id is None
    assert 0 < limited.retry_after_s <= 900 - 4 * 60
    assert codes.redeem(code, "10.0.0.7") == "conv-target", "another address is not held up"
    clock.advance(seconds=limited.retry_after_s)
    assert codes.redeem(code, "10.0.0.66") == "conv-target", "once the window moves on it works again"


def test_refused_tries_do_not_lengthen_the_wait(codes, clock):
    for n in range(5):
        codes.attempt(f"ZZZZ-ZZZ{n}", "10.0.0.66")
    first = codes.attempt("ZZZZ-ZZZZ", "10.0.0.66").retry_after_s
    for _ in range(20):
        clock.advance(seconds=10)
        codes.attempt("ZZZZ-ZZZZ", "10.0.0.66")
    assert codes.attempt("ZZZZ-ZZZZ", "10.0.0.66").retry_after_s == first - 200


def test_guesses_are_limited_overall_across_addresses(codes, clock):
    code, _ = codes.issue_code("conv-target")
    for n in range(12):  # 12 addresses, one wrong guess each: no single address is over its limit
        assert codes.attempt(f"ZZZZ-ZZ{n:02d}", f"10.0.1.{n}").reason == "wrong"
    assert codes.attempt(code, "10.0.2.1").reason == "limited"
    clock.advance(seconds=901)
    assert codes.redeem(code, "10.0.2.1") == "conv-target"


def test_a_successful_try_does_not_count_against_the_address(codes):
    code, _ = codes.issue_code("conv-often")
    assert [codes.redeem(code, "10.0.0.5") for _ in range(10)] == ["conv-often"] * 10


def test_addresses_are_kept_only_as_keyed_hashes(codes):
    codes.attempt("ZZZZ-ZZZZ", "203.0.113.77")
    with codes.store.engine.connect() as conn:
        rows = conn.execute(select(resume_attempts)).all()
    assert len(rows) == 1 and "203.0.113" not in str(rows)


def test_the_module_api_uses_the_database_and_secret_from_the_environment(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'leads.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("WEB_SESSION_SECRET", "e" * 40)
    monkeypatch.setenv("CONVERSATION_RETENTION_DAYS", "3")
    ResumeStore(url).create_schema()
    monkeypatch.setattr(resume, "_default", None)
    code, expires_at = resume.issue_code("conv-env")
    assert expires_at - datetime.now(timezone.utc) <= timedelta(days=3)
    assert resume.redeem(code, "127.0.0.1") == "conv-env"
    assert resume.forget("conv-env") == 1 and resume.redeem(code, "127.0.0.1") is None
    monkeypatch.setattr(resume, "_default", None)


def test_display_groups_in_fours():
    assert display("ABCD2345") == "ABCD-2345"
