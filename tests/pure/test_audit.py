"""tools/audit: OSV range matching and the "held by" explanation, on small inline advisories
and hand-made package metadata, then once on the real snapshot and lock. No network: pip-audit is
only exercised through its JSON output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tools.audit import findings, holders, online, osv, records

ROOT = Path(__file__).resolve().parents[2]
V = osv.parse_version


def adv(*ranges, package="pkg", versions=None, **extra):
    """An OSV record with one ECOSYSTEM range per `ranges` entry (a list of events)."""
    record = {"id": "TEST-1", "package": package, "aliases": ["CVE-2099-0001"], "summary": "x",
              "ranges": [{"type": "ECOSYSTEM", "events": list(events)} for events in ranges]}
    if versions is not None:
        record["versions"] = versions
    record.update(extra)
    return record


# --- range matching ---------------------------------------------------------------------------


def test_pin_equal_to_fixed_is_not_affected_and_just_below_is():
    record = adv([{"introduced": "0"}, {"fixed": "3.13.3"}])
    assert osv.affects("3.13.2", record)
    assert osv.affects("3.13.3rc1", record)  # a pre-release of the fix is still before it
    assert not osv.affects("3.13.3", record)
    assert not osv.affects("3.14.0", record)
    assert osv.affects("0.1", record)


def test_introduced_after_the_pin_is_not_affected():
    record = adv([{"introduced": "2.0"}, {"fixed": "2.5"}])
    assert not osv.affects("1.9.9", record)
    assert osv.affects("2.0", record)
    assert osv.affects("2.0.0", record)  # 2.0 == 2.0.0 under PEP 440
    assert not osv.affects("2.5", record)


def test_last_affected_is_inclusive():
    record = adv([{"introduced": "0"}, {"last_affected": "2.2.0"}])
    assert osv.affects("2.0.1", record)
    assert osv.affects("2.2.0", record)
    assert osv.affects("2.2", record)
    assert not osv.affects("2.2.1", record)
    assert not osv.affects("2.2.0.post1", record)


def test_several_introduced_fixed_pairs_in_one_range_and_across_ranges():
    one_range = adv([{"introduced": "0"}, {"fixed": "4.25.8"},
                     {"introduced": "5.26.0rc1"}, {"fixed": "5.29.5"}])
    two_ranges = adv([{"introduced": "0"}, {"fixed": "4.25.8"}],
                     [{"introduced": "5.26.0rc1"}, {"fixed": "5.29.5"}])
    for record in (one_range, two_ranges):
        assert osv.affects("4.23.3", record)
        assert not osv.affects("4.25.8", record)
        assert not osv.affects("5.0.0", record)  # between the pairs
        assert osv.affects("5.26.0", record)
        assert not osv.affects("5.29.5", record)
        assert not osv.affects("6.0", record)


def test_events_out_of_order_are_sorted_before_walking():
    record = adv([{"fixed": "2.0"}, {"introduced": "1.5"}])
    assert not osv.affects("1.4", record)
    assert osv.affects("1.9", record)
    assert not osv.affects("2.0", record)


def test_explicit_versions_list_without_ranges():
    record = adv(versions=["1.0", "1.2"])
    record["ranges"] = []
    assert osv.affects("1.0.0", record)
    assert osv.affects("1.2", record)
    assert not osv.affects("1.1", record)
    assert not osv.affects("1.2.1", record)


def test_empty_events_are_no_ops():
    open_ended = adv([{"introduced": "0"}, {}])
    assert osv.affects("99.0", open_ended)
    padded = adv([{}, {"introduced": "1.0"}, {}, {"fixed": "2.0"}, {}])
    assert not osv.affects("0.9", padded)
    assert osv.affects("1.5", padded)
    assert not osv.affects("2.0", padded)
    assert osv.fix_candidates("1.5", padded) == [V("2.0")]


def test_git_ranges_are_ignored_and_withdrawn_records_never_match():
    record = adv([{"introduced": "0"}, {"fixed": "1.5.0"}])
    record["ranges"].insert(0, {"type": "GIT", "repo": "https://example.invalid/r",
                                "events": [{"introduced": "deadbeef"}, {"fixed": "cafef00d"}]})
    assert osv.affects("1.1.3", record)
    assert not osv.affects("1.5.0", record)
    assert not osv.affects("1.1.3", {**record, "withdrawn": "2024-01-01T00:00:00Z"})


def test_fix_candidates_skip_fixes_at_or_below_the_pin_and_sort_ascending():
    record = adv([{"introduced": "0"}, {"fixed": "4.25.8"}],
                 [{"introduced": "5.26.0rc1"}, {"fixed": "5.29.5"}],
                 [{"introduced": "6.30.0rc1"}, {"fixed": "6.31.1"}])
    assert osv.fix_candidates("4.23.3", record) == [V("4.25.8"), V("5.29.5"), V("6.31.1")]
    assert osv.fix_candidates("5.27.0", record) == [V("5.29.5"), V("6.31.1")]


def test_name_normalisation_follows_pep_503():
    assert osv.canonical("Sanic-Cors") == osv.canonical("sanic_cors") == "sanic-cors"
    assert osv.canonical("zope.interface") == "zope-interface"
    assert osv.canonical("Foo__Bar--baz") == "foo-bar-baz"


# --- what holds a fix back --------------------------------------------------------------------


def constraints_for(dists, seeds=()):
    seeds = [Requirement(s) for s in seeds]
    return holders.dist_constraints(dists, holders.requested_extras(dists, seeds))


def test_held_by_names_the_distribution_whose_specifier_excludes_the_fix():
    dists = [
        holders.Dist("rasa", "3.6.21", ["aiohttp (>=3.9.0,<3.10)", "pytest ; extra == 'test'"]),
        holders.Dist("aiogram", "2.15", ["aiohttp (<4.0.0,>=3.7.2)"]),
        holders.Dist("aiohttp", "3.9.5", ["aiohttp<3"]),  # a package never holds itself back
    ]
    status, why = holders.explain("aiohttp", "3.9.5", [V("3.10.11")], constraints_for(dists))
    assert status == "held"
    assert why == "held by rasa 3.6.21: aiohttp<3.10,>=3.9.0"


def test_fix_that_nothing_excludes_is_fixable_and_the_lowest_allowed_fix_is_named():
    dists = [holders.Dist("tensorflow", "2.12.0", ["protobuf (<5.0.0dev,>=3.20.3)"])]
    cons = constraints_for(dists)
    known = {("protobuf", "4.25.8"): [], ("protobuf", "5.29.5"): []}
    assert holders.explain("protobuf", "4.23.3", [V("4.25.8"), V("5.29.5")], cons, fix_requires=known) == (
        "fixable", "fixable: upgrade to 4.25.8")
    # Only the higher fix line is open: still fixable, via that line.
    cons = constraints_for([holders.Dist("x", "1", ["protobuf (!=4.25.8)"])])
    assert holders.explain("protobuf", "4.23.3", [V("4.25.8"), V("5.29.5")], cons, fix_requires=known) == (
        "fixable", "fixable: upgrade to 5.29.5")
    # A fix whose own requirements are not on record is fixable, but says it was not checked.
    assert holders.explain("protobuf", "4.23.3", [V("4.25.8")], [], fix_requires={}) == (
        "fixable", "fixable: upgrade to 4.25.8 (its own requirements not checked)")


def test_fix_that_needs_a_dependency_someone_pins_is_held_by_that_pin():
    dists = [holders.Dist("rasa", "3.6.21", ["packaging (>=20.0,<21.0)", "wheel (>=0.38.1)"]),
             holders.Dist("wheel", "0.45.1", ["packaging<22"])]  # the release being replaced
    cons = constraints_for(dists)
    installed = {"packaging": "20.9", "rasa": "3.6.21", "wheel": "0.45.1"}
    needs = {("wheel", "0.46.2"): ["packaging >= 24.0", 'setuptools >= 77 ; extra == "test"']}
    status, why = holders.explain("wheel", "0.45.1", [V("0.46.2")], cons, installed=installed, fix_requires=needs)
    assert status == "held"
    assert why == "held by rasa 3.6.21: packaging<21.0,>=20.0 (wheel 0.46.2 needs packaging>=24.0)"
    # Already satisfied by what is installed, or nobody pins it: fixable.
    assert holders.explain("wheel", "0.45.1", [V("0.46.2")], cons, installed={**installed, "packaging": "24.1"},
                         fix_requires=needs)[0] == "fixable"
    assert holders.explain("wheel", "0.45.1", [V("0.46.2")], [], installed=installed, fix_requires=needs) == (
        "fixable", "fixable: upgrade to 0.46.2")
    # The test-only extra of the fix release does not count.
    assert holders.explain("wheel", "0.45.1", [V("0.46.2")], constraints_for(
        [holders.Dist("rasa", "3.6.21", ["setuptools (<70.4.0)"])]), installed=installed,
        fix_requires=needs)[0] == "fixable"


def test_every_holder_of_the_lowest_fix_is_listed():
    dists = [holders.Dist("rasa", "3.6.21", ["protobuf (>=4.23.3,<4.23.4)"]),
             holders.Dist("tensorflow", "2.12.0", ["protobuf (<5.0.0dev,>=3.20.3)"])]
    status, why = holders.explain("protobuf", "4.23.3", [V("5.29.6")], constraints_for(dists))
    assert status == "held"
    assert "rasa 3.6.21: protobuf<4.23.4,>=4.23.3" in why
    assert "tensorflow 2.12.0: protobuf<5.0.0dev,>=3.20.3" in why


def test_prerelease_fix_is_judged_by_version_order():
    dists = [holders.Dist("tensorflow", "2.12.0", ["keras (<2.13,>=2.12.0)"])]
    status, why = holders.explain("keras", "2.12.0", [V("2.13.1rc0")], constraints_for(dists))
    assert (status, why) == ("held", "held by tensorflow 2.12.0: keras<2.13,>=2.12.0")
    loose = [holders.Dist("tensorflow", "2.14.0", ["keras (<2.15,>=2.14.0)"])]
    assert holders.explain("keras", "2.14.0", [V("2.14.1rc0")], constraints_for(loose))[0] == "fixable"
    assert holders.explain("keras", "2.14.0", [V("2.15.0rc0")], constraints_for(loose))[0] == "held"


def test_markers_that_do_not_hold_here_are_ignored():
    dists = [holders.Dist("slack-sdk", "3.48.0", [
        'aiohttp<3.9,>=3.7.3; python_version == "3.7"',
        'aiohttp<3.0; sys_platform == "no-such-platform"',
    ])]
    assert holders.explain("aiohttp", "3.9.5", [V("3.10.11")], constraints_for(dists))[0] == "fixable"


def test_extras_count_only_when_someone_asked_for_them():
    dists = [
        holders.Dist("rasa", "3.6.21", ["pymongo[srv,tls] (>=3.8,<4.4)"]),
        holders.Dist("pymongo", "4.3.3", ["dnspython<2.4; extra == 'srv'", "certifi<1; extra == 'ocsp'"]),
        holders.Dist("sentry-sdk", "1.14.0", ["aiohttp<3.10; extra == 'aiohttp'"]),
        holders.Dist("fire", "0.7.1", ['pytest<=8.4.1; extra == "test"']),
    ]
    cons = constraints_for(dists, seeds=["fire[test]"])
    # rasa asked for pymongo[srv]: its dnspython pin counts; nobody asked for pymongo[ocsp].
    assert holders.explain("dnspython", "2.3.0", [V("2.6.1")], cons) == (
        "held", "held by pymongo 4.3.3: dnspython<2.4")
    assert holders.explain("certifi", "0.1", [V("2024.1.1")], cons)[0] == "fixable"
    # sentry-sdk[aiohttp] was never requested.
    assert holders.explain("aiohttp", "3.9.5", [V("3.10.11")], cons)[0] == "fixable"
    # requirements.in asked for fire[test].
    assert holders.explain("pytest", "8.4.2", [V("9.0.3")], cons)[1] == "held by fire 0.7.1: pytest<=8.4.1"


def test_name_normalisation_links_lock_advisory_and_requirements(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text("# comment\nSanic-Cors==2.0.1\nrasa==3.6.21\n")
    pins = findings.read_lock(lock)
    assert pins["sanic-cors"] == ("Sanic-Cors", "2.0.1")
    dists = [holders.Dist("rasa", "3.6.21", ["sanic.cors (>=2.0.0,<2.1.0)"])]
    record = adv([{"introduced": "0"}, {"fixed": "2.3.0"}], package="sanic_cors")
    [finding] = findings.match_snapshot(pins, [record], constraints_for(dists))
    assert (finding.package, finding.pinned, finding.status) == ("Sanic-Cors", "2.0.1", "held")
    assert finding.why == "held by rasa 3.6.21: sanic.cors<2.1.0,>=2.0.0"
    assert finding.reachable == "yes"  # the hand-written table is keyed by canonical name


def test_no_fixed_release_and_last_affected_with_a_pin_that_would_also_hold_a_fix():
    dists = [holders.Dist("rasa", "3.6.21", ["sanic-cors (>=2.0.0,<2.1.0)"])]
    status, why = holders.explain("sanic-cors", "2.0.1", [], constraints_for(dists), last="2.2.0")
    assert status == "no-fix"
    assert why.startswith("no fixed release (last affected 2.2.0)")
    assert "rasa 3.6.21: sanic-cors<2.1.0,>=2.0.0" in why
    assert holders.explain("joblib", "1.6.0", [], []) == ("no-fix", "no fixed release")


def test_project_pins_from_requirements_in_and_the_makefile_hold_fixes(tmp_path):
    makefile = tmp_path / "Makefile"
    makefile.write_text('install:\n\t$(PY) -m pip install --quiet --upgrade "pip<24.1"\n'
                        'other:\n\techo "pip<1"\n')
    pins = holders.makefile_pins(makefile)
    assert [str(r) for r in pins] == ["pip<24.1"]
    cons = holders.project_constraints("Makefile", pins)
    assert holders.explain("pip", "23.0.1", [V("23.3"), V("25.3")], cons) == ("fixable", "fixable: upgrade to 23.3")
    assert records.FIX_RELEASE_REQUIRES[("pip", "23.3")] == []  # so the line above is fully checked
    assert holders.explain("pip", "23.0.1", [V("25.3")], cons) == ("held", "held by Makefile: pip<24.1")
    req_in = tmp_path / "requirements.in"
    req_in.write_text("# deps\npytest>=8,<9  # test\n-r other.txt\n")
    cons = holders.project_constraints("requirements.in", holders.requirements_in(req_in))
    assert holders.explain("pytest", "8.4.2", [V("9.0.3")], cons) == ("held", "held by requirements.in: pytest<9,>=8")


# --- pip-audit output ------------------------------------------------------------------------


def test_pip_audit_that_skipped_everything_is_not_a_clean_audit():
    data = {"dependencies": [
        {"name": "aiohttp", "skip_reason": "Dependency not found on PyPI and could not be audited: aiohttp (3.9.5)"},
        {"name": "rasa", "skip_reason": "Dependency not found on PyPI and could not be audited: rasa (3.6.21)"},
    ], "fixes": []}
    usable, why = online.interpret_pip_audit(data)
    assert not usable
    assert "could not audit any of 2 packages" in why


def test_pip_audit_findings_are_explained_like_snapshot_ones():
    data = {"dependencies": [
        {"name": "aiohttp", "version": "3.9.5", "vulns": [
            {"id": "GHSA-xxxx", "fix_versions": ["3.9.4", "3.10.11"], "aliases": ["CVE-2024-52304"],
             "description": "Smuggling.\nMore text."}]},
        {"name": "idna", "version": "3.20", "vulns": []},
        {"name": "odd", "skip_reason": "Dependency not found on PyPI and could not be audited: odd (1)"},
    ]}
    usable, why = online.interpret_pip_audit(data)
    assert usable and "audited 2 of 3" in why and "odd" in why
    cons = constraints_for([holders.Dist("rasa", "3.6.21", ["aiohttp (>=3.9.0,<3.10)"])])
    [finding] = findings.findings_from_pip_audit(data, {}, cons)
    assert (finding.advisory, finding.cve, finding.fixed_in) == ("GHSA-xxxx", "CVE-2024-52304", ["3.10.11"])
    assert finding.why == "held by rasa 3.6.21: aiohttp<3.10,>=3.9.0"


def test_connection_errors_become_one_readable_line():
    stderr = ("Traceback ...\nrequests.exceptions.ConnectionError: HTTPSConnectionPool(host='api.osv.dev', "
              "port=443): Max retries exceeded (Caused by NameResolutionError(\"...\"))\n")
    assert online._error_line(stderr, 1) == "cannot reach api.osv.dev (NameResolutionError)"


# --- the tool end to end --------------------------------------------------------------------


def run_script(*args):
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}
    return subprocess.run([sys.executable, "-m", "tools.audit", "--offline", *args],
                          capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)


def test_the_audit_loads_nothing_from_the_product_or_the_tests():
    """A tool beside the chatbot: a whole run loads no module from bot/, actions/ or tests/."""
    code = ("import json, runpy, sys\n"
            "sys.argv = ['tools.audit', '--offline']\n"
            "try:\n    runpy.run_module('tools.audit', run_name='__main__')\n"
            "except SystemExit as done:\n    assert done.code == 0, done.code\n"
            "print(json.dumps([getattr(m, '__file__', None) or '' for m in list(sys.modules.values())]))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT,
                          env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"})
    assert proc.returncode == 0, proc.stderr
    assert "advisories affect" in proc.stdout
    loaded = [Path(f).resolve() for f in json.loads(proc.stdout.strip().splitlines()[-1]) if f]
    ours = [f.relative_to(ROOT).parts for f in loaded if f.is_relative_to(ROOT)]
    assert ("tools", "audit", "holders.py") in ours
    assert not [parts for parts in ours if parts[0] in ("bot", "actions", "tests")], ours


def test_real_snapshot_and_lock(tmp_path):
    snapshot = json.loads((ROOT / "security" / "advisories.json").read_text())
    lock = findings.read_lock(ROOT / "requirements.lock")
    assert lock["aiohttp"][1] == "3.9.5", "the lock moved: update this test and security/README.md"
    # The snapshot holds only advisories that affect the pins, so add two that must NOT match:
    # one fixed exactly at our pin and one fixed below it.
    snapshot["advisories"] += [
        adv([{"introduced": "0"}, {"fixed": "3.9.5"}], package="aiohttp", id="TEST-FIXED-AT-PIN"),
        adv([{"introduced": "0"}, {"fixed": "3.9.2"}], package="aiohttp", id="TEST-FIXED-BELOW-PIN"),
        adv([{"introduced": "3.10.0"}, {"fixed": "3.10.11"}], package="aiohttp", id="TEST-INTRODUCED-LATER"),
    ]
    path = tmp_path / "advisories.json"
    path.write_text(json.dumps(snapshot))
    markdown = tmp_path / "audit.md"

    proc = run_script("--snapshot", str(path), "--markdown", str(markdown))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    rows = [line for line in out.splitlines() if line.startswith("aiohttp ")]
    assert any("PYSEC-2026-1103" in r and "CVE-2024-52304" in r for r in rows)
    assert all("held by rasa 3.6.21: aiohttp<3.10,>=3.9.0" in r for r in rows), rows
    assert "TEST-" not in out
    keras = [line for line in out.splitlines() if line.startswith("keras ") and "PYSEC-2026-369" in line]
    assert keras and "held by tensorflow 2.12.0: keras<2.13,>=2.12.0" in keras[0]
    assert "tensorflow 2.12.0: NOT known clean" in out
    assert snapshot["collected"] in out
    assert "advisories affect" in out
    wheel = [line for line in out.splitlines() if line.startswith("wheel ")]
    if wheel:  # wheel is read from this venv, not the lock; 0.45.1 here
        assert "held by rasa 3.6.21: packaging<21.0,>=20.0 (wheel 0.46.2 needs packaging>=24.0)" in wheel[0]
    md = markdown.read_text()
    assert "| package | pinned | advisory | CVE | fixed in | why not fixed | reachable? |" in md
    assert "| aiohttp | 3.9.5 | PYSEC-2026-1103 | CVE-2024-52304 | 3.10.11 | held by rasa 3.6.21" in md


def test_fail_on_fixable_and_unreadable_snapshot(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text("zzz-audit-test-pkg==1.0\n")
    snapshot = tmp_path / "advisories.json"
    snapshot.write_text(json.dumps({"source": "test", "collected": "today", "advisories": [
        adv([{"introduced": "0"}, {"fixed": "1.1"}], package="zzz_audit_test_pkg")]}))
    plain = run_script("--lock", str(lock), "--snapshot", str(snapshot))
    assert plain.returncode == 0, plain.stderr
    assert "fixable: upgrade to 1.1 (its own requirements not checked)" in plain.stdout
    assert run_script("--lock", str(lock), "--snapshot", str(snapshot), "--fail-on-fixable").returncode == 1

    snapshot.write_text("{not json")
    broken = run_script("--lock", str(lock), "--snapshot", str(snapshot))
    assert broken.returncode == 2
    assert "cannot read snapshot" in broken.stderr
    assert run_script("--lock", str(lock), "--snapshot", str(tmp_path / "missing.json")).returncode == 2


@pytest.mark.parametrize("bad", ["not-a-version", "1.0-banana"])
def test_unparseable_versions_are_reported_for_a_human_not_guessed(bad):
    record = adv([{"introduced": "0"}, {"fixed": bad}])
    [finding] = findings.match_snapshot({"pkg": ("pkg", "0.5")}, [record], [])
    assert finding.status == "unparsed"
    assert finding.why.startswith("check by hand")
