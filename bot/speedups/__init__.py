"""Speed patches for Rasa 3.6.21: the same answers in less time per turn, applied as the server starts.

Each came from profiling whole screenings under load (py-spy, cProfile): Rasa redoing work whose
result it already had, or doing it by a slow general route. One module per patch, each saying why:

1. `action_schema`: action results checked against a schema compiled once, first by event name;
2. `event_classes`: event classes looked up by type name from a cache;
3. `gc_freeze`: what the server loaded before it started is frozen out of the garbage collector;
4. `ujson_calls`: action calls encoded with ujson;
5. `classifier_weights`: the intent classifier's weights kept in an order scipy need not copy;
6. `applied_events`: a tracker's applied events folded in incrementally;
7. `tracker_copy`: trackers (and forms' validation trackers) copied by state, not by replay;
8. `graph_runner`: the NLU and policy graphs computed depth-first, without dask's scheduler.

Behaviour is unchanged: the same schema, the same errors, the same classes, the same JSON values,
the same intent probabilities, the same applied events, copies and graph results. Each is tested
against Rasa's own code (tests/agent/test_rasa_speedups.py, tests/pure/test_rasa_trackers.py), and the
conversation tests run both with and without them (`make test`).

Importing this package or any module in it patches nothing. `apply()` is the one place that
patches, and `register(blueprint)` is how the Rasa server reaches it: our channels register it on
their blueprints, so the patches go on when the server starts, before Rasa loads the model (point 5
acts on loading), and point 3 once it has started. `rasa train`, `rasa test`, the action server and
the tools run stock Rasa. The server runs stock Rasa too, and says so in its log, when:

- `RASA_SPEEDUPS` is `0` (or `false`, `off`, `no`; a value not understood also turns them off);
- the installed Rasa is not 3.6.21, the version they were checked against.
"""

from __future__ import annotations

import importlib
import logging
import os
from typing import Any, List, Optional, Set, Tuple

import rasa

logger = logging.getLogger(__name__)

RASA_VERSION = "3.6.21"
SWITCH = "RASA_SPEEDUPS"
MODULES = ("action_schema", "event_classes", "gc_freeze", "ujson_calls", "classifier_weights",
           "applied_events", "tracker_copy", "graph_runner")
_ON = {"", "1", "true", "on", "yes"}
_OFF = {"0", "false", "off", "no"}
_MISSING = object()

_originals: List[Tuple[type, str, Any]] = []  # what apply() replaced, to put back in revert()
_told: Set[str] = set()  # messages already logged: each reason for running stock is said once


def patches() -> List[Tuple[type, str, Any]]:
    """(class, attribute, replacement) for every Rasa internal the patches replace."""
    found = []
    for name in MODULES:
        found.extend(importlib.import_module(f"{__name__}.{name}").PATCHES)
    return found


def stock_reason() -> Optional[Tuple[int, str]]:
    """(log level, why) when Rasa must run stock here; None when the patches may go on."""
    raw = os.environ.get(SWITCH, "")
    value = raw.strip().lower()
    if value in _OFF:
        return logging.INFO, f"{SWITCH}={raw}: speed patches off, running stock Rasa"
    if value not in _ON:
        return logging.WARNING, f"{SWITCH}={raw!r} is not 1 or 0: speed patches off, running stock Rasa"
    if rasa.__version__ != RASA_VERSION:
        return logging.WARNING, (
            f"Rasa {rasa.__version__} is installed, but the speed patches (bot/speedups) were checked "
            f"against Rasa {RASA_VERSION} only: running stock Rasa (same answers, slower)")
    return None


def active() -> bool:
    """Whether the patches are on in this process."""
    return bool(_originals)


def apply() -> bool:
    """Puts every patch on, once, unless `stock_reason()` says not to; True when they are on."""
    if active():
        return True
    reason = stock_reason()
    if reason is not None:
        level, message = reason
        if message not in _told:
            _told.add(message)
            logger.log(level, message)
        return False
    replacements = patches()  # every module imported (and Rasa's originals read) before any change
    for owner, name, value in replacements:
        _originals.append((owner, name, owner.__dict__.get(name, _MISSING)))
        setattr(owner, name, value)
    logger.info("Speed patches on: %d Rasa %s internals (bot/speedups; %s=0 turns them off)",
                len(replacements), RASA_VERSION, SWITCH)
    return True


def revert() -> None:
    """Rasa's own code back in place (the tests compare both ways in one process)."""
    while _originals:
        owner, name, original = _originals.pop()
        if original is _MISSING:
            delattr(owner, name)
        else:
            setattr(owner, name, original)


async def _before_start(app: Any, loop: Any) -> None:
    apply()


async def _after_start(app: Any, loop: Any) -> None:
    if active():
        importlib.import_module(f"{__name__}.gc_freeze").freeze()


def register(blueprint: Any) -> None:
    """Makes a channel's blueprint apply the patches as the Rasa server starts, and freeze what it
    loaded once it has started. A blueprint's listeners join the app before Rasa adds its own
    `load_agent_on_start`, so they run before the model loads. Every channel registers this; the
    first to run applies and freezes, the others find it done."""
    blueprint.listener("before_server_start")(_before_start)
    blueprint.listener("after_server_start")(_after_start)
