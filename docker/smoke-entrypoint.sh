#!/usr/bin/env bash
# Exercises the production image's steps without Docker (no engine here): production
# settings, `check --deploy`, collectstatic, then docker/entrypoint.sh against a fresh
# PostgreSQL database as docker-compose.yml runs it (`migrate` once, then `web` with
# PORTAL_SKIP_MIGRATE=1); the served home page must answer 200, with the request id sent
# back and logged as a JSON line. Usage: smoke-entrypoint.sh DATABASE_URL
set -euo pipefail
cd "$(dirname "$0")/.."
url=$1
db=${url##*/}
admin_url=${url%/*}/postgres
work=$(mktemp -d)
port=${SMOKE_PORT:-8799}
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  psql "$admin_url" -q -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" || true
  rm -rf "$work"
}
trap cleanup EXIT
psql "$admin_url" -q -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)"
psql "$admin_url" -q -c "CREATE DATABASE \"$db\""

export DJANGO_SETTINGS_MODULE=portal.settings.production
export DATABASE_URL="$url"
export SECRET_KEY="smoke-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export ALLOWED_HOSTS="127.0.0.1,localhost"
export PORTAL_BASE_URL="http://127.0.0.1"
export STATIC_ROOT="$work/static" MEDIA_ROOT="$work/media"
export PATH="$PWD/.venv/bin:$PATH"

echo "-- check --deploy"
python manage.py check --deploy --fail-level WARNING
echo "-- collectstatic"
python manage.py collectstatic --noinput -v0
echo "-- entrypoint migrate"
sh docker/entrypoint.sh migrate > "$work/migrate.log" 2>&1 || { tail -40 "$work/migrate.log"; exit 1; }
echo "-- entrypoint web"
PORTAL_SKIP_MIGRATE=1 BIND_HOST=127.0.0.1 PORT=$port GUNICORN_WORKERS=2 \
  sh docker/entrypoint.sh web > "$work/serve.log" 2>&1 &
pid=$!
code=""
for _ in $(seq 1 60); do
  code=$(curl -s -o "$work/home.html" -D "$work/home.headers" -w '%{http_code}' \
    -H 'X-Forwarded-Proto: https' -H 'X-Request-ID: smoke-home' "http://127.0.0.1:$port/" || true)
  [ "$code" = 200 ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 1
done
if [ "$code" != 200 ]; then
  echo "entrypoint: home page answered '$code'"; tail -40 "$work/serve.log"; exit 1
fi
grep -q "Équipes mobiles de prévention des expulsions locatives" "$work/home.html"
grep -qi '^X-Request-ID: smoke-home' "$work/home.headers"
python - "$work/serve.log" <<'PY'
import json, sys
lines = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
ours = [line for line in lines if line.get("request_id") == "smoke-home" and line["path"] == "/"]
assert {line["logger"] for line in ours} == {"portal.request", "gunicorn.access"}, ours
print(f"entrypoint: {len(lines)} JSON log lines, the home request's id in both request lines")
PY
pages=$(psql "$url" -tA -c "SELECT count(*) FROM wagtailcore_page WHERE depth >= 2")
territories=$(psql "$url" -tA -c "SELECT count(*) FROM portal_territory")
users=$(psql "$url" -tA -c "SELECT count(*) FROM portal_user")
echo "entrypoint: home page 200; $pages pages, $territories territories, $users accounts (no demo account in production)"
[ "$territories" = 26 ] && [ "$users" = 0 ]
