# The two commands the README starts with. Both set up everything they need (idempotent).
.PHONY: run test lint format stop reset backup restore

run:  ## set up and start the whole product with demo data (Ctrl-C stops web, worker and beat)
	scripts/dev.sh run

test:  ## set up, lint, and run the whole test suite
	scripts/dev.sh test

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/lint-imports --no-cache --no-logo

format:
	.venv/bin/ruff check --fix . && .venv/bin/ruff format .

stop:  ## stop this checkout's PostgreSQL and Redis
	scripts/dev.sh stop

reset:  ## stop the services and delete all local data in .data/
	scripts/dev.sh reset

backup:  ## dump the database and media into .data/backups/<time>/
	.venv/bin/python manage.py backup

restore:  ## make restore BACKUP=.data/backups/<time>  (replaces the database and media)
	.venv/bin/python manage.py restore "$(BACKUP)"
