"""Local development: the embedded default (SQLite, local files, inline tasks, console mail)."""

from portal.env import env

from .base import *  # noqa: F403

DEBUG = env.bool("DEBUG", True)
SECRET_KEY = env.str("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

# Demo accounts and data are only ever created under these settings (and the test ones):
# the demo app (synthetic data, its command load_demo_data) is installed here only, never
# by the base or production settings.
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]  # noqa: F405
PORTAL_DEMO_DATA_ENABLED = True
