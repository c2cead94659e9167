"""Rasa's own checks, run as `make test` runs everything: data validation with no warnings and
the test stories with no prediction errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false"}


def test_rasa_data_validate_is_clean():
    run = subprocess.run([sys.executable, "scripts/validate.py"], cwd=ROOT, env=ENV, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "validation passed" in run.stdout


def test_rasa_test_stories_have_no_prediction_errors(tmp_path):
    rasa = Path(sys.executable).with_name("rasa")
    run = subprocess.run(
        [str(rasa), "test", "core", "--model", "models/prescreen.tar.gz", "--stories", "tests/stories",
         "--out", str(tmp_path), "--fail-on-prediction-errors"],
        cwd=ROOT, env=ENV, capture_output=True, text=True,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    failed = (tmp_path / "failed_test_stories.yml").read_text(encoding="utf-8")
    assert "story:" not in failed
