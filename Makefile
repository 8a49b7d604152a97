# phasegate: `make demo` runs the programme end to end; `make test` runs the test suite.
# Both install what they need first (Debian packages, .venv, Python packages).
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: setup demo test bench readme clean

setup:
	@bash tools/setup.sh

demo: setup
	$(PY) -m processes.demo

test: setup
	$(PY) -m cogapp --check README.md
	$(PY) -m pytest -q

readme: setup
	$(PY) -m cogapp -r README.md

clean:
	rm -rf .phasegate out .pytest_cache
