"""The storage probe the health view calls: true while the bucket (moto's server, real
HTTP) or the directory answers, false once it is gone; it never writes."""

import pytest

from portal.storage_health import storage_reachable
from tests.s3 import s3_storage_entries


def test_a_bucket_is_reachable_while_it_exists_and_nothing_is_written(s3_storages):
    assert storage_reachable("private") is True
    assert storage_reachable("exports") is True
    assert s3_storages.object_keys() == []


def test_a_missing_bucket_or_a_dead_endpoint_is_not_reachable(settings, s3_bucket):
    settings.STORAGES = {
        **settings.STORAGES,
        **s3_storage_entries(s3_bucket, PORTAL_S3_BUCKET="portail-absent"),
    }
    assert storage_reachable("private") is False

    settings.STORAGES = {
        **settings.STORAGES,
        # Port 9 (discard) on the loopback: nothing listens there.
        **s3_storage_entries(s3_bucket, PORTAL_S3_ENDPOINT_URL="http://127.0.0.1:9"),
    }
    assert storage_reachable("private") is False


@pytest.mark.parametrize("exists", [True, False])
def test_a_directory_is_reachable_when_it_exists_or_can_be_made(settings, tmp_path, exists):
    location = tmp_path / "prive"
    if exists:
        location.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(location)},
        },
    }
    assert storage_reachable("private") is True
    assert location.is_dir() and list(location.iterdir()) == []


def test_a_directory_that_cannot_be_made_is_not_reachable(settings, tmp_path):
    blocker = tmp_path / "fichier"
    blocker.write_text("pas un répertoire")
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocker / "prive")},
        },
    }
    assert storage_reachable("private") is False
