"""Whether a storage of settings.STORAGES answers, for the health view: one cheap read,
never a write of data — a HEAD of the bucket on object storage, the directory on disk
(made if missing, as the storage's first save would)."""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any, Final

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.storage import FileSystemStorage, Storage, storages
from storages.backends.s3 import S3Storage

logger = logging.getLogger(__name__)

# A health check answers within seconds or says no: one attempt, short timeouts.
PROBE_TIMEOUT_SECONDS: Final = 3
PROBE_NAME: Final = "portail-sonde-sante"


@functools.lru_cache(maxsize=8)
def probe_client(storage: S3Storage) -> Any:
    """A client of ``storage``'s bucket with the probe's timeouts (made once per storage:
    building a client costs more than the request)."""
    session = boto3.Session(
        aws_access_key_id=storage.access_key,
        aws_secret_access_key=storage.secret_key,
        aws_session_token=storage.security_token,
    )
    return session.client(
        "s3",
        endpoint_url=storage.endpoint_url,
        region_name=storage.region_name,
        use_ssl=storage.use_ssl,
        verify=storage.verify,
        config=storage.client_config.merge(
            Config(
                connect_timeout=PROBE_TIMEOUT_SECONDS,
                read_timeout=PROBE_TIMEOUT_SECONDS,
                retries={"max_attempts": 1, "mode": "standard"},
            )
        ),
    )


def bucket_reachable(storage: S3Storage) -> bool:
    """HEAD of the bucket: it exists and the keys may list it (a HEAD of a missing key
    answers 404 whether the key or the bucket is missing, so it could not tell)."""
    try:
        probe_client(storage).head_bucket(Bucket=storage.bucket_name)
    except (BotoCoreError, ClientError) as error:
        logger.warning("Stockage objet injoignable (%s) : %s", storage.bucket_name, error)
        return False
    return True


def directory_usable(location: Path) -> bool:
    """The storage's directory exists, or can be made (a fresh installation has none until
    its first file: Django's storage would make it then); a file in its way, or a parent
    that cannot be written, says no."""
    try:
        location.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        logger.warning("Répertoire de stockage inutilisable (%s) : %s", location, error)
        return False
    return location.is_dir()


def storage_reachable(alias: str) -> bool:
    """True when the storage ``alias`` of settings.STORAGES can be read now."""
    storage: Storage = storages[alias]
    if isinstance(storage, S3Storage):
        return bucket_reachable(storage)
    if isinstance(storage, FileSystemStorage):
        return directory_usable(Path(storage.location))
    try:
        storage.exists(PROBE_NAME)
    except Exception:  # noqa: BLE001 - any failure of an unknown backend means « no »
        logger.exception("Stockage « %s » injoignable", alias)
        return False
    return True
