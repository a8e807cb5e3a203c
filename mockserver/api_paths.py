"""One path rule for every server mode (``serve``, ``replay``, ``record``): an API path is
answered with or without the ``/v2`` prefix (the live API's base is ``/v2``; the official SDK's
mock-server default is the root), and ``/_mock/...`` is never an API path."""

from __future__ import annotations

PREFIX = "/v2"
CONTROL = "/_mock"


def is_control(path: str) -> bool:
    return path == CONTROL or path.startswith(CONTROL + "/")


def api_path(path: str) -> str:
    """The path without the ``/v2`` prefix (``/v2/phone_numbers`` -> ``/phone_numbers``)."""
    if path == PREFIX:
        return "/"
    if path.startswith(PREFIX + "/"):
        return path[len(PREFIX) :]
    return path


def alternate(path: str) -> str | None:
    """The other spelling of an API path (with ``/v2`` if it had none, and the reverse);
    ``None`` for a control path or the root."""
    if is_control(path) or path in ("", "/"):
        return None
    if path == PREFIX or path.startswith(PREFIX + "/"):
        return api_path(path)
    return PREFIX + path


def upstream_path(base: str, path: str) -> str:
    """Where a proxy sends ``path`` below an upstream whose URL path is ``base``: the one
    ``/v2`` spelling of an API path, whichever the client used (``base`` ``/v2`` or none
    alike); control paths as they are."""
    base = base.rstrip("/")
    if is_control(path) or path in ("", "/"):
        return base + path
    rest = api_path(path)
    if base == PREFIX or base.endswith(PREFIX):
        return base + rest
    return base + PREFIX + ("" if rest == "/" else rest)
