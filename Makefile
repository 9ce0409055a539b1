# MedBill Desk: one command to set up and run, one to set up and test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.stamp-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: run demo test lint fmt bench dist screenshots clean venv

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "MedBill Desk needs Python 3.11 or newer"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || \
		{ rm -rf $(VENV); scripts/sysdeps.sh venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@rm -f $(VENV)/.stamp-* && touch $@

venv: $(STAMP)

run: $(STAMP)
	@scripts/sysdeps.sh run
	$(BIN)/medbill

demo: $(STAMP)
	@scripts/sysdeps.sh run
	$(BIN)/medbill --demo

lint: $(STAMP)
	$(BIN)/ruff check app tests bench scripts
	$(BIN)/ruff format --check app tests bench scripts
	$(BIN)/mypy app

fmt: $(STAMP)
	$(BIN)/ruff format app tests bench
	$(BIN)/ruff check --fix app tests bench

test: $(STAMP)
	@scripts/sysdeps.sh test
	$(MAKE) --no-print-directory lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q $(PYTEST_ARGS); \
		rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$rc

bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench $(BENCH_ARGS)

screenshots: $(STAMP)
	@scripts/sysdeps.sh screenshots
	for f in scripts/screenshots_*.py; do \
		xvfb-run -a -s "-screen 0 1600x1000x24" $(BIN)/python $$f || exit 1; done

dist: $(STAMP)
	@scripts/sysdeps.sh dist
	$(BIN)/python -m pip install -q -e '.[dist]'
	$(BIN)/pyinstaller --noconfirm --log-level WARN build.spec
	dist/medbill/medbill --version
	QT_QPA_PLATFORM=offscreen dist/medbill/medbill --self-check

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
