# Two commands for a new machine with python3: `make run` and `make test`.
UV := $(shell command -v uv 2>/dev/null || echo .uv/bin/uv)
PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Test processes (pytest-xdist): one per core of the 2-core machines we run on; 0 runs in-process.
TEST_WORKERS ?= 2

.PHONY: install setup run test lint format bench bench-report clean-db

.uv/bin/uv:
	python3 -m venv .uv
	.uv/bin/pip install --quiet uv

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python python3
	@touch $@

install: .venv/.synced

# The seeds replay the demo's story through the services, which run their Celery tasks in-process
# here; only errors are worth printing while they do (LOG_LEVEL=INFO shows every task).
setup: export LOG_LEVEL ?= ERROR
setup: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_templates
	$(PY) manage.py seed_demo --quiet
	$(PY) manage.py seed_value --quiet
	$(PY) manage.py load_gate_policies
	$(PY) manage.py seed_governance --quiet
	$(PY) manage.py seed_readiness --quiet
	$(PY) manage.py seed_history --quiet
	$(PY) manage.py seed_register --quiet
	$(PY) manage.py seed_gates --quiet
	$(PY) manage.py seed_reports --quiet

run: setup
	@$(PY) manage.py demo_logins --url http://$(HOST):$(PORT)/
	$(PY) manage.py runserver $(HOST):$(PORT)

# --dist loadfile keeps each test module in one process, so module-scoped fixtures (the seeded
# demo data) are built once, not once per worker.
test: install
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format: install
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

# The busiest pages at 1,000 and 10,000 initiatives (p50/p95, queries, the 150 ms goal) and the
# dashboard's requests per second on gunicorn with 8 clients; several minutes.
bench: install
	$(PY) bench/pages_bench.py $(BENCH_ARGS)

# The monthly report (data, PDF, whole generation) and the dashboard at 1,000 initiatives.
bench-report: install
	$(PY) bench/report_bench.py $(BENCH_ARGS)

clean-db:
	rm -f db.sqlite3
