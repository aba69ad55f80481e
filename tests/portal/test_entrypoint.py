"""docker/entrypoint.sh's roles and docker/gunicorn.conf.py's values, run as the image runs
them; the commands it would start are replaced by `echo` (PYTHON, GUNICORN), so what each
role runs, and in which order, is read from its output."""

from __future__ import annotations

import os
import runpy
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
GUNICORN_CONF = ROOT / "docker" / "gunicorn.conf.py"


def entrypoint(*args: str, **env: str) -> list[str]:
    completed = subprocess.run(  # noqa: S603
        ["sh", str(ENTRYPOINT), *args],  # noqa: S607
        env={"PATH": os.environ["PATH"], "PYTHON": "echo", "GUNICORN": "echo", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout.splitlines()


PREPARE = [
    "manage.py migrate --noinput",
    "manage.py createcachetable",
    "manage.py load_portal_content",
]
SERVE = "-c docker/gunicorn.conf.py portal.wsgi:application"


def test_web_is_the_default_and_prepares_before_serving():
    assert entrypoint() == [*PREPARE, SERVE]
    assert entrypoint("web") == [*PREPARE, SERVE]


def test_web_skips_the_preparation_when_told():
    assert entrypoint("web", PORTAL_SKIP_MIGRATE="1") == [SERVE]


def test_web_passes_extra_arguments_to_gunicorn():
    assert entrypoint("web", "--check-config", PORTAL_SKIP_MIGRATE="1") == [
        f"{SERVE} --check-config"
    ]


def test_worker_runs_the_task_worker_and_never_migrates():
    assert entrypoint("worker") == ["manage.py run_worker"]


def test_migrate_prepares_and_serves_nothing():
    assert entrypoint("migrate") == PREPARE


def test_any_other_command_is_run_as_is_without_preparing():
    assert entrypoint("echo", "bonjour") == ["bonjour"]


def test_a_failed_preparation_stops_the_web_role():
    completed = subprocess.run(  # noqa: S603
        ["sh", str(ENTRYPOINT), "web"],  # noqa: S607
        env={"PATH": os.environ["PATH"], "PYTHON": "false", "GUNICORN": "echo"},
        capture_output=True,
        text=True,
    )
    assert completed.returncode != 0
    assert SERVE not in completed.stdout


def gunicorn_conf(monkeypatch, **env: str) -> dict:
    for name in (
        "GUNICORN_BIND",
        "BIND_HOST",
        "PORT",
        "GUNICORN_WORKERS",
        "GUNICORN_THREADS",
        "GUNICORN_PRELOAD",
        "GUNICORN_ACCESS_LOG",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(GUNICORN_CONF))


def test_gunicorn_defaults(monkeypatch):
    conf = gunicorn_conf(monkeypatch)

    assert conf["bind"] == "0.0.0.0:8000"
    assert 3 <= conf["workers"] <= 8
    assert conf["threads"] == 1
    assert conf["preload_app"] is True
    assert conf["accesslog"] == "-"
    assert conf["max_requests"] > 0 and conf["max_requests_jitter"] > 0
    assert conf["graceful_timeout"] <= conf["timeout"]


def test_gunicorn_reads_the_local_run_variables(monkeypatch):
    conf = gunicorn_conf(
        monkeypatch,
        BIND_HOST="127.0.0.1",
        PORT="8050",
        GUNICORN_WORKERS="2",
        GUNICORN_THREADS="4",
        GUNICORN_PRELOAD="false",
        GUNICORN_ACCESS_LOG="",
    )

    assert conf["bind"] == "127.0.0.1:8050"
    assert conf["workers"] == 2
    assert conf["threads"] == 4
    assert conf["preload_app"] is False
    assert conf["accesslog"] is None


def test_gunicorn_bind_wins(monkeypatch):
    assert (
        gunicorn_conf(monkeypatch, GUNICORN_BIND="unix:/run/portail.sock", PORT="1")["bind"]
        == "unix:/run/portail.sock"
    )


@pytest.mark.parametrize("value", ["abc", "2.5"])
def test_a_malformed_number_stops_gunicorn(monkeypatch, value):
    with pytest.raises(ValueError):
        gunicorn_conf(monkeypatch, GUNICORN_WORKERS=value)
