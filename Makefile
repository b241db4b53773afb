# The few targets people type. Both `run` and `test` create .venv/ when it is
# missing, so a fresh clone needs nothing else. The install compiles quizdl's
# bytecode, as pip does for a wheel, so the app does not recompile its modules
# at each start where PYTHONDONTWRITEBYTECODE is set.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint typecheck bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m compileall -q quizdl
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/quizdl

lint: $(STAMP)
	$(BIN)/ruff check quizdl tests benchmarks
	$(BIN)/ruff format --check quizdl tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/pytest -n 2 --dist loadgroup

# One table of every measure against Anki; BENCH_ARGS goes to bench_foundation.py,
# e.g. make bench BENCH_ARGS="--sizes 10000,100000,1000000" (1M takes long).
# Bytecode is compiled first, as pip does for an installed wheel: where
# PYTHONDONTWRITEBYTECODE is set (as on our machines) Python would otherwise
# recompile every module it imports at every start, about 20 ms of each
# whole-process row, which no installed quizdl pays.
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[bench]"
	$(BIN)/python -m compileall -q quizdl
	$(BIN)/python benchmarks/run_all.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
