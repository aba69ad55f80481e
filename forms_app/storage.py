"""Private storage for answers' files: outside MEDIA_URL, served only by a checking view."""

from django.core.files.storage import Storage, storages


def private_storage() -> Storage:
    """The ``private`` storage of settings.STORAGES (a callable, so tests can swap it)."""
    return storages["private"]
