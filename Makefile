# Entry points; each target is a script you can also run directly.
.PHONY: demo test bench bench-import bench-search bench-cold-start bench-jobs bench-chat lint format

VENV ?= .venv
BENCH_DB ?= both

# Install into .venv, build the web client and serve the demo organisation.
demo:
	bash scripts/demo.sh

# Everything CI runs: installs, checks, the suite on SQLite and PostgreSQL.
test:
	bash scripts/test.sh

# All benchmarks (a few minutes); figures are printed. See docs/benchmarks.md.
bench: bench-import bench-search bench-cold-start bench-jobs

bench-import:
	$(VENV)/bin/python bench/import_10k.py --db $(BENCH_DB)

bench-search:
	$(VENV)/bin/python bench/search_100k.py --db $(BENCH_DB)

bench-cold-start:
	$(VENV)/bin/python bench/cold_start.py

bench-jobs:
	$(VENV)/bin/python bench/jobs_throughput.py --db $(BENCH_DB)

# Chat: fan-out, idle sockets, read receipts on both backends (about 20 minutes). See
# docs/benchmarks-chat.md.
bench-chat:
	$(VENV)/bin/pip install -q -e '.[bench]'
	$(VENV)/bin/python bench/chat_fanout.py --backend sqlite --rates 20,40
	$(VENV)/bin/python bench/chat_fanout.py --backend postgres --rates 20,40,60
	$(VENV)/bin/python bench/chat_idle.py
	$(VENV)/bin/python bench/chat_idle.py --backend postgres
	$(VENV)/bin/python bench/chat_receipts.py
	$(VENV)/bin/python bench/chat_groups.py

lint:
	$(VENV)/bin/ruff check
	$(VENV)/bin/ruff format --check
	$(VENV)/bin/mypy

format:
	$(VENV)/bin/ruff check --fix
	$(VENV)/bin/ruff format
