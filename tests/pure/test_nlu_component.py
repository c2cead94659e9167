"""The Rasa graph components in bot/nlu/components.py, run for real on Rasa Message objects."""

from __future__ import annotations

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.components import AnswerExtractor, MultilingualTokenizer


def _create(cls, tmp_path, **config):
    return cls.create(
        {**cls.get_default_config(), **config},
        LocalModelStorage(tmp_path),
        Resource(cls.__name__),
        ExecutionContext(GraphSchema({}), "test"),
    )


@pytest.fixture()
def tokenizer(tmp_path):
    return _create(MultilingualTokenizer, tmp_path)


@pytest.fixture()
def extractor(tmp_path):
    return _create(AnswerExtractor, tmp_path)


def _tokens(tokenizer, text):
    message = Message(data={TEXT: text})
    tokenizer.process([message])
    return message.get(TOKENS_NAMES[TEXT])


def _entities(message):
    return {e["entity"]: e for e in message.get(ENTITIES) or []}


# --- registration ---------------------------------------------------------------------------------


def test_components_are_registered_with_the_default_recipe():
    registry = DefaultV1Recipe._registered_components
    tok = registry["MultilingualTokenizer"]
    ext = registry["AnswerExtractor"]
    assert DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER in tok.types
    assert DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR in ext.types
    assert ext.is_trainable is False


# --- tokenizer ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm his mum, he's 7", ["I", "'m", "his", "mum", ",", "he", "'s", "7"]),
        ("he is 39years old", ["he", "is", "39", "years", "old"]),
        ("¿Tiene treinta y un años?", ["¿", "Tiene", "treinta", "y", "un", "años", "?"]),
        ("no sé", ["no", "sé"]),
    ],
)
def test_tokenizer_latin_offsets(tokenizer, text, expected):
    tokens = _tokens(tokenizer, text)
    assert [t.text for t in tokens] == expected
    for token in tokens:
        assert text[token.start:token.end] == token.text


def test_tokenizer_chinese_uses_jieba_words(tokenizer):
    text = "我儿子七岁"
    tokens = _tokens(tokenizer, text)
    words = [t.text for t in tokens]
    assert "儿子" in words
    assert any(len(w) > 1 for w in words)
    assert "".join(words) == text
    for token in tokens:
        assert text[token.start:token.end] == token.text


def test_tokenizer_mixed_text_offsets_and_no_whitespace_tokens(tokenizer):
    text = "  他做过 CAR-T  治疗，三个月后复发了  "
    tokens = _tokens(tokenizer, text)
    assert tokens
    for token in tokens:
        assert token.text.strip() == token.text != ""
        assert text[token.start:token.end] == token.text
    assert [t.start for t in tokens] == sorted(t.start for t in tokens)


@pytest.mark.parametrize("text", ["", "   ", "🙂"])
def test_tokenizer_never_returns_nothing(tokenizer, text):
    assert len(_tokens(tokenizer, text)) >= 1


def test_tokenizer_splits_intents_when_configured(tmp_path):
    tokenizer = _create(
        MultilingualTokenizer, tmp_path, intent_tokenization_flag=True, intent_split_symbol="+"
    )
    message = Message(data={TEXT: "yes, he is seven", INTENT: "affirm+inform"})
    tokenizer.process_training_data(TrainingData([message]))
    assert [t.text for t in message.get(TOKENS_NAMES[INTENT])] == ["affirm", "inform"]
    assert [t.text for t in message.get(TOKENS_NAMES[TEXT])] == ["yes", ",", "he", "is", "seven"]


def test_tokenizer_keeps_intent_whole_by_default(tokenizer):
    message = Message(data={TEXT: "yes", INTENT: "faq_what_is_cik"})
    tokenizer.process_training_data(TrainingData([message]))
    assert [t.text for t in message.get(TOKENS_NAMES[INTENT])] == ["faq_what_is_cik"]


# --- answer extractor -----------------------------------------------------------------------------


def test_extractor_adds_contract_entities_chinese(extractor):
    message = Message(data={TEXT: "我儿子七岁"})
    extractor.process([message])
    found = _entities(message)
    assert found["duration_months"]["value"] == 84.0
    assert found["respondent_kind"]["value"] == "guardian"
    for entity in message.get(ENTITIES):
        assert entity["extractor"] == "AnswerExtractor"
        assert 0 <= entity["start"] < entity["end"] <= len("我儿子七岁")


@pytest.mark.parametrize(
    ("text", "entity", "value"),
    [
        ("yep", "tri", "yes"),
        ("no idea", "tri", "unsure"),
        ("no sé", "tri", "unsure"),
        ("不知道", "tri", "unsure"),
        ("thirty-one", "number", 31.0),
        ("18 months", "duration_months", 18.0),
        ("un año y medio", "duration_months", 18.0),
        ("I'm her mother", "respondent_kind", "guardian"),
        ("I'm her aunt", "respondent_kind", "other"),
        ("girl", "sex_value", "female"),
        ("he can walk around but can't work", "ecog_level", 2),
        ("请说中文", "lang", "zh"),
        ("English please", "lang", "en"),
        ("can I change my age answer?", "topic", "patient_age"),
        ("what is CAR-T?", "topic", "had_car_t"),
    ],
)
def test_extractor_values(extractor, text, entity, value):
    message = Message(data={TEXT: text})
    extractor.process([message])
    found = _entities(message)
    assert found[entity]["value"] == value
    assert type(found[entity]["value"]) is type(value)


def test_extractor_does_not_duplicate_existing_entities(extractor):
    existing = {"entity": "tri", "value": "no", "start": 0, "end": 3, "extractor": "DIETClassifier"}
    message = Message(data={TEXT: "yes, he is seven", ENTITIES: [existing]})
    extractor.process([message])
    tri = [e for e in message.get(ENTITIES) if e["entity"] == "tri"]
    assert tri == [existing]
    assert _entities(message)["number"]["value"] == 7.0


def test_extractor_leaves_button_payloads_to_rasa(extractor):
    payload = {"entity": "tri", "value": "yes", "start": 7, "end": 20}
    message = Message(data={TEXT: '/affirm{"tri":"yes"}', ENTITIES: [payload]})
    extractor.process([message])
    assert message.get(ENTITIES) == [payload]


def test_extractor_entities_are_in_the_parse_output(extractor):
    message = Message(data={TEXT: "nope"})
    extractor.process([message])
    output = message.as_dict(only_output_properties=True)
    assert output[ENTITIES][0]["entity"] == "tri"
    assert output[ENTITIES][0]["value"] == "no"


@pytest.mark.parametrize(
    "text",
    ["I can't breathe", "he won't wake up", "high fever after CAR-T", "他喘不上气", "no respira",
     "I want to kill myself"],
)
def test_emergency_overrides_the_classifier(extractor, text):
    intent = {"name": "inform", "confidence": 0.93}
    ranking = [intent, {"name": "emergency", "confidence": 0.04}, {"name": "deny", "confidence": 0.03}]
    message = Message(data={TEXT: text, INTENT: intent, INTENT_RANKING_KEY: ranking})
    extractor.process([message])
    assert message.get(INTENT) == {"name": "emergency", "confidence": 1.0}
    names = [r["name"] for r in message.get(INTENT_RANKING_KEY)]
    assert names[0] == "emergency"
    assert names.count("emergency") == 1
    assert set(names) == {"emergency", "inform", "deny"}
    assert message.as_dict(only_output_properties=True)[INTENT]["name"] == "emergency"


@pytest.mark.parametrize("text", ["what is a high fever?", "I don't have a fever", "no", "18 months"])
def test_no_emergency_without_an_emergency(extractor, text):
    intent = {"name": "explain", "confidence": 0.8}
    message = Message(data={TEXT: text, INTENT: intent, INTENT_RANKING_KEY: [intent]})
    extractor.process([message])
    assert message.get(INTENT)["name"] == "explain"
    assert message.get("classifier_intent") == intent  # the forms weigh the classifier's own guess


@pytest.mark.parametrize("text", ["no breathing problems", "only hay fever, nothing serious", "no tiene fiebre"])
def test_a_classifier_guess_of_emergency_alone_is_not_an_emergency(extractor, text):
    guess = {"name": "emergency", "confidence": 0.7}
    ranking = [guess, {"name": "deny", "confidence": 0.2}]
    message = Message(data={TEXT: text, INTENT: guess, INTENT_RANKING_KEY: ranking})
    extractor.process([message])
    assert message.get(INTENT)["name"] == "deny"


@pytest.mark.parametrize(("text", "intent"), [
    ("please don't delete anything", "keep_data"), ("can I delete my data later?", "keep_data"),
    ("delete my data", "delete_data"), ("不要删除我的信息", "keep_data"), ("no borre mis datos", "keep_data"),
    ("yes, let's start", "start_screening"), ("再来一次", "start_screening"), ("empezar", "start_screening"),
])
def test_outside_a_question_the_words_decide_the_intent(extractor, text, intent):
    guess = {"name": "affirm", "confidence": 0.6}
    message = Message(data={TEXT: text, INTENT: guess, INTENT_RANKING_KEY: [guess]})
    extractor.process([message])
    assert message.get(INTENT)["name"] == intent


def test_extractor_uses_the_channel_language_preference(extractor):
    # "once" is 11 in Spanish; in an English conversation it is not a number.
    english = Message(data={TEXT: "once", "metadata": {"language": "en"}})
    spanish = Message(data={TEXT: "once", "metadata": {"language": "es"}})
    extractor.process([english, spanish])
    assert "number" not in _entities(english)
    assert _entities(spanish)["number"]["value"] == 11.0


@pytest.mark.parametrize("data", [{}, {TEXT: ""}, {TEXT: "   "}, {TEXT: "\x00\u202e<b>"}])
def test_extractor_is_total(extractor, data):
    message = Message(data=dict(data))
    extractor.process([message])
    assert not message.get(ENTITIES)


def test_extractor_does_not_touch_training_data(extractor):
    message = Message(data={TEXT: "yes", INTENT: "affirm"})
    data = TrainingData([message])
    assert extractor.process_training_data(data) is data
    assert not message.get(ENTITIES)


def test_extractor_leaves_the_intent_as_plain_str_and_float_with_the_same_values(extractor):
    """The classifier's numpy scalars would be pickled and JSON-encoded with every later turn."""
    import numpy as np

    message = Message(data={TEXT: "yes he did"})
    message.set(INTENT, {"name": np.str_("affirm"), "confidence": np.float64(0.8125)}, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [{"name": np.str_("affirm"), "confidence": np.float64(0.8125)},
                                     {"name": np.str_("deny"), "confidence": np.float32(0.125)}], add_to_output=True)
    extractor.process([message])
    intent, ranking = message.get(INTENT), message.get(INTENT_RANKING_KEY)
    assert intent == {"name": "affirm", "confidence": 0.8125}
    assert type(intent["name"]) is str and type(intent["confidence"]) is float
    assert [(type(r["name"]), type(r["confidence"])) for r in ranking] == [(str, float), (str, float)]
    assert [r["confidence"] for r in ranking] == [0.8125, 0.125]
