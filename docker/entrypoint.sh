#!/bin/sh
# The image's one entrypoint, also run as is by the local multi-process run (make prod-local)
# and by docker/smoke-entrypoint.sh. Usage: entrypoint.sh [web|worker|migrate|COMMAND...]
#   web (default)  prepare (below), then gunicorn with docker/gunicorn.conf.py. With
#                  PORTAL_SKIP_MIGRATE=1 it skips the preparation: set it on every web
#                  process but one, or on all of them when a one-shot `migrate` runs first
#                  (docker-compose.yml does that), so that migrations run once.
#   worker         the task worker (manage.py run_worker); never migrates.
#   migrate        the preparation alone, then exits: migrate, the shared cache table, the
#                  portal's content (re-runnable, never overwrites an editor's page).
#   anything else  exec'd as is (e.g. `entrypoint.sh python manage.py shell`).
set -eu
cd "$(dirname "$0")/.."
: "${DJANGO_SETTINGS_MODULE:=portal.settings.production}"
export DJANGO_SETTINGS_MODULE
PYTHON=${PYTHON:-python}
GUNICORN=${GUNICORN:-gunicorn}

prepare() {
  $PYTHON manage.py migrate --noinput
  $PYTHON manage.py createcachetable
  $PYTHON manage.py load_portal_content
}

role=${1:-web}
[ "$#" -gt 0 ] && shift

case "$role" in
  web)
    if [ "${PORTAL_SKIP_MIGRATE:-0}" != 1 ]; then
      prepare
    fi
    exec $GUNICORN -c docker/gunicorn.conf.py portal.wsgi:application "$@"
    ;;
  worker)
    exec $PYTHON manage.py run_worker "$@"
    ;;
  migrate)
    prepare
    ;;
  *)
    exec "$role" "$@"
    ;;
esac
