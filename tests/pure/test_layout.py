"""The layout tells the story (issue 14): message -> understanding -> form -> trial rules ->
outcome -> lead, with dependencies pointing one way, and one source for each question."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tools import domain_slots

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("bot", "tools", "scripts")


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def _modules(*folders):
    for folder in folders:
        yield from sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("path", list(_modules(*PRODUCT)), ids=lambda p: str(p.relative_to(ROOT)))
def test_nothing_outside_actions_imports_actions(path):
    assert not [name for name in _imports(path) if name == "actions" or name.startswith("actions.")]


@pytest.mark.parametrize("path", list(_modules("bot/trial", "bot/understanding")) + [ROOT / "bot" / "dialogue.py"],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_the_trial_core_and_the_understanding_step_need_neither_rasa_nor_rasa_sdk(path):
    assert not [name for name in _imports(path) if name.split(".")[0] in ("rasa", "rasa_sdk")]


def test_the_trial_core_names_no_understanding_or_dialogue_code_beyond_text_folding():
    """The rules and the outcome need only text folding; a trial's ``reading.py`` (how its own
    answers are read: E14's transplants, numbers against its limits) may use the readers, but never
    the interpretation step or the dialogue."""
    for path in _modules("bot/trial"):
        for name in _imports(path):
            if not name.startswith("bot.") or name.startswith("bot.trial"):
                continue
            if path.name == "reading.py":
                assert name.split(".")[:2] == ["bot", "understanding"], (path, name)
                assert "interpret" not in path.read_text(encoding="utf-8"), path
            else:
                assert name == "bot.understanding.text", (path, name)


def test_the_domain_slot_mappings_are_generated_from_the_question_lists():
    committed = (ROOT / "domain" / "slots.yml").read_text(encoding="utf-8")
    assert committed == domain_slots.build(), "run `python -m tools.domain_slots`"


def test_no_tool_imports_test_code():
    for path in _modules("tools", "scripts"):
        assert not [n for n in _imports(path) if n.split(".")[0] in ("tests", "conftest", "profiles", "profiles_i18n")], path
