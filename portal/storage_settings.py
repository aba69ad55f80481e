"""Where production keeps private files and exports: an S3-compatible bucket when
``PORTAL_S3_BUCKET`` is set, each alias under its own prefix, never public; local
directories otherwise (the settings' defaults).

Read by ``portal.settings.production`` only; every variable goes through ``portal.env``.
"""

from __future__ import annotations

from typing import Any, Final

from botocore.config import Config

from portal.env import Env, ImproperlyConfiguredEnv

S3_BACKEND: Final = "storages.backends.s3.S3Storage"
# One prefix per alias: the answers' files and Word templates, and the campaigns' zips
# (which retention deletes after 32 hours, and a lifecycle rule may expire too).
PREFIXES: Final = {"private": "prive", "exports": "exports"}
# The portal streams every file through its permission-checking views and never hands out
# a bucket URL; should a signed URL ever be made, it dies within a minute.
SIGNED_URL_SECONDS: Final = 60
# An object read for a download is buffered in memory up to this size, then in a temporary
# file (a campaign's zip can be large).
READ_BUFFER_BYTES: Final = 16 * 1024 * 1024
ENCRYPTIONS: Final = ("", "AES256", "aws:kms")
ADDRESSING_STYLES: Final = ("", "auto", "path", "virtual")


def _choice(env: Env, name: str, allowed: tuple[str, ...]) -> str:
    value = env.str(name, "")
    if value not in allowed:
        choices = ", ".join(repr(item) for item in allowed if item)
        raise ImproperlyConfiguredEnv(f"{name}={value!r} is not one of: {choices} (or empty).")
    return value


def s3_client_config(*, addressing_style: str | None) -> Config:
    """botocore's client settings: SigV4, bounded timeouts and retries (a dead endpoint
    fails a request in seconds rather than holding a worker), and checksums only where the
    API requires them (several S3-compatible providers refuse the newer default ones)."""
    return Config(
        s3={"addressing_style": addressing_style},
        signature_version="s3v4",
        connect_timeout=5,
        read_timeout=60,
        retries={"max_attempts": 3, "mode": "standard"},
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )


def s3_object_parameters(*, encryption: str, kms_key_id: str) -> dict[str, str]:
    """The server-side encryption every write asks for, if any."""
    if not encryption:
        return {}
    parameters = {"ServerSideEncryption": encryption}
    if encryption == "aws:kms" and kms_key_id:
        parameters["SSEKMSKeyId"] = kms_key_id
    return parameters


def s3_options(env: Env) -> dict[str, Any]:
    """The S3Storage options shared by every alias, read from the PORTAL_S3_* variables;
    the access key and secret are required once a bucket is named."""
    env.require("PORTAL_S3_ACCESS_KEY_ID", "PORTAL_S3_SECRET_ACCESS_KEY")
    encryption = _choice(env, "PORTAL_S3_SERVER_SIDE_ENCRYPTION", ENCRYPTIONS)
    return {
        "bucket_name": env.str("PORTAL_S3_BUCKET"),
        "endpoint_url": env.str("PORTAL_S3_ENDPOINT_URL", "") or None,
        "region_name": env.str("PORTAL_S3_REGION", "") or None,
        "access_key": env.str("PORTAL_S3_ACCESS_KEY_ID"),
        "secret_key": env.str("PORTAL_S3_SECRET_ACCESS_KEY"),
        # "private" (owner only) on every object; empty for a bucket whose ACLs are
        # disabled (AWS « bucket owner enforced »), where the bucket policy decides.
        "default_acl": env.str("PORTAL_S3_DEFAULT_ACL", "private") or None,
        "object_parameters": s3_object_parameters(
            encryption=encryption, kms_key_id=env.str("PORTAL_S3_KMS_KEY_ID", "")
        ),
        "querystring_auth": True,
        "querystring_expire": SIGNED_URL_SECONDS,
        "custom_domain": None,
        # Two uploads under one name keep both (the second gets a suffix), as on disk.
        "file_overwrite": False,
        "max_memory_size": READ_BUFFER_BYTES,
        "client_config": s3_client_config(
            addressing_style=_choice(env, "PORTAL_S3_ADDRESSING_STYLE", ADDRESSING_STYLES) or None
        ),
    }


def object_storages(env: Env) -> dict[str, dict[str, Any]]:
    """settings.STORAGES entries for ``private`` and ``exports`` on the bucket
    PORTAL_S3_BUCKET names, each under its prefix; empty when no bucket is named (the
    local directories stay)."""
    if not env.str("PORTAL_S3_BUCKET", ""):
        return {}
    options = s3_options(env)
    return {
        alias: {"BACKEND": S3_BACKEND, "OPTIONS": {**options, "location": prefix}}
        for alias, prefix in PREFIXES.items()
    }
