# phasegate: `make demo` runs the programme end to end; `make test` runs the test suite.
# Both install what they need first (Debian packages, .venv, Python packages).
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: setup demo test bench clean

setup:
	@bash tools/setup.sh

demo: setup
	$(PY) -m processes.demo

test: setup
	$(PY) -m cogapp --check README.md
	$(PY) -m pytest -q

clean:
	rm -rf .phasegate out .pytest_cache
