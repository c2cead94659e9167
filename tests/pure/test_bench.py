"""The benchmark's logic (tools/bench): percentiles, the checks that say a conversation was lost,
doubled or crossed, the conversation mix, targets and tables, and that it stops loudly when it
cannot find what it measures. No servers and no timing: the benchmark itself is `make bench`."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pytest

from bot.tracker_privacy import PLACEHOLDER
from tools.bench import conversations as convs
from tools.bench import main as bench_main
from tools.bench.conversations import Sent, crossed_problems, lead_problems, make_case, message_problems
from tools.bench.phases import memory_growth
from tools.bench.report import evaluate_targets, format_table, markdown_table, report, verdict
from tools.bench.stats import latency_summary, parse_levels, percentile
from tools.bench.stores import sample_screening, split_turns

ROOT = Path(__file__).resolve().parents[2]

# --- percentiles ------------------------------------------------------------------------------


def test_percentile_interpolates_linearly_between_closest_ranks_like_numpy():
    values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert percentile(values, 50) == pytest.approx(5.5)
    assert percentile(values, 95) == pytest.approx(9.55)
    assert percentile(values, 99) == pytest.approx(9.91)
    assert percentile(values, 0) == 1
    assert percentile(values, 100) == 10


def test_percentile_ignores_input_order_and_handles_one_or_no_value():
    assert percentile([10, 1, 5], 50) == 5
    assert percentile([0.25], 99) == 0.25
    assert math.isnan(percentile([], 50))
    with pytest.raises(ValueError):
        percentile([1, 2], 101)


def test_latency_summary_is_in_milliseconds():
    summary = latency_summary([0.010] * 98 + [0.200, 0.300])
    assert summary["n"] == 100
    assert summary["p50_ms"] == pytest.approx(10.0)
    assert summary["p99_ms"] == pytest.approx(201.0)
    assert summary["max_ms"] == pytest.approx(300.0)
    assert math.isnan(latency_summary([])["p95_ms"])


def test_levels_parse_concurrency_and_conversation_count():
    assert parse_levels("1:5, 20:40,50:100") == [(1, 5), (20, 40), (50, 100)]
    assert parse_levels("3") == [(3, 3)]
    for bad in ("0:5", ""):
        with pytest.raises(ValueError):
            parse_levels(bad)


# --- lost, doubled, crossed --------------------------------------------------------------------


def _tracker(texts, **slots):
    events = [{"event": "action", "name": "action_session_start"}]
    for text in texts:
        events += [{"event": "user", "text": text}, {"event": "bot", "text": "next question"}]
    return {"events": events, "slots": slots}


def test_a_tracker_with_exactly_this_conversations_messages_and_answers_is_clean():
    sent = ["hi", "yes please", "I'm the patient", "23"]
    tracker = _tracker(sent, patient_age=23.0, respondent="patient", requested_slot="b_all_diagnosis")
    assert crossed_problems(sent, {"patient_age": 23.0, "respondent": "patient"}, tracker) == []


def test_another_conversations_message_in_the_tracker_is_crossed():
    sent = ["hi", "yes please", "I'm the patient", "23"]
    problems = crossed_problems(sent, {}, _tracker(["hi", "yes please", "I'm the patient", "37"]))
    assert len(problems) == 1 and "foreign: ['37']" in problems[0] and "missing: ['23']" in problems[0]


def test_another_conversations_answer_in_a_slot_is_crossed():
    sent = ["hi", "ok", "I'm his mum", "he's seven"]
    problems = crossed_problems(sent, {"patient_age": 7.0}, _tracker(sent, patient_age=31.0))
    assert problems == ["slot patient_age = 31.0, this conversation said 7.0"]


def test_missing_or_extra_messages_count_and_say_which():
    assert crossed_problems(["hi", "yes"], {}, _tracker(["hi"]))
    doubled = crossed_problems(["hi", "yes"], {}, _tracker(["hi", "yes", "yes"]))
    assert doubled and "doubled: ['yes']" in doubled[0]
    assert crossed_problems(["hi", "yes"], {}, {"events": [], "slots": {}})


def test_a_turn_that_failed_may_be_missing_once_but_a_confirmed_one_may_not():
    sent = [Sent("hi"), Sent("31", certain=False), Sent("31"), Sent("yes")]
    assert crossed_problems(sent, {}, _tracker(["hi", "31", "yes"])) == []  # the failed one never arrived
    assert crossed_problems(sent, {}, _tracker(["hi", "31", "31", "yes"])) == []  # it did, and was answered
    assert crossed_problems(sent, {}, _tracker(["hi", "31", "31", "31", "yes"]))  # three is one too many
    assert crossed_problems(sent, {}, _tracker(["hi", "yes"]))  # a confirmed answer lost
    kinds = message_problems(["hi", "yes"], sent, PLACEHOLDER)
    assert kinds == {"lost": ["31"], "doubled": [], "foreign": []}


def test_contact_details_may_read_as_the_stores_placeholder():
    sent = [Sent("yes"), Sent("Ana Li", private=True), Sent("13900000001", private=True), Sent("yes")]
    assert crossed_problems(sent, {}, _tracker(["yes", PLACEHOLDER, PLACEHOLDER, "yes"])) == []
    assert crossed_problems(sent, {}, _tracker(["yes", "Ana Li", PLACEHOLDER, "yes"])) == []  # a replica's own copy
    assert crossed_problems(sent, {}, _tracker(["yes", PLACEHOLDER, "yes"]))  # one detail lost
    assert crossed_problems([Sent("yes"), Sent("31")], {}, _tracker(["yes", PLACEHOLDER]))  # not a private answer


def test_float_slots_compare_with_a_tolerance_and_bools_are_not_numbers():
    assert crossed_problems(["10 months"], {"patient_age": 10 / 12}, _tracker(["10 months"], patient_age=0.8333333)) == []
    assert crossed_problems(["x"], {"patient_age": 1.0}, _tracker(["x"], patient_age=True))


# --- the conversation mix -----------------------------------------------------------------------


def test_the_mix_cycles_through_five_profiles_with_expected_outcomes():
    cases = [make_case(i) for i in range(5)]
    assert [c.profile for c in cases] == ["eligible adult", "parent of a 7-year-old", "too young",
                                          "CAR-T loss after 8 months", "two unsure answers"]
    assert [c.outcome[0] for c in cases] == ["likely_eligible", "likely_eligible", "not_eligible",
                                             "not_eligible", "needs_review"]
    assert cases[1].expected_slots["patient_age"] == 7.0
    assert cases[2].expected_slots["patient_age"] < 1
    assert cases[3].answers["car_t_loss_months"] == "8 months after"
    assert cases[4].outcome == ("needs_review", [], ["E7", "E12"])


def test_conversations_of_the_same_profile_mostly_answer_differently():
    adults = {make_case(i).answers["patient_age"] for i in range(0, 100, 5)}
    parents = {make_case(i).answers["car_t_loss_months"] for i in range(1, 100, 5)}
    assert len(adults) == 20 and len(parents) == 6
    for i in range(200):
        age = make_case(i).expected_slots.get("patient_age")
        assert age is not None and (age < 1 or 1 <= age <= 39)


def test_only_the_likely_eligible_profiles_hand_off_each_with_their_own_contact():
    cases = [make_case(i) for i in range(10)]
    assert [bool(c.contact) for c in cases] == [True, True, False, False, False] * 2
    phones = {c.contact["phone"] for c in cases if c.contact}
    assert len(phones) == 4 and all(len(p) == 11 for p in phones)


def test_a_screenings_events_split_into_the_turns_rasa_saves():
    turns = split_turns(sample_screening())
    assert [e["event"] for e in turns[0]] == ["action", "session_started", "slot", "action"]
    assert len(turns) == 21 and all(t[0]["event"] == "user" for t in turns[1:])


# --- leads under load ---------------------------------------------------------------------------


def _consented(sender, name, phone, age):
    conv = convs.Conversation(sender, "eligible adult")
    conv.lead = {"name": name, "phone": phone, "patient_age": age}
    return conv


def _lead(name, phone, age, submissions=1):
    return {"contact": {"name": name, "phone": phone}, "submissions": submissions,
            "packet": [{"id": "I1", "answers": {}}, {"id": "I3", "answers": {"patient_age": age}}]}


def test_every_consented_conversation_with_its_own_lead_is_clean():
    conversations = [_consented("a", "Ana", "13900000001", 31.0), _consented("b", "Bo", "13900000002", 7.0),
                     convs.Conversation("c", "too young")]
    leads = {"a": _lead("Ana", "13900000001", 31.0), "b": _lead("Bo", "13900000002", 7.0)}
    assert lead_problems(conversations, leads.get) == {"expected": 2, "saved": 2, "lost": 0, "crossed": 0, "examples": []}


def test_a_missing_lead_is_lost_and_a_swapped_or_doubled_one_is_crossed():
    conversations = [_consented("a", "Ana", "13900000001", 31.0), _consented("b", "Bo", "13900000002", 7.0),
                     _consented("c", "Cy", "13900000003", 20.0), _consented("d", "Di", "13900000004", 22.0)]
    leads = {"b": _lead("Ana", "13900000001", 31.0), "c": _lead("Cy", "13900000003", 21.0),
             "d": _lead("Di", "13900000004", 22.0, submissions=2)}
    result = lead_problems(conversations, leads.get)
    assert (result["expected"], result["saved"], result["lost"], result["crossed"]) == (4, 3, 1, 3)
    assert result["examples"][0] == "lost: a"


# --- memory with idle conversations --------------------------------------------------------------


def test_memory_growth_is_measured_from_the_first_checkpoint():
    growth = memory_growth([(0, 700.0), (1000, 760.0), (5500, 780.0), (10000, 790.0)])
    assert growth["growth_mb"] == pytest.approx(30.0) and growth["mb_per_1000"] == pytest.approx(30.0 / 9)
    assert math.isnan(memory_growth([(0, 700.0), (1000, 760.0)])["growth_mb"])


# --- targets and tables --------------------------------------------------------------------------


def _level(bot, conc, msg_s, p95=100.0, errors=0, crossed=0):
    return {"bot": bot, "concurrency": conc, "conversations": 2 * conc, "turns": 34 * conc,
            "turns_per_conversation": 17.0, "messages_per_s": msg_s, "wall_s": 34 * conc / msg_s,
            "turn_latency": {"p50_ms": p95 / 2, "p95_ms": p95, "p99_ms": p95 * 1.2, "max_ms": p95 * 2},
            "tracker_read_latency": {"p95_ms": 12.0}, "errors": errors, "crossed": crossed, "failed_turns": 0,
            "server_cpu_ms_per_turn": {}}


def _by_name(targets):
    return {t["target"]: t for t in targets}


def test_targets_pass_and_fail_on_the_right_figures():
    ours = {1: _level("ours", 1, 10.0), 20: _level("ours", 20, 100.0, p95=199.0), 50: _level("ours", 50, 74.0, errors=1)}
    ref = {1: _level("reference", 1, 12.0), 20: _level("reference", 20, 40.0), 50: _level("reference", 50, 30.0)}
    result = {name: t["passed"] for name, t in _by_name(evaluate_targets(ours, ref)).items()}
    assert result["throughput ratio >= 2.5 at 20 concurrent"] is True  # exactly 2.5
    assert result["throughput ratio >= 2.5 at 50 concurrent"] is False  # 2.47
    assert result["p95 turn latency < 200 ms at 20 concurrent"] is True
    assert result["zero errors at 50 concurrent"] is False
    assert result["no conversation lost, doubled or given another's answers (all levels)"] is True


def test_targets_for_levels_or_phases_not_run_are_not_measured():
    by_name = _by_name(evaluate_targets({1: _level("ours", 1, 10.0)}, {}))
    assert by_name["throughput ratio >= 2.5 at 20 concurrent"]["passed"] is None
    assert by_name["p95 turn latency < 200 ms at 20 concurrent"]["passed"] is None
    assert by_name["Rasa memory flat as idle conversations pile up (< 64 MB growth)"]["passed"] is None
    assert all(t["passed"] is None for name, t in by_name.items() if name.startswith("scaled"))
    assert verdict(None) == "not measured" and verdict(True) == "PASS" and verdict(False) == "FAIL"


def _idle(growth, errors=0, kept=5):
    return {"conversations": 10000, "samples": [(0, 700.0), (1000, 750.0), (10000, 750.0 + growth)],
            "errors": errors, "first_five_kept": kept, **memory_growth([(1000, 750.0), (10000, 750.0 + growth)])}


def _failover(lost=0, doubled=0, foreign=0, errors=0, back=40.0, served_after=12):
    return {**_level("scaled failover", 50, 60.0, errors=errors), "failover": {
        "replica": "127.0.0.1:6201", "down_after_kill_s": 0.1, "back_after_kill_s": back,
        "turns_served_by_it_after_it_came_back": served_after, "lost": lost, "doubled": doubled, "foreign": foreign},
        "served_by": {"127.0.0.1:6201": 100, "127.0.0.1:6202": 300}}


def test_memory_and_failover_targets():
    idle_name = "Rasa memory flat as idle conversations pile up (< 64 MB growth)"
    assert _by_name(evaluate_targets({}, {}, _idle(20.0)))[idle_name]["passed"] is True
    assert _by_name(evaluate_targets({}, {}, _idle(90.0)))[idle_name]["passed"] is False
    assert _by_name(evaluate_targets({}, {}, _idle(5.0, kept=4)))[idle_name]["passed"] is False  # one was forgotten
    clean = _by_name(evaluate_targets({}, {}, None, _failover()))
    name = "scaled: no conversation lost, doubled or crossed at 50 concurrent while a replica is killed and restarted"
    assert clean[name]["passed"] is True and clean["scaled: the killed replica came back and served again"]["passed"]
    for bad in (_failover(lost=1), _failover(doubled=1), _failover(foreign=2), _failover(errors=1)):
        assert _by_name(evaluate_targets({}, {}, None, bad))[name]["passed"] is False
    never_back = _by_name(evaluate_targets({}, {}, None, _failover(back=None, served_after=0)))
    assert never_back["scaled: the killed replica came back and served again"]["passed"] is None


def test_plain_table_aligns_columns():
    lines = format_table(["bot", "msg/s"], [["ours", "12.5"], ["reference", "9.0"]]).splitlines()
    assert lines == ["bot        msg/s", "---------  -----", "ours        12.5", "reference    9.0"]


def test_markdown_table_right_aligns_numbers_and_escapes_pipes():
    assert markdown_table(["bot", "msg/s"], [["a|b", 1]]).splitlines() == ["| bot | msg/s |", "|:---|---:|", "| a\\|b | 1 |"]


def test_the_report_renders_every_level_with_its_ratio_and_every_phase():
    ours = {1: _level("ours", 1, 10.0), 20: _level("ours", 20, 30.0)}
    ref = {1: _level("reference", 1, 8.0), 20: _level("reference", 20, 40.0)}
    scaled = {20: _level("scaled", 20, 28.0)}
    figures = {"ours_peak_rss_mb_during_load": {"rasa": 700.0}, "ours_peak_rss_mb_lifetime": {"rasa": 710.0},
               "ours_train_s": 31.2, "total_s": 300.0}
    stores = [{"store": "ours (SQLite file, the default)", "per_turn_ms": 0.4, "last_turns_ms": 0.5,
               "cold_read_ms": 30.0, "alternating_ms": 0.9}]
    text, md = report(figures, ours, ref, evaluate_targets(ours, ref, _idle(10.0), _failover()), scaled, ref,
                      _idle(10.0), _failover(), stores)
    rows = [line.split() for line in text.splitlines() if line.startswith(("ours ", "reference ", "scaled "))]
    assert [(r[0], r[1], r[6]) for r in rows[:5]] == [("ours", "1", "1.25"), ("reference", "1", "-"),
                                                      ("ours", "20", "0.75"), ("reference", "20", "-"),
                                                      ("scaled", "20", "0.70")]
    assert "FAIL" in text and "PASS" in text
    assert md.startswith("### Benchmark")
    assert "| ours | 20 | 40 | 680 | 17.0 | 30.0 | 0.75 |" in md
    assert "| cold training (empty Rasa cache) | 31.2 | - |" in md
    assert "| 10,000 | 760 |" in md and "127.0.0.1:6201" in md and "ours (SQLite file, the default)" in md


# --- it fails loudly, and stays apart from the tests --------------------------------------------------


def test_the_channels_failure_replies_are_imported_not_parsed():
    from bot.channels import UNAVAILABLE

    convs.channel_failure_texts.cache_clear()
    assert set(convs.channel_failure_texts()) == set(UNAVAILABLE.values())


def test_a_renamed_or_emptied_failure_constant_stops_the_benchmark(monkeypatch):
    import bot.channels

    for broken in ({}, {"en": ""}, None):
        convs.channel_failure_texts.cache_clear()
        if broken is None:
            monkeypatch.delattr(bot.channels, "UNAVAILABLE")
        else:
            monkeypatch.setattr(bot.channels, "UNAVAILABLE", broken)
        with pytest.raises(convs.BenchSetupError) as err:
            convs.channel_failure_texts()
        assert "UNAVAILABLE" in str(err.value)
        monkeypatch.undo()
    convs.channel_failure_texts.cache_clear()


def test_a_missing_model_stops_the_benchmark_before_anything_starts(tmp_path, capsys):
    assert bench_main.main(["--quick", "--model", str(tmp_path / "none.tar.gz")]) == 2
    assert "none.tar.gz is missing" in capsys.readouterr().err


def test_the_benchmark_imports_nothing_from_the_tests():
    code = ("import sys, tools.bench.main, tools.bench.stores, tools.bench.phases; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tests', 'profiles', 'profiles_i18n', 'conftest')))")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "RASA_TELEMETRY_ENABLED": "false"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "[]"
