"""The hardened REST channel's pure parts: cleaning, sender ids, notices."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.channels import MAX_MESSAGE_CHARS, clean_message, clean_metadata, clean_sender
from bot.understanding.language import decide, looks_unsupported


def test_invisible_and_control_characters_are_removed():
    assert clean_message("\u200b\u202eye\x00s\u202c") == ("yes", False)


def test_long_messages_are_capped_and_flagged():
    text, truncated = clean_message("a" * 10_000)
    assert len(text) == MAX_MESSAGE_CHARS and truncated


@pytest.mark.parametrize("typed,seen", [("/restart", "restart"), (" /back", "back"), ("/affirm", "/affirm")])
def test_rasa_builtin_commands_are_read_as_words_but_button_payloads_are_kept(typed, seen):
    assert clean_message(typed)[0] == seen


@pytest.mark.parametrize("sender,ok", [("abc-123", "abc-123"), (12345, "12345"), ("", None), (None, None), ({"a": 1}, None)])
def test_sender_ids(sender, ok):
    assert clean_sender(sender) == ok


def test_odd_sender_ids_map_to_a_short_stable_id():
    odd = "../../etc/passwd<b>💥" * 500
    assert clean_sender(odd) == clean_sender(odd)
    assert len(clean_sender(odd)) <= 42 and clean_sender(odd).startswith("h-")


def test_metadata_keeps_only_what_is_used():
    assert clean_metadata({"language": "zh", "evil": "x" * 100}, False) == {"language": "zh"}
    assert clean_metadata("nonsense", True) == {"truncated": True}


@pytest.mark.parametrize(
    "text,expected",
    [("Bonjour, mon fils a une leucémie", True), ("مرحبا، ابني مريض", True), ("Привет, мой сын болен", True),
     ("hola, mi hijo tiene leucemia", False), ("hello there", False), ("我儿子七岁", False), ("ok", False),
     ("no, still in remission", False), ("si, sigue en remision", False)],
)
def test_unsupported_languages(text, expected):
    assert looks_unsupported(text) is expected


def test_one_language_decision_in_order_of_authority():
    keep = dict(metadata_language="en", previous_metadata_language="en", current="zh", first_message=False)
    assert decide("ok", **keep).language == "zh"  # a page repeating its language undoes no switch
    assert decide("English please", **keep).language == "en"  # an explicit request wins
    assert decide("hola", **{**keep, "metadata_language": "es"}).language == "es"  # the page changed
    first = dict(metadata_language=None, previous_metadata_language=None, current=None, first_message=True)
    assert decide("我的孩子今年七岁", **first).language == "zh"
    assert decide("sí", **first).language == "en"  # too short to decide: the default
    assert decide("mi hijo tiene siete años y leucemia", **first).language == "es"


@given(st.text(max_size=3000))
def test_cleaning_never_raises_and_never_grows(text):
    cleaned, truncated = clean_message(text)
    assert len(cleaned) <= MAX_MESSAGE_CHARS and isinstance(truncated, bool)


def _probe_against(handler):
    """An ActionServerProbe against a real HTTP server on loopback whose /health runs ``handler``."""
    import asyncio

    from aiohttp import web

    from bot.channels import ActionServerProbe
    from tools.bench.procs import free_port

    async def run(checks):
        app = web.Application()
        app.router.add_get("/health", handler)
        runner = web.AppRunner(app)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        try:
            probe = ActionServerProbe(f"http://127.0.0.1:{port}/webhook")
            return await checks(probe, runner)
        finally:
            await runner.cleanup()

    return lambda checks: asyncio.run(run(checks))


def test_a_slow_action_server_is_not_called_down(monkeypatch):
    """On a loaded machine /health can answer late; the turn must still go ahead."""
    import asyncio

    from aiohttp import web

    import bot.channels

    monkeypatch.setattr(bot.channels, "HEALTH_TIMEOUT_S", 0.2)

    async def slow(_request):
        await asyncio.sleep(1.0)
        return web.json_response({"status": "ok"})

    async def checks(probe, _runner):
        return await probe.ok()

    assert _probe_against(slow)(checks) is True


def test_a_failing_action_server_is_down_and_is_asked_again_at_the_next_message():
    from aiohttp import web

    state = {"status": 503}

    async def health(_request):
        return web.json_response({}, status=state["status"])

    async def checks(probe, _runner):
        down = await probe.ok()
        state["status"] = 200
        return down, await probe.ok()  # at once: a "down" is not cached

    assert _probe_against(health)(checks) == (False, True)


def test_nothing_listening_is_down():
    import asyncio

    from bot.channels import ActionServerProbe
    from tools.bench.procs import free_port

    assert asyncio.run(ActionServerProbe(f"http://127.0.0.1:{free_port()}/webhook").ok()) is False
