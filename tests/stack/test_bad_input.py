"""Bad input over the real REST channel: every message gets a clear answer, the server keeps
answering (never a 5xx), and nothing the person already said is lost."""

from __future__ import annotations

import json
import random
import urllib.error
import urllib.request

import pytest

from bot.simulate import send, tracker_slots

BAD_MESSAGES = [
    "",
    "   \n\t ",
    "a" * 10_000,
    "😀😀😀🙏",
    "\u200b\u200b\u202eyes\u202c",
    "ye\x00s\x00",
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "'; DROP TABLE leads; --",
    "1 OR 1=1",
    '/inform{"prescreen_outcome": "likely_eligible"}',
    '/inform{"patient_age": 200}',
    '/inform{"failed_criteria": []}',
    "/back",
    "Bonjour, mon fils a une leucémie",
    "مرحبا، ابني مريض",
    "{{7*7}} ${7*7} %s %n",
]


def post(url: str, body: bytes, content_type: str = "application/json"):
    req = urllib.request.Request(url, data=body, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read().decode() or "null")
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read().decode() or "null")


def start_and_answer_age(stack, sender: str) -> None:
    for text in ("hi", "yes", "I'm the patient", "31"):
        send(stack["url"], sender, text)
    slots = tracker_slots(stack["url"], sender, stack["token"])
    assert slots["patient_age"] == 31.0 and slots["requested_slot"] == "b_all_diagnosis"


@pytest.mark.parametrize("message", BAD_MESSAGES, ids=range(len(BAD_MESSAGES)))
def test_bad_message_mid_form_gets_an_answer_and_loses_nothing(stack, message):
    sender = f"bad-{random.getrandbits(40):x}"
    start_and_answer_age(stack, sender)
    replies = send(stack["url"], sender, message)
    assert replies and all(isinstance(r.get("text"), str) or r.get("buttons") for r in replies)
    slots = tracker_slots(stack["url"], sender, stack["token"])
    assert slots["patient_age"] == 31.0  # nothing lost
    assert slots["prescreen_outcome"] is None  # a typed command never sets a computed slot
    assert slots["failed_criteria"] in (None, [])
    # ...and the conversation carries on normally.
    send(stack["url"], sender, "yes")
    assert tracker_slots(stack["url"], sender, stack["token"])["b_all_diagnosis"] in ("yes", None)


def test_a_very_long_message_is_capped_with_a_polite_reply(stack):
    replies = send(stack["url"], "long-one", "x" * 10_000)
    assert any("very long" in (r.get("text") or "") for r in replies)


def test_typed_age_payload_is_validated_like_text(stack):
    sender = "typed-age"
    for text in ("hi", "yes", "I'm the patient"):
        send(stack["url"], sender, text)
    replies = send(stack["url"], sender, '/inform{"patient_age": 200}')
    assert any("age" in (r.get("text") or "").lower() for r in replies)
    slots = tracker_slots(stack["url"], sender, stack["token"])
    assert slots["patient_age"] is None and slots["requested_slot"] == "patient_age"
    # Button payloads still work.
    send(stack["url"], sender, '/inform{"number": 31}')
    assert tracker_slots(stack["url"], sender, stack["token"])["patient_age"] == 31.0


def test_other_languages_get_the_three_language_reply(stack):
    replies = send(stack["url"], "french-1", "Bonjour, mon fils a une leucémie, est-ce que cet essai est pour lui ?")
    text = " ".join(r.get("text") or "" for r in replies)
    assert "English" in text and "中文" in text and "español" in text


@pytest.mark.parametrize("sender", ["x" * 10_000, "../../etc/passwd", "<b>bold</b>", "💥", "a b c", 12345])
def test_odd_sender_ids_still_get_answers(stack, sender):
    status, body = post(f"{stack['url']}/webhooks/rest/webhook", json.dumps({"sender": sender, "message": "hi"}).encode())
    assert status == 200 and body


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'{"message": "hi"}', b'{"sender": null, "message": "hi"}', b'{"sender": {"a": 1}}',
     bytes(random.Random(1).getrandbits(8) for _ in range(200))],
)
def test_malformed_requests_get_a_400_with_an_explanation(stack, body):
    status, reply = post(f"{stack['url']}/webhooks/rest/webhook", body)
    assert status == 400
    assert "sender" in json.dumps(reply) or "JSON" in json.dumps(reply)


def test_random_bytes_as_a_message_are_answered(stack):
    junk = bytes(random.Random(7).getrandbits(8) for _ in range(300)).decode("latin-1")
    replies = send(stack["url"], "junk-1", junk)
    assert replies


def test_logs_hold_no_message_text_or_contact_details(stack):
    marker = "Zebracorn Quux 13912345678"
    send(stack["url"], "log-check", "hi")
    send(stack["url"], "log-check", marker)
    send(stack["url"], "log-check", "/Name +1 415 555 0100")  # Rasa's own warning quoted this
    send(stack["url"], "log-check", "fine\n2026-12-01 10:00:00 INFO forged line")
    log = stack["log"].read_text(encoding="utf-8", errors="replace")
    assert "Zebracorn" not in log and "13912345678" not in log
    assert "415 555" not in log and "Failed to parse a typed /intent message" in log
    assert not [line for line in log.splitlines() if line.startswith("2026-12-01 10:00:00 INFO forged")]


def raw_post(stack, body, headers: dict, chunked: bool = False):
    """A request as a client might really send it (any content type, chunked or not)."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", int(stack["url"].rsplit(":", 1)[1]), timeout=30)
    try:
        conn.request("POST", "/webhooks/rest/webhook", body=body, headers=headers, encode_chunked=chunked)
        resp = conn.getresponse()
        return resp.status, resp.getheader("Content-Type") or "", resp.read().decode("utf-8", "replace")
    finally:
        conn.close()


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", "application/jsonp", "text/json"])
def test_a_body_not_sent_as_json_gets_a_plain_415_and_is_not_processed(stack, content_type):
    sender = f"ct-{random.getrandbits(32):x}"
    headers = {"Content-Type": content_type} if content_type else {}
    status, ctype, body = raw_post(stack, json.dumps({"sender": sender, "message": "hi"}).encode(), headers)
    assert status == 415 and ctype.startswith("text/plain")
    assert "Content-Type: application/json" in body
    events = tracker_events(stack, sender)
    assert not [e for e in events if e.get("event") == "user"]


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "APPLICATION/JSON",
                                          "application/vnd.api+json"])
def test_json_content_types_are_accepted(stack, content_type):
    status, _, body = raw_post(stack, json.dumps({"sender": "ct-ok", "message": "hi"}).encode(),
                               {"Content-Type": content_type})
    assert status == 200 and json.loads(body)


@pytest.mark.parametrize("chunked", [False, True])
def test_an_oversized_body_gets_a_413_before_it_is_read(stack, chunked):
    big = json.dumps({"sender": "huge", "message": "x" * 200_000}).encode()
    if chunked:  # no Content-Length: the cap is counted as the body arrives
        body = iter([big[i:i + 8192] for i in range(0, len(big), 8192)])
        headers = {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}
    else:
        body, headers = big, {"Content-Type": "application/json"}
    status, ctype, text = raw_post(stack, body, headers, chunked)
    assert status == 413 and ctype.startswith("text/plain") and "too large" in text
    # The server is fine afterwards, and a long message inside the cap still gets its polite reply.
    assert any("very long" in (r.get("text") or "") for r in send(stack["url"], "long-two", "y" * 10_000))


def test_a_chunked_json_body_inside_the_cap_is_read(stack):
    body = json.dumps({"sender": "chunked-ok", "message": "hi"}).encode()
    status, _, text = raw_post(stack, iter([body[:10], body[10:]]),
                               {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}, True)
    assert status == 200 and json.loads(text)


def test_the_action_server_answers_wrong_methods_405_and_unknown_paths_404(stack):
    import requests

    base = f"http://127.0.0.1:{stack['ports']['ACTION_PORT']}"
    assert requests.get(f"{base}/health", timeout=10).status_code == 200
    for method in ("POST", "PUT", "DELETE"):
        r = requests.request(method, f"{base}/health", timeout=10)
        assert r.status_code == 405, (method, r.status_code, r.text)
    assert requests.get(f"{base}/no-such-thing", timeout=10).status_code == 404
    assert requests.post(f"{base}/webhook", json={}, timeout=10).status_code == 403  # still needs the token


def test_typed_restart_does_not_wipe_the_conversation(stack):
    sender = "typed-restart"
    start_and_answer_age(stack, sender)
    send(stack["url"], sender, "/restart")
    events = tracker_events(stack, sender)
    assert not any(e.get("event") == "restart" for e in events)
    assert sum(1 for e in events if e.get("event") == "user") >= 5  # the history is still there


def tracker_events(stack, sender):
    url = f"{stack['url']}/conversations/{sender}/tracker?token={stack['token']}"
    with urllib.request.urlopen(url, timeout=10) as resp:
        return json.loads(resp.read())["events"]
