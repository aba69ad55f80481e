"""An S3-compatible server for the storage tests: moto's server mode, a real HTTP server on
127.0.0.1 inside the test process (each pytest-xdist worker starts its own, on a port the
system picks), a new bucket for each test, and the portal's ``private`` and ``exports``
storages pointed at it through the production settings' own ``object_storages``.

No client is mocked: boto3 and django-storages speak HTTP to the server."""

from __future__ import annotations

import secrets
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from django.conf import settings
from django.core.files.storage import storages
from django.test import override_settings
from moto.server import ThreadedMotoServer
from storages.backends.s3 import S3Storage

from documents.models import WordTemplate
from forms_app.models import SubmissionFile
from portal.env import Env
from portal.storage_settings import PREFIXES, object_storages, s3_client_config

REGION = "us-east-1"
# moto's server accepts any key pair; these only have to be the same on both sides.
ACCESS_KEY = "portal-test-key"
SECRET_KEY = "portal-test-secret"  # noqa: S105
# The models' file fields hold their storage from import time; the fixture points them at
# the bucket for the test and back afterwards.
PRIVATE_FILE_FIELDS = (SubmissionFile._meta.get_field("file"), WordTemplate._meta.get_field("file"))


@dataclass(frozen=True)
class S3Bucket:
    """A bucket on the test server, and a boto3 client to look into it."""

    endpoint_url: str
    name: str
    client: Any

    def object_keys(self, prefix: str = "") -> list[str]:
        """Every key under ``prefix``, sorted."""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.name, Prefix=prefix
        )
        return sorted(item["Key"] for page in pages for item in page.get("Contents", ()))

    def body(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def put(self, key: str, body: bytes) -> None:
        self.client.put_object(Bucket=self.name, Key=key, Body=body)

    def anonymous_get(self, key: str) -> int:
        """The HTTP status of an unsigned GET of the object's URL, as anyone could send."""
        url = f"{self.endpoint_url}/{self.name}/{key}"
        try:
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - test server
                return response.status
        except urllib.error.HTTPError as error:
            error.close()
            return error.code

    def environment(self) -> dict[str, str]:
        """The variables production would read to use this bucket."""
        return {
            "PORTAL_S3_BUCKET": self.name,
            "PORTAL_S3_ENDPOINT_URL": self.endpoint_url,
            "PORTAL_S3_REGION": REGION,
            "PORTAL_S3_ACCESS_KEY_ID": ACCESS_KEY,
            "PORTAL_S3_SECRET_ACCESS_KEY": SECRET_KEY,
            "PORTAL_S3_ADDRESSING_STYLE": "path",
        }


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """moto's S3 server on 127.0.0.1 and a free port, for the session; its endpoint URL."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@contextmanager
def new_bucket(endpoint_url: str) -> Iterator[S3Bucket]:
    """A new, empty bucket on the server at ``endpoint_url``; emptied and removed after."""
    client = boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=s3_client_config(addressing_style="path"),
    )
    bucket = S3Bucket(
        endpoint_url=endpoint_url, name=f"portail-test-{secrets.token_hex(6)}", client=client
    )
    client.create_bucket(Bucket=bucket.name)
    try:
        yield bucket
    finally:
        for key in bucket.object_keys():
            client.delete_object(Bucket=bucket.name, Key=key)
        client.delete_bucket(Bucket=bucket.name)


@pytest.fixture
def s3_bucket(s3_server) -> Iterator[S3Bucket]:
    """A new, empty bucket on the test server, for one test."""
    with new_bucket(s3_server) as bucket:
        yield bucket


def s3_storage_entries(bucket: S3Bucket, **variables: str) -> dict[str, dict[str, Any]]:
    """The settings.STORAGES entries production makes for ``bucket`` (and ``variables``)."""
    return object_storages(Env({**bucket.environment(), **variables}))


def s3_storage(bucket: S3Bucket, alias: str) -> S3Storage:
    """The storage production makes for ``alias`` on ``bucket``, outside the settings."""
    return S3Storage(**s3_storage_entries(bucket)[alias]["OPTIONS"])


@pytest.fixture
def s3_storages(s3_bucket) -> Iterator[S3Bucket]:
    """``private`` and ``exports`` on the test bucket, as production configures them, and
    the models' file fields on ``private``; returns the bucket. Afterwards the fields hold
    the storage the settings give again (Django makes new ones when STORAGES changes back),
    so a later test finds its files where ``storages["private"]`` looks."""
    try:
        with override_settings(STORAGES={**settings.STORAGES, **s3_storage_entries(s3_bucket)}):
            for field in PRIVATE_FILE_FIELDS:
                field.storage = storages["private"]
            yield s3_bucket
    finally:
        for field in PRIVATE_FILE_FIELDS:
            field.storage = storages["private"]


def private_key(name: str) -> str:
    """The bucket key of a ``private`` storage name."""
    return f"{PREFIXES['private']}/{name}"
