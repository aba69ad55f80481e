"""The one typed reader of environment variables used by every settings module.

Every variable the portal reads goes through :class:`Env`, so that a malformed value stops
start-up with the variable's name instead of being silently misread (``"False"`` read as
true, ``DEBUG=maybe`` read as anything).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Final

from django.core.exceptions import ImproperlyConfigured

_TRUE: Final = frozenset({"1", "true", "yes", "on", "oui"})
_FALSE: Final = frozenset({"0", "false", "no", "off", "non", ""})
_MISSING: Final = object()


class ImproperlyConfiguredEnv(ImproperlyConfigured):
    """Raised when a variable is missing or cannot be read as its declared type."""


class Env:
    """Reads typed values from an environment mapping (``os.environ`` by default)."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self._environ = os.environ if environ is None else environ

    def _raw(self, name: str, default: object) -> str | object:
        value = self._environ.get(name)
        if value is None:
            if default is _MISSING:
                raise ImproperlyConfiguredEnv(f"{name} is required and is not set.")
            return default
        return value.strip()

    def str(self, name: str, default: str | object = _MISSING) -> str:
        return self._raw(name, default)  # type: ignore[return-value]

    def bool(self, name: str, default: bool | object = _MISSING) -> bool:
        raw = self._raw(name, default)
        if not isinstance(raw, str):
            return raw  # type: ignore[return-value]
        lowered = raw.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ImproperlyConfiguredEnv(
            f"{name}={raw!r} is not a boolean (expected one of: true, false, 1, 0, yes, no)."
        )

    def int(self, name: str, default: int | object = _MISSING) -> int:
        raw = self._raw(name, default)
        if not isinstance(raw, str):
            return raw  # type: ignore[return-value]
        try:
            return int(raw)
        except ValueError:
            raise ImproperlyConfiguredEnv(f"{name}={raw!r} is not an integer.") from None

    def list(self, name: str, default: list[str] | object = _MISSING) -> list[str]:
        """A comma-separated list; blanks are dropped."""
        raw = self._raw(name, default)
        if not isinstance(raw, str):
            return list(raw)  # type: ignore[call-overload]
        return [item.strip() for item in raw.split(",") if item.strip()]

    def require(self, *names: str) -> None:
        """Stops start-up naming every variable of ``names`` that is missing or empty."""
        missing = [name for name in names if not self._environ.get(name, "").strip()]
        if missing:
            raise ImproperlyConfiguredEnv(
                "Missing required environment variable(s): " + ", ".join(missing) + "."
            )


env = Env()
