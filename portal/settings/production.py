"""Production: refuses to start without its secrets; PostgreSQL, secure cookies, HSTS."""

from portal.env import env
from portal.storage_settings import object_storages

from .base import *  # noqa: F403

# Stop at import time, naming every missing variable, rather than run on a default.
# PORTAL_BASE_URL: reminder e-mails would otherwise link to 127.0.0.1.
env.require("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "PORTAL_BASE_URL")

DEBUG = env.bool("DEBUG", False)
SECRET_KEY = env.str("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
PORTAL_DEMO_DATA_ENABLED = False

# Shared by every web and worker process (allauth's login rate limits live here).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "portal_cache",
        # Django's default of 300 entries would cull allauth's sign-in counters and the
        # consolidated pages' entries under a day's traffic; each write counts the rows.
        "OPTIONS": {"MAX_ENTRIES": env.int("PORTAL_CACHE_MAX_ENTRIES", 20000)},
    }
}

# Background work runs on the task worker (`manage.py db_worker`), never in a web request.
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# Private files (answers' files, Word templates) and exports on the local directories of
# the base settings, or on the S3-compatible bucket PORTAL_S3_BUCKET names, under a prefix
# each (portal.storage_settings); never public either way.
STORAGES = {
    **STORAGES,  # noqa: F405
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    **object_storages(env),
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", True)
# A load balancer probes /healthz over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", False)
# `check --deploy` runs at WARNING level in CI. W021 asks for HSTS preload: off by default on
# purpose, since preloading binds every subdomain of the registered domain (a *.gouv.fr host's
# owner decides that, not this application) and cannot be taken back quickly.
# SECURE_HSTS_PRELOAD=true turns it on where the domain's owner has chosen it.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

EMAIL_BACKEND = env.str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", "localhost")
EMAIL_PORT = env.int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", False)

# Logs: one JSON object per line on stdout (portal.logs.JsonFormatter), with the request id
# of the request, or of the request that enqueued the task being run (portal.task_logs).
LOGGING = {
    **LOGGING,  # noqa: F405
    "formatters": {"json": {"()": "portal.logs.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "loggers": {
        **LOGGING["loggers"],  # noqa: F405
        # A task's start and end, with its id: the worker's record of what it ran.
        "django_tasks": {"level": "INFO"},
        "portal.request": {"level": "INFO"},
    },
}
