"""Dependency audit for requirements.lock, with an offline fallback.

A tool beside the product, not part of it: it imports nothing from bot/, actions/ or tests/.
`make audit` runs it (`python -m tools.audit --markdown results/audit.md`); security/README.md
records its last report, and its offline data is security/advisories.json.

pip-audit is tried first (`online`). On machines where it cannot reach PyPI's JSON API or OSV it
skips every package and still prints "No known vulnerabilities found", so that result is treated as
"could not audit" and the pinned versions are matched against security/advisories.json instead (a
stored copy of PyPA advisory-database records, matched by `osv`). Each finding then says which
installed distribution's requirement (or which project pin) keeps the fix out (`holders`), because
under Rasa 3.6 most fixes are not ours to take. `records` holds what we recorded by hand, `findings`
turns matches into findings, `report` prints them.

Exit status: 0 when a report was produced (findings are expected), 1 with --fail-on-fixable when
some finding could be fixed by an upgrade nothing forbids, 2 when no report could be produced.
"""
