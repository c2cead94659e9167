"""`make validate`: Rasa's own data validation, held to "no warnings".

Rasa warns about every response that no story or rule names. Ours are mostly chosen by custom
actions (utter_ask_<slot> by the forms, utter_explain_<slot>, utter_reason_<id> ... by the
actions), so those warnings are checked instead: each such response must really be used by the
code (tests/pure/test_domain.py checks the reverse). Any other warning fails.
"""

from __future__ import annotations

import re
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rasa.shared.importers.importer import TrainingDataImporter  # noqa: E402
from rasa.validator import Validator  # noqa: E402

from bot import dialogue  # noqa: E402
from bot.trial import TRIAL  # noqa: E402

UNUSED = re.compile(r"The utterance '(utter_[A-Za-z_0-9]+)' is not used in any story or rule")


def used_by_code() -> set:
    """Responses the forms and actions choose by name (the forms ask utter_ask_<slot>)."""
    own = [slot for questions in dialogue.form_questions().values() for slot, _ in questions]
    checks = [slot for slot, _ in dialogue.CHECKS]
    names = {f"utter_ask_{s}" for s in (*TRIAL.slots, *own, *checks)}
    names |= {f"utter_explain_{s}" for s in (*TRIAL.slots, *own)}
    names |= {f"utter_why_{c.id}" for c in TRIAL.criteria} | {f"utter_reason_{c.id}" for c in TRIAL.criteria}
    names |= {"utter_why_prescreen_consent", "utter_why_respondent"}
    names |= {f"utter_unknown_{c.id}" for c in TRIAL.criteria}
    names |= {f"utter_kept_{topic}" for topic in dialogue.CONFIRM_TOPICS}
    names |= {f"utter_{intent}" for intent in importer_intents() if intent.startswith("faq_")}
    for path in (ROOT / "actions").glob("*.py"):
        names |= set(re.findall(r'"(utter_[A-Za-z_0-9]+)"', path.read_text(encoding="utf-8")))
    return names


def importer_intents() -> list:
    import yaml

    with open(ROOT / "domain" / "core.yml", encoding="utf-8") as f:
        return list(yaml.safe_load(f)["intents"])


def main() -> int:
    importer = TrainingDataImporter.load_from_config(
        str(ROOT / "config.yml"), str(ROOT / "domain"), [str(ROOT / "data")]
    )
    validator = Validator.from_importer(importer)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ok = all(
            [
                validator.verify_intents_in_stories(ignore_warnings=False),
                validator.verify_example_repetition_in_intents(ignore_warnings=False),
                validator.verify_story_structure(ignore_warnings=False),
                validator.verify_utterances_in_stories(ignore_warnings=True),
                validator.verify_forms_in_stories_rules(),
                validator.verify_intents(ignore_warnings=False),
                validator.verify_form_slots(),
                validator.verify_slot_mappings(),
                validator.verify_domain_validity(),
                validator.verify_actions_in_stories_rules(),
            ]
        )
    code_uses = used_by_code()
    problems = []
    for w in caught:
        text = str(w.message)
        if not issubclass(w.category, UserWarning):
            continue
        m = UNUSED.search(text)
        if m and m.group(1) in code_uses:
            continue
        problems.append(text)
    for p in problems:
        print(f"WARNING: {p}")
    if not ok or problems:
        print("validation FAILED")
        return 1
    print("validation passed: domain, NLU data, rules and forms are consistent")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
