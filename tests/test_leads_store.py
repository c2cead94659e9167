"""The lead store, on SQLite and on PostgreSQL (every test that takes ``store`` runs on both)."""

from __future__ import annotations

import threading

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import inspect, select

from bot.leads.models import funnel_events, lead_notes, leads
from bot.leads.store import (
    FUNNEL_STAGES,
    InvalidTransition,
    LeadNotFound,
    LeadStore,
    LeadValidationError,
)
from bot.leads.validation import valid_email, valid_phone
from tests.leads_fixtures import database_url_fixture, eligible_answers, lead_kwargs, leads_key_fixture, store_fixture  # noqa: F401 - fixtures

EVIL_NAME = "Robert'); DROP TABLE leads;-- <script>alert(1)</script>"


def test_upsert_creates_one_lead_with_the_full_packet(store):
    lead_id = store.upsert_lead("conv-1", **lead_kwargs())
    lead = store.get_lead(lead_id)
    assert lead["conversation_id"] == "conv-1"
    assert lead["trial_id"] == "gobroad-cik-ball-2024"
    assert lead["outcome"] == "likely_eligible"
    assert lead["status"] == "new"
    assert lead["respondent"] == "guardian"
    assert lead["language"] == "en"
    assert lead["contact"] == {
        "name": "Li Wei",
        "phone": "+8613800138000",
        "email": "li.wei@example.com",
        "wechat": None,
        "time": None,
    }
    ids = [row["id"] for row in lead["packet"]]
    assert ids[:7] == ["I1", "I2", "I3", "I4", "I5", "I6", "I7"]
    assert set(ids) >= {f"E{n}" for n in range(1, 17)}
    i3 = next(row for row in lead["packet"] if row["id"] == "I3")
    assert i3["answers"] == {"patient_age": 7.0} and i3["verdict"] == "pass"
    assert lead["created_at"].tzinfo is not None


def test_double_submit_leaves_one_lead_and_keeps_the_latest_answers(store):
    first = store.upsert_lead_ex("conv-dup", **lead_kwargs())
    answers = eligible_answers(bendamustine_9_months="unsure")
    second = store.upsert_lead_ex("conv-dup", **lead_kwargs(answers, name="Li Wei (mother)"))
    assert first.created and not second.created
    assert first.lead_id == second.lead_id
    assert store.count_leads() == 1
    lead = store.get_lead(first.lead_id)
    assert lead["outcome"] == "needs_review"
    assert lead["unknown_criteria"] == ["E1"]
    assert lead["contact"]["name"] == "Li Wei (mother)"
    assert lead["submissions"] == 2
    assert lead["unknown_documents"] == [
        {
            "id": "E1",
            "criterion": "Received bendamustine treatment within the past 9 months",
            "documents": "a list of all cancer medicines given in the last 9 months",
        }
    ]


def test_concurrent_retries_still_leave_one_lead(store):
    kwargs = lead_kwargs()
    results, errors = [], []

    def submit():
        try:
            results.append(store.upsert_lead_ex("conv-race", **kwargs))
        except Exception as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert store.count_leads() == 1
    assert len({r.lead_id for r in results}) == 1
    assert sum(r.created for r in results) == 1


def test_unique_constraint_on_conversation_id(store):
    columns = {uc["name"]: uc["column_names"] for uc in inspect(store.engine).get_unique_constraints("leads")}
    assert columns.get("uq_leads_conversation_id") == ["conversation_id"]


def test_contact_fields_are_encrypted_at_rest(store, leads_key):
    lead_id = store.upsert_lead("conv-enc", **lead_kwargs(wechat="liwei_88", time="evenings"))
    with store.engine.connect() as conn:
        row = conn.execute(select(leads).where(leads.c.id == lead_id)).one()
    raw = " ".join(str(v) for v in row)
    for secret in ("Li Wei", "13800138000", "li.wei@example.com", "liwei_88", "evenings"):
        assert secret not in raw
    assert Fernet(leads_key).decrypt(row.contact_name.encode()).decode() == "Li Wei"


def test_wrong_key_cannot_read_contacts(store, database_url):
    lead_id = store.upsert_lead("conv-key", **lead_kwargs())
    other = LeadStore(database_url, Fernet.generate_key())
    try:
        assert other.get_lead(lead_id, include_contact=False)["outcome"] == "likely_eligible"
        with pytest.raises(InvalidToken):
            other.get_lead(lead_id)
    finally:
        other.close()


def test_key_rotation_reads_old_rows(store, database_url, leads_key):
    lead_id = store.upsert_lead("conv-rot", **lead_kwargs())
    store.record_funnel("conv-rot", "started")
    rotated = LeadStore(database_url, f"{Fernet.generate_key().decode()},{leads_key}")
    try:
        assert rotated.get_lead(lead_id)["contact"]["name"] == "Li Wei"
        assert rotated.record_funnel("conv-rot", "started") is False  # still idempotent
        assert rotated.delete_conversation("conv-rot")["funnel"] == 1
    finally:
        rotated.close()


def test_sql_and_html_in_a_name_are_stored_literally(store):
    lead_id = store.upsert_lead("conv-evil'; --", **lead_kwargs(name=EVIL_NAME))
    assert store.get_lead(lead_id)["contact"]["name"] == EVIL_NAME
    assert store.get_lead_by_conversation("conv-evil'; --")["id"] == lead_id
    assert "leads" in inspect(store.engine).get_table_names()
    assert store.count_leads() == 1


@pytest.mark.parametrize(
    "change, message",
    [
        ({"outcome": "not_eligible"}, "outcome"),
        ({"respondent": "neighbour"}, "respondent"),
        ({"language": "fr"}, "language"),
        ({"contact": {"name": "No Way To Reach"}}, "phone number, e-mail address or WeChat"),
        ({"contact": {"phone": "12345"}}, "phone"),
        ({"contact": {"email": "not-an-email"}}, "email"),
        ({"contact": {"phone": "+441234567890", "address": "x"}}, "unknown contact fields"),
        ({"packet": [{"no_id": True}]}, "packet"),
    ],
)
def test_invalid_submissions_are_rejected_without_echoing_values(store, change, message):
    kwargs = {**lead_kwargs(), **change}
    with pytest.raises(LeadValidationError) as err:
        store.upsert_lead("conv-bad", **kwargs)
    assert message in str(err.value)
    assert "12345" not in str(err.value) and "not-an-email" not in str(err.value)
    assert store.count_leads() == 0


def test_list_leads_newest_first(store):
    ids = [store.upsert_lead(f"conv-{n}", **lead_kwargs()) for n in range(3)]
    listed = store.list_leads()
    assert [lead["id"] for lead in listed] == list(reversed(ids))
    assert "contact" not in listed[0]
    assert listed[0]["outcome"] == "likely_eligible"


def test_status_workflow_and_notes(store):
    lead_id = store.upsert_lead("conv-status", **lead_kwargs())
    with pytest.raises(InvalidTransition):
        store.set_status(lead_id, "enrolled", None, "alice")
    with pytest.raises(InvalidTransition):
        store.set_status(lead_id, "bogus", None, "alice")
    with pytest.raises(InvalidTransition):
        store.set_status(lead_id, "new", None, "alice")  # same status needs a note
    store.set_status(lead_id, "new", "left a voicemail", "alice")
    store.set_status(lead_id, "contacted", "spoke to the mother", "alice")
    store.set_status(lead_id, "screening_scheduled", "visit on Monday", "bob")
    with pytest.raises(InvalidTransition):
        store.set_status(lead_id, "contacted", None, "bob")
    store.set_status(lead_id, "enrolled", None, "bob")
    with pytest.raises(InvalidTransition):
        store.set_status(lead_id, "not_enrolled", None, "bob")
    with pytest.raises(LeadNotFound):
        store.set_status(999_999, "contacted", None, "bob")

    lead = store.get_lead(lead_id)
    assert lead["status"] == "enrolled"
    assert [(h["from_status"], h["to_status"], h["note"], h["actor"]) for h in lead["history"]] == [
        ("new", "new", "left a voicemail", "alice"),
        ("new", "contacted", "spoke to the mother", "alice"),
        ("contacted", "screening_scheduled", "visit on Monday", "bob"),
        ("screening_scheduled", "enrolled", None, "bob"),
    ]
    with store.engine.connect() as conn:
        raw_notes = " ".join(str(n) for n in conn.execute(select(lead_notes.c.note)).scalars())
    assert "mother" not in raw_notes  # notes are encrypted too
    actions = [(e["actor"], e["action"], e["lead_id"]) for e in store.audit_log()]
    assert ("alice", "status", lead_id) in actions and ("bob", "status", lead_id) in actions
    assert store.funnel_counts()["contacted"] == 1


def test_contacted_may_end_as_not_enrolled(store):
    lead_id = store.upsert_lead("conv-ne", **lead_kwargs())
    store.set_status(lead_id, "contacted", None, "alice")
    store.set_status(lead_id, "not_enrolled", "family declined", "alice")
    assert store.get_lead(lead_id)["status"] == "not_enrolled"


def test_funnel_is_idempotent_per_conversation_and_stage(store):
    assert store.record_funnel("conv-f1", "started") is True
    assert store.record_funnel("conv-f1", "started") is False
    store.record_funnel("conv-f1", "finished")
    store.record_funnel("conv-f2", "started")
    counts = store.funnel_counts()
    assert list(counts) == list(FUNNEL_STAGES)
    assert counts["started"] == 2 and counts["finished"] == 1 and counts["consented"] == 0
    with pytest.raises(ValueError):
        store.record_funnel("conv-f1", "name_given")


def test_funnel_rows_hold_no_conversation_id(store):
    store.record_funnel("conv-private-123", "started")
    with store.engine.connect() as conn:
        rows = conn.execute(select(funnel_events)).all()
    assert {c.name for c in funnel_events.columns} == {"id", "conversation_key", "stage", "created_at"}
    assert all("conv-private-123" not in str(value) for row in rows for value in row)


def test_consent_declined_conversation_stores_no_lead(store):
    # The conversation side never calls upsert_lead without contact consent: only funnel rows exist.
    for stage in ("started", "finished", "likely_eligible"):
        store.record_funnel("conv-declined", stage)
    assert store.count_leads() == 0
    assert store.list_leads() == []
    assert store.get_lead_by_conversation("conv-declined") is None
    assert store.funnel_counts()["consented"] == 0


def test_delete_conversation_removes_lead_notes_and_funnel_rows(store):
    lead_id = store.upsert_lead("conv-del", **lead_kwargs())
    store.set_status(lead_id, "contacted", "called", "alice")
    for stage in ("started", "finished", "likely_eligible", "consented"):
        store.record_funnel("conv-del", stage)
    store.record_funnel("conv-keep", "started")
    keep_id = store.upsert_lead("conv-keep", **lead_kwargs())

    counts = store.delete_conversation("conv-del", actor="alice")
    assert counts == {"leads": 1, "funnel": 5}  # four stages + "contacted"
    assert store.get_lead(lead_id) is None
    assert store.get_lead(keep_id) is not None
    assert store.funnel_counts()["started"] == 1
    with store.engine.connect() as conn:
        assert conn.execute(select(lead_notes).where(lead_notes.c.lead_id == lead_id)).first() is None
    assert ("alice", "delete", lead_id) in [(e["actor"], e["action"], e["lead_id"]) for e in store.audit_log()]
    assert store.delete_conversation("conv-del") == {"leads": 0, "funnel": 0}


def test_audit_records_actor_action_lead(store):
    lead_id = store.upsert_lead("conv-audit", **lead_kwargs())
    store.audit("alice", "view", lead_id)
    store.audit("bob", "export", lead_id, "csv")
    log = store.audit_log()
    assert [(e["actor"], e["action"], e["lead_id"], e["detail"]) for e in log[:2]] == [
        ("bob", "export", lead_id, "csv"),
        ("alice", "view", lead_id, None),
    ]
    assert store.audit_log(lead_id=lead_id, limit=1)[0]["actor"] == "bob"


def test_sessions_expire_and_end_on_password_change(store):
    from datetime import timedelta

    from bot.leads.models import utcnow

    cid = store.add_coordinator("alice", "scrypt$x")
    now = utcnow()
    store.create_session("h1", cid, "alice", "csrf", now + timedelta(minutes=5))
    assert store.get_session("h1", now)["username"] == "alice"
    assert store.get_session("h1", now + timedelta(minutes=6)) is None
    store.set_coordinator_password("alice", "scrypt$y")
    assert store.get_session("h1", now) is None


@pytest.mark.parametrize(
    "phone, ok",
    [
        ("+86 138 0013 8000", True),
        ("13800138000", True),
        ("138-0013-8000", True),
        ("+1 (415) 555-0100", True),
        ("+34 612 345 678", True),
        ("0086 13800138000", True),
        ("12800138000", False),  # 12x is not a mainland mobile prefix
        ("1380013800", False),
        ("+12345", False),
        ("+1234567890123456", False),
        ("phone me", False),
        ("", False),
        (None, False),
    ],
)
def test_valid_phone(phone, ok):
    assert valid_phone(phone) is ok


@pytest.mark.parametrize(
    "email, ok",
    [
        ("li.wei@example.com", True),
        ("a+b@sub.example.cn", True),
        ("no-at-sign.example.com", False),
        ("a@b", False),
        ("a@@b.com", False),
        ("a..b@example.com", False),
        ("<script>@x.com", False),
        ("a@example.com\nBcc: x@y.com", False),
        (None, False),
    ],
)
def test_valid_email(email, ok):
    assert valid_email(email) is ok
