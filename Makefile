# The two commands of the README: `make demo` and `make test`. Both set up .venv themselves.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
RUN_STAMP := $(VENV)/.installed

.PHONY: browser-test playground demo test lint typecheck imports unit sklearn-tests reliability history bench bench-quick profile venv compare clean fashion-mnist

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall when the project's metadata changes. The demo needs only the package;
# the tests add the dev tools.
$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(RUN_STAMP)

venv: $(STAMP)

# The optional comparison extras: torch==2.13.0 (a local CPU build here), and onnx with
# ONNX Runtime (the ONNX tests check every export against it).
compare: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,compare,onnx]'

demo: $(RUN_STAMP)
	$(BIN)/rosenblatt train

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/ruff format --check src tests benchmarks scripts

typecheck: $(STAMP)
	$(BIN)/mypy src

imports: $(STAMP)
	$(BIN)/lint-imports

# pytest exits 5 when it collects no tests: with a suite in place that means a broken
# collection, so it fails loudly instead of passing silently.
unit: $(STAMP)
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider -m "not reliability and not browser"; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; \
	exit $$status

test: lint typecheck imports unit

# The reliability checks (about two minutes; CI runs them too): the hostile-file corpus,
# 50 SIGKILLs during saves, resume exactness for every model, Ctrl-C, divergence, bad
# data, locked run folders, and threads.
RELIABILITY = tests/reliability tests/unit/train/test_threads.py \
	tests/unit/mlp/test_continue_training.py tests/unit/io/test_io.py \
	"tests/cli/test_cli.py::test_resume_continues_to_the_same_final_model" \
	"tests/cli/test_cli.py::test_every_model_resumes_to_the_same_final_model" \
	"tests/cli/test_cli.py::test_ctrl_c_saves_the_model_and_says_how_to_resume" \
	"tests/cli/test_cli.py::test_an_exploding_loss_fails_and_saves_nothing" \
	"tests/cli/test_cli.py::test_bad_data_is_named_by_file_row_and_column" \
	"tests/cli/test_cli.py::test_a_run_folder_is_never_mixed_or_destroyed" \
	"tests/unit/train/test_fit.py::test_an_exploding_loss_stops_before_it_overflows"

reliability: $(STAMP)
	$(BIN)/python -m pytest -p no:cacheprovider -q -n 2 -rA $(RELIABILITY) 2>&1 | tee .reliability.log | tail -3
	@held=$$(grep -c '^PASSED' .reliability.log); total=$$(grep -cE '^(PASSED|FAILED|ERROR)' .reliability.log); \
	  echo "reliability: $$held/$$total held"; rm -f .reliability.log; test "$$held" = "$$total"

# scikit-learn's own test_mlp.py and test_perceptron.py, copied from the installed
# scikit-learn with only the import changed (about 20 s; CI runs it too).
sklearn-tests: $(STAMP)
	$(BIN)/python scripts/sklearn_suite.py -n 2

# The playground in a real headless Chromium (Debian's chromium package, driven by
# Playwright; about a minute). CI runs it too. Screenshots: PLAYGROUND_SCREENSHOTS=dir.
browser-test: $(STAMP)
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
	$(BIN)/python -m pip install --quiet -e '.[dev,browser]'
	$(BIN)/python -m pytest -p no:cacheprovider -q -m browser tests/browser

playground: $(RUN_STAMP)
	$(BIN)/rosenblatt playground

# The history lab, every milestone in full (about 5 minutes on 2 cores): the summary
# table, and report.html, report.md and results.json in history-report/.
history: $(STAMP) fashion-mnist
	$(BIN)/rosenblatt history --out history-report

# Real Fashion-MNIST for the benchmarks, from Debian's package (best effort: without
# it the benchmarks use synthetic data of the same shape, and say so).
fashion-mnist:
	@test -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz || \
	  (command -v apt-get >/dev/null && (apt-get update -qq && \
	   apt-get install -y -qq dataset-fashion-mnist) >/dev/null 2>&1) || \
	  echo "dataset-fashion-mnist not installed: benchmarks use synthetic data"

# The whole suite, about 50 minutes on 2 cores (40 of them the Fashion-MNIST accuracy
# runs; `.venv/bin/python benchmarks/run.py --skip fashion` leaves those out).
bench: compare fashion-mnist
	$(BIN)/python benchmarks/run.py

bench-quick: compare fashion-mnist
	$(BIN)/python benchmarks/run.py --quick

# Where the time goes: a pyinstrument call tree per workload in benchmarks/profiles/.
profile: compare fashion-mnist
	$(BIN)/python -m pip install --quiet -e '.[dev,compare,profile]'
	$(BIN)/python benchmarks/profiling.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
