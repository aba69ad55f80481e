"""Local development: the embedded default (SQLite, local files, inline tasks, console mail)."""

from portal.env import env

from .base import *  # noqa: F403

DEBUG = env.bool("DEBUG", True)
SECRET_KEY = env.str("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

# Demo accounts and data are only ever created under these settings.
PORTAL_DEMO_DATA_ENABLED = True
