# The two commands of the README: `make run` and `make test`. Both set up everything they need.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
HOST ?= 127.0.0.1
PORT ?= 8000
# `make test`'s second run: Debian's PostgreSQL and Redis on loopback (.ci/test-services starts them). Each
# checkout has its own database and Redis database, so that two checkouts can run their tests at once.
CHECKOUT_ID := $(shell printf %s "$(CURDIR)" | cksum | cut -d' ' -f1)
TEST_DATABASE_URL ?= postgres://hub_test:hub_test@127.0.0.1:5432/hub_test_$(CHECKOUT_ID)
TEST_REDIS_URL ?= redis://127.0.0.1:6379/$(shell echo $$(( $(CHECKOUT_ID) % 16 )))
export TEST_DATABASE_URL TEST_REDIS_URL
PG_TEST_LOG := var/pytest-postgresql.log
# The PostgreSQL run is the longer one: these files of it run once the SQLite run has ended, in a second
# process on a database (and Redis database) of its own, so that each core has a run until the end.
PG_LATE := tests/test_search.py tests/test_queries.py tests/test_popularity.py tests/test_search_log.py
PG_LATE_DATABASE_URL ?= $(TEST_DATABASE_URL)_late
PG_LATE_REDIS_URL ?= redis://127.0.0.1:6379/$(shell echo $$(( ($(CHECKOUT_ID) + 1) % 16 )))
PG_LATE_LOG := var/pytest-postgresql-late.log
# Left out of the PostgreSQL run (they run on SQLite): tests whose outcome does not depend on the database, the
# browser (the same pages the test client checks on PostgreSQL), ffmpeg, the admin's catalogue, the settings,
# the production setup (nginx, TLS and gunicorn's answers: test_deploy); and single heavy tests of the same
# kind: the export's round trip of the whole demo (plain ORM; the export's PostgreSQL snapshot, the importer
# and the search keep their own tests there), the settings `make run` starts with (a subprocess), the file
# cache's bound, the PDF's text; two query-count checks that publish 40 pages (the counts do not depend on the
# database; the other query-count checks run there). Both runs then end at about the same time (docs/testing.md).
PG_SKIP_TESTS := test_export.py::test_round_trip_reproduces_the_public_library \
	test_directory.py::test_video_facet_and_badges_keep_the_library_queries_constant \
	test_coursepackages.py::test_listings_take_the_same_queries_for_12_and_20_items_for_a_signed_in_counselor \
	test_pagecache.py::test_make_runs_settings_have_debug_off_unless_asked \
	test_security_public.py::test_query_string_variations_never_grow_the_file_cache_past_its_bound \
	test_learning_record.py::test_the_pdf_carries_the_record_in_chinese
# Every browser test file (test_browser.py, test_*_browser.py), the new ones too.
# Browser tests inside other files (marked `browser`) are left out by their marker; the programs' wording
# checks (test_programs_newuser: what pages say) do not depend on the database either.
PG_SKIP := $(foreach f,$(wildcard tests/test_browser.py tests/test_*_browser.py) $(foreach f,ffmpeg admin_language settings deploy programs_newuser,tests/test_$(f).py),--ignore=$(f)) \
	$(foreach t,$(PG_SKIP_TESTS),--deselect tests/$(t)) -m 'not browser'

.PHONY: help run test test-services ralph setup setup-dev system-deps system-test-deps node-deps messages migrate demo lint format bench bench-search bench-search-100k bench-media bench-progress bench-serving worker

help: ## Show the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-17s %s\n", $$1, $$2}'

run: export BASE_URL ?= http://$(HOST):$(PORT)
# DEBUG off, as in production: the site's own 404 and 500 pages, static files through WhiteNoise
# (hub/settings/dev.py). `DEBUG=1 make run` shows Django's debug pages instead.
run: export DEBUG ?= 0
run: export ALLOWED_HOSTS ?= localhost,127.0.0.1,[::1],$(HOST)
run: setup system-deps node-deps messages ## Set up, migrate, load the demo, create an admin, serve http://127.0.0.1:8000 with its workers
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo && $(MANAGE) sync_site
	@# Publishing keeps the search index current; a rebuild also covers databases older than the index.
	$(MANAGE) rebuild_search_index
	$(MANAGE) ensure_admin --demo-team
	@echo "Serving the site on http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@# Two workers beside the web server: Wagtail's short tasks never wait behind a long transcode.
	@trap 'kill $$(jobs -p) 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) run_worker --queues default & \
	$(MANAGE) run_worker --queues video & \
	$(MANAGE) runserver $(HOST):$(PORT)

worker: setup system-deps messages ## Run one more task worker (both queues), e.g. on another machine
	$(MANAGE) run_worker --queues default,video

test: setup-dev system-test-deps node-deps test-services ralph messages ## Set up, lint, check migrations, run the suite on SQLite, then on PostgreSQL + Redis
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=hub.settings.test $(MANAGE) check
	DJANGO_SETTINGS_MODULE=hub.settings.test $(MANAGE) makemigrations --check --dry-run
	@# The two runs at once, one a core: together they take little more than the PostgreSQL run alone; the
	@# PostgreSQL run's PG_LATE files take the SQLite run's core when it is done. Its output is shown at the end.
	@mkdir -p var; \
	DATABASE_URL=$(TEST_DATABASE_URL) TASKS_BACKEND=rq REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest $(PG_SKIP) $(PG_LATE:%=--ignore=%) >$(PG_TEST_LOG) 2>&1 & \
	pg=$$!; trap 'kill $$pg 2>/dev/null' INT TERM; \
	echo "== The suite on SQLite, tasks run at once (meanwhile on PostgreSQL + Redis: $(PG_TEST_LOG))"; \
	$(BIN)/pytest; sqlite=$$?; \
	echo "== The rest of the PostgreSQL run ($(PG_LATE)): $(PG_LATE_LOG)"; \
	DATABASE_URL=$(PG_LATE_DATABASE_URL) TASKS_BACKEND=rq REDIS_URL=$(PG_LATE_REDIS_URL) $(BIN)/pytest $(PG_SKIP) $(PG_LATE) >$(PG_LATE_LOG) 2>&1; late=$$?; \
	wait $$pg; postgresql=$$?; \
	echo "== The suite on PostgreSQL, every task through Redis"; cat $(PG_TEST_LOG) $(PG_LATE_LOG); \
	exit $$(( sqlite || postgresql || late ))

test-services: system-test-deps ## Start PostgreSQL and Redis on loopback with the tests' role and database
	@.ci/test-services start

# Ralph, a Learning Record Store, for tests/test_xapi.py (docs/xapi.md): in its own virtualenv, never in the
# site's. When pip cannot fetch it (one retry, 20 s timeouts: an offline machine waits little), `make test`
# goes on and those tests skip, saying why.
RALPH_VENV := var/ralph-venv
# Its file-system backend comes with the package itself (5.x has no backend-fs extra).
RALPH_PACKAGES := 'ralph-malph[cli,lrs]==5.1.0' requests

ralph: $(RALPH_VENV)/.installed ## Install Ralph (an xAPI LRS, for the tests) in var/ralph-venv

$(RALPH_VENV)/.installed:
	@mkdir -p var
	@{ $(PYTHON) -m venv $(RALPH_VENV) && $(RALPH_VENV)/bin/pip install --quiet --retries 1 --timeout 20 $(RALPH_PACKAGES) && touch $@; } \
	|| { rm -rf $(RALPH_VENV); echo "Ralph could not be installed: the LRS tests of tests/test_xapi.py will skip"; }

setup: $(VENV)/.installed ## Create the virtualenv and install the runtime requirements

setup-dev: $(VENV)/.installed-dev

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	# Debian's Python needs python3-venv (ensurepip) before it can create a virtualenv.
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); $(SUDO) apt-get update && $(SUDO) apt-get install -y python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

system-deps: ## Install Debian's ffmpeg (ffmpeg and ffprobe) unless FFMPEG_PATH/FFPROBE_PATH or PATH have them, and a Chinese font
	@{ command -v $${FFMPEG_PATH:-ffmpeg} && command -v $${FFPROBE_PATH:-ffprobe}; } >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends ffmpeg; }
	@# The learning record's PDF (WeasyPrint) draws Chinese with Noto CJK; without it every character is a box.
	@{ dpkg -s fonts-noto-cjk && fc-list :lang=zh | grep -q .; } >/dev/null 2>&1 || { $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends fonts-noto-cjk fontconfig; }

system-test-deps: system-deps ## Also Debian's chromium (Playwright drives it), PostgreSQL, Redis, nginx (none started by the install), poppler-utils
	@# poppler-utils: pdftotext and pdffonts read the learning record's PDF back in its test.
	@.ci/test-services install chromium postgresql redis-server nginx poppler-utils

# The hub's translation catalogue (site/hub/locale, the admin's Chinese): its .mo files are built here, not committed.
# Only that folder, without settings (compilemessages run elsewhere would also write into .venv's packages).
messages: setup ## Compile the hub's translations (installs Debian's gettext for msgfmt when it is missing)
	@command -v msgfmt >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends gettext; }
	cd site/hub && env -u DJANGO_SETTINGS_MODULE $(CURDIR)/$(BIN)/django-admin compilemessages --locale zh_Hans

# hls.js for the player, from the npm registry at the version package-lock.json pins.
node-deps: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	@command -v npm >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends nodejs npm; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

migrate: setup ## Apply migrations
	$(MANAGE) migrate --noinput

demo: migrate ## Load (or refresh) the demo content
	$(MANAGE) load_demo

lint: setup-dev ## ruff lint and format check
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

bench: setup system-deps ## Transcoding benchmark on a generated 60 s 1080p lecture (bench/transcode.py)
	$(BIN)/python bench/transcode.py

bench-search: setup system-deps ## Search quality (nDCG@10, MRR) on the demo and latency over 10,000 resources
	$(BIN)/python bench/search_quality.py --backend all
	$(BIN)/python bench/search_latency.py

bench-search-100k: setup-dev system-test-deps test-services ## Search latency, rebuild time and index size at 100,000 resources, on SQLite and PostgreSQL (about 2 hours)
	$(BIN)/python bench/search_latency.py --count 100000 --backend all
	$(BIN)/python bench/search_latency.py --count 100000 --backend database --database-url $(TEST_DATABASE_URL)

bench-media: setup-dev system-test-deps ## Segments behind nginx + gunicorn: signed (nginx alone) vs checked by Django vs unchecked
	$(BIN)/python bench/media_serving.py

bench-serving: setup-dev system-test-deps test-services ## Public pages and the API under load, cold and from the page cache (files, Redis), beside stock Wagtail (about 6 minutes)
	@command -v wrk >/dev/null || { $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends wrk; }
	$(BIN)/python bench/serving.py --redis $(TEST_REDIS_URL)

bench-progress: setup-dev system-test-deps test-services ## Players' progress reports under load (6,000 viewers) behind gunicorn, on SQLite and PostgreSQL (about 6 minutes)
	$(BIN)/python bench/progress.py
	$(BIN)/python bench/progress.py --database-url $(TEST_DATABASE_URL)

format: setup-dev ## Format and fix imports
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .
