"""The REST channel is a trusted back-end interface: exposed, it needs a token.

With REST_TOKEN set it is checked on the running stack (tests/stack/test_web_sessions.py). Here: the
real ``rasa run`` bound to every interface (0.0.0.0) without a token refuses every message, and
which hosts count as loopback. No model is loaded: the refusal comes before the assistant.
"""

from __future__ import annotations

import json
import os
import subprocess
import urllib.error
import urllib.request

import pytest

from bot.channels import is_loopback
from tests.fixtures.servers import free_port
from tests.fixtures.web import ROOT, _stop, wait_for_http


@pytest.mark.parametrize("host,loopback", [
    ("127.0.0.1", True), ("127.0.0.2", True), ("::1", True), ("[::1]", True), ("localhost", True), (None, True),
    ("0.0.0.0", False), ("::", False), ("10.1.2.3", False), ("192.168.0.5", False), ("bot.example.org", False),
])
def test_which_interfaces_are_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_rasa_bound_to_every_interface_without_a_token_refuses_rest_messages(tmp_path):
    credentials = tmp_path / "credentials.yml"
    credentials.write_text("bot.channels.SafeRestInput:\n")
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("{}\n")
    port = free_port()
    log = tmp_path / "rasa.log"
    env = {k: v for k, v in os.environ.items() if k != "REST_TOKEN"}
    rasa = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "rasa"), "run", "--model", str(tmp_path / "no-model.tar.gz"),
         "--endpoints", str(endpoints), "--credentials", str(credentials),
         "--interface", "0.0.0.0", "--port", str(port)],
        cwd=ROOT, env={**env, "RASA_TELEMETRY_ENABLED": "false"}, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/", rasa, log, timeout=180)
        for headers in ({}, {"Authorization": "Bearer anything"}):
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/webhooks/rest/webhook", method="POST",
                data=json.dumps({"sender": "someone", "message": "hi"}).encode(),
                headers={"Content-Type": "application/json", **headers})
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request, timeout=10)
            assert refused.value.code == 403
            assert "REST_TOKEN" in json.loads(refused.value.read())["error"]
    finally:
        _stop(rasa)
    assert "REST_TOKEN is not set" in log.read_text(errors="replace")
