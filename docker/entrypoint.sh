#!/bin/sh
# Production entrypoint: migrate, prepare the shared cache table, load the portal's content
# (re-runnable, never overwrites an editor's page), then serve with gunicorn.
set -eu
: "${DJANGO_SETTINGS_MODULE:=portal.settings.production}"
export DJANGO_SETTINGS_MODULE
PYTHON=${PYTHON:-python}

$PYTHON manage.py migrate --noinput
$PYTHON manage.py createcachetable
$PYTHON manage.py load_portal_content

if [ "$#" -gt 0 ]; then
  exec "$@"
fi
exec gunicorn portal.wsgi:application \
  --bind "0.0.0.0:${PORT:-8000}" \
  --workers "${GUNICORN_WORKERS:-3}" \
  --timeout "${GUNICORN_TIMEOUT:-60}" \
  --access-logfile -
