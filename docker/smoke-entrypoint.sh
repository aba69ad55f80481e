#!/usr/bin/env bash
# Exercises the production image's steps without Docker (no engine here): production
# settings, `check --deploy`, collectstatic, then docker/entrypoint.sh against a fresh
# PostgreSQL database; the served home page must answer 200. Usage: smoke-entrypoint.sh DATABASE_URL
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
echo "-- entrypoint"
PORT=$port GUNICORN_WORKERS=2 sh docker/entrypoint.sh > "$work/serve.log" 2>&1 &
pid=$!
code=""
for _ in $(seq 1 60); do
  code=$(curl -s -o "$work/home.html" -w '%{http_code}' -H 'X-Forwarded-Proto: https' "http://127.0.0.1:$port/" || true)
  [ "$code" = 200 ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 1
done
if [ "$code" != 200 ]; then
  echo "entrypoint: home page answered '$code'"; tail -40 "$work/serve.log"; exit 1
fi
grep -q "Équipes mobiles de prévention des expulsions locatives" "$work/home.html"
pages=$(psql "$url" -tA -c "SELECT count(*) FROM wagtailcore_page WHERE depth >= 2")
territories=$(psql "$url" -tA -c "SELECT count(*) FROM portal_territory")
users=$(psql "$url" -tA -c "SELECT count(*) FROM portal_user")
echo "entrypoint: home page 200; $pages pages, $territories territories, $users accounts (no demo account in production)"
[ "$territories" = 26 ] && [ "$users" = 0 ]
