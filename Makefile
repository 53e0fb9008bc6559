# Chengxin — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
UV ?= $(shell command -v uv 2>/dev/null || echo "$(HOME)/.local/bin/uv")
PY := .venv/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: install run test test-postgres lint bench demo messages clean

install: .venv/.synced node_modules/.installed

$(UV):
	python3 -m pip install --user --quiet uv || python3 -m pip install --quiet uv

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python python3
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

run: install
	$(PY) manage.py migrate --noinput -v0
	@$(PY) manage.py demo --if-empty
	@echo "Chengxin is serving the console at http://$(HOST)/ and the API at http://$(HOST)/api/v1/"
	$(PY) manage.py runserver $(HOST)

demo: install
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py demo

test: install
	$(PY) -m pytest

test-postgres: install
	CHENGXIN_TEST_DATABASE_URL=$${CHENGXIN_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/chengxin} $(PY) -m pytest

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy chengxin
	DJANGO_SETTINGS_MODULE=chengxin.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(PY) scripts/check_translations.py

messages: install
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=node_modules --ignore=var --no-location
	$(PY) manage.py compilemessages --ignore=.venv

bench: install
	$(PY) -m benchmarks

clean:
	rm -rf var/chengxin.sqlite3* .pytest_cache .mypy_cache .ruff_cache
