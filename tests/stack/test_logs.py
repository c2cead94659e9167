"""No message text or contact details in any log, and no forged log lines: bot/logs.py, first on
its own, then over a real Rasa server and action server both logging at DEBUG (Rasa's most
talkative level), driven with messages that hold phone numbers, e-mail addresses and newlines
through a whole hand-off."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from bot import logs
from bot.simulate import run_screening, send
from tests.fixtures.servers import ACTION_TOKEN, free_port, wait_for
from tests.support.profiles import ELIGIBLE_ADULT_EN, handoff_replies

ROOT = Path(__file__).resolve().parents[2]
RASA = Path(sys.executable).with_name("rasa")
FORGED = "2026-12-01 10:00:00 INFO bot.leads: lead 1 deleted"
MESSAGES = [
    "/Name +1 415 555 0100",  # Rasa 3.6 logged this word for word in a warning
    '/inform{"Zebracorn": "+1 415 555 0199"}',
    f"hello\n{FORGED}",
    "Zebracorn Quux lives at 12 Quiet Lane\r\nWARNING forged too",
]
NAME, PHONE, EMAIL, TIME = "Zebracorn Quux", "+44 20 7946 0958", "zq@example.org", "weekday evenings"
SECRETS = ("Zebracorn", "Quux", "415 555", "4155550", "7946", "zq@example", "Quiet Lane", "weekday evenings")


@pytest.fixture
def captured():
    """A logger wired as the servers' loggers are, with bot.logs installed."""
    logs.install()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("test.bot.logs")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


def test_a_newline_cannot_start_a_log_line_of_its_own(captured):
    logger, stream = captured
    logger.info("received %r and %s", "x", f"hi\n{FORGED}\r\n\x1b[31mred\x1b[0m\x00")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1 and lines[0].startswith("INFO test.bot.logs: received 'x' and hi\\n2026")
    assert "\\r\\nred\\x00" in lines[0] and "\x1b" not in lines[0]


def test_texts_in_flight_phones_and_e_mails_are_kept_out(captured):
    import contextvars

    logger, stream = captured

    def handle_one_request():
        logs.remember("Zebracorn Quux", 'he said "hi"\n', "no")
        logger.debug("event: %s", '{"text": "he said \\"hi\\"\\n", "name": "Zebracorn Quux"}')
        logger.debug("slots %r", {"contact_name": "Zebracorn Quux", "answer": "no"})
        logger.warning("call +86 138 0013 8000 or +1 (415) 555-0100 or mail zq.private@example.org; at 10:00:01")
        try:
            raise ValueError("bad value Zebracorn Quux")
        except ValueError:
            logger.exception("failed")

    contextvars.copy_context().run(handle_one_request)
    logger.info("another request: Zebracorn Quux is not remembered here, but %s is masked", "+8613800138000")
    out = stream.getvalue()
    first_request = out.split("another request")[0]
    assert "Zebracorn" not in first_request and 'he said \\"hi\\"' not in first_request
    assert '{"text": "[redacted]\\n", "name": "[redacted]"}' in first_request
    assert "[phone]" in out and "13800138000" not in out and "415" not in out and "[email]" in out
    assert "at 10:00:01" in out and "'answer': 'no'" in out  # times and short answers stay readable
    assert "ValueError: bad value [redacted]" in out and "Traceback" in out
    assert "another request: Zebracorn Quux is not remembered here" in out  # per request, not for ever


def test_rasa_s_typed_intent_warning_goes_through_logging_without_the_text(captured):
    logs.install()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logging.getLogger("py.warnings").addHandler(handler)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            logging.captureWarnings(False)  # pytest records warnings itself: hook logging in again here
            logging.captureWarnings(True)
            from rasa.shared.utils.io import raise_warning

            raise_warning("Failed to parse arguments in line '/Name +1 415 555 0100'. Expected the intent to be "
                          "one of [['affirm']] but found Name.")
    finally:
        logging.getLogger("py.warnings").removeHandler(handler)
    out = stream.getvalue()
    assert "Failed to parse a typed /intent message (its text is not logged)" in out
    assert "415" not in out and "Name." not in out


@pytest.fixture(scope="module")
def debug_servers(tmp_path_factory, lead_env):
    """`rasa run --debug` and the action server at DEBUG, each logging to a file."""
    logs_dir = tmp_path_factory.mktemp("debug-logs")
    action_port, rasa_port = free_port(), free_port()
    env = {**os.environ, **lead_env, "ACTION_SERVER_TOKEN": ACTION_TOKEN, "RASA_TELEMETRY_ENABLED": "false",
           "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook"}
    action_log, rasa_log = logs_dir / "actions.log", logs_dir / "rasa.log"
    actions = subprocess.Popen([sys.executable, "-m", "bot.action_server", "--port", str(action_port),
                                "--log-level", "DEBUG"], cwd=ROOT, env=env, stdout=action_log.open("w"),
                               stderr=subprocess.STDOUT)
    rasa = subprocess.Popen([str(RASA), "run", "--debug", "--model", "models/prescreen.tar.gz", "--endpoints",
                             "endpoints.yml", "--credentials", "credentials.yml", "--interface", "127.0.0.1", "--port",
                             str(rasa_port), "--enable-api", "--auth-token", "t0ken"], cwd=ROOT, env=env,
                            stdout=rasa_log.open("w"), stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{action_port}/health", timeout=120)
        wait_for(f"http://127.0.0.1:{rasa_port}/", timeout=240)
        yield {"url": f"http://127.0.0.1:{rasa_port}", "token": "t0ken", "logs": (rasa_log, action_log)}
    finally:
        for proc in (rasa, actions):
            proc.terminate()
            proc.wait(timeout=30)


def test_debug_logs_of_both_servers_hold_no_message_text_or_contact_details(debug_servers):
    url = debug_servers["url"]
    for text in MESSAGES:
        send(url, "log-probe", text)
    s = run_screening(ELIGIBLE_ADULT_EN, base_url=url, token=debug_servers["token"], sender="log-handoff")
    assert s.outcome[0] == "likely_eligible"
    replies = [send(url, s.sender, text) for text in handoff_replies(NAME, f"{PHONE} or {EMAIL}", TIME)]
    summary = " ".join(m.get("text") or "" for m in replies[-2])
    assert NAME in summary and EMAIL in summary  # the texts really went through both servers
    rasa_log, action_log = (path.read_text(encoding="utf-8", errors="replace") for path in debug_servers["logs"])
    assert "processor.message.parse" in rasa_log and "validate_handoff_form" in action_log  # DEBUG was on
    assert "Failed to parse a typed /intent message (its text is not logged)" in rasa_log
    for name, log in (("rasa", rasa_log), ("actions", action_log)):
        for secret in SECRETS + (EMAIL, "020 7946"):
            assert secret not in log, (name, secret)
        for line in log.splitlines():
            assert not line.startswith(("2026-12-01 10:00:00 INFO", "WARNING forged")), (name, line)
