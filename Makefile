# Stancewatch: `make run` starts the dashboard, `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8501
DB     ?= $(or $(STANCEWATCH_DB),data/stancewatch.duckdb)

.PHONY: run test lint seed clean-store bench chromium clean

run: $(VENV)/.run-deps chromium ## create the venv, install Chromium (PNG/SVG/PDF/DOCX/PPTX export) if root, build the demo store if missing, start the app
	@if [ ! -f "$(DB)" ]; then $(MAKE) --no-print-directory seed; fi
	$(PY) -m streamlit run app.py --server.port $(PORT) --server.address 127.0.0.1 -- --db "$(DB)"

seed: $(VENV)/.run-deps ## (re)build the demo store from the seed bundle in data/seed
	$(PY) -m lib.cli --db "$(DB)" import bundle data/seed

clean-store: ## delete the store (stop the dashboard first); `make seed` or `make run` builds the demo again
	rm -f "$(DB)" "$(DB).wal"

test: $(VENV)/.dev-deps chromium lint ## install the test tools and run every test
	@# unit and AppTest tests on one worker per core (pytest-xdist; a file's tests stay on one worker, so its
	@# fixtures are built once); browser tests after, one at a time: each drives a server and a Chromium
	$(PY) -m pytest -m "not browser" -n auto --dist loadfile
	$(PY) -m pytest -m browser

lint: $(VENV)/.dev-deps
	$(VENV)/bin/ruff check .

bench: $(VENV)/.run-deps ## the benchmarks in bench/ (long: 10M events)
	$(PY) bench/run_all.py

# Debian's Chromium, for browser tests and static image export. Installed when
# missing and we may install packages; otherwise browser tests skip loudly.
chromium:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing Debian's chromium (browser tests, image export)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; \
	else echo "WARNING: no chromium and no root: image, PDF, DOCX and PPTX exports are off and browser tests skip;"; \
		echo "         as root run: apt-get install -y --no-install-recommends chromium"; fi

$(VENV)/.run-deps: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev-deps: requirements-dev.txt $(VENV)/.run-deps
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
