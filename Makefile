# The two commands of the README: `make generate` (regenerate the Galileo client) and `make test` (everything CI runs).
# Each installs what it needs into .venv (and node_modules for the Prism mock server) on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: generate test fast check lint typecheck pytest corpus fuzz golden docs bench clean

$(BIN)/oapigen: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

# Prism (Node) for the contract tests, pinned in package-lock.json. No install scripts are needed; the only one in
# the tree is an analytics ping.
node_modules/.installed: package.json package-lock.json
	SCARF_ANALYTICS=false npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

generate: $(BIN)/oapigen
	$(BIN)/python -m generator generate

# --verify-format: reuse nothing the last run recorded (the manifest's digests), format everything with black.
check: $(BIN)/oapigen
	$(BIN)/python -m generator check --verify-format

lint: $(BIN)/oapigen
	$(BIN)/ruff check generator templates tests generated examples benchmarks
	$(BIN)/ruff format --check generator templates tests examples benchmarks

typecheck: $(BIN)/oapigen
	$(BIN)/mypy generator templates benchmarks
	$(BIN)/mypy generated/galileo_client
	MYPYPATH=generated:tests $(BIN)/mypy examples tests --exclude tests/golden/ --exclude tests/runtime/conftest.py
	$(BIN)/mypy tests/runtime/conftest.py  # a second conftest module: mypy checks it on its own

pytest: $(BIN)/oapigen node_modules/.installed
	$(BIN)/pytest -q

test: check lint typecheck pytest

# The fast lane while working: everything but the tests marked slow (wheel, pre-commit, large transfers...).
fast: $(BIN)/oapigen node_modules/.installed
	$(BIN)/pytest -q -m "not slow"

# Every document of ../shared/corpus (slow: minutes); `make test` runs a representative subset.
corpus: $(BIN)/oapigen
	$(BIN)/python -m tests.corpus.report

# The fuzz test with many more examples than CI runs.
fuzz: $(BIN)/oapigen
	OAPIGEN_FUZZ_EXAMPLES=2000 $(BIN)/pytest -q tests/test_fuzz_injection.py

# Rewrite the golden files of tests/golden after an intended change to the generated code.
golden: $(BIN)/oapigen
	OAPIGEN_UPDATE_GOLDEN=1 $(BIN)/pytest -q tests/test_golden.py

# Rewrite the docs pages generated from the code (template contract, settings table) after an intended change.
docs: $(BIN)/oapigen
	OAPIGEN_UPDATE_DOCS=1 $(BIN)/pytest -q tests/test_docs.py -k "contract or every_setting"

bench: $(BIN)/oapigen
	$(BIN)/python benchmarks/generate.py

clean:
	rm -rf $(VENV) node_modules
