#!/usr/bin/env bash
# CI step: starts `make prod-local` (a fresh database with --fresh), checks it over HTTP
# (bench/load/check_prod_local.py: health, DIHAL sign-in, a zip made by the task worker, a
# PDF made by gunicorn's process), then stops it, whatever happened. Exit code 0 only if all
# passed. PROD_LOCAL_PORT / PROD_LOCAL_DB as for docker/prod-local.sh;
# CHECK_PROD_LOCAL_SKIP_PDF=1 skips the PDF where LibreOffice cannot be installed.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${PROD_LOCAL_PORT:-8050}
DIR=${PROD_LOCAL_DIR:-var/prod-local}
stop() { timeout 60 docker/prod-local.sh stop || true; }
trap stop EXIT

if [ "${CHECK_PROD_LOCAL_SKIP_PDF:-}" != 1 ] && ! command -v soffice >/dev/null 2>&1; then
  echo "ÉCHEC : LibreOffice (soffice) absent : le PDF ne peut pas être produit (CHECK_PROD_LOCAL_SKIP_PDF=1 pour passer outre)." >&2
  exit 1
fi
timeout 900 docker/prod-local.sh start "$@" \
  || { echo "ÉCHEC : prod-local n'a pas démarré (journaux : $DIR/*.log)." >&2; tail -20 "$DIR/web.log" >&2 || true; exit 1; }
timeout 60 docker/prod-local.sh check
skip=()
[ "${CHECK_PROD_LOCAL_SKIP_PDF:-}" = 1 ] && skip=(--skip-pdf)
timeout 420 .venv/bin/python -m bench.load.check_prod_local \
  --base-url "http://127.0.0.1:$PORT" --accounts "$DIR/accounts.json" "${skip[@]}" \
  || { echo "--- $DIR/worker.log (fin)" >&2; tail -20 "$DIR/worker.log" >&2 || true; exit 1; }
