"""Settings of the task worker that tests/documents/test_worker_kill.py starts as a real
process: the test settings with the database task backend; the database (DATABASE_URL),
the exports directory (PORTAL_EXPORTS_DIR) and the private files' directory
(PORTAL_TEST_PRIVATE_DIR: the Word templates) are the test's, given by its environment."""

import os

from portal.settings.test import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
STORAGES = {
    **STORAGES,  # noqa: F405
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": os.environ["PORTAL_TEST_PRIVATE_DIR"], "base_url": None},
    },
}
