"""The lead store, on SQLite and on PostgreSQL (every test that takes ``store`` runs on both)."""

from __future__ import annotations

import threading

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import inspect, select

from bot.leads.models import funnel_events, lead_notes, leads
from bot.leads.store import (
    FUNNEL_STAGES,
    ContactChangeRefused,
    InvalidTransition,
    LeadNotFound,
    LeadStore,
    LeadValidationError,
)
from bot.leads.validation import valid_email, valid_phone
from tests.fixtures.leads import eligible_answers, lead_kwargs

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


def test_an_identical_retry_changes_nothing(store):
    first = store.upsert_lead_ex("conv-retry", **lead_kwargs())
    again = store.upsert_lead_ex("conv-retry", **lead_kwargs())
    assert first.created and not again.created and again.changed == ()
    lead = store.get_lead(first.lead_id)
    assert lead["submissions"] == 1 and lead["updates"] == []


def test_new_answers_from_the_same_conversation_update_the_lead_and_say_so(store):
    first = store.upsert_lead_ex("conv-dup", **lead_kwargs())
    answers = eligible_answers(bendamustine_9_months="unsure")
    second = store.upsert_lead_ex("conv-dup", **lead_kwargs(answers))
    assert first.lead_id == second.lead_id and not second.created
    assert second.changed == ("outcome", "answers")
    assert store.count_leads() == 1
    lead = store.get_lead(first.lead_id)
    assert lead["outcome"] == "needs_review"
    assert lead["unknown_criteria"] == ["E1"]
    assert lead["submissions"] == 2
    assert lead["unknown_documents"] == [
        {
            "id": "E1",
            "criterion": "Received bendamustine treatment within the past 9 months",
            "documents": "a list of all cancer medicines given in the last 9 months",
        }
    ]
    assert [(u["kind"], u["changed"], u["actor"]) for u in lead["updates"]] == [
        ("updated", ["outcome", "answers"], "the person")]


def test_other_contact_details_are_refused_unless_the_person_agreed_to_replace_them(store):
    first = store.upsert_lead_ex("conv-contact", **lead_kwargs())
    with pytest.raises(ContactChangeRefused) as refused:
        store.upsert_lead_ex("conv-contact", **lead_kwargs(phone="+34 612 345 678", email=None))
    existing = refused.value.existing
    assert existing.lead_id == first.lead_id and existing.contact_fields == ("name", "phone", "email")
    assert existing.created_at == store.get_lead(first.lead_id)["created_at"]
    lead = store.get_lead(first.lead_id)
    assert lead["contact"]["phone"] == "+8613800138000" and lead["contact"]["email"] == "li.wei@example.com"
    assert lead["updates"] == [] and lead["submissions"] == 1  # nothing was overwritten

    replaced = store.upsert_lead_ex("conv-contact", replace=True, **lead_kwargs(phone="+34 612 345 678", email=None))
    assert replaced.lead_id == first.lead_id and replaced.changed == ("phone", "email")
    lead = store.get_lead(first.lead_id)
    assert lead["contact"]["phone"] == "+34612345678" and lead["contact"]["email"] is None
    assert lead["updates"][0]["changed"] == ["phone", "email"]
    assert lead["updates"][0]["created_at"] >= lead["created_at"]
    assert store.list_leads()[0]["last_update"] == lead["updates"][0]["created_at"]
    assert ("the person", "updated", first.lead_id) in [(e["actor"], e["action"], e["lead_id"]) for e in store.audit_log()]


def test_existing_lead_says_what_the_bot_needs_to_ask(store):
    from bot.leads.service import existing_lead

    assert existing_lead(store, "conv-none") is None
    lead_id = store.upsert_lead("conv-ask", **lead_kwargs(wechat="liwei_88", email=None))
    found = existing_lead(store, "conv-ask")
    assert found.lead_id == lead_id and found.kind == "screening"
    assert found.contact_fields == ("name", "phone", "wechat")
    assert found.created_at.tzinfo is not None


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


def test_unique_constraint_on_conversation_and_kind(store):
    columns = {uc["name"]: uc["column_names"] for uc in inspect(store.engine).get_unique_constraints("leads")}
    assert columns.get("uq_leads_conversation_id_kind") == ["conversation_id", "kind"]


# Words from the answers and contact details that must never be readable in the database (short
# ones quoted, as in JSON: a quote never occurs in a Fernet token, a bare "I3" may).
SECRETS = ("Li Wei", "13800138000", "li.wei@example.com", "liwei_88", "evenings", "likely_eligible", "guardian",
           "patient_age", "bendamustine", "hepatitis", "pregnant", '"I3"', '"E16"', '"pass"', '"packet"', "HIV tests")


def test_the_whole_lead_is_encrypted_at_rest_notes_and_updates_too(store, leads_key):
    lead_id = store.upsert_lead("conv-enc", **lead_kwargs(wechat="liwei_88", time="evenings"))
    store.set_status(lead_id, "new", "Li Wei asked about HIV tests", "alice")
    store.upsert_lead("conv-enc", replace=True, **lead_kwargs(wechat="liwei_88", time="mornings"))
    with store.engine.connect() as conn:
        raw = " ".join(str(v) for table in (leads, lead_notes) for row in conn.execute(select(table)) for v in row)
    for secret in SECRETS + ("mornings",):
        assert secret not in raw, secret
    with store.engine.connect() as conn:
        row = conn.execute(select(leads).where(leads.c.id == lead_id)).one()
    assert set(row._mapping) == {"id", "conversation_id", "kind", "trial_id", "status", "payload", "submissions",
                                 "created_at", "updated_at"}
    document = Fernet(leads_key).decrypt(row.payload.encode()).decode()
    assert '"name":"Li Wei"' in document and '"time":"mornings"' in document and '"id":"E16"' in document


def test_wrong_key_reads_nothing(store, database_url):
    lead_id = store.upsert_lead("conv-key", **lead_kwargs())
    other = LeadStore(database_url, Fernet.generate_key())
    try:
        for call in (lambda: other.get_lead(lead_id, include_contact=False), other.list_leads):
            with pytest.raises(InvalidToken):
                call()
    finally:
        other.close()


def test_key_rotation_reads_old_rows(store, database_url, leads_key):
    lead_id = store.upsert_lead("conv-rot", **lead_kwargs())
    store.record_screening_started("conv-rot")
    store.save_contact_draft("conv-rot", "name", "Li Wei")
    rotated = LeadStore(database_url, f"{Fernet.generate_key().decode()},{leads_key}")
    try:
        assert rotated.get_lead(lead_id)["contact"]["name"] == "Li Wei"
        assert rotated.record_screening_started("conv-rot") is False  # still idempotent
        assert rotated.record_funnel("conv-rot", "finished") is True
        assert rotated.funnel_counts()["finished"] == 1  # counted with the start under the old key
        assert rotated.contact_draft("conv-rot") == {"name": "Li Wei"}
        assert rotated.delete_conversation("conv-rot") == {"leads": 1, "funnel": 2, "drafts": 1}
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
        ({"contact": {"phone": "+441234567890", "name": "x" * 201}}, "too long"),
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
    assert store.funnel_counts()["contacted"] == 0  # the conversation never started a screening
    store.record_screening_started("conv-status")
    assert store.funnel_counts()["contacted"] == 1


def test_contacted_may_end_as_not_enrolled(store):
    lead_id = store.upsert_lead("conv-ne", **lead_kwargs())
    store.set_status(lead_id, "contacted", None, "alice")
    store.set_status(lead_id, "not_enrolled", "family declined", "alice")
    assert store.get_lead(lead_id)["status"] == "not_enrolled"


def test_funnel_is_idempotent_per_conversation_and_stage(store):
    assert store.record_screening_started("conv-f1") is True
    assert store.record_screening_started("conv-f1") is False
    store.record_funnel("conv-f1", "finished")
    store.record_screening_started("conv-f2")
    counts = store.funnel_counts()
    assert list(counts) == list(FUNNEL_STAGES)
    assert counts["started"] == 2 and counts["finished"] == 1 and counts["consented"] == 0
    with pytest.raises(ValueError):
        store.record_funnel("conv-f1", "name_given")


def test_a_conversation_that_never_started_the_screening_is_not_counted(store):
    """Saying "hi" is not starting: only record_screening_started counts a conversation, and the
    later stages of a conversation that never started are not counted either."""
    with pytest.raises(ValueError, match="record_screening_started"):
        store.record_funnel("conv-hi", "started")
    store.record_funnel("conv-hi", "finished")  # e.g. recorded by an older action
    store.record_screening_started("conv-real")
    store.record_funnel("conv-real", "finished")
    counts = store.funnel_counts()
    assert counts["started"] == 1 and counts["finished"] == 1


def test_funnel_rows_hold_no_conversation_id(store):
    store.record_screening_started("conv-private-123")
    store.save_contact_draft("conv-private-123", "phone", "13800138000")
    with store.engine.connect() as conn:
        rows = conn.execute(select(funnel_events)).all()
    assert {c.name for c in funnel_events.columns} == {"id", "conversation_key", "stage", "created_at"}
    assert all("conv-private-123" not in str(value) for row in rows for value in row)


def test_consent_declined_conversation_stores_no_lead(store):
    # The conversation side never calls upsert_lead without contact consent: only funnel rows exist.
    store.record_screening_started("conv-declined")
    for stage in ("finished", "likely_eligible"):
        store.record_funnel("conv-declined", stage)
    assert store.count_leads() == 0
    assert store.list_leads() == []
    assert store.get_lead_by_conversation("conv-declined") is None
    assert store.funnel_counts()["consented"] == 0


def test_delete_conversation_removes_lead_notes_and_funnel_rows(store):
    lead_id = store.upsert_lead("conv-del", **lead_kwargs())
    store.set_status(lead_id, "contacted", "called", "alice")
    store.record_screening_started("conv-del")
    for stage in ("finished", "likely_eligible", "consented"):
        store.record_funnel("conv-del", stage)
    store.save_question("conv-del", message="Can I bring my son?", contact={"phone": "13800138000"}, language="en")
    store.save_contact_draft("conv-del", "email", "li.wei@example.com")
    store.record_screening_started("conv-keep")
    keep_id = store.upsert_lead("conv-keep", **lead_kwargs())
    store.save_contact_draft("conv-keep", "name", "Kept")

    counts = store.delete_conversation("conv-del", actor="alice")
    assert counts == {"leads": 2, "funnel": 5, "drafts": 1}  # the lead and the question; four stages + "contacted"
    assert store.get_lead(lead_id) is None
    assert store.get_lead(keep_id) is not None
    assert store.funnel_counts()["started"] == 1
    with store.engine.connect() as conn:
        assert conn.execute(select(lead_notes).where(lead_notes.c.lead_id == lead_id)).first() is None
    assert ("alice", "delete", lead_id) in [(e["actor"], e["action"], e["lead_id"]) for e in store.audit_log()]
    assert store.contact_draft("conv-del") == {} and store.contact_draft("conv-keep") == {"name": "Kept"}
    assert store.delete_conversation("conv-del") == {"leads": 0, "funnel": 0, "drafts": 0}


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


@pytest.mark.parametrize("change", [
    lambda s: s.set_coordinator_active("alice", False),
    lambda s: s.set_coordinator_totp("alice", "JBSWY3DPEHPK3PXP"),
])
def test_deactivation_and_a_new_two_factor_secret_end_sessions(store, change):
    from datetime import timedelta

    from bot.leads.models import utcnow

    cid = store.add_coordinator("alice", "scrypt$x")
    store.create_session("h1", cid, "alice", "csrf", utcnow() + timedelta(minutes=5))
    assert change(store) is True
    assert store.get_session("h1") is None and store.count_sessions() == 0


def test_a_two_factor_step_is_accepted_once(store):
    cid = store.add_coordinator("alice", "scrypt$x", totp_secret="JBSWY3DPEHPK3PXP")
    assert store.get_coordinator("alice")["totp_secret"] == "JBSWY3DPEHPK3PXP"
    with store.engine.connect() as conn:
        from bot.leads.models import coordinators

        assert "JBSWY3DPEHPK3PXP" not in str(conn.execute(select(coordinators.c.totp_secret)).scalar())
    assert store.accept_totp_step(cid, 1000) is True
    assert store.accept_totp_step(cid, 1000) is False  # replay
    assert store.accept_totp_step(cid, 999) is False  # older
    assert store.accept_totp_step(cid, 1001) is True


def test_expired_sessions_are_purged(store):
    from datetime import timedelta

    from bot.leads.models import utcnow

    cid = store.add_coordinator("alice", "scrypt$x")
    store.create_session("old", cid, "alice", "c", utcnow() - timedelta(seconds=1))
    store.create_session("new", cid, "alice", "c", utcnow() + timedelta(minutes=5))
    assert store.purge_expired_sessions() == 1
    assert store.get_session("new") is not None and store.count_sessions() == 1


# --- question leads ---------------------------------------------------------------------------

def test_a_question_is_a_lead_of_its_own_kind_with_any_outcome(store):
    screening = store.upsert_lead("conv-q", **lead_kwargs())
    asked = store.save_question("conv-q", message="  Can the treatment be done in Shanghai?  ",
                                contact={"email": "li.wei@example.com"}, language="zh", outcome="not_eligible")
    assert asked.created and asked.lead_id != screening
    lead = store.get_lead(asked.lead_id)
    assert lead["kind"] == "question" and lead["status"] == "new"
    assert [m["text"] for m in lead["messages"]] == ["Can the treatment be done in Shanghai?"]
    assert lead["outcome"] == "not_eligible" and lead["respondent"] is None and lead["language"] == "zh"
    assert lead["packet"] == [] and lead["contact"]["email"] == "li.wei@example.com"
    assert store.get_lead_by_conversation("conv-q", kind="question")["id"] == asked.lead_id
    assert [x["kind"] for x in store.list_leads()] == ["question", "screening"]
    none = store.save_question("conv-q2", message="Hello?", contact={"wechat": "liwei_88"}, language="en")
    assert store.get_lead(none.lead_id)["outcome"] is None


def test_a_second_question_from_the_conversation_is_added_and_a_retry_is_not(store):
    first = store.save_question("conv-q", message="First question", contact={"phone": "13800138000"}, language="en")
    retry = store.save_question("conv-q", message="First question", contact={"phone": "13800138000"}, language="en")
    assert retry.lead_id == first.lead_id and not retry.created and retry.changed == ()
    more = store.save_question("conv-q", message="And a second one", contact={"phone": "+34 612 345 678"},
                               language="en")
    assert more.lead_id == first.lead_id and more.changed == ("phone", "message")
    lead = store.get_lead(first.lead_id)
    assert [m["text"] for m in lead["messages"]] == ["First question", "And a second one"]
    assert lead["contact"]["phone"] == "+34612345678"
    assert store.count_leads() == 1


@pytest.mark.parametrize("change, message", [
    ({"message": "   "}, "message is required"),
    ({"message": "x" * 1001}, "too long"),
    ({"contact": {"name": "No Way"}}, "phone number, e-mail address or WeChat"),
    ({"outcome": "maybe"}, "outcome"),
    ({"respondent": "neighbour"}, "respondent"),
    ({"language": "fr"}, "language"),
])
def test_invalid_questions_are_rejected(store, change, message):
    kwargs = {"message": "A question", "contact": {"phone": "13800138000"}, "language": "en", **change}
    with pytest.raises(LeadValidationError, match=message):
        store.save_question("conv-bad-q", **kwargs)
    assert store.count_leads() == 0


# --- contact drafts -----------------------------------------------------------------------------

def test_contact_drafts_are_validated_encrypted_and_discarded(store):
    assert store.contact_draft("conv-d") == {}
    assert store.save_contact_draft("conv-d", "phone", "138-0013-8000") == "+8613800138000"
    store.save_contact_draft("conv-d", "name", "Li Wei")
    store.save_contact_draft("conv-d", "name", "Li Wei (mother)")
    assert store.contact_draft("conv-d") == {"phone": "+8613800138000", "name": "Li Wei (mother)"}
    for field, value, message in (("phone", "12345", "phone"), ("email", "not-an-email", "email"),
                                  ("address", "Somewhere", "unknown contact field"), ("name", "x" * 201, "too long")):
        with pytest.raises(LeadValidationError, match=message) as err:
            store.save_contact_draft("conv-d", field, value)
        assert value not in str(err.value)
    assert store.save_contact_draft("conv-d", "name", "  ") is None  # empty removes the field
    assert store.contact_draft("conv-d") == {"phone": "+8613800138000"}
    with store.engine.connect() as conn:
        from bot.leads.models import contact_drafts

        raw = " ".join(str(v) for row in conn.execute(select(contact_drafts)) for v in row)
    assert "13800138000" not in raw and "conv-d" not in raw
    assert store.discard_contact_draft("conv-d") == 1
    assert store.contact_draft("conv-d") == {}


def test_contact_drafts_expire_after_the_configured_hours(database_url, leads_key):
    from datetime import timedelta

    from sqlalchemy import update

    from bot.leads.models import contact_drafts, utcnow

    store = LeadStore(database_url, leads_key, draft_ttl_hours=2)
    store.create_schema()
    try:
        store.save_contact_draft("conv-old", "name", "Old Draft")
        store.save_contact_draft("conv-new", "name", "New Draft")
        with store.engine.begin() as conn:
            conn.execute(update(contact_drafts).where(contact_drafts.c.conversation_key.in_(
                store._conversation_keys("conv-old", purpose="draft"))).values(updated_at=utcnow() - timedelta(hours=3)))
        assert store.contact_draft("conv-old") == {}  # expired drafts are never returned
        assert store.purge_expired_drafts() == 1
        assert store.contact_draft("conv-new") == {"name": "New Draft"}
        assert store.purge_expired_drafts(utcnow() + timedelta(hours=2, seconds=1)) == 1
    finally:
        store.close()


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
