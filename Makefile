# Set-up and everyday commands. `make demo` and `make test` each build .venv by themselves.
# Mesa 3.5 needs Python >= 3.12; tools/find-python picks one (PATH, then pyenv) or says what to install.

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test validate calibrate lint format bench clean browser web-assets

$(STAMP): pyproject.toml tools/find-python
	@interp=$$(sh tools/find-python) || exit 1; \
	if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then \
		rm -rf $(VENV); echo "creating $(VENV) with $$interp"; $$interp -m venv $(VENV) || exit 1; \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'  # with the extras the docs use: dashboard, dask, duckdb
	$(PY) -m sim.kernels  # compile the kernels once, into numba's cache (sim/kernels.py)
	@touch $(STAMP)

# One run up close, then a small sweep of the default scenario and its report: the headline is
# P(blueprint before the 2022 presidential election) with its Wilson interval.
demo: $(STAMP)
	$(VENV)/bin/relocsim run --seed 7 --out results/demo
	rm -rf results/demo-sweep
	$(VENV)/bin/relocsim sweep experiments/demo.toml --out results/demo-sweep --workers 2
	$(VENV)/bin/relocsim report results/demo-sweep

test: $(STAMP) browser web-assets
	$(VENV)/bin/ruff check .
	$(PY) -m pytest -q

# The dashboard's browser test drives Debian's chromium (Playwright cannot download its own
# browser here); CI runs as root.
browser:
	@command -v chromium >/dev/null || (apt-get update && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium)

# The dashboard page's JavaScript, cached in .venv from the npm registry, so that it runs
# without the Internet (sim/dashboard_assets.py: fetch_web_assets).
web-assets: $(STAMP)
	@command -v npm >/dev/null || (apt-get update && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends npm)
	$(PY) -m sim.app

# Issue 12: the calibration's design on every case of the library under every null model and
# alternative mechanism (docs/validation.md, "Calibration"): about 85 minutes on 2 cores;
# `make calibrate RESUME=1` continues an interrupted one instead of starting afresh.
calibrate: $(STAMP)
	$(VENV)/bin/relocsim calibrate --workers 2 $(if $(RESUME),--resume)

# Issue 4's in-sample replay and counterfactuals (200 seeds each), then issue 12's library out
# of sample from the calibration's stores (running what is missing first); rewrites the
# generated parts of docs/validation.md and its figures. Exits 1 while a target is missed.
validate: $(STAMP)
	$(VENV)/bin/relocsim validate --counterfactuals --workers 2
	$(VENV)/bin/relocsim validate --library --workers 2

# Notebooks and lessons (docs/notebooks.md). `make lesson` installs JupyterLab (the `notebooks`
# extra) into .venv once, then serves this machine only and opens the first lesson.
NB_STAMP := $(VENV)/.notebooks-installed

.PHONY: lesson notebooks strip-notebooks

$(NB_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[notebooks]'
	@touch $(NB_STAMP)

# --allow-root: the project's machines run as root, where JupyterLab otherwise refuses to start.
# The lesson is the default URL, so that the address JupyterLab prints opens it too.
lesson: $(NB_STAMP)
	$(VENV)/bin/jupyter lab --ServerApp.ip=127.0.0.1 --allow-root --ServerApp.root_dir=. \
		--LabApp.default_url=/lab/tree/notebooks/lessons/01_why_governments_wait.ipynb

# Runs every notebook top to bottom and saves it with its outputs, for reading without running.
# Strip them before committing (tests/test_notebooks.py fails on a notebook with outputs).
notebooks: $(STAMP)
	$(PY) tools/notebooks.py execute

strip-notebooks: $(STAMP)
	$(PY) tools/notebooks.py strip

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: $(STAMP)
	$(PY) benchmarks/bench_run.py
	$(PY) benchmarks/bench_vs_boltzmann.py

clean:
	rm -rf $(VENV) results .pytest_cache .ruff_cache .hypothesis
