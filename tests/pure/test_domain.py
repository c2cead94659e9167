"""The domain as a person meets it: every message in all three languages, every button usable,
every response the actions ask for present, and the slot names of the data dictionary."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain

from bot import dialogue
from bot.trial import TRIAL

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = Domain.load(str(ROOT / "domain"))
QUESTION_ORDER = TRIAL.slots
FAQ_INTENTS = [i for i in DOMAIN.intents if i.startswith("faq_")]
DICTIONARY = (ROOT.parent / "shared" / "trial" / "data-dictionary.md").read_text(encoding="utf-8")
PAYLOAD = re.compile(r"^/(?P<intent>\w+)(?P<entities>\{.*\})?$")


def _language(variation):
    for cond in variation.get("condition") or []:
        if cond.get("name") == "language":
            return cond.get("value")
    return "en"


def dictionary_slots():
    """Slot names from the dictionary's tables: first column, or the slot column of I/E rows."""
    names = set()
    for line in (ln for ln in DICTIONARY.splitlines() if ln.startswith("|")):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3:
            continue
        cell = cells[2] if re.fullmatch(r"[IE]\d+", cells[0]) else cells[0]
        names |= set(re.findall(r"`([a-z_0-9]+)`", re.sub(r"\([^)]*\)", "", cell)))
    return names


def test_every_slot_of_the_data_dictionary_exists_with_its_exact_name():
    wanted = dictionary_slots()
    assert {"language", "prescreen_consent", "patient_age", "sex", "pregnant_or_breastfeeding", "csf_blasts_high"} <= wanted
    missing = {s for s in wanted - {s.name for s in DOMAIN.slots} if not s.startswith("contact_")}
    assert not missing


def _other_conditions(variation):
    return tuple(sorted((c.get("name"), str(c.get("value"))) for c in variation.get("condition") or []
                        if c.get("name") not in ("language", "respondent")))


@pytest.mark.parametrize("name", sorted(DOMAIN.responses))
def test_every_response_speaks_english_chinese_and_spanish(name):
    """Once per language, for each case a response has (confirm_topic, clarify_kind, ...)."""
    by_case = {}
    for variation in DOMAIN.responses[name]:
        by_case.setdefault(_other_conditions(variation), []).append(_language(variation))
    for case, languages in by_case.items():
        if not case and len(by_case) > 1 and languages == ["en"]:
            continue  # the unconditioned fallback of a response with cases
        assert {"en", "zh", "es"} <= set(languages), (name, case)
        assert languages.count("zh") == 1 and languages.count("es") == 1, (name, case)


@pytest.mark.parametrize("name", sorted(n for n, vs in DOMAIN.responses.items() if any(v.get("buttons") for v in vs)))
def test_every_button_payload_renders_to_a_valid_intent_and_entities(name):
    nlg = TemplatedNaturalLanguageGenerator(DOMAIN.responses)
    slots = {"language": None, "respondent": None, "patient_ref": "x", "patient_ref_title": "X",
             "question_number": "5", "question_total": "22", "clarify_for": "had_car_t", "question_label": "CAR-T",
             "check_statement": "the patient is 45"}
    for language in ("en", "zh", "es"):
        for respondent in ("patient", "guardian", "other"):
            rendered = nlg.generate_from_slots(name, {**slots, "language": language, "respondent": respondent}, "rest")
            for button in rendered.get("buttons") or []:
                m = PAYLOAD.match(button["payload"])
                assert m, button
                assert m.group("intent") in DOMAIN.intents
                for entity in json.loads(m.group("entities") or "{}"):
                    assert entity in DOMAIN.entities
                assert "{" not in rendered["text"] or "}" not in rendered["text"], rendered["text"]


def test_questions_name_the_patient_as_the_respondent_expects():
    nlg = TemplatedNaturalLanguageGenerator(DOMAIN.responses)

    def ask(language, respondent, ref):
        values = {"language": language, "respondent": respondent, "patient_ref": ref, "patient_ref_title": ref,
                  "question_number": "5", "question_total": "22"}
        return nlg.generate_from_slots("utter_ask_had_car_t", values, "rest")["text"]

    assert "your child" in ask("en", "guardian", "")
    assert "the patient" in ask("en", "other", "")
    assert "Have you" in ask("en", "patient", "")
    assert "您的孩子" in ask("zh", "guardian", "您的孩子")
    assert "su hijo o hija" in ask("es", "guardian", "su hijo o hija").lower()


def test_every_response_the_actions_use_exists():
    own = [slot for questions in dialogue.form_questions().values() for slot, _ in questions]
    asked = [*QUESTION_ORDER, *own, *(slot for slot, _ in dialogue.CHECKS if slot != "change_which")]
    wanted = {f"utter_ask_{s}" for s in asked}
    wanted |= {f"utter_explain_{s}" for s in (*QUESTION_ORDER, *own)}
    criteria = [c for c in TRIAL.criteria if c.asked]
    wanted |= {f"utter_why_{c.id}" for c in criteria} | {"utter_why_prescreen_consent", "utter_why_respondent"}
    wanted |= {f"utter_reason_{c.id}" for c in criteria} | {f"utter_unknown_{c.id}" for c in criteria}
    wanted |= {f"utter_{i}" for i in FAQ_INTENTS} | {f"utter_kept_{t}" for t in dialogue.CONFIRM_TOPICS}
    for path in (ROOT / "actions").glob("*.py"):
        wanted |= set(re.findall(r'response="(utter_[A-Za-z_0-9]+)"', path.read_text(encoding="utf-8")))
    assert not wanted - set(DOMAIN.responses)


def test_the_bot_never_calls_the_activity_score_ecog_in_a_question():
    for variation in DOMAIN.responses["utter_ask_ecog"]:
        assert "ECOG" not in variation["text"]
        assert all("ECOG" not in b["title"] for b in variation.get("buttons", []))
