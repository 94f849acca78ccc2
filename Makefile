# Two commands on a fresh machine (see README):
#   make serve   install, build and serve the academy on http://127.0.0.1:8000/
#   make test    install and run every test
# Data comes from ACADEMY_DATA_DIR (a local mirror laid out <city>/<file>) when set;
# otherwise `academy data pull` fetches the pinned files.
# Python packages install at the versions in constraints.txt (`make constraints`).

VENV ?= .venv
BIN := $(VENV)/bin
ACADEMY_DATA_DIR ?= $(abspath $(wildcard ../shared/datasets))
export ACADEMY_DATA_DIR

.PHONY: install build serve test lint system constraints

install: system $(VENV)/.installed $(if $(wildcard package-lock.json),node_modules/.installed)

system:
	@scripts/install-system-packages

$(VENV)/.installed: pyproject.toml constraints.txt
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --constraint constraints.txt -e ".[test]"
	touch $@

# Pin every package the academy installs to the version in the venv, after `make test`
# passed on it (see the header of constraints.txt).
constraints: $(VENV)/.installed
	$(BIN)/pip check
	$(BIN)/python scripts/freeze-constraints > constraints.txt.new
	mv constraints.txt.new constraints.txt

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

build: install
	$(if $(ACADEMY_DATA_DIR),,$(BIN)/academy data pull)
	$(BIN)/academy build

serve: build
	$(BIN)/academy serve $(if $(PORT),--port $(PORT))

lint: install
	$(BIN)/ruff check src tests bench deploy
	$(BIN)/ruff format --check src tests bench deploy
	$(BIN)/mypy

test: install lint
	$(BIN)/pytest
