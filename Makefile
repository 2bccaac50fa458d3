# The kit's two commands: `make conformance` and `make test` (see README.md, Quick start).
# Both install what is missing first and are quick the second time.

SHELL := /bin/bash
.DEFAULT_GOAL := help
.SUFFIXES:

REPORTS      ?= reports
PYTEST_ARGS  ?=
# The journey runs once per driver; xdist spreads the tests over the machine's cores.
DRIVERS      ?= playwright,appium
WORKERS      ?= auto
# One part of a run split over CI jobs (I/N), and the shard folders `make merge` folds together.
SHARD        ?=
SHARDS       ?=
SHARD_ARGS    = $(if $(SHARD),--shard $(SHARD))
# A local Selenium Grid (`make grid`): how many Appium nodes behind its hub.
NODES        ?= 2
# Appium finds its Chromium driver in this project's package.json / node_modules.
export APPIUM_HOME := $(CURDIR)
export UV_LINK_MODE ?= copy
# Python keeps its compiled modules: with PYTHONDONTWRITEBYTECODE set (some CI images set it)
# every Python process the tests start (a pytest run per seeded defect, each third-party run)
# compiled the whole kit and its libraries again, about 2 s of CPU each.
unexport PYTHONDONTWRITEBYTECODE
# The kit never downloads a browser build; it runs Debian's /usr/bin/chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

VENV   := .venv
PYTEST := $(VENV)/bin/pytest
STAMPS := .make

.PHONY: help setup conformance test report browser-check clean evidence verify merge grid

help:
	@echo "make conformance   run the conformance suites against the target (default: embedded stubs) and build the report"
	@echo "make test          the kit's own tests, then the conformance run against the embedded stubs"
	@echo "make report        (re)build reports/allure-report/index.html from reports/allure-results"
	@echo "make conformance SHARD=2/3 REPORTS=reports/shard-2   one of three parts of the run (CI jobs side by side)"
	@echo "make merge SHARDS=\"reports/shard-1 ...\"   fold every shard's reports into $(REPORTS) and build the report"
	@echo "make grid [NODES=2]   a Selenium Grid on loopback (hub + Appium nodes); prints its URL for --appium-url; Ctrl-C stops it"
	@echo "make evidence      bundle and sign the reports after a secret scan (KEY=vendor.pem: your Ed25519 key)"
	@echo "make verify        check a bundle offline: BUNDLE=file [PUBKEY=the signer's public key]"
	@echo "make clean         remove reports, the virtualenv and node_modules"

setup: browser-check $(STAMPS)/python $(STAMPS)/node

# Debian's Chromium and ChromeDriver: never a downloaded browser build.
browser-check:
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "installing Debian's chromium and chromium-driver"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	else \
	  echo "Chromium is missing. Run:  sudo apt-get install -y chromium chromium-driver"; exit 1; \
	fi

$(STAMPS)/uv:
	@mkdir -p $(STAMPS)
	@command -v uv >/dev/null || python3 -m pip install --quiet --disable-pip-version-check uv
	@touch $@

$(STAMPS)/python: $(STAMPS)/uv pyproject.toml uv.lock
	uv sync --frozen --quiet
	@touch $@

$(STAMPS)/node: package.json package-lock.json
	@mkdir -p $(STAMPS)
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

conformance: setup
	@rm -rf $(REPORTS)/allure-results $(REPORTS)/allure-report $(REPORTS)/artifacts
	@status=0; \
	$(PYTEST) suites -n $(WORKERS) --driver $(DRIVERS) --alluredir=$(REPORTS)/allure-results \
	  --junitxml=$(REPORTS)/junit.xml --conformance-report=$(REPORTS) \
	  $(SHARD_ARGS) $(PYTEST_ARGS) || status=$$?; \
	$(MAKE) --no-print-directory report || { [ $$status != 0 ] || status=1; }; \
	exit $$status

report:
	@npx --no-install allure awesome --single-file --report-name "VNeID login conformance" --group-by epic,feature,story \
	  -o $(REPORTS)/allure-report $(REPORTS)/allure-results >/dev/null
	@echo "Allure report: $(REPORTS)/allure-report/index.html"

# The shards of one run (each `make conformance SHARD=I/N REPORTS=dir`) as one report.
merge: $(STAMPS)/python
	@if [ -z "$(SHARDS)" ]; then echo "usage: make merge SHARDS=\"reports/shard-1 reports/shard-2 ...\" [REPORTS=reports]"; exit 2; fi
	@rm -rf $(REPORTS)/allure-results $(REPORTS)/allure-report
	@status=0; \
	$(VENV)/bin/python -m fixtures.shards merge --out "$(REPORTS)" $(SHARDS) || status=$$?; \
	[ $$status = 2 ] && exit 2; \
	$(MAKE) --no-print-directory report || { [ $$status != 0 ] || status=1; }; \
	exit $$status

# A Selenium Grid 4 hub and NODES relay nodes on loopback, each node with its own Appium
# (docs/devices.md); it prints the hub's URL, which `--appium-url` takes, and runs until Ctrl-C.
grid: setup
	$(VENV)/bin/python -m fixtures.grid --nodes $(NODES) --workdir $(REPORTS)/grid

# One signed evidence bundle of $(REPORTS) (docs/evidence.md); without KEY, a fresh key.
evidence: $(STAMPS)/python
	$(VENV)/bin/python -m fixtures.evidence build --reports "$(REPORTS)" $(if $(KEY),--key "$(KEY)")

verify: $(STAMPS)/python
	@if [ -z "$(BUNDLE)" ]; then echo "usage: make verify BUNDLE=file [PUBKEY=file]"; exit 2; fi
	$(VENV)/bin/python -m fixtures.evidence verify "$(BUNDLE)" $(if $(PUBKEY),--public-key "$(PUBKEY)")

test: setup
	$(PYTEST) tests -n $(WORKERS) --dist worksteal $(PYTEST_ARGS)
	$(MAKE) --no-print-directory conformance

clean:
	rm -rf $(REPORTS)/allure-results $(REPORTS)/allure-report $(REPORTS)/artifacts \
	  $(REPORTS)/junit.xml $(REPORTS)/conformance.json $(REPORTS)/conformance.md \
	  $(VENV) node_modules $(STAMPS)
