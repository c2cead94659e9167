"""Every default port the code and scripts use is one that browsers let people open.

Chromium and Firefox refuse some ports outright (ERR_UNSAFE_PORT; "This address is restricted"),
with no way round it but a command-line flag or a hidden preference. The inbox used to listen on
5060 (SIP), on both lists. Checked twice: against both browsers' lists, embedded below with their
source, and in Debian's Chromium itself, which must refuse 5060 and none of ours.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Chromium, net/base/port_util.cc, kRestrictedPorts (main branch, 2025; 0 is "not in Fetch spec").
CHROMIUM_RESTRICTED = frozenset({
    0, 1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104,
    109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526,
    530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045,
    5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6697, 10080,
})
# Firefox, netwerk/base/nsIOService.cpp, gBadPortList (mozilla-central, 2025).
FIREFOX_RESTRICTED = frozenset({
    1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104, 109,
    110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515, 526, 530,
    531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190,
    5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
})
EXPECTED_DEFAULTS = {"Rasa": 5005, "action server": 5055, "coordinator inbox": 5070, "web page": 8080}

# Where defaults are written: ${NAME_PORT:-5005} in scripts, PORT = 5070 / environ.get("X_PORT", "5055")
# in Python, and http://127.0.0.1:8080 in code, scripts and the README. SMTP_PORT (25) is a port
# we connect to, never one a browser opens.
PATTERNS = (
    re.compile(r"(\w*)_PORT:-(\d{1,5})\}"),
    re.compile(r"(\w*PORT\w*)[\"']?\s*(?:[,=:]|:\s*int\s*=)\s*[\"']?(\d{1,5})\b"),
    re.compile(r"(127\.0\.0\.1|localhost|0\.0\.0\.0):(\d{1,5})\b"),
)
SOURCES = ("bot/**/*.py", "actions/*.py", "scripts/*", "Makefile", "README.md", "*.yml", ".ci/*", "web/src/*")


def default_ports() -> dict:
    found: dict = {}
    for pattern in SOURCES:
        for path in ROOT.glob(pattern):
            if not path.is_file() or path.suffix in (".png", ".json"):
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            for regex in PATTERNS:
                for match in regex.finditer(text):
                    if "SMTP" not in match.group(1).upper():
                        found.setdefault(int(match.group(2)), set()).add(str(path.relative_to(ROOT)))
    return found


def test_the_defaults_are_where_we_think():
    from bot.settings import DEFAULT_COORDINATOR_PORT, Settings

    assert DEFAULT_COORDINATOR_PORT == EXPECTED_DEFAULTS["coordinator inbox"]
    assert Settings(database_url="sqlite://", leads_key="k").inbox_base_url.endswith(":5070")
    assert set(EXPECTED_DEFAULTS.values()) <= set(default_ports())


def test_no_default_port_is_on_chromium_s_or_firefox_s_blocked_list():
    found = default_ports()
    blocked = {port: sorted(where) for port, where in found.items()
               if port in CHROMIUM_RESTRICTED or port in FIREFOX_RESTRICTED}
    assert blocked == {}, f"ports browsers refuse, and where they are defaults: {blocked}"


def test_the_lists_hold_the_ports_that_bit_us():
    assert 5060 in CHROMIUM_RESTRICTED and 5060 in FIREFOX_RESTRICTED  # the inbox's old port
    assert not {5005, 5055, 5070, 8080} & (CHROMIUM_RESTRICTED | FIREFOX_RESTRICTED)


def _navigation_error(browser, port: int) -> str:
    page = browser.new_page()
    try:
        page.goto(f"http://127.0.0.1:{port}/", timeout=10_000)
        return ""
    except Exception as exc:  # playwright.Error: "net::ERR_CONNECTION_REFUSED at ..." and the like
        return str(exc)
    finally:
        page.close()


@pytest.mark.parametrize("name", sorted(EXPECTED_DEFAULTS))
def test_chromium_lets_people_open_every_default_port(browser, name):
    """Nothing may listen there (then the error is "connection refused"), but it is never unsafe."""
    error = _navigation_error(browser, EXPECTED_DEFAULTS[name])
    assert "ERR_UNSAFE_PORT" not in error, (name, error)


def test_chromium_refuses_the_inbox_s_old_port(browser):
    assert "ERR_UNSAFE_PORT" in _navigation_error(browser, 5060)
