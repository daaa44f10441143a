# Ask Vietnam. `make run` sets up and starts the assistant; `make test` sets up and runs every check.
# Set-up is idempotent: each step re-runs only when its inputs changed (a no-op re-run takes seconds).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
RASA_VENV := .venv-rasa
APP_STAMP := $(VENV)/.installed
RASA_STAMP := $(RASA_VENV)/.installed
ASKVN := $(VENV)/bin/askvn

.PHONY: help setup run test lint typecheck unit integration bench clean

help:
	@echo "make run    set up and start the assistant (Rasa :5005, actions :5055)"
	@echo "make test   set up and run lint, type checks and all tests"

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

setup: $(RASA_STAMP) $(APP_STAMP)
	$(ASKVN) setup

run: setup
	$(ASKVN) run

lint: $(APP_STAMP)
	$(VENV)/bin/ruff check knowledge actions bot tests benchmarks rasa_addons

typecheck: $(APP_STAMP)
	$(VENV)/bin/mypy

test: setup lint typecheck
	$(RASA_VENV)/bin/rasa data validate --domain domain.yml --data data --config config.yml
	$(VENV)/bin/pytest -ra

unit: $(APP_STAMP)
	$(VENV)/bin/pytest -ra -m "not integration"

clean:
	rm -rf var models .cache/models
