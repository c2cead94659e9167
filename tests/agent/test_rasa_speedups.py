"""The Rasa speed patches (bot/speedups) change nothing but speed, and are on only when they should be.

Each patch is checked against Rasa's own code: same schema checks, same event classes, same JSON,
same probabilities, same graph results (the tracker patches: tests/pure/test_rasa_trackers.py). Then the
switch: nothing is patched on import (so `rasa train` runs stock Rasa), the server puts them on as
it starts and before Rasa loads the model, and RASA_SPEEDUPS=0 or another Rasa version leaves
Rasa's own functions in place.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import os
import subprocess
import sys
from functools import partial

import jsonschema
import numpy as np
import pytest
import rasa
import rasa.shared.utils.common
from hypothesis import given, settings
from hypothesis import strategies as st
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event

from bot import speedups
from bot.speedups import action_schema, classifier_weights, event_classes, graph_runner, ujson_calls
from tests.fixtures.servers import MODEL, ROOT

SCHEMA = RemoteAction.action_response_format_spec()
ACTION = RemoteAction("action_x", None)


def validate(result):
    """Point 1, called directly: the same answer whether or not the patches are on."""
    return action_schema.validate_action_result(ACTION, result)


@pytest.mark.parametrize(
    "result",
    [{"events": [], "responses": []}, {"events": [{"event": "slot", "name": "a", "value": 1}], "responses": [{"text": "hi"}]}],
)
def test_valid_action_results_pass_as_before(result):
    jsonschema.validate(result, SCHEMA)
    assert validate(result) is True


@pytest.mark.parametrize("result", [{"events": "nope"}, {"events": [{"no_event_key": 1}]}, {"responses": 5}])
def test_invalid_action_results_fail_as_before(result):
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(result, SCHEMA)
    with pytest.raises(jsonschema.ValidationError):
        validate(result)


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
        assert validate(result) is True
    else:
        with pytest.raises(jsonschema.ValidationError) as raised:
            validate(result)
        assert raised.value.message.startswith(expected + ". Failed to validate Action server response")


def test_every_event_type_resolves_to_the_same_class():
    for cls in rasa.shared.utils.common.all_subclasses(Event):
        assert event_classes.resolve_by_type(cls.type_name) is next(
            c for c in rasa.shared.utils.common.all_subclasses(Event) if c.type_name == cls.type_name
        )
    with pytest.raises(ValueError):
        event_classes.resolve_by_type("no_such_event")
    for name, default in [("no_such_event", Event), ("topic", None), ("topic", Event)]:
        assert event_classes.resolve_by_type(name, default) is event_classes._original_resolve(name, default)


@pytest.mark.parametrize(
    "payload",
    [
        {"tracker": {"events": [{"event": "user", "text": "我的孩子7岁 / años: ¿sí? <b>\u202e\u0000", "parse_data": {
            "intent": {"name": "inform", "confidence": 0.9199468146797756}}}]}, "next_action": "validate_prescreen_form"},
        {"numbers": [0, -1, 2**53, 1e-300, 1.5e300, 0.1 + 0.2], "nested": [[], {}, None, True, False]},
    ],
)
def test_action_calls_carry_the_same_json_values(payload):
    payload = {**payload, "numpy": [np.float64(0.25), np.str_("x/y")]}
    assert json.loads(ujson_calls.fast_dumps(payload)) == json.loads(json.dumps(payload))


def test_values_ujson_refuses_fall_back_to_the_standard_encoder():
    import math

    text = ujson_calls.fast_dumps({"nan": float("nan"), "big": 2**70})
    back = json.loads(text)
    assert math.isnan(back["nan"]) and back["big"] == 2**70


def test_the_intent_classifier_loads_with_copy_free_weights_and_the_same_probabilities(tmp_path):
    """Trained, persisted and loaded through Rasa's own component: same predictions as sklearn's
    own C-ordered weights, and weights whose transpose scipy can use without copying."""
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
    loaded = classifier_weights.load(LogisticRegressionClassifier, config, storage, resource, context)
    stock = classifier_weights._original_load(LogisticRegressionClassifier, config, storage, resource, context)
    assert not stock.clf.coef_.T.flags["C_CONTIGUOUS"]  # what the patch is for
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
    got = tuple(graph_runner._compute(graph, key, done) for key in ["intent", "features"])
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
        for run in (graph_runner._original_run_graph, graph_runner.run_graph):
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
              for run in (graph_runner._original_run_graph, graph_runner.run_graph)]
    assert isinstance(parses[0], Message)
    assert parses[0].as_dict() == parses[1].as_dict() and parses[0].get(TEXT) == text

    parse = parses[0].as_dict(only_output_properties=True)
    tracker.update(UserUttered(text, parse.get("intent"), parse.get("entities"), parse))
    predictions = [run(runner, inputs={"__tracker__": tracker}, targets=[meta.core_target])[meta.core_target]
                   for run in (graph_runner._original_run_graph, graph_runner.run_graph)]
    assert predictions[0].probabilities == predictions[1].probabilities
    assert predictions[0].policy_name == predictions[1].policy_name


# --- when the patches are on: only as the server starts, only on Rasa 3.6.21, unless switched off --


def where_each_patched_attribute_comes_from():
    """{"DialogueStateTracker.copy": "rasa.shared.core.trackers", ...}: whose code is in place."""
    found = {}
    for owner, name, _ in speedups.patches():
        value = owner.__dict__[name]
        found[f"{owner.__name__}.{name}"] = getattr(value, "__func__", value).__module__
    return found


def all_rasas_own(found):
    return len(found) == 8 and all(module.startswith("rasa.") for module in found.values())


def all_ours(found):
    return len(found) == 8 and all(module.startswith("bot.speedups.") for module in found.values())


def intent_classifier(agent):
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier

    nodes = agent.processor.graph_runner._instantiated_nodes.values()
    [component] = [n._component for n in nodes if isinstance(n._component, LogisticRegressionClassifier)]
    return component


def copy_free(agent) -> bool:
    return bool(intent_classifier(agent).clf.coef_.T.flags["C_CONTIGUOUS"])


@pytest.fixture
def stock_rasa():
    """Rasa as in a process that has not started a server (no patches, nothing frozen); afterwards
    as the session had it. The MonkeyPatch it yields is undone before the patches go back on."""
    from sanic import Sanic

    was_on = speedups.active()
    speedups.revert()
    gc.unfreeze()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(speedups, "_told", set())
        mp.setattr(Sanic, "test_mode", True)  # Rasa names every app it configures the same
        mp.setenv("ACTION_SERVER_URL", "http://127.0.0.1:9/webhook")  # endpoints.yml; never called
        mp.setenv("ACTION_SERVER_TOKEN", "unused")
        yield mp
    gc.unfreeze()
    speedups.revert()
    if was_on:
        assert speedups.apply()


def serve_briefly(model=None):
    """Rasa's own server set-up, as `rasa run` does it with our credentials.yml: `configure_app`
    with both channels, then (with a model) the `load_agent_on_start` listener that
    `serve_application` adds after it. Started on loopback, looked at, stopped."""
    from rasa.core import run
    from rasa.core.utils import AvailableEndpoints

    from bot.channels import SafeRestInput
    from bot.web.channel import SocketIOInput

    async def serve():
        endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.yml"))
        channels = [SafeRestInput(), SocketIOInput.from_credentials({"session_persistence": True})]
        app = run.configure_app(channels, enable_api=False, endpoints=endpoints)
        if model is not None:
            app.register_listener(partial(run.load_agent_on_start, str(model), endpoints, None),
                                  "before_server_start")
        server = await app.create_server(host="127.0.0.1", port=0, return_asyncio_server=True)
        await server.startup()
        await server.before_start()
        await server.after_start()
        try:
            agent = getattr(app.ctx, "agent", None)
            return {"code": where_each_patched_attribute_comes_from(), "frozen": gc.get_freeze_count(),
                    "copy_free": copy_free(agent) if agent else None}
        finally:
            await server.before_stop()
            server.close()
            await server.wait_closed()
            await server.after_stop()

    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(serve())
    finally:
        loop.close()


def speedup_logs(caplog, level):
    return [r.getMessage() for r in caplog.records if r.name == "bot.speedups" and r.levelno == level]


def test_importing_the_bot_patches_nothing_so_rasa_train_runs_stock_rasa():
    """`rasa train` imports our components (and a server's tracker store and channels) but starts
    no server: with the switch on, importing all of them and every patch module changes nothing."""
    code = ("import gc, json\n"
            "import bot.channels, bot.tracker_store, bot.nlu.components, bot.web.channel\n"
            "from bot import speedups\n"
            "found = {f'{o.__name__}.{n}': getattr(o.__dict__[n], '__func__', o.__dict__[n]).__module__\n"
            "         for o, n, _ in speedups.patches()}\n"
            "print(json.dumps({'code': found, 'frozen': gc.get_freeze_count(), 'active': speedups.active()}))\n")
    env = {**os.environ, "RASA_SPEEDUPS": "1", "RASA_TELEMETRY_ENABLED": "false"}
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert all_rasas_own(seen["code"]), seen
    assert seen["frozen"] == 0 and seen["active"] is False


def test_the_server_puts_the_patches_on_as_it_starts_before_rasa_loads_the_model(stock_rasa, caplog):
    """On Rasa 3.6.21 with the switch unset: our code in all eight places, the loaded model's
    intent weights already copy-free (point 5 acts on loading, so it came first), and what was
    loaded frozen out of the garbage collector once the server was up."""
    stock_rasa.delenv(speedups.SWITCH, raising=False)
    caplog.set_level(logging.INFO, logger="bot.speedups")
    assert rasa.__version__ == speedups.RASA_VERSION
    assert all_rasas_own(where_each_patched_attribute_comes_from())
    seen = serve_briefly(MODEL)
    assert all_ours(seen["code"]), seen["code"]
    assert seen["copy_free"] is True
    assert seen["frozen"] > 10_000
    assert any("Speed patches on: 8 Rasa 3.6.21 internals" in m for m in speedup_logs(caplog, logging.INFO))


def test_with_rasa_speedups_0_the_server_runs_stock_rasa(stock_rasa, caplog):
    stock_rasa.setenv(speedups.SWITCH, "0")
    caplog.set_level(logging.INFO, logger="bot.speedups")
    seen = serve_briefly(MODEL)
    assert all_rasas_own(seen["code"]), seen["code"]
    assert seen["copy_free"] is False  # the weights as sklearn left them
    assert seen["frozen"] == 0
    assert speedup_logs(caplog, logging.INFO) == ["RASA_SPEEDUPS=0: speed patches off, running stock Rasa"]


def test_on_another_rasa_version_the_server_warns_once_and_runs_stock_rasa(stock_rasa, caplog):
    """Both channels ask for the patches as the server starts; the warning is said once."""
    stock_rasa.delenv(speedups.SWITCH, raising=False)
    stock_rasa.setattr(rasa, "__version__", "3.6.22")
    caplog.set_level(logging.INFO, logger="bot.speedups")
    seen = serve_briefly()
    assert all_rasas_own(seen["code"]), seen["code"]
    assert seen["frozen"] == 0
    [warning] = speedup_logs(caplog, logging.WARNING)
    assert "Rasa 3.6.22 is installed" in warning and "checked against Rasa 3.6.21 only" in warning
    assert "running stock Rasa" in warning


@pytest.mark.parametrize("value", ["off", "False", " no ", "fast"])
def test_other_ways_of_switching_them_off_and_values_not_understood_leave_rasa_stock(stock_rasa, caplog, value):
    stock_rasa.setenv(speedups.SWITCH, value)
    caplog.set_level(logging.INFO, logger="bot.speedups")
    assert speedups.apply() is False and not speedups.active()
    assert all_rasas_own(where_each_patched_attribute_comes_from())
    if value == "fast":
        [warning] = speedup_logs(caplog, logging.WARNING)
        assert "'fast' is not 1 or 0" in warning


@pytest.mark.parametrize("value", ["", "1", "true", "ON"])
def test_apply_puts_each_modules_replacement_in_place_and_revert_puts_rasas_back(stock_rasa, value):
    stock_rasa.setenv(speedups.SWITCH, value)
    assert speedups.apply() is True and speedups.apply() is True  # a second call changes nothing
    for owner, name, replacement in speedups.patches():
        assert owner.__dict__[name] is replacement
    speedups.revert()
    assert not speedups.active() and all_rasas_own(where_each_patched_attribute_comes_from())


def test_the_agent_under_test_runs_with_the_patches_exactly_when_the_switch_says(agent, rasa_speedups):
    """`make test` runs every test through the agent or the servers twice: with the patches (as the
    server starts them) and, with RASA_SPEEDUPS=0, on stock Rasa. This says which one this is."""
    expected = speedups.stock_reason() is None
    assert rasa_speedups is expected and speedups.active() is expected
    assert copy_free(agent) is expected
    code = where_each_patched_attribute_comes_from()
    assert all_ours(code) if expected else all_rasas_own(code), code
