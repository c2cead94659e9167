"""8. The NLU and policy graphs computed depth-first instead of through dask's scheduler.

Rasa runs its NLU and policy graphs with `dask.get`, dask's single-threaded scheduler, twice a turn;
for graphs of a dozen nodes its bookkeeping (ordering, task states, callbacks) cost as much as a
third of the time in the nodes themselves. `run_graph` computes the same nodes with the same inputs
in a plain depth-first pass, still one thread, and gives the same result and the same errors.
"""

from __future__ import annotations

from typing import Any, Dict, Hashable, List, Optional, Text

from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner

_original_run_graph = DaskGraphRunner.__dict__["run"]


def _compute(graph: Dict[Text, Any], key: Any, done: Dict[Any, Any]) -> Any:
    """A dask graph key's value as `dask.get` computes it: a task is a tuple whose first item is
    callable, called with its other items' values; a graph input is a plain tuple kept as it is;
    a list's items are computed; anything else that is not a key stands for itself."""
    if isinstance(key, list):
        return [_compute(graph, item, done) for item in key]
    if not isinstance(key, Hashable) or key not in graph:
        return key
    if key in done:
        return done[key]
    task = graph[key]
    if isinstance(task, tuple) and task and callable(task[0]):
        value = task[0](*(_compute(graph, arg, done) for arg in task[1:]))
    else:
        value = task
    done[key] = value
    return value


def run_graph(self: DaskGraphRunner, inputs: Optional[Dict[Text, Any]] = None,
              targets: Optional[List[Text]] = None) -> Dict[Text, Any]:
    """`DaskGraphRunner.run` without dask's scheduler."""
    run_targets = targets if targets else self._graph_schema.target_names
    run_graph = self._build_dask_graph(self._graph_schema.minimal_graph_schema(run_targets))
    if inputs:
        self._add_inputs_to_graph(inputs, run_graph)
    try:
        done: Dict[Any, Any] = {}
        return dict(_compute(run_graph, target, done) for target in run_targets)
    except RuntimeError as e:
        raise GraphRunError("Error running runner.") from e


PATCHES = ((DaskGraphRunner, "run", run_graph),)
