# Two commands on a fresh machine (see README):
#   make serve   install, build and serve the academy on http://127.0.0.1:8000/
#   make test    install and run every test
# Data comes from ACADEMY_DATA_DIR (a local mirror laid out <city>/<file>) when set;
# otherwise `academy data pull` fetches the pinned files.

VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
ACADEMY_DATA_DIR ?= $(abspath $(wildcard ../shared/datasets))
export ACADEMY_DATA_DIR

.PHONY: install build serve test lint system

install: system $(VENV)/.installed $(if $(wildcard package-lock.json),node_modules/.installed)

system:
	@scripts/install-system-packages

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

build: install
	$(if $(ACADEMY_DATA_DIR),,$(BIN)/academy data pull)
	$(BIN)/academy build

serve: build
	$(BIN)/academy serve --port $(PORT)

lint: install
	$(BIN)/ruff check src tests bench deploy
	$(BIN)/ruff format --check src tests bench deploy

test: install lint
	$(BIN)/pytest
