# Two commands for a newcomer: `make run` (app with demo data) and `make test` (every test).
# Both are idempotent and install what they need on a fresh machine.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
export REFLEX_TELEMETRY_ENABLED := false
export REFLEX_CHECK_LATEST_VERSION := false
export NPM_CONFIG_REGISTRY ?= $(shell npm config get registry 2>/dev/null || echo https://registry.npmjs.org/)

.PHONY: run test test-unit test-e2e setup bun chromium clean

run: setup bun
	HELPDESK_DEMO=$${HELPDESK_DEMO:-1} $(BIN)/helpdesk serve

test: setup bun chromium
	bash scripts/test.sh

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

# Reflex's own bun download needs the internet; the npm package works offline-from-registry.
bun:
	@command -v bun >/dev/null 2>&1 || npm install -g --allow-scripts=bun bun@1.4.5 || npm install -g bun@1.4.5

chromium:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

clean:
	rm -rf .web .states test-results
