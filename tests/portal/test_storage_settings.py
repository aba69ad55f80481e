"""Production's storages: local directories unless PORTAL_S3_BUCKET names a bucket; then
``private`` and ``exports`` on it, each under its own prefix, private objects, no public
URL, no overwrite; a bucket without its keys, or a value misread, stops start-up."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from storages.backends.s3 import S3Storage

from portal.env import Env, ImproperlyConfiguredEnv
from portal.storage_settings import PREFIXES, S3_BACKEND, object_storages
from tests.s3 import s3_storage_entries

ROOT = Path(__file__).resolve().parents[2]
BUCKET = {
    "PORTAL_S3_BUCKET": "portail-prive",
    "PORTAL_S3_ENDPOINT_URL": "https://s3.gra.io.cloud.ovh.net",
    "PORTAL_S3_REGION": "gra",
    "PORTAL_S3_ACCESS_KEY_ID": "identifiant",
    "PORTAL_S3_SECRET_ACCESS_KEY": "secret",
}
PRODUCTION = {
    "SECRET_KEY": "s3cr3t-for-test",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/portal",
    "ALLOWED_HOSTS": "portail.example.gouv.fr",
    "PORTAL_BASE_URL": "https://portail.example.gouv.fr",
}


def test_without_a_bucket_nothing_changes():
    assert object_storages(Env({})) == {}
    assert object_storages(Env({"PORTAL_S3_BUCKET": ""})) == {}


def test_a_bucket_holds_private_files_and_exports_apart_never_public():
    entries = object_storages(Env(BUCKET))

    assert set(entries) == {"private", "exports"}
    locations = {alias: entry["OPTIONS"]["location"] for alias, entry in entries.items()}
    assert locations == {"private": "prive", "exports": "exports"} == PREFIXES
    for entry in entries.values():
        options = entry["OPTIONS"]
        assert entry["BACKEND"] == S3_BACKEND
        assert options["bucket_name"] == "portail-prive"
        assert options["endpoint_url"] == "https://s3.gra.io.cloud.ovh.net"
        assert options["region_name"] == "gra"
        assert (options["access_key"], options["secret_key"]) == ("identifiant", "secret")
        assert options["default_acl"] == "private"
        assert options["custom_domain"] is None
        assert options["querystring_auth"] is True
        assert options["querystring_expire"] <= 300
        assert options["file_overwrite"] is False
        assert options["object_parameters"] == {}


def test_encryption_and_acl_follow_their_variables():
    options = object_storages(
        Env(
            {
                **BUCKET,
                "PORTAL_S3_SERVER_SIDE_ENCRYPTION": "aws:kms",
                "PORTAL_S3_KMS_KEY_ID": "cle-1",
                "PORTAL_S3_DEFAULT_ACL": "",
            }
        )
    )["private"]["OPTIONS"]
    assert options["object_parameters"] == {
        "ServerSideEncryption": "aws:kms",
        "SSEKMSKeyId": "cle-1",
    }
    assert options["default_acl"] is None  # the bucket policy decides (ACLs disabled)


@pytest.mark.parametrize(
    "variables, named",
    [
        ({"PORTAL_S3_BUCKET": "portail-prive"}, "PORTAL_S3_ACCESS_KEY_ID"),
        ({**BUCKET, "PORTAL_S3_SECRET_ACCESS_KEY": " "}, "PORTAL_S3_SECRET_ACCESS_KEY"),
        ({**BUCKET, "PORTAL_S3_SERVER_SIDE_ENCRYPTION": "oui"}, "PORTAL_S3_SERVER_SIDE_ENCRYPTION"),
        ({**BUCKET, "PORTAL_S3_ADDRESSING_STYLE": "chemin"}, "PORTAL_S3_ADDRESSING_STYLE"),
    ],
)
def test_a_bucket_without_its_keys_or_a_misread_value_stops_start_up(variables, named):
    with pytest.raises(ImproperlyConfiguredEnv, match=named):
        object_storages(Env(variables))


def _production_storages(**variables: str) -> dict:
    code = (
        "import json, portal.settings.production as m; "
        "print(json.dumps({k: [v['BACKEND'], v.get('OPTIONS', {}).get('location')] "
        "for k, v in m.STORAGES.items()}))"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), **variables},
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_settings_use_the_bucket_only_when_one_is_named():
    local = _production_storages(**PRODUCTION, PORTAL_VAR_DIR="/srv/portail")
    assert local["private"] == [
        "django.core.files.storage.FileSystemStorage",
        "/srv/portail/private",
    ]

    on_bucket = _production_storages(**PRODUCTION, **BUCKET)
    assert on_bucket["private"] == [S3_BACKEND, "prive"]
    assert on_bucket["exports"] == [S3_BACKEND, "exports"]
    assert on_bucket["default"][0] == "django.core.files.storage.FileSystemStorage"
    assert on_bucket["staticfiles"][0] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_server_side_encryption_is_asked_for_every_write(s3_bucket):
    """Against moto's server: the object says it is encrypted, and reads still work."""
    entries = s3_storage_entries(s3_bucket, PORTAL_S3_SERVER_SIDE_ENCRYPTION="AES256")
    storage = S3Storage(**entries["private"]["OPTIONS"])

    name = storage.save("reponses/chiffre.pdf", ContentFile(b"%PDF-1.4 chiffre"))

    head = s3_bucket.client.head_object(Bucket=s3_bucket.name, Key=f"prive/{name}")
    assert head["ServerSideEncryption"] == "AES256"
    assert storage.exists(name)
    with storage.open(name, "rb") as handle:
        assert handle.read() == b"%PDF-1.4 chiffre"
    # Saved twice under one name: both kept, the second under a name of its own.
    again = storage.save("reponses/chiffre.pdf", ContentFile(b"autre"))
    assert again != name and s3_bucket.body(f"prive/{name}") == b"%PDF-1.4 chiffre"
