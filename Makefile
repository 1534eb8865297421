# Two commands on a fresh machine: `make demo` (the main job) and `make test` (the test suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CORPUS ?= ../shared/corpus

.PHONY: demo test sysdeps clean dataset

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[render,dask,notebooks,test,ocr]"
	touch $@

# LibreOffice converts .doc/.wps for the Word reader; installed with apt-get where it is missing.
sysdeps:
	@command -v soffice >/dev/null 2>&1 || { \
	  echo "installing LibreOffice Writer (apt-get) for .doc/.wps files"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui >/dev/null) \
	  || (DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-writer >/dev/null) \
	  || echo "warning: could not install LibreOffice; .doc/.wps tests will be skipped"; }

# The main job, in one go: the seed report as printed, the dataset (data/processed, the `dataset` target below),
# then every curated notebook executed headless to build/notebooks/*.ipynb (outputs kept, for replication)
# and *.html beside them; their figures also land in
# notebooks/figures/ (PNG and SVG). To work in them: `$(VENV)/bin/jupyter lab notebooks`.
NOTEBOOKS = $(sort $(wildcard notebooks/[0-9][0-9]-*.ipynb))
SEED = $(CORPUS)/raw/chaoyang-district-2022.txt
demo: dataset
	$(if $(wildcard $(SEED)),$(PY) -m toolkit show $(SEED),@echo "$(SEED) is not here: skipping the one-report view")
	$(PY) -m nbconvert --to notebook --execute --ExecutePreprocessor.kernel_name=python3 \
	  --ExecutePreprocessor.timeout=600 --output-dir build/notebooks $(NOTEBOOKS)
	$(PY) -m nbconvert --to html --output-dir build/notebooks $(addprefix build/,$(NOTEBOOKS))
	@echo "notebooks: build/notebooks/*.ipynb (executed, with outputs) and *.html; figures: notebooks/figures/; interactive: $(VENV)/bin/jupyter lab notebooks"

test: $(VENV)/.installed sysdeps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -n 2 -q

# The committed dataset (data/processed) from the real reports: ../shared/corpus/raw where it exists, else data/raw
# (fill it with `$(PY) -m toolkit fetch`). Rebuild after extraction changes; unchanged files come from the cache.
DATASET_SRC ?= $(if $(wildcard $(CORPUS)/raw),$(CORPUS)/raw,data/raw)
dataset: $(VENV)/.installed
	$(PY) -m toolkit build $(DATASET_SRC) --manifest data/manifest.csv --out data/processed

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
