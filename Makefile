# Task runner. Every target bootstraps .venv from nothing (only Python and pip needed).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 4010
ARGS   ?=
SRC    := $(wildcard mockserver tests contract_tests bench fixtures)

.PHONY: help venv run test check lint typecheck unit ui-test screenshots chromium contract contract-url contract-live drift-live bench fuzz soak world cassettes check-cassettes spec-check clean

help:
	@echo "make run    - set up and start the emulator on http://$(HOST):$(PORT)"
	@echo "make test   - set up and run every check and test (what CI runs)"
	@echo "make check  - ruff + mypy only"
	@echo "make ui-test - the dashboard's browser tests alone (needs Debian's chromium)"
	@echo "make contract | contract-url URL=... | contract-live - the contract suite"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/telnyx-mock serve --host $(HOST) --port $(PORT) $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check $(SRC)
	$(BIN)/ruff format --check $(SRC)

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck

unit: $(STAMP) chromium
	$(BIN)/pytest -q -p no:cacheprovider

# the dashboard (/_mock/ui) in Debian's chromium through Playwright (tests/test_ui*.py, marker
# `browser`); `make unit` runs them with the rest
ui-test: $(STAMP) chromium
	$(BIN)/pytest -q -p no:cacheprovider -m browser tests/test_ui*.py

# the README's two dashboard pictures, taken by the browser tests
screenshots: $(STAMP) chromium
	UI_SCREENSHOTS=docs/screenshots $(BIN)/pytest -q -p no:cacheprovider -m browser tests/test_ui*.py \
		-k "job_appears or journal_shows"

# the browser tests never download a browser: they need the system's (.ci/run installs it)
CHROMIUM := /usr/bin/chromium
chromium:
	@test -x $(CHROMIUM) || { echo "make: $(CHROMIUM) is missing (the browser tests need it): apt-get install -y chromium"; exit 1; }

# after `check unit`: the contract suite in-process, then against a separately started emulator
# process over HTTP in real time with --no-control (the live target's code path: real polling)
test: check unit contract check-cassettes
	$(BIN)/python contract_tests/run_against_process.py -p no:cacheprovider

contract: $(STAMP)
	$(BIN)/pytest contract_tests --target inprocess -p no:cacheprovider

contract-url: $(STAMP)
	@test -n "$(URL)" || { echo "usage: make contract-url URL=http://127.0.0.1:4010/v2"; exit 2; }
	$(BIN)/pytest contract_tests --target url --url $(URL) -p no:cacheprovider

# opt-in: TELNYX_API_KEY, TELNYX_CONTRACT_NUMBERS (+E.164, comma-separated), TELNYX_CONTRACT_TAG
# the run is recorded (redacted) into reports/live.yaml; `make drift-live` checks it
contract-live: $(STAMP)
	$(BIN)/pytest contract_tests --target live --hypothesis-profile live -p no:cacheprovider \
		--record-cassette reports/live.yaml

# where the live API and the fidelity manifest disagree (after `make contract-live`; exit 1 if any)
drift-live: $(STAMP)
	$(BIN)/telnyx-mock check-cassette reports/live.yaml

# the benchmark table (bench/README.md): wrk over loopback, ratios to a bare Starlette route
bench: $(STAMP)
	$(BIN)/python -m bench.run $(ARGS)

# hypothesis-driven malformed requests on every route: >= 10,000 cases (counted, checked)
fuzz: $(STAMP)
	$(BIN)/pytest tests/test_fuzz*.py --hypothesis-profile fuzz -p no:cacheprovider

# load without loss: 32 clients x 20 s over loopback, and 20,000 keys through a --max-tenants 500
# server (CI runs the 3 s and 1,500-key forms in `make unit`)
soak: $(STAMP)
	SOAK_SECONDS=$${SOAK_SECONDS:-20} SOAK_KEYS=$${SOAK_KEYS:-20000} \
		$(BIN)/pytest tests/test_soak.py tests/test_soak_keys.py -p no:cacheprovider -s

# the example cassettes, recorded from the emulator (deterministic), and their drift check
cassettes: $(STAMP)
	$(BIN)/python fixtures/record_cassettes.py

check-cassettes: $(STAMP)
	$(BIN)/telnyx-mock check-cassette fixtures/cassettes

# the spec-reading tests against another copy of the official sources (the vendored copy is
# schemas/reference/); lists every vendored file that differs from it
spec-check: $(STAMP)
	@test -n "$(SPEC)" || { echo "usage: make spec-check SPEC=path/to/reference-folder"; exit 2; }
	@status=0; $(BIN)/python -m tests.reference $(SPEC) || status=$$?; \
	TELNYX_REFERENCE_DIR=$(SPEC) $(BIN)/pytest tests/test_schemas.py tests/test_fidelity_manifest.py \
		-q -p no:cacheprovider && exit $$status

world: $(STAMP)
	$(BIN)/python fixtures/generate_world.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
