"""Rasa 3.6 graph components: a multilingual tokenizer and the rule-based answer extractor.

Both are thin adapters around ``bot.understanding.parsing`` so the rules stay testable without Rasa. In
``config.yml`` the extractor must come *after* the intent classifier (and after
``FallbackClassifier``): components run in pipeline order, and the emergency override has to be
the last word on the intent.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.understanding import cues, parsing, safety
from bot.understanding.interpret import Message as Message_
from bot.understanding.interpret import interpret

logger = logging.getLogger(__name__)

EMERGENCY_INTENT = "emergency"
CLASSIFIER_INTENT = "classifier_intent"
# What a message says it is doing, read from its words (bot.understanding), outside any question.
# These decide the intent whatever the classifier guessed; inside a form the form's own reading
# of the reply decides instead.
DIGRESSION_INTENTS = {
    "delete": "delete_data",
    "not_delete": "keep_data",
    "delete_question": "keep_data",
    "stop": "goodbye",
    "later": "come_back_later",
    "restart": "start_over",
    "change": "change_answer",
    "person": "talk_to_person",
    "distress": "distress",
    "explain": "explain",
    "why": "why_ask",
    "bot": "bot_challenge",
    "language": "switch_language",
}


def top_level_intent(text: str, classified: Dict[str, Any]) -> str | None:
    """The intent a message's own words give it, or None to keep the classifier's."""
    if safety.detect(text):
        return EMERGENCY_INTENT
    guess = Message_(text, classified.get(INTENT_NAME_KEY), float(classified.get(PREDICTED_CONFIDENCE_KEY) or 0.0))
    reading = interpret(guess, None)
    for kind in reading.digressions:
        if kind in DIGRESSION_INTENTS:
            return DIGRESSION_INTENTS[kind]
    if set(cues.kinds(text)) & {"start", "continue"}:
        return "start_screening"
    return None


def _pipeline_language(text: str) -> str:
    """Which blank pipeline tokenizes ``text``: jieba for CJK, Spanish when it looks Spanish."""
    if parsing.detect_script_language(text) == "zh":
        return "zh"
    return "es" if parsing.guess_language(text) == "es" else "en"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False
)
class MultilingualTokenizer(Tokenizer):
    """Tokenizes Chinese with jieba (via ``spacy.blank("zh")``) and the rest with blank
    English/Spanish spaCy pipelines, so one model can serve all three languages."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Returns the component's default config (same keys as Rasa's own tokenizers)."""
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    @staticmethod
    def required_packages() -> List[str]:
        """Any extra python dependencies required for this component to run."""
        return ["spacy", "jieba"]

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MultilingualTokenizer:
        """Creates the tokenizer and warms up the pipelines so the first message is not slow."""
        for lang in parsing.LANGUAGES:
            parsing.get_nlp(lang)
        return cls({**cls.get_default_config(), **config})

    def tokenize(self, message: Message, attribute: str) -> List[Token]:
        """Tokens with character offsets into the attribute's text; whitespace is dropped."""
        text = message.get(attribute)
        if not isinstance(text, str):
            return []
        doc = parsing.get_nlp(_pipeline_language(text)).make_doc(text)
        tokens = [Token(tok.text, tok.idx) for tok in doc if not tok.is_space and tok.text.strip()]
        if not tokens:
            # Like WhitespaceTokenizer: an empty or blank message is one token, so featurizers
            # and classifiers downstream always get at least one feature row.
            tokens = [Token(text, 0)]
        return self._apply_token_pattern(tokens)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False
)
class AnswerExtractor(GraphComponent, EntityExtractorMixin):
    """Adds the answer entities of docs/nlu-contract.md and forces the emergency intent.

    Rules, not a model: the values feed eligibility decisions, so they must be predictable and
    explainable. Not trainable, so it never touches the training data.
    """

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Returns the component's default config."""
        return {"emergency_intent": EMERGENCY_INTENT}

    def __init__(self, config: Dict[str, Any]) -> None:
        self._config = {**self.get_default_config(), **(config or {})}

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> AnswerExtractor:
        """Creates the component (see parent class for full docstring)."""
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Leaves training data alone: entities come from rules, never from annotations."""
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Adds entities to each message and overrides the intent on emergencies."""
        for message in messages:
            try:
                self._process_message(message)
            except Exception:  # pragma: no cover - parsing is total; this is a last guard
                logger.exception("AnswerExtractor failed on a message; left unchanged")
        return messages

    def _process_message(self, message: Message) -> None:
        _plain_intent(message)
        # The classifier's own guess, kept for the forms' interpretation step, which weighs it
        # against the open question; the intent itself may be overridden below.
        if isinstance(message.get(INTENT), dict):
            message.set(CLASSIFIER_INTENT, dict(message.get(INTENT)), add_to_output=True)
        text = message.get(TEXT)
        if not isinstance(text, str) or not text.strip():
            return
        if text.strip().startswith("/"):
            # A button payload such as /affirm{"tri":"yes"}: RegexMessageHandler replaces the
            # whole prediction after the pipeline, with the payload's own entities.
            return

        entities = list(message.get(ENTITIES) or [])
        present = {e.get(ENTITY_ATTRIBUTE_TYPE) for e in entities}
        for found in parsing.extract_entities(text, _preferred_language(message)):
            if found["entity"] in present:
                continue
            entities.append(
                {
                    ENTITY_ATTRIBUTE_TYPE: found["entity"],
                    ENTITY_ATTRIBUTE_VALUE: found["value"],
                    ENTITY_ATTRIBUTE_START: found["start"],
                    ENTITY_ATTRIBUTE_END: found["end"],
                    EXTRACTOR: self.name,
                }
            )
            present.add(found["entity"])
        message.set(ENTITIES, entities, add_to_output=True)

        override = top_level_intent(text, message.get(INTENT) or {})
        if override:
            self._force_intent(message, override)
        elif (message.get(INTENT) or {}).get(INTENT_NAME_KEY) == EMERGENCY_INTENT:
            # Only the safety reader decides emergencies: a classifier's guess alone would
            # alarm people over "no breathing problems" or "hay fever".
            ranking = [r for r in (message.get(INTENT_RANKING_KEY) or []) if r.get(INTENT_NAME_KEY) != EMERGENCY_INTENT]
            if ranking:
                message.set(INTENT, dict(ranking[0]), add_to_output=True)
                message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)

    @staticmethod
    def _force_intent(message: Message, name: str) -> None:
        intent = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: 1.0}
        ranking = [
            r for r in (message.get(INTENT_RANKING_KEY) or []) if r.get(INTENT_NAME_KEY) != name
        ]
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [dict(intent)] + ranking, add_to_output=True)


def _plain_intent(message: Message) -> None:
    """The classifier's intent and ranking as plain str and float, not numpy scalars: every past
    message is pickled by the tracker store and JSON-encoded for each action call, where numpy
    scalars cost several times a float (same values; Rasa's own JSON store gives floats too)."""
    intent = message.get(INTENT)
    if isinstance(intent, dict):
        message.set(INTENT, _plain_prediction(intent), add_to_output=True)
    ranking = message.get(INTENT_RANKING_KEY)
    if isinstance(ranking, list):
        message.set(INTENT_RANKING_KEY, [_plain_prediction(r) for r in ranking], add_to_output=True)


def _plain_prediction(prediction: Any) -> Any:
    if not isinstance(prediction, dict):
        return prediction
    plain = dict(prediction)
    name, confidence = plain.get(INTENT_NAME_KEY), plain.get(PREDICTED_CONFIDENCE_KEY)
    if isinstance(name, str):
        plain[INTENT_NAME_KEY] = str(name)
    if isinstance(confidence, (int, float)) or hasattr(confidence, "item"):
        plain[PREDICTED_CONFIDENCE_KEY] = float(confidence)
    return plain


def _preferred_language(message: Message) -> str | None:
    """The conversation language if the channel sends it as metadata ({"language": "es"})."""
    metadata = message.get("metadata")
    if isinstance(metadata, dict):
        lang = metadata.get("language") or metadata.get("lang")
        if lang in parsing.LANGUAGES:
            return lang
    return None
