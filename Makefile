# Two entry points: `make demo` and `make test`. Both bootstrap .venv from the lock file.
# Python >= 3.12: scripts/find_python.sh also finds pyenv versions that are not on PATH
# and stops with a German message when there is none (override: make PYTHON=/pfad/python3.12).
PYTHON ?= $(shell sh scripts/find_python.sh)
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test lock lint bench clean

$(STAMP): requirements.lock pyproject.toml scripts/find_python.sh
	@test -n "$(PYTHON)" || { sh scripts/find_python.sh; exit 1; }
	@# A venv from an older Python (the project used 3.11 before) is rebuilt, not reused.
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null || rm -rf $(VENV)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# The one-off list, then the campaign loop (two weeks of history, call list, next week).
demo: $(STAMP)
	$(PY) -m planner demo --out maps/demo
	$(PY) -m planner demo-kampagne --out maps/kampagne

# Two workers: the machines have 2 cores (pytest-xdist).
test: $(STAMP)
	$(PY) -m pytest -q -n 2

lint: $(STAMP)
	$(PY) -m ruff check planner tests scripts benchmarks
	$(PY) -m mypy planner

# Re-resolve the pinned dependency set after editing pyproject.toml.
lock:
	$(PYTHON) -m pip install --quiet uv
	$(PYTHON) -m uv pip compile pyproject.toml --extra dev --python-version 3.12 -o requirements.lock

# Long runs (about two and a half hours in all); results go to docs/benchmarks.md.
bench: $(STAMP)
	$(PY) benchmarks/solomon.py --time-limit 30
	$(PY) benchmarks/lahn_dill.py
	$(PY) benchmarks/large_lists.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
