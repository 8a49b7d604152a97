# phasegate: `make demo` runs the programme end to end; `make test` runs the test suite.
# `make bench` measures phasegate against raw SpiffWorkflow (bench/RESULTS.md).
# All install what they need first (Debian packages, .venv, Python packages).
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: setup demo test bench corpus readme catalog clean

setup:
	@bash tools/setup.sh

demo: setup
	$(PY) -m processes.demo

test: setup
	$(PY) -m cogapp --check README.md
	$(VENV)/bin/lint-imports --no-cache
	$(PY) -m pytest -q
	@if [ -n "$$PHASEGATE_TEST_PG" ]; then \
	  echo "== the store tests again, on PostgreSQL ($$PHASEGATE_TEST_PG) =="; \
	  PHASEGATE_TEST_DIALECT=postgresql $(PY) -m pytest -q -m store; \
	else echo "PostgreSQL pass skipped: set PHASEGATE_TEST_PG=postgresql://postgres@127.0.0.1:5432/test to run it"; fi

bench: setup
	$(PY) -m bench

# `make corpus`: lint, draw, lay out, diff, start and run real BPMN files (bench/CORPUS.md).
corpus: setup
	@if [ -d ../shared/corpus/miwg ]; then miwg=../shared/corpus/miwg; \
	else echo "no ../shared/corpus/miwg here: measuring tests/corpus only"; miwg=; fi; \
	$(PY) -m bench.corpus $$miwg tests/corpus -o bench/CORPUS.md

readme: setup
	$(PY) -m cogapp -r README.md

# `make catalog`: add new messages to engine/locale/{zh,en}/LC_MESSAGES/phasegate.po, report the missing.
catalog: setup
	$(PY) tools/i18n_catalog.py update

clean:
	rm -rf .phasegate out .pytest_cache
