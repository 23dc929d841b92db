# Two commands on a fresh machine with Python ≥ 3.12 and pip:
#   make run    set up .venv and compare reform_2019 with baseline_2018 into results/
#   make test   set up .venv with the dev tools and run the whole test suite
PYTHON ?= $(shell command -v python3.12 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin

BASE     ?= baseline_2018
SCENARIO ?= reform_2019
SEEDS    ?= 3
MONTHS   ?= 120
OUT      ?= results/$(SCENARIO)_vs_$(BASE)

# The test files share the cores (a file's tests stay together: its fixtures, e.g. the page's
# server, are made once); PYTEST_ARGS= runs them one after another.
PYTEST_ARGS ?= -n auto --dist loadfile

.PHONY: run test app lint bench calibrate validate robustness evidence figures docs lever-table clean

run: $(VENV)/.stamp-run
	$(BIN)/chancheng compare $(BASE) $(SCENARIO) --seeds $(SEEDS) --months $(MONTHS) --out $(OUT)

test: $(VENV)/.stamp-dev $(VENV)/.stamp-assets
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

app: $(VENV)/.stamp-run $(VENV)/.stamp-assets
	$(BIN)/chancheng app

# The page's front-end files, cached once for offline use (needs npm; see README "Offline").
# A failure leaves no stamp: the page then needs internet and its browser tests skip.
$(VENV)/.stamp-assets: $(VENV)/.stamp-run
	$(BIN)/python -m sim.ui.assets && touch $@ || echo "warning: the web page's offline files are missing"

# The evidence behind docs/MODEL.md §8 (each copies what the docs and the code ship from its output
# folder): the posterior (screening, ABC-SMC: about an hour on 2 cores) into sim/data/posterior.csv
# and docs/evidence/ — adopting its central set means copying parameters.csv's `central` column
# into sim/config.py's defaults —; the checks, fit, validation and claims; the conclusions' robustness
# over the posterior (about 40 minutes on 2 cores). `make evidence` runs all three and the docs.
EVIDENCE := docs/evidence
calibrate: $(VENV)/.stamp-run
	$(BIN)/chancheng calibrate --out results/calibration $(if $(RESUME),--resume)
	mkdir -p $(EVIDENCE) docs/figures
	cp results/calibration/posterior.csv sim/data/posterior.csv
	cd results/calibration && cp priors.csv screening.csv parameters.csv pairs.csv generations.csv predictive.csv \
	  ../../$(EVIDENCE)/ && cp figures/posterior_marginals.png figures/posterior_pairs.png ../../docs/figures/

validate: $(VENV)/.stamp-run
	$(BIN)/chancheng validate --out results/validation
	mkdir -p $(EVIDENCE) && cp results/validation/validation.csv $(EVIDENCE)/

robustness: $(VENV)/.stamp-run
	$(BIN)/chancheng robustness --out results/robustness $(if $(RESUME),--resume)
	mkdir -p $(EVIDENCE) docs/figures && cp results/robustness/conclusions.csv $(EVIDENCE)/
	cp results/robustness/figures/robustness_self_containment.png results/robustness/figures/robustness_mean_commute_min.png docs/figures/

evidence: calibrate validate robustness docs

# The figures docs/MODEL.md shows, regenerated from the current model.
DOC_FIGURES := series_jobs_housing_ratio.png jobs_housing_ratio_longtan.png series_approval_days_12m.png \
               series_mean_commute_min.png map_jobs_housing_ratio_baseline_2018.png \
               map_jobs_housing_ratio_reform_2019.png
figures: $(VENV)/.stamp-run
	$(BIN)/chancheng compare baseline_2018 reform_2019 --seeds 5 --out results/docs --quiet
	$(BIN)/chancheng plot results/docs
	mkdir -p docs/figures
	cd results/docs/figures && cp $(DOC_FIGURES) ../../../docs/figures/

# The parts of docs/MODEL.md made from the code (the outcome table), regenerated.
docs: $(VENV)/.stamp-run
	$(BIN)/python docs/generate.py

# docs/MODEL.md §8.3: each lever alone against the baseline (simulates; minutes), then the docs.
lever-table: $(VENV)/.stamp-run
	$(BIN)/python docs/levers.py
	$(BIN)/python docs/generate.py

lint: $(VENV)/.stamp-dev
	$(BIN)/ruff check .

bench: $(VENV)/.stamp-run
	$(BIN)/python benchmarks/month.py

$(VENV)/.stamp-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' || \
	  { echo "Python 3.12 or newer is needed (found: $$($(PYTHON) --version 2>&1)); set PYTHON=/path/to/python3.12"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	touch $@

$(VENV)/.stamp-run: pyproject.toml $(VENV)/.stamp-python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.stamp-dev: pyproject.toml $(VENV)/.stamp-python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.stamp-run

clean:
	rm -rf $(VENV) results .pytest_cache
