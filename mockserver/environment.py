"""``TELNYX_MOCK_*`` environment variables: defaults for ``telnyx-mock serve``'s options.

Each variable is read as its option's value would be (the same checks, the same messages, naming
the variable); the command line wins over the environment, the environment over the built-in
default. A flag variable takes ``1``/``true``/``yes``/``on`` or ``0``/``false``/``no``/``off``.
``TELNYX_MOCK_API_KEYS`` is a comma-separated allowlist.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from typing import Any

#: variable -> (the option's dest, what the variable holds)
VARIABLES: dict[str, tuple[str, str]] = {
    "TELNYX_MOCK_HOST": ("host", "value"),
    "TELNYX_MOCK_PORT": ("port", "value"),
    "TELNYX_MOCK_SEED": ("seed", "value"),
    "TELNYX_MOCK_FIXTURES": ("fixtures", "value"),
    "TELNYX_MOCK_API_KEYS": ("api_key", "list"),  # read by settings_from when no --api-key
    "TELNYX_MOCK_MANUAL_CLOCK": ("manual_clock", "flag"),
    "TELNYX_MOCK_INSTANT": ("instant", "flag"),
    "TELNYX_MOCK_PENDING_DELAY": ("pending_delay", "value"),
    "TELNYX_MOCK_NUMBERS_PER_SECOND": ("numbers_per_second", "value"),
    "TELNYX_MOCK_ALLOW_MIXED": ("allow_mixed", "flag"),
    "TELNYX_MOCK_MAX_NUMBERS": ("max_numbers", "value"),
    "TELNYX_MOCK_RATE_LIMIT": ("rate_limit", "value"),
    "TELNYX_MOCK_NO_CONTROL": ("no_control", "flag"),
    "TELNYX_MOCK_ACCESS_LOG": ("access_log", "flag"),
    "TELNYX_MOCK_LOG_FORMAT": ("log_format", "value"),
    "TELNYX_MOCK_LOG_LEVEL": ("log_level", "value"),
    "TELNYX_MOCK_QUIET": ("quiet", "flag"),
    "TELNYX_MOCK_TENANT_IDLE": ("tenant_idle", "value"),
    "TELNYX_MOCK_MAX_TENANTS": ("max_tenants", "value"),
    "TELNYX_MOCK_MAX_JOBS": ("max_jobs", "value"),
    "TELNYX_MOCK_STATE": ("state", "value"),
    "TELNYX_MOCK_STATE_INTERVAL": ("state_interval", "value"),
}
EPILOG = (
    "Environment variables give defaults (the command line wins): "
    + ", ".join(VARIABLES)
    + " (a flag: 1/true/yes/on or 0/false/no/off; TELNYX_MOCK_API_KEYS: comma-separated)."
)
#: where a list variable's value goes (``settings_from`` uses it when the option is not given)
ENV_LIST_PREFIX = "environment_"
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def _flag(text: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise argparse.ArgumentTypeError(f"expected 1, true, yes, on, 0, false, no or off: {text!r}")


def _convert(action: argparse.Action, text: str) -> Any:
    """``text`` as the option would read it (its type and choices)."""
    convert: Callable[[str], Any] = action.type if callable(action.type) else str
    try:
        value = convert(text)
    except (TypeError, ValueError):
        raise argparse.ArgumentTypeError(f"invalid value: {text!r}") from None
    if action.choices is not None and value not in action.choices:
        choices = ", ".join(map(str, action.choices))
        raise argparse.ArgumentTypeError(f"invalid choice: {text!r} (choose from {choices})")
    return value


def apply(parser: argparse.ArgumentParser, environ: Mapping[str, str]) -> None:
    """Set ``parser``'s defaults from ``environ``; a bad value is ``parser.error`` (exit 2)."""
    actions = {action.dest: action for action in parser._actions}
    defaults: dict[str, Any] = {}
    for name, (dest, kind) in VARIABLES.items():
        text = environ.get(name)
        if text is None or text == "" or dest not in actions:
            continue
        try:
            if kind == "flag":
                defaults[dest] = _flag(text)
            elif kind == "list":  # its own dest: appended --api-key options replace, not extend
                defaults[ENV_LIST_PREFIX + dest] = [k.strip() for k in text.split(",") if k.strip()]
            else:
                defaults[dest] = _convert(actions[dest], text)
        except argparse.ArgumentTypeError as exc:
            parser.error(f"environment variable {name}: {exc}")
    parser.set_defaults(**defaults)
