# The two commands of the README: `make run` (set up, build, serve) and `make test` (set up, test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup browser run test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/yomiage export --output output/hakusho-r6-2-2-6.json
	$(BIN)/yomiage build
	$(BIN)/yomiage serve --host $(HOST) --port $(PORT)

# Browser tests drive Debian's chromium through Playwright (no browser download); EPUBCheck runs on Java.
# Both come from Debian's packages when missing.
browser:
	@command -v chromium >/dev/null 2>&1 && command -v java >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium default-jre-headless; }

test: setup browser
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python bench/reading.py
	$(BIN)/python bench/build.py

clean:
	rm -rf output/*/ output/*.json output/*.mp3
