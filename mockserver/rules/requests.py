"""The rules every request body meets before its own endpoint's rules: size, content type, JSON.

In the manifest's order: R-BAD-JSON, R-CONTENT-TYPE, R-BODY-SIZE, R-DEPTH (R-NOT-OBJECT is the
first shape rule, in :mod:`mockserver.rules.shape`). They run in the order of
:func:`mockserver.http.common.read_json`: size (declared, then streamed), content type, JSON.
"""

from __future__ import annotations

import json
from typing import Any

from mockserver import errors


def _invalid_json(detail: str) -> errors.ApiError:
    return errors.error(400, errors.INVALID_JSON, errors.T_INVALID_JSON, detail)


def _reject_constant(name: str) -> Any:
    raise ValueError(name)  # NaN, Infinity, -Infinity: not JSON


def _unicode_ok(value: Any) -> bool:
    """False when any string (or key) holds a lone surrogate, which no response could encode."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            try:
                node.encode("utf-8")
            except UnicodeEncodeError:
                return False
        elif isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return True


def r_bad_json(raw: bytes, max_depth: int) -> Any:
    """R-BAD-JSON: the body as JSON; not UTF-8, not JSON, NaN/Infinity or a lone surrogate is a
    400 (a body too deep to parse, or deeper than ``max_depth``, is R-DEPTH's)."""
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except RecursionError:
        raise _invalid_json(errors.D_TOO_DEEP) from None
    except ValueError:  # JSONDecodeError and UnicodeDecodeError
        raise _invalid_json(errors.D_INVALID_JSON) from None
    r_depth(raw, body, max_depth)
    if b"\\u" in raw and not _unicode_ok(body):  # only escapes can make lone surrogates
        raise _invalid_json(errors.D_SURROGATE)
    return body


def r_content_encoding(coding: str | None) -> None:
    """R-CONTENT-ENCODING: a body under any content coding but ``identity`` (gzip, deflate, br
    ...) -> 415 with ``Accept-Encoding: identity`` (RFC 9110 15.5.16); never read as JSON."""
    codings = [c.strip().lower() for c in (coding or "").split(",")]
    if any(c not in ("", "identity") for c in codings):
        err = errors.error(
            415, errors.BAD_REQUEST, errors.T_UNSUPPORTED_MEDIA, errors.D_CONTENT_ENCODING
        )
        err.headers = {"Accept-Encoding": "identity"}
        raise err


def r_content_type(content_type: str | None) -> None:
    """R-CONTENT-TYPE: a body sent as anything but JSON is a 415 (no content type: read as
    JSON)."""
    if not content_type:
        return  # lenient: a body without a content type is read as JSON
    media = content_type.split(";", 1)[0].strip().lower()
    if media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    ):
        return
    raise errors.error(415, errors.BAD_REQUEST, errors.T_UNSUPPORTED_MEDIA, errors.D_CONTENT_TYPE)


def r_body_size(size: int, limit: int, declared: str | None = None) -> None:
    """R-BODY-SIZE: over ``limit`` bytes is a 413, from ``Content-Length`` (``declared``) before
    reading and from the bytes read (``size``) while streaming."""
    too_large = size > limit or (
        declared is not None
        and declared.isascii()
        and declared.isdigit()
        and (len(declared) > 18 or int(declared) > limit)
    )
    if too_large:
        detail = errors.D_TOO_LARGE.format(limit=limit)
        raise errors.error(413, errors.BAD_REQUEST, errors.T_TOO_LARGE, detail)


def _depth_ok(value: Any, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return False
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return True


def r_depth(raw: bytes, body: Any, limit: int) -> None:
    """R-DEPTH: JSON nested deeper than ``limit`` levels is a 400."""
    # nesting needs brackets: a body with few of them cannot be too deep (skips the walk)
    brackets = raw.count(b"[") + raw.count(b"{")
    if brackets > limit and not _depth_ok(body, limit):
        raise _invalid_json(errors.D_TOO_DEEP)
