"""The cassette file: VCR.py-compatible YAML (format version 1), loaded with ``yaml.safe_load``.

One interaction per exchange, in the order they happened::

    interactions:
    - request:  {method: POST, uri: https://api.telnyx.com/v2/..., body: '{...}',
                 headers: {Content-Type: [application/json]}}
      response: {status: {code: 202, message: Accepted}, headers: {...}, body: {string: '{...}'}}
    version: 1

Header values are lists (as VCR.py writes them). Bodies are text; VCR.py's ``!!binary`` bodies
(gzip/deflate ones decoded), its older ``content`` and ``status_code`` response keys are accepted
on load. Writing is atomic (temp file, rename), so a reader never sees half a cassette.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import secrets
import stat
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

VERSION = 1

Headers = dict[str, list[str]]


class CassetteError(ValueError):
    """A cassette file that is not valid YAML or not a version-1 VCR cassette."""


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    uri: str
    headers: Headers = field(default_factory=dict)
    body: str | None = None

    def header(self, name: str) -> str | None:
        return _first(self.headers, name)


@dataclass(frozen=True)
class RecordedResponse:
    status: int
    message: str = ""
    headers: Headers = field(default_factory=dict)
    body: str = ""

    def header(self, name: str) -> str | None:
        return _first(self.headers, name)


@dataclass(frozen=True)
class Interaction:
    request: RecordedRequest
    response: RecordedResponse


@dataclass
class Cassette:
    interactions: list[Interaction] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.interactions)


def _first(headers: Mapping[str, list[str]], name: str) -> str | None:
    wanted = name.lower()
    for key, values in headers.items():
        if key.lower() == wanted and values:
            return values[0]
    return None


def headers_from(pairs: Iterable[tuple[str, str]]) -> Headers:
    """Group ``(name, value)`` pairs into VCR's ``{name: [values]}``, keeping first spellings."""
    out: Headers = {}
    spelled: dict[str, str] = {}
    for name, value in pairs:
        key = spelled.setdefault(name.lower(), name)
        out.setdefault(key, []).append(value)
    return out


def _text(value: Any, where: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise CassetteError(f"{where}: body is not UTF-8") from None
    if isinstance(value, str):
        return value
    raise CassetteError(f"{where}: expected a string body, found {type(value).__name__}")


def _headers(value: Any, where: str) -> Headers:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise CassetteError(f"{where}: headers must be a mapping")
    out: Headers = {}
    for name, values in value.items():
        items = values if isinstance(values, list) else [values]
        out[str(name)] = [str(v) for v in items]
    return out


def _interaction(raw: Any, number: int) -> Interaction:
    where = f"interaction {number}"
    if not isinstance(raw, Mapping) or not isinstance(raw.get("request"), Mapping):
        raise CassetteError(f"{where}: expected a mapping with request and response")
    req, resp = raw["request"], raw.get("response")
    if not isinstance(resp, Mapping):
        raise CassetteError(f"{where}: expected a response mapping")
    status = resp.get("status")
    # vcrpy's older httpx cassettes: top-level status_code and content
    code = status.get("code") if isinstance(status, Mapping) else resp.get("status_code")
    if not isinstance(code, int) or isinstance(code, bool):
        raise CassetteError(f"{where}: response status code must be an integer")
    if not isinstance(req.get("method"), str) or not isinstance(req.get("uri"), str):
        raise CassetteError(f"{where}: request needs a method and a uri")
    body = resp.get("body")
    text = body.get("string") if isinstance(body, Mapping) else resp.get("content", body)
    message = status.get("message") if isinstance(status, Mapping) else ""
    headers = _headers(resp.get("headers"), where)
    if isinstance(text, bytes):
        text, headers = _decoded(text, headers, where)
    return Interaction(
        RecordedRequest(
            method=req["method"].upper(),
            uri=req["uri"],
            headers=_headers(req.get("headers"), where),
            body=_text(req.get("body"), where),
        ),
        RecordedResponse(
            status=code,
            message=str(message or ""),
            headers=headers,
            body=_text(text, where) or "",
        ),
    )


def _decoded(body: bytes, headers: Headers, where: str) -> tuple[bytes, Headers]:
    """A compressed ``!!binary`` body (vcrpy keeps httpx's raw bytes) decoded, its header gone."""
    encoding = (_first(headers, "content-encoding") or "").strip().lower()
    if encoding in ("", "identity"):
        return body, headers
    try:
        if encoding in ("gzip", "x-gzip"):
            body = gzip.decompress(body)
        elif encoding == "deflate":
            try:
                body = zlib.decompress(body)
            except zlib.error:
                body = zlib.decompress(body, -zlib.MAX_WBITS)  # raw deflate
        else:
            raise CassetteError(f"{where}: cannot decode a {encoding!r} response body")
    except (OSError, EOFError, zlib.error):
        raise CassetteError(f"{where}: the {encoding} response body is corrupt") from None
    dropped = ("content-encoding", "content-length")
    return body, {k: v for k, v in headers.items() if k.lower() not in dropped}


def loads(text: str) -> Cassette:
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CassetteError(f"not valid YAML: {_yaml_problem(exc)}") from None
    if doc is None:
        return Cassette()
    if not isinstance(doc, Mapping):
        raise CassetteError("a cassette is a mapping with 'interactions' and 'version'")
    if "interactions" not in doc:
        found = ", ".join(repr(str(k)) for k in list(doc)[:5]) or "none"
        raise CassetteError(
            f"not a cassette: no 'interactions' list at the top level (keys found: {found})"
        )
    if doc.get("version", VERSION) != VERSION:
        raise CassetteError(f"unsupported cassette version {doc.get('version')!r}")
    raw = doc.get("interactions") or []
    if not isinstance(raw, list):
        raise CassetteError("'interactions' must be a list")
    return Cassette([_interaction(item, n) for n, item in enumerate(raw, 1)])


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """One line: what PyYAML found wrong and where (its own message spans several lines)."""
    problem = getattr(exc, "problem", None)
    mark = getattr(exc, "problem_mark", None)
    if problem is None:
        return " ".join(str(exc).split())
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
    return f"{problem}{where}"


def load(path: str | os.PathLike[str]) -> Cassette:
    """Read a cassette; ``FileNotFoundError`` if there is none (the record mode decides)."""
    return loads(Path(path).read_text(encoding="utf-8"))


def _item(i: Interaction) -> dict[str, Any]:
    return {
        "request": {
            "body": i.request.body,
            "headers": i.request.headers,
            "method": i.request.method,
            "uri": i.request.uri,
        },
        "response": {
            "body": {"string": i.response.body},
            "headers": i.response.headers,
            "status": {"code": i.response.status, "message": i.response.message},
        },
    }


def to_dict(cassette: Cassette) -> dict[str, Any]:
    return {"interactions": [_item(i) for i in cassette.interactions], "version": VERSION}


#: libyaml's emitter when PyYAML has it: the same text, several times faster
_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _yaml(value: Any) -> str:
    return yaml.dump(value, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=100)


def render(interaction: Interaction) -> str:
    """One interaction as the list item ``dumps`` writes for it (``- request: ...``)."""
    return _yaml([_item(interaction)])


def join(rendered: Iterable[str]) -> str:
    """The cassette text from rendered interactions: ``dumps`` without re-rendering them."""
    items = "".join(rendered)
    return f"interactions:\n{items}version: {VERSION}\n" if items else _yaml(to_dict(Cassette()))


def dumps(cassette: Cassette) -> str:
    return join(render(i) for i in cassette.interactions)


#: a temp file is created like ``open(path, "w")`` creates a file (mode 0o666 less the umask,
#: default ACLs applied), never following a planted symlink
_CREATE = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL
    | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
)  # fmt: skip


def _temp_beside(target: Path) -> tuple[int, Path]:
    for _ in range(100):
        tmp = target.parent / f".{target.name}.{secrets.token_hex(6)}"
        try:
            return os.open(tmp, _CREATE, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"{target.parent}: no free temporary file name for {target.name}")


def dump(cassette: Cassette, path: str | os.PathLike[str]) -> None:
    """Write atomically: a crash mid-write leaves the previous file (or none), never half of one.

    A file replaced keeps its permission bits; a new one gets what ``open()`` gives (0o666 less
    the umask), not the 0o600 of a ``mkstemp`` file."""
    write_text(dumps(cassette), path)


def write_text(text: str, path: str | os.PathLike[str]) -> None:
    """Cassette text written as ``dump`` writes it (atomically)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _temp_beside(target)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            with contextlib.suppress(FileNotFoundError):  # a new file keeps what os.open gave
                os.chmod(tmp, stat.S_IMODE(target.stat().st_mode))
            handle.write(text)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
