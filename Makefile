# The two commands of the README. Each one sets up everything it needs on a fresh machine.
#   make serve  - install, build + validate the bundled letters, serve them on http://127.0.0.1:5000
#   make test   - install (with test tools and a headless browser) and run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
HOST   ?= 127.0.0.1
PORT   ?= 5000
PIP    := $(VENV)/bin/python -m pip

.PHONY: serve test install install-test build lint clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

install: $(VENV)/bin/python
	$(PIP) install --quiet --editable .

install-test: $(VENV)/bin/python
	$(PIP) install --quiet --editable '.[test]'
	bash scripts/ensure-chromium

build: install
	$(VENV)/bin/kg build

serve: build
	$(VENV)/bin/kg serve --host $(HOST) --port $(PORT)

test: install-test
	$(VENV)/bin/ruff check kg server tests benchmarks
	$(VENV)/bin/python -m pytest

clean:
	rm -rf build .pytest_cache
