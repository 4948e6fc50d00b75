# Set-up and everyday commands. Python 3.11+ and make are the only prerequisites.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements/*.txt | cksum | cut -d' ' -f1)

.PHONY: install run test worker migrate schema lint bench bench-quick wrk clean

$(STAMP): requirements/base.txt requirements/dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# Serve the API on 127.0.0.1:8000 (HOST/PORT override) with a Celery worker and beat beside it.
run: $(STAMP)
	DEBUG=$${DEBUG:-1} $(BIN)/python scripts/run.py

# A Celery worker with the beat scheduler, for when the server runs elsewhere.
worker: $(STAMP)
	DEBUG=$${DEBUG:-1} $(BIN)/python -m celery -A project worker --beat --loglevel=INFO

migrate: $(STAMP)
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --noinput

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

schema: $(STAMP)
	DEBUG=1 $(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null

lint: $(STAMP)
	$(BIN)/ruff check .

# Benchmarks print one table and write bench-results/<time>/; they need wrk (Debian: apt-get install wrk).
bench: $(STAMP) wrk
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

bench-quick: $(STAMP) wrk
	$(BIN)/python scripts/bench.py --quick $(BENCH_ARGS)

wrk:
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get install -y -qq wrk >/dev/null; } \
		|| { echo "wrk is missing: install it (Debian: apt-get install wrk)"; exit 1; }

clean:
	rm -rf $(VENV) var
