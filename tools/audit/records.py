"""What we recorded by hand for this project, kept apart from the general matching code."""

from __future__ import annotations

from typing import Dict, List, Tuple

# Our assessment, by hand, of whether the affected code can run in THIS project. Only what could
# be checked cheaply against config.yml, endpoints.yml and the installed sources; anything not
# listed is "not assessed". Verdicts are ours, not the advisories'.
REACHABILITY: Dict[str, Tuple[str, str]] = {
    "aiohttp": (
        "yes",
        "Rasa's HTTP client to the action server (endpoints.yml action_endpoint) and the "
        "aiohttp-based channels.",
    ),
    "sanic-cors": (
        "yes",
        "rasa/server.py and rasa_sdk/endpoint.py import sanic_cors.CORS for the Rasa and action "
        "servers.",
    ),
    "skops": (
        "yes",
        "Rasa 3.6.21's LogisticRegressionClassifier (in config.yml) saves and loads its model with "
        "skops.io; the file it loads is the model archive we train ourselves.",
    ),
    "keras": (
        "unlikely",
        "Imported at start-up (Rasa's component registry imports TensorFlow), but no component in "
        "config.yml builds or loads a Keras model.",
    ),
    "scikit-learn": (
        "unlikely",
        "Used by CountVectorsFeaturizer and LogisticRegressionClassifier; the advisory names "
        "TfidfVectorizer (not in config.yml), and CountVectorsFeaturizer persists only its "
        "vocabulary, as JSON.",
    ),
    "pymongo": (
        "unlikely",
        "Imported by Rasa, but only its Mongo tracker/lock stores talk to MongoDB; endpoints.yml "
        "uses bot.tracker_store.DurableTrackerStore (SQL).",
    ),
    "sentry-sdk": (
        "no",
        "Rasa starts it only for error reporting with telemetry on; the Makefile and "
        "scripts/run.sh set RASA_TELEMETRY_ENABLED=false.",
    ),
    "pytest": ("no (test-only)", "Used by `make test`; not imported by the servers."),
    "pip": ("no (install-time)", "Build/install tool, not imported by the running servers."),
    "setuptools": ("no (install-time)", "Build/install tool, not imported by the running servers."),
    "wheel": ("no (install-time)", "Build/install tool, not imported by the running servers."),
}
NOT_ASSESSED = ("not assessed", "")

# Requires-Dist of fix releases, copied from their wheels' METADATA (pip download --no-deps,
# 2026-11-25): a fix that needs a newer dependency is held by whoever pins that dependency. A fix
# not listed here is reported as fixable with its own requirements unchecked.
FIX_RELEASE_REQUIRES: Dict[Tuple[str, str], List[str]] = {
    ("wheel", "0.46.2"): ["packaging >= 24.0", 'pytest >= 6.0.0 ; extra == "test"',
                          'setuptools >= 77 ; extra == "test"'],
    ("pip", "23.3"): [],
    ("pip", "24.0"): [],
}
