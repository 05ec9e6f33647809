# Each target bootstraps .venv itself, so a fresh machine needs only `make demo` or `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: demo test unit lint bench screenshots system-deps venv clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[postgres,devices,kiosk,dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

venv: $(STAMP)

system-deps:
	@bash scripts/system-deps.sh

PORT ?= 8000

demo: venv
	$(VENV)/bin/hallq demo --port $(PORT)

test: system-deps venv
	$(PY) -m pytest $(PYTEST_ARGS)

# The domain and the use cases, in-process on SQLite files: the hall's rules in seconds.
unit: venv
	$(PY) -m pytest tests/unit tests/usecases -q $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

bench: venv
	$(PY) bench/run_all.py

screenshots: system-deps venv
	$(PY) -m pytest tests -m screenshots --screenshots-dir screenshots $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) data .pytest_cache .hypothesis
