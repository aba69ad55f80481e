"""The portal's password hasher: Argon2id with OWASP's parameters (settings.PASSWORD_HASHERS)."""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class PortalArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id, 19 MiB, 2 passes, one lane: OWASP's first recommended setting (Password
    Storage Cheat Sheet). Django's defaults (100 MiB, 8 lanes) cost ~200 ms of CPU per
    sign-in here (8 threads on 2 cores), PBKDF2's 1 000 000 iterations ~260 ms; this costs
    ~22 ms, so a wave of sign-ins no longer holds the web workers (bench/pages.py). A hash
    made with other parameters is rewritten at its owner's next sign-in (``must_update``)."""

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
