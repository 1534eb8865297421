# Two commands on a fresh machine: `make demo` (the main job) and `make test` (the test suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CORPUS ?= ../shared/corpus

.PHONY: demo test sysdeps clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[render,dask,notebooks,test]"
	touch $@

# LibreOffice converts .doc/.wps for the Word reader; installed with apt-get where it is missing.
sysdeps:
	@command -v soffice >/dev/null 2>&1 || { \
	  echo "installing LibreOffice Writer (apt-get) for .doc/.wps files"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui >/dev/null) \
	  || (DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-writer >/dev/null) \
	  || echo "warning: could not install LibreOffice; .doc/.wps tests will be skipped"; }

demo: $(VENV)/.installed
	$(PY) -m toolkit show $(CORPUS)/raw/chaoyang-district-2022.txt

test: $(VENV)/.installed sysdeps
	$(PY) -m pytest -n 2 -q

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
