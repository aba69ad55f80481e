#!/usr/bin/env bash
# The portal on this machine as production runs it: production settings, the machine's
# PostgreSQL, gunicorn (2 workers) and 1 task worker on 127.0.0.1, generated data. Everything
# it writes lives under var/prod-local/ (secret, static, files, exports, logs, pids).
#   docker/prod-local.sh start [--fresh]   # --fresh recreates the database and the files
#   docker/prod-local.sh check             # processes alive, health page 200
#   docker/prod-local.sh stop
# PROD_LOCAL_PORT (8050), PROD_LOCAL_DB (portal_prod_local), PROD_LOCAL_PG (server URL),
# PROD_LOCAL_DIR (var/prod-local: one directory per running instance).
set -euo pipefail
cd "$(dirname "$0")/.."

DIR=${PROD_LOCAL_DIR:-$PWD/var/prod-local}
PORT=${PROD_LOCAL_PORT:-8050}
DB=${PROD_LOCAL_DB:-portal_prod_local}
PG=${PROD_LOCAL_PG:-postgres://postgres@127.0.0.1:5432}
BASE="http://127.0.0.1:$PORT"
# The health page the check waits for: database, storages and the task worker's heartbeat.
HEALTH_PATH=/healthz
PY=$PWD/.venv/bin/python

say() { echo "prod-local: $*"; }
fail() { echo "prod-local: ÉCHEC — $*" >&2; exit 1; }

secret() {
  mkdir -p "$DIR"
  if [ ! -s "$DIR/secret" ]; then
    (umask 077 && "$PY" -c "import secrets; print(secrets.token_urlsafe(50))" > "$DIR/secret")
  fi
  cat "$DIR/secret"
}

environment() {
  export DJANGO_SETTINGS_MODULE=portal.settings.production
  export DATABASE_URL="$PG/$DB"
  SECRET_KEY=$(secret)
  export SECRET_KEY
  export ALLOWED_HOSTS="127.0.0.1,localhost"
  export PORTAL_BASE_URL="$BASE"
  export PORTAL_VAR_DIR="$DIR"
  export STATIC_ROOT="$DIR/static" MEDIA_ROOT="$DIR/media" PORTAL_EXPORTS_DIR="$DIR/exports"
  # TLS ends at a proxy in production; here the clients send X-Forwarded-Proto: https, as that
  # proxy would, so that the SSL redirect, HSTS and Secure cookies stay exactly as deployed.
  # That proxy also appends the client's address to X-Forwarded-For (allauth's limits per address).
  export PORTAL_TRUSTED_PROXY_COUNT=1
  export PORTAL_LOAD_TEST_VIEW=true
  export EMAIL_BACKEND=${EMAIL_BACKEND:-django.core.mail.backends.console.EmailBackend}
  export PATH="$PWD/.venv/bin:$PATH" PYTHON="$PY"
}

alive() { [ -s "$DIR/$1.pid" ] && kill -0 "$(cat "$DIR/$1.pid")" 2>/dev/null; }

# Starts "$@" in a session of its own (so that stop reaches its children: render workers,
# LibreOffice) and records its pid; the process execs, so the pid is the program's.
launch() {
  local name=$1; shift
  setsid sh -c 'echo $$ > "$0"; exec "$@"' "$DIR/$name.pid" "$@" >> "$DIR/$name.log" 2>&1 < /dev/null &
  for _ in $(seq 1 50); do [ -s "$DIR/$name.pid" ] && return 0; sleep 0.1; done
  fail "$name n'a pas démarré (voir $DIR/$name.log)"
}

health_code() {
  curl -s -o /dev/null -m 10 -w '%{http_code}' -H 'X-Forwarded-Proto: https' "$BASE$HEALTH_PATH" || true
}

database_prepare() {
  local admin="$PG/postgres" fresh=$1
  if [ "$fresh" = 1 ]; then
    say "base $DB recréée, fichiers effacés"
    psql "$admin" -q -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)"
    rm -rf "$DIR/private" "$DIR/media" "$DIR/exports" "$DIR/accounts.json"
  fi
  if [ -z "$(psql "$admin" -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'")" ]; then
    psql "$admin" -q -c "CREATE DATABASE \"$DB\""
    rm -f "$DIR/accounts.json"
  fi
}

data_generate() {
  [ -s "$DIR/accounts.json" ] && { say "données déjà générées ($DIR/accounts.json)"; return 0; }
  say "génération des données (réglages de développement, même base)"
  # PROD_LOCAL_SCALE=10: 101 départements, 3 operators each, 10 times the households.
  DJANGO_SETTINGS_MODULE=portal.settings.dev "$PY" manage.py generate_scale_data \
    --scale "${PROD_LOCAL_SCALE:-1}" --accounts-file "$DIR/accounts.json" >> "$DIR/data.log"
}

start() {
  local fresh=0
  [ "${1:-}" = --fresh ] && fresh=1
  mkdir -p "$DIR"
  if alive web || alive worker; then
    say "déjà démarré sur $BASE (docker/prod-local.sh stop pour l'arrêter)"
    return 0
  fi
  curl -s -o /dev/null -m 2 "$BASE/" && fail "le port $PORT est déjà pris (PROD_LOCAL_PORT=…)"
  environment
  database_prepare "$fresh"
  say "migrations et contenu du portail (log : $DIR/migrate.log)"
  sh docker/entrypoint.sh migrate >> "$DIR/migrate.log" 2>&1 || fail "migrations (voir $DIR/migrate.log)"
  data_generate || fail "génération des données (voir $DIR/data.log)"
  "$PY" manage.py collectstatic --noinput -v0 >> "$DIR/migrate.log" 2>&1 || fail "collectstatic"
  # The image's own roles (docker/entrypoint.sh), migrations already done above.
  launch web env BIND_HOST=127.0.0.1 PORT="$PORT" GUNICORN_WORKERS=2 PORTAL_SKIP_MIGRATE=1 \
    GUNICORN_ACCESS_LOG="$DIR/access.log" sh docker/entrypoint.sh web
  launch worker sh docker/entrypoint.sh worker
  for _ in $(seq 1 90); do
    [ "$(health_code)" = 200 ] && break
    alive web || fail "gunicorn s'est arrêté (voir $DIR/web.log)"
    sleep 1
  done
  [ "$(health_code)" = 200 ] || fail "$BASE$HEALTH_PATH ne répond pas 200 après 90 s (voir $DIR/web.log)"
  say "servi sur $BASE/ (gunicorn pid $(cat "$DIR/web.pid"), worker pid $(cat "$DIR/worker.pid")) ; comptes : $DIR/accounts.json"
}

check() {
  alive web || fail "gunicorn ne tourne pas"
  alive worker || fail "le worker de tâches ne tourne pas"
  local code
  code=$(health_code)
  [ "$code" = 200 ] || fail "$BASE$HEALTH_PATH a répondu « $code »"
  say "OK : $BASE$HEALTH_PATH 200, gunicorn et worker en marche"
}

# Ends the sessions this script started (by their recorded pids): TERM, then KILL after 20 s.
stop() {
  local name pid
  for name in web worker; do
    alive "$name" || { rm -f "$DIR/$name.pid"; continue; }
    pid=$(cat "$DIR/$name.pid")
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -KILL -- "-$pid" 2>/dev/null || true
    rm -f "$DIR/$name.pid"
    say "$name arrêté (pid $pid)"
  done
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) stop ;;
  check) check ;;
  *) echo "usage: $0 start [--fresh] | check | stop" >&2; exit 2 ;;
esac
