# Two commands matter: `make run` and `make test`. Everything else is what they are made of.
SHELL := /bin/bash
.DEFAULT_GOAL := help

export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONHASHSEED := 0

VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
MODEL := models/prescreen.tar.gz
TRAIN_INPUTS := config.yml endpoints.yml $(wildcard domain/*.yml) $(wildcard data/*.yml) \
	$(shell find data/nlu -name '*.yml' 2>/dev/null) $(wildcard bot/nlu/*.py) \
	$(wildcard bot/understanding/*.py) $(shell find bot/understanding/lang -name '*.yml' 2>/dev/null)

.PHONY: help install web train run run-scaled test validate lint test-stories nlu-report lock clean audit bench

help:
	@echo "make run    - set up, train if needed, start every server and print the URLs"
	@echo "make test   - set up, train if needed, run the whole test suite"
	@echo "other: run-scaled bench install train validate lint test-stories nlu-report lock clean"

WEB_BUILD := web/dist/index.html
WEB_SOURCES := web/package.json web/package-lock.json web/build.mjs $(shell find web/src -type f 2>/dev/null)

# pip is pinned to the newest release at the last audit (security/README.md); the lock installs with it.
$(VENV)/.installed: requirements.lock
	@PYTHON=$$(scripts/find-python.sh) && echo "Using $$PYTHON" && \
	  ( [ -x $(PY) ] || $$PYTHON -m venv $(VENV) )
	$(PY) -m pip install --quiet --upgrade "pip==26.3"
	$(PY) -m pip install --quiet -r requirements.lock
	touch $@

# The patient page: socket.io-client and esbuild pinned in web/package-lock.json, bundled here.
$(WEB_BUILD): $(WEB_SOURCES)
	cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build

web: $(WEB_BUILD)

install: $(VENV)/.installed $(WEB_BUILD)

# Retrained whenever the model is missing or older than any of its inputs.
$(MODEL): $(VENV)/.installed $(TRAIN_INPUTS)
	@mkdir -p models
	$(RASA) train --config config.yml --domain domain --data data --out models \
	  --fixed-model-name prescreen --quiet
	@touch $@

train: $(MODEL)

run: install train
	scripts/run.sh

# Two passes: every test with Rasa's speed patches on (bot/speedups), as the server runs, then the
# tests that go through the trained agent or the servers over HTTP (marked through_rasa by
# tests/conftest.py) again on stock Rasa (RASA_SPEEDUPS=0): 140 tests, 5-10 more minutes on 2 cores.
# Both always run; the first failure's status is returned.
# Two Rasa replicas and two action servers behind nginx, PostgreSQL and Redis, all from Debian's
# packages (installed when missing) and on loopback; see scripts/run-scaled.sh.
run-scaled: install train
	scripts/run-scaled.sh

# pytest exits 5 when it collects nothing; that is a failure here, never a silent pass.
PYTEST := $(PY) -m pytest -q -p no:cacheprovider
test: install train
	@scripts/ensure-chromium.sh >/dev/null
	@scripts/ensure-servers.sh redis nginx  # for tests/stack/test_scaled.py (PostgreSQL: ensure-postgres.sh)
	@export TEST_DATABASE_URL="$$(scripts/ensure-postgres.sh)" || exit 1; \
	  collected() { if [ $$1 -eq 5 ]; then echo "pytest collected no tests: failing"; return 1; fi; return $$1; }; \
	  $(PYTEST) tests; collected $$?; first=$$?; \
	  echo "Second pass, on stock Rasa (RASA_SPEEDUPS=0): the tests through the agent and the servers over HTTP"; \
	  RASA_SPEEDUPS=0 $(PYTEST) -m through_rasa tests; collected $$?; second=$$?; \
	  exit $$(( first ? first : second ))

validate: install
	$(PY) scripts/validate.py

test-stories: install train
	$(RASA) test core --model $(MODEL) --stories tests/stories --out results/core --fail-on-prediction-errors

# The durable default and the scaled set-up under 1/20/50 concurrent simulated patients, against
# Rasa's starter bot in the same run: throughput, latency, memory with 10,000 idle conversations,
# a replica killed and restarted (results/bench.md). A benchmark, not a test: tools/bench/.
# BENCH_ARGS=--quick for a short functional run.
bench: install train
	$(PY) -m tools.bench $(BENCH_ARGS)

# The phrase banks through the real model and forms, per language: understood first time, wrong
# values, re-asked, derailed, emergency recall and false alarms; the held-out part apart. Then the
# intent classifier's F1 on tests/nlu/.
nlu-report: install train
	$(PY) -m tools.understanding_report
	$(PY) -m tools.intent_report

# pip-audit lives in its own venv: its dependencies clash with Rasa 3.6's pins. tools/audit (a tool
# beside the product) tries it and, where it cannot reach a database, matches
# security/advisories.json instead; it runs in .venv because it explains findings from the
# installed packages' requirements.
audit: install
	@PYTHON=$$(scripts/find-python.sh) && ( [ -x .venv-audit/bin/pip-audit ] || \
	  ( $$PYTHON -m venv .venv-audit && .venv-audit/bin/pip install --quiet "pip==26.3" pip-audit ) ) || \
	  echo "pip-audit could not be installed; the report will use the offline snapshot"
	$(PY) -m tools.audit --markdown results/audit.md

lint: install
	$(VENV)/bin/ruff check .

lock:
	@PYTHON=$$(scripts/find-python.sh) && rm -rf /tmp/lock-venv && $$PYTHON -m venv /tmp/lock-venv
	/tmp/lock-venv/bin/pip install --quiet "pip==26.3" && /tmp/lock-venv/bin/pip install --quiet -r requirements.in
	{ echo "# Generated by 'make lock' from requirements.in with Python 3.10. Do not edit by hand."; \
	  /tmp/lock-venv/bin/pip freeze; } > requirements.lock

clean:
	rm -rf models results .pytest_cache web/dist
