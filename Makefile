# Two commands matter: `make run` and `make test`. Both set everything up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | md5sum | cut -c1-8)
HOST   ?= 127.0.0.1
PORT   ?= 5000
# Two workers by default: the machines have two cores. Override with PYTEST_ARGS=.
PYTEST_ARGS ?= -n 2

# Front-end assets (see scripts/build-assets.mjs): npm packages pinned in package-lock.json,
# built into web/static/vendor/ (gitignored). Rebuilt when the lock file, the build script or
# a template changes (templates decide which design-system CSS survives purging).
NODE_STAMP    := node_modules/.wayfinder-installed
ASSETS_STAMP  := web/static/vendor/VERSIONS.json
ASSET_SOURCES := $(shell find web/templates web/assets web/static/js -type f 2>/dev/null) scripts/build-assets.mjs scripts/nhsuk.scss
NHSUK_JINJA   = $(shell $(BIN)/python -c "import nhsuk_frontend_jinja, os; print(os.path.join(os.path.dirname(nhsuk_frontend_jinja.__file__), 'templates'))")

.PHONY: run test setup demo lint clean bench assets chromium

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "make: npm (Node.js 18+) is needed to build the front-end assets" >&2; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

$(ASSETS_STAMP): $(NODE_STAMP) $(STAMP) $(ASSET_SOURCES)
	NHSUK_JINJA_TEMPLATES="$(NHSUK_JINJA)" node scripts/build-assets.mjs

assets: $(ASSETS_STAMP)

# The browser tests drive Debian's Chromium (never a downloaded browser build). Installed
# when missing and we are root; a no-op, and fast, once it is there.
chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "make: installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "make: /usr/bin/chromium is missing; install Debian's chromium to run the browser tests" >&2; fi

setup: $(STAMP) assets chromium

demo: setup
	$(BIN)/wayfinder init-db
	$(BIN)/wayfinder demo --if-empty --as-of today
	$(BIN)/wayfinder reindex --if-missing

run: demo
	$(BIN)/wayfinder run --host $(HOST) --port $(PORT)

test: setup
	$(BIN)/python -m pytest -p no:cacheprovider $(PYTEST_ARGS)

lint: setup
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) instance .pytest_cache node_modules web/static/vendor
