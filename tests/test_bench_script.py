"""The pure parts of scripts/bench.py: percentiles, the crossed-answer check, the conversation mix,
targets and tables. No servers, no timing: the benchmark itself is `make bench`."""

from __future__ import annotations

import math

import pytest
from conftest import load_script

bench = load_script("bench")


# --- percentiles ------------------------------------------------------------------------------


def test_percentile_interpolates_linearly_between_closest_ranks_like_numpy():
    values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert bench.percentile(values, 50) == pytest.approx(5.5)
    assert bench.percentile(values, 95) == pytest.approx(9.55)
    assert bench.percentile(values, 99) == pytest.approx(9.91)
    assert bench.percentile(values, 0) == 1
    assert bench.percentile(values, 100) == 10


def test_percentile_ignores_input_order_and_handles_one_or_no_value():
    assert bench.percentile([10, 1, 5], 50) == 5
    assert bench.percentile([0.25], 99) == 0.25
    assert math.isnan(bench.percentile([], 50))


def test_percentile_rejects_out_of_range():
    with pytest.raises(ValueError):
        bench.percentile([1, 2], 101)


def test_latency_summary_is_in_milliseconds():
    summary = bench.latency_summary([0.010] * 98 + [0.200, 0.300])
    assert summary["n"] == 100
    assert summary["p50_ms"] == pytest.approx(10.0)
    assert summary["p99_ms"] == pytest.approx(201.0)
    assert summary["max_ms"] == pytest.approx(300.0)
    assert math.isnan(bench.latency_summary([])["p95_ms"])


def test_levels_parse_concurrency_and_conversation_count():
    assert bench.parse_levels("1:5, 20:40,50:100") == [(1, 5), (20, 40), (50, 100)]
    assert bench.parse_levels("3") == [(3, 3)]
    with pytest.raises(ValueError):
        bench.parse_levels("0:5")
    with pytest.raises(ValueError):
        bench.parse_levels("")


# --- the crossed-answer check ----------------------------------------------------------------


def _tracker(texts, **slots):
    events = [{"event": "action", "name": "action_session_start"}]
    for text in texts:
        events += [{"event": "user", "text": text}, {"event": "bot", "text": "next question"}]
    return {"events": events, "slots": slots}


def test_a_tracker_with_exactly_this_conversations_messages_and_answers_is_not_crossed():
    sent = ["hi", "yes please", "I'm the patient", "23"]
    tracker = _tracker(sent, patient_age=23.0, respondent="patient", requested_slot="b_all_diagnosis")
    assert bench.crossed_problems(sent, {"patient_age": 23.0, "respondent": "patient"}, tracker) == []


def test_another_conversations_message_in_the_tracker_is_crossed():
    sent = ["hi", "yes please", "I'm the patient", "23"]
    tracker = _tracker(["hi", "yes please", "I'm the patient", "37"], patient_age=23.0)
    problems = bench.crossed_problems(sent, {"patient_age": 23.0}, tracker)
    assert len(problems) == 1 and "'37'" in problems[0] and "'23'" in problems[0]


def test_another_conversations_answer_in_a_slot_is_crossed():
    sent = ["hi", "ok", "I'm his mum", "he's seven"]
    tracker = _tracker(sent, patient_age=31.0, respondent="guardian")
    problems = bench.crossed_problems(sent, {"patient_age": 7.0, "respondent": "guardian"}, tracker)
    assert problems == ["slot patient_age = 31.0, this conversation said 7.0"]


def test_missing_or_extra_messages_count_as_crossed():
    sent = ["hi", "yes"]
    assert bench.crossed_problems(sent, {}, _tracker(["hi"]))
    assert bench.crossed_problems(sent, {}, _tracker(["hi", "yes", "yes"]))
    assert bench.crossed_problems(sent, {}, {"events": [], "slots": {}})


def test_float_slots_compare_with_a_tolerance_and_bools_are_not_numbers():
    tracker = _tracker(["10 months"], patient_age=0.8333333)
    assert bench.crossed_problems(["10 months"], {"patient_age": 10 / 12}, tracker) == []
    assert bench.crossed_problems(["x"], {"patient_age": 1.0}, _tracker(["x"], patient_age=True))


# --- the conversation mix -----------------------------------------------------------------------


def test_the_mix_cycles_through_five_profiles_with_expected_outcomes():
    cases = [bench.make_case(i) for i in range(5)]
    assert [c.profile for c in cases] == ["eligible adult", "parent of a 7-year-old", "too young",
                                          "CAR-T loss after 8 months", "two unsure answers"]
    assert [c.outcome[0] for c in cases] == ["likely_eligible", "likely_eligible", "not_eligible",
                                             "not_eligible", "needs_review"]
    assert cases[1].expected_slots["patient_age"] == 7.0
    assert cases[2].expected_slots["patient_age"] < 1
    assert cases[3].answers["car_t_loss_months"] == "8 months after"
    assert cases[4].outcome == ("needs_review", [], ["E7", "E12"])


def test_conversations_of_the_same_profile_mostly_answer_differently():
    adults = {bench.make_case(i).answers["patient_age"] for i in range(0, 100, 5)}
    parents = {bench.make_case(i).answers["car_t_loss_months"] for i in range(1, 100, 5)}
    assert len(adults) == 20 and len(parents) == 6
    for i in range(0, 200):
        case = bench.make_case(i)
        age = case.expected_slots.get("patient_age")
        assert age is not None and (age < 1 or 1 <= age <= 39)


# --- targets and tables ------------------------------------------------------------------------


def _level(bot, conc, msg_s, p95=100.0, errors=0, crossed=0):
    return {"bot": bot, "concurrency": conc, "conversations": 2 * conc, "turns": 34 * conc,
            "turns_per_conversation": 17.0, "messages_per_s": msg_s, "wall_s": 34 * conc / msg_s,
            "turn_latency": {"p50_ms": p95 / 2, "p95_ms": p95, "p99_ms": p95 * 1.2, "max_ms": p95 * 2},
            "tracker_read_latency": {"p95_ms": 12.0}, "errors": errors, "crossed": crossed,
            "server_cpu_ms_per_turn": {}}


def test_targets_pass_and_fail_on_the_right_figures():
    ours = {1: _level("ours", 1, 10.0), 20: _level("ours", 20, 30.0, p95=299.0), 50: _level("ours", 50, 30.0, errors=1)}
    ref = {1: _level("reference", 1, 12.0), 20: _level("reference", 20, 25.0), 50: _level("reference", 50, 30.0)}
    result = {t["target"]: t["passed"] for t in bench.evaluate_targets(ours, ref)}
    assert result["throughput ratio >= 1.0 at 1 concurrent"] is False
    assert result["throughput ratio >= 1.0 at 20 concurrent"] is True
    assert result["throughput ratio >= 1.0 at 50 concurrent"] is True  # equal counts
    assert result["p95 turn latency < 300 ms at 20 concurrent"] is True
    assert result["zero errors at 50 concurrent"] is False
    assert result["no conversation got another's answers (all levels)"] is True


def test_targets_for_levels_not_run_are_not_measured():
    targets = bench.evaluate_targets({1: _level("ours", 1, 10.0)}, {})
    by_name = {t["target"]: t for t in targets}
    assert by_name["throughput ratio >= 1.0 at 1 concurrent"]["passed"] is None
    assert by_name["p95 turn latency < 300 ms at 20 concurrent"]["passed"] is None
    assert bench.verdict(None) == "not measured"
    assert bench.verdict(True) == "PASS" and bench.verdict(False) == "FAIL"


def test_plain_table_aligns_columns():
    text = bench.format_table(["bot", "msg/s"], [["ours", "12.5"], ["reference", "9.0"]])
    lines = text.splitlines()
    assert lines[0] == "bot        msg/s"
    assert lines[1] == "---------  -----"
    assert lines[2] == "ours        12.5"
    assert lines[3] == "reference    9.0"


def test_markdown_table_right_aligns_numbers_and_escapes_pipes():
    md = bench.markdown_table(["bot", "msg/s"], [["a|b", 1]])
    assert md.splitlines() == ["| bot | msg/s |", "|:---|---:|", "| a\\|b | 1 |"]


def test_load_rows_and_report_render_every_level_with_its_ratio():
    ours = {1: _level("ours", 1, 10.0), 20: _level("ours", 20, 30.0)}
    ref = {1: _level("reference", 1, 8.0), 20: _level("reference", 20, 40.0)}
    figures = {"ours_peak_rss_mb_during_load": {"rasa": 700.0}, "ours_peak_rss_mb_lifetime": {"rasa": 710.0},
               "ours_train_s": 31.2, "total_s": 300.0}
    text, md = bench.report(figures, ours, ref, bench.evaluate_targets(ours, ref))
    rows = [line.split() for line in text.splitlines() if line.startswith(("ours ", "reference "))]
    assert [(r[0], r[1], r[6]) for r in rows] == [("ours", "1", "1.25"), ("reference", "1", "-"),
                                                  ("ours", "20", "0.75"), ("reference", "20", "-")]
    assert "FAIL" in text and "PASS" in text
    assert md.startswith("### Benchmark")
    assert "| ours | 20 | 40 | 680 | 17.0 | 30.0 | 0.75 |" in md
    assert "| cold training (empty Rasa cache) | 31.2 | - |" in md


def test_channel_failure_texts_are_read_without_importing_rasa(tmp_path):
    channels = tmp_path / "channels.py"
    channels.write_text('UNAVAILABLE = {"en": "could not be saved", "zh": "没有保存"}\nOTHER = 1\n', encoding="utf-8")
    assert bench.channel_failure_texts(channels) == ["could not be saved", "没有保存"]
    assert bench.channel_failure_texts(tmp_path / "missing.py") == []


# --- leads under load ---------------------------------------------------------------------------


def _consented(sender, name, phone, age):
    conv = bench.Conversation(sender, "eligible adult")
    conv.lead = {"name": name, "phone": phone, "patient_age": age}
    return conv


def _lead(name, phone, age, submissions=1):
    return {"contact": {"name": name, "phone": phone}, "submissions": submissions,
            "packet": [{"id": "I1", "answers": {}}, {"id": "I3", "answers": {"patient_age": age}}]}


def test_only_the_likely_eligible_profiles_hand_off_each_with_their_own_contact():
    cases = [bench.make_case(i) for i in range(10)]
    assert [bool(c.contact) for c in cases] == [True, True, False, False, False] * 2
    phones = {c.contact["phone"] for c in cases if c.contact}
    assert len(phones) == 4 and all(len(p) == 11 for p in phones)


def test_every_consented_conversation_with_its_own_lead_is_clean():
    convs = [_consented("a", "Ana", "13900000001", 31.0), _consented("b", "Bo", "13900000002", 7.0),
             bench.Conversation("c", "too young")]
    leads = {"a": _lead("Ana", "13900000001", 31.0), "b": _lead("Bo", "13900000002", 7.0)}
    assert bench.lead_problems(convs, leads.get) == {"expected": 2, "saved": 2, "lost": 0, "crossed": 0,
                                                     "examples": []}


def test_a_missing_lead_is_lost_and_a_swapped_or_doubled_one_is_crossed():
    convs = [_consented("a", "Ana", "13900000001", 31.0), _consented("b", "Bo", "13900000002", 7.0),
             _consented("c", "Cy", "13900000003", 20.0), _consented("d", "Di", "13900000004", 22.0)]
    leads = {"b": _lead("Ana", "13900000001", 31.0),  # a's details in b's lead
             "c": _lead("Cy", "13900000003", 21.0),   # another age
             "d": _lead("Di", "13900000004", 22.0, submissions=2)}
    result = bench.lead_problems(convs, leads.get)
    assert (result["expected"], result["saved"], result["lost"], result["crossed"]) == (4, 3, 1, 3)
    assert result["examples"][0] == "lost: a"


def test_the_lead_target_fails_on_any_lost_or_crossed_lead_and_is_unmeasured_without_leads():
    clean = {**_level("ours", 20, 30.0), "leads": {"expected": 16, "saved": 16, "lost": 0, "crossed": 0}}
    lost = {**_level("ours", 50, 30.0), "leads": {"expected": 40, "saved": 39, "lost": 1, "crossed": 0}}
    name = "no consented lead lost or crossed (all levels)"
    by = {t["target"]: t for t in bench.evaluate_targets({20: clean}, {})}
    assert by[name]["passed"] is True and by[name]["value"] == "0 of 16"
    by = {t["target"]: t for t in bench.evaluate_targets({20: clean, 50: lost}, {})}
    assert by[name]["passed"] is False and by[name]["value"] == "1 of 56"
    by = {t["target"]: t for t in bench.evaluate_targets({20: _level("ours", 20, 30.0)}, {})}
    assert by[name]["passed"] is None
