"""The Rasa speed fixes change nothing but speed: same schema checks, same event classes."""

from __future__ import annotations

import jsonschema
import pytest
import rasa.shared.utils.common
from hypothesis import given, settings
from hypothesis import strategies as st
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event

from bot import rasa_speedups

rasa_speedups.apply()
SCHEMA = RemoteAction.action_response_format_spec()
ACTION = RemoteAction("action_x", None)


@pytest.mark.parametrize(
    "result",
    [{"events": [], "responses": []}, {"events": [{"event": "slot", "name": "a", "value": 1}], "responses": [{"text": "hi"}]}],
)
def test_valid_action_results_pass_as_before(result):
    jsonschema.validate(result, SCHEMA)
    assert ACTION._validate_action_result(result) is True


@pytest.mark.parametrize("result", [{"events": "nope"}, {"events": [{"no_event_key": 1}]}, {"responses": 5}])
def test_invalid_action_results_fail_as_before(result):
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(result, SCHEMA)
    with pytest.raises(jsonschema.ValidationError):
        ACTION._validate_action_result(result)


EVENT_NAMES = [option["properties"]["event"]["const"] for option in SCHEMA["properties"]["events"]["items"]["oneOf"]]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
event_dicts = st.fixed_dictionaries(
    {"event": st.sampled_from(EVENT_NAMES) | json_values},
    optional={
        "name": st.text(max_size=5) | json_values,
        "value": json_values,
        "timestamp": st.floats(allow_nan=False) | st.none() | st.text(max_size=3),
        "metadata": st.dictionaries(st.text(max_size=3), json_values, max_size=2) | json_values,
        "entities": st.lists(st.fixed_dictionaries({"entity": st.text(max_size=3), "value": json_values},
                                                   optional={"start": json_values}), max_size=2) | json_values,
        "parse_data": st.fixed_dictionaries({}, optional={"intent": st.fixed_dictionaries(
            {"name": json_values, "confidence": json_values}), "entities": json_values}) | json_values,
        "text": json_values,
        "hide_rule_turn": json_values,
    },
)
action_results = st.fixed_dictionaries(
    {}, optional={"events": st.lists(event_dicts, max_size=4) | json_values,
                  "responses": st.lists(st.dictionaries(st.text(max_size=3), json_values, max_size=2) | json_values,
                                        max_size=3) | json_values},
) | json_values


@settings(max_examples=500, deadline=None)
@given(action_results)
def test_action_results_are_accepted_and_refused_exactly_as_the_whole_schema_does(result):
    """The check by event name (point 1) says yes only when the whole schema says yes, and a
    refusal is the whole schema's own error."""
    try:
        jsonschema.validate(result, SCHEMA)
        expected = None
    except jsonschema.ValidationError as e:
        expected = e.message
    if expected is None:
        assert ACTION._validate_action_result(result) is True
    else:
        with pytest.raises(jsonschema.ValidationError) as raised:
            ACTION._validate_action_result(result)
        assert raised.value.message.startswith(expected + ". Failed to validate Action server response")


def test_every_event_type_resolves_to_the_same_class():
    for cls in rasa.shared.utils.common.all_subclasses(Event):
        assert Event.resolve_by_type(cls.type_name) is next(
            c for c in rasa.shared.utils.common.all_subclasses(Event) if c.type_name == cls.type_name
        )
    with pytest.raises(ValueError):
        Event.resolve_by_type("no_such_event")


def test_objects_loaded_before_the_server_starts_are_frozen_out_of_garbage_collection():
    """The channel's blueprint freezes what was loaded (the model) once the server is up, so a
    full collection no longer walks it; sessions' own garbage is still collected."""
    import asyncio
    import gc

    from sanic import Sanic

    from bot.channels import SafeRestInput

    async def start_and_stop():
        app = Sanic(f"freeze_test_{id(object())}")
        app.blueprint(SafeRestInput().blueprint(lambda message: None))
        server = await app.create_server(host="127.0.0.1", port=0, return_asyncio_server=True)
        await server.startup()
        await server.after_start()
        frozen = gc.get_freeze_count()
        server.close()
        await server.wait_closed()
        return frozen

    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        assert asyncio.new_event_loop().run_until_complete(start_and_stop()) > 10_000
    finally:
        gc.unfreeze()


@pytest.mark.parametrize(
    "payload",
    [
        {"tracker": {"events": [{"event": "user", "text": "我的孩子7岁 / años: ¿sí? <b>\u202e\u0000", "parse_data": {
            "intent": {"name": "inform", "confidence": 0.9199468146797756}}}]}, "next_action": "validate_prescreen_form"},
        {"numbers": [0, -1, 2**53, 1e-300, 1.5e300, 0.1 + 0.2], "nested": [[], {}, None, True, False]},
    ],
)
def test_action_calls_carry_the_same_json_values(payload):
    import json

    import numpy as np

    payload = {**payload, "numpy": [np.float64(0.25), np.str_("x/y")]}
    assert json.loads(rasa_speedups.fast_dumps(payload)) == json.loads(json.dumps(payload))


def test_values_ujson_refuses_fall_back_to_the_standard_encoder():
    import json
    import math

    text = rasa_speedups.fast_dumps({"nan": float("nan"), "big": 2**70})
    back = json.loads(text)
    assert math.isnan(back["nan"]) and back["big"] == 2**70


def test_the_intent_classifier_loads_with_copy_free_weights_and_the_same_probabilities(tmp_path):
    """Trained, persisted and loaded through Rasa's own component: same predictions as sklearn's
    own C-ordered weights, and weights whose transpose scipy can use without copying."""
    import numpy as np
    from rasa.engine.graph import ExecutionContext, GraphSchema
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.engine.storage.resource import Resource
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
    from scipy.sparse import csr_matrix

    storage, resource = LocalModelStorage(tmp_path), Resource("lr")
    context = ExecutionContext(GraphSchema({}), "lr")
    config = {**LogisticRegressionClassifier.get_default_config(), "random_state": 42}
    trained = LogisticRegressionClassifier.create(config, storage, resource, context)
    rng = np.random.default_rng(0)
    X = csr_matrix((rng.random((60, 400)) > 0.95).astype(float))
    y = [f"intent_{i % 4}" for i in range(60)]
    trained.clf.fit(X, y)
    trained.persist()
    loaded = LogisticRegressionClassifier.load(config, storage, resource, context)
    assert loaded.clf.coef_.T.flags["C_CONTIGUOUS"]
    assert np.array_equal(loaded.clf.predict_proba(X), trained.clf.predict_proba(X))


def test_graphs_compute_each_needed_node_once_as_dask_does():
    """Point 8 on a hand-made dask graph: inputs are plain tuples, a node shared by two others
    runs once, a name that is not in the graph stands for itself."""
    import dask

    calls = []

    def node(name):
        def run(*args):
            calls.append(name)
            return (name, args)
        return run

    graph = {
        "__message__": ("__message__", ["hi"]),
        "tokens": (node("tokens"), "__message__"),
        "features": (node("features"), "tokens", "not-a-node", ["a list's keys count:", "tokens"], {"x": 1}),
        "intent": (node("intent"), "tokens", "features"),
    }
    want = dask.get(dict(graph), ["intent", "features"])
    dask_calls, calls[:] = list(calls), []
    done = {}
    got = tuple(rasa_speedups._compute(graph, key, done) for key in ["intent", "features"])
    assert got == want
    assert sorted(calls) == sorted(dask_calls) == ["features", "intent", "tokens"]


def test_a_failing_graph_node_raises_what_rasas_dask_runner_raises():
    from rasa.engine.exceptions import GraphRunError
    from rasa.engine.runner.dask import DaskGraphRunner

    class Runner:
        _graph_schema = type("Schema", (), {"target_names": ["b"], "minimal_graph_schema": lambda self, t: self})()
        _execution_context = None

        def __init__(self, error):
            def fail(*_):
                raise error
            self.graph = {"a": (fail,), "b": (lambda a: ("b", a), "a")}

        def _build_dask_graph(self, _schema):
            return dict(self.graph)

        _add_inputs_to_graph = staticmethod(DaskGraphRunner._add_inputs_to_graph)

    for error, raised in [(RuntimeError("x"), GraphRunError), (ValueError("y"), ValueError)]:
        for run in (rasa_speedups._original_run_graph, rasa_speedups._run_graph):
            with pytest.raises(raised):
                run(Runner(error))


@pytest.mark.parametrize("text", ["hi", "I'm the patient", "he's seven", "3 months", "我的孩子7岁", "no sé"])
def test_the_models_graphs_give_the_same_parse_and_prediction_without_dask(agent, text):
    """The trained model's NLU and policy graphs, run by Rasa's dask runner and by point 8."""
    from rasa.core.channels.channel import UserMessage
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.message import Message

    processor = agent.processor
    runner, meta = processor.graph_runner, processor.model_metadata
    tracker = DialogueStateTracker.from_events("g", [ActionExecuted("action_listen")], processor.domain.slots)
    nlu_inputs = {"__message__": [UserMessage(text)], "__tracker__": tracker}
    parses = [run(runner, inputs=nlu_inputs, targets=[meta.nlu_target])[meta.nlu_target][0]
              for run in (rasa_speedups._original_run_graph, rasa_speedups._run_graph)]
    assert isinstance(parses[0], Message)
    assert parses[0].as_dict() == parses[1].as_dict() and parses[0].get(TEXT) == text

    parse = parses[0].as_dict(only_output_properties=True)
    tracker.update(UserUttered(text, parse.get("intent"), parse.get("entities"), parse))
    predictions = [run(runner, inputs={"__tracker__": tracker}, targets=[meta.core_target])[meta.core_target]
                   for run in (rasa_speedups._original_run_graph, rasa_speedups._run_graph)]
    assert predictions[0].probabilities == predictions[1].probabilities
    assert predictions[0].policy_name == predictions[1].policy_name
