"""Settings modules are imported in a fresh interpreter, as a server would at start-up."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BASE_ENV = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)}


def _import_settings(module: str, **variables: str) -> subprocess.CompletedProcess:
    code = (
        "import importlib, sys; m = importlib.import_module(sys.argv[1]); "
        "print(m.DEBUG, m.LANGUAGE_CODE, m.TIME_ZONE, ','.join(m.ALLOWED_HOSTS))"
    )
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code, module],
        env={**BASE_ENV, **variables},
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def _error_line(result: subprocess.CompletedProcess) -> str:
    """The exception's own message: the traceback's last line, not its source lines."""
    return result.stderr.strip().splitlines()[-1]


def test_production_refuses_to_start_without_its_secrets_and_names_them():
    result = _import_settings("portal.settings.production")
    assert result.returncode != 0
    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "PORTAL_BASE_URL"):
        assert name in _error_line(result)


def test_production_names_only_what_is_missing():
    result = _import_settings(
        "portal.settings.production",
        SECRET_KEY="s3cr3t-for-test",
        DATABASE_URL="postgres://x/y",
        PORTAL_BASE_URL="https://portail.example.gouv.fr",
    )
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in _error_line(result)
    assert "SECRET_KEY" not in _error_line(result)
    assert "DATABASE_URL" not in _error_line(result)


def test_production_starts_with_its_variables_and_debug_off():
    result = _import_settings(
        "portal.settings.production",
        SECRET_KEY="s3cr3t-for-test",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/portal",
        ALLOWED_HOSTS="portail.example.gouv.fr",
        PORTAL_BASE_URL="https://portail.example.gouv.fr",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "fr-fr", "Europe/Paris", "portail.example.gouv.fr"]


def test_malformed_debug_stops_start_up_with_the_variable_name():
    result = _import_settings("portal.settings.dev", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG='maybe'" in _error_line(result)


def test_dev_defaults_are_the_embedded_ones():
    result = _import_settings("portal.settings.dev")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:3] == ["True", "fr-fr", "Europe/Paris"]


def test_production_passes_check_deploy_at_warning_level():
    """`check --deploy` finds nothing but W021 (HSTS preload), silenced on purpose."""
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env={
            **BASE_ENV,
            "DJANGO_SETTINGS_MODULE": "portal.settings.production",
            "SECRET_KEY": "s3cr3t-for-test-" + "x" * 50,
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/portal",
            "ALLOWED_HOSTS": "portail.example.gouv.fr",
            "PORTAL_BASE_URL": "https://portail.example.gouv.fr",
        },
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues (1 silenced)" in result.stdout
