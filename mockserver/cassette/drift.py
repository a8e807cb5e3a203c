"""The drift check: does every recorded response still keep the contract?

For each interaction of a cassette (``/_mock/...`` controls skipped):

(a) the response body against ``schemas/`` (``response_check``: route, status, shape);
(b) every item of an error body against the fidelity manifest (``schemas/fidelity.json``): its
    ``(status, code)`` pair must be one a rule lists (a rule naming ``endpoints`` counts only on
    those), its ``source.pointer`` one the manifest gives for it (when it gives pointers), its
    title the verbatim title ``mockserver/errors.py`` has for that code, its ``meta.url`` the
    code's documentation page;
(c) the request -> response rules decidable from the recorded request alone (``drift_rules``).

Each finding is a :class:`Divergence` naming the cassette and the interaction number (1-based).
The checks assume the emulator's default settings, which are the live API's documented limits.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from mockserver import errors, response_check, schemas
from mockserver.cassette import format as cformat
from mockserver.cassette.drift_rules import Exchange, Finding, request_rules
from mockserver.operations.phone_numbers import NUMBER_PATCH_SCHEMA
from mockserver.routes import DATA_PLANE
from mockserver.rules.jobs import SCHEMA_BY_TYPE
from mockserver.rules.shape import VOICE_SCHEMA

#: the title of each code in ``mockserver/errors.py``; rules that use another title of the same
#: code (the catalogue's 10015 is several errors) are listed in ``_RULE_TITLES``
_CODE_TITLES = {
    errors.BAD_REQUEST: errors.T_BAD_REQUEST,
    errors.NOT_FOUND: errors.T_NOT_FOUND,
    errors.AUTH_FAILED: errors.T_AUTH_FAILED,
    errors.AUTHZ_FAILED: errors.T_AUTHZ_FAILED,
    errors.NOT_E164: errors.T_NOT_E164,
    errors.INVALID_JSON: errors.T_INVALID_JSON,
    errors.UNEXPECTED: errors.T_UNEXPECTED,
    errors.TOO_MANY_REQUESTS: errors.T_TOO_MANY,
}
_RULE_TITLES = {
    "R-METHOD": errors.T_METHOD_NOT_ALLOWED,
    "R-CONTENT-TYPE": errors.T_UNSUPPORTED_MEDIA,
    "R-BODY-SIZE": errors.T_TOO_LARGE,
    "Q-PAGE": errors.T_INVALID_PAGINATION,
    "Q-SORT": errors.T_INVALID_SORT,
}
_CASSETTE_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Divergence:
    """One way a recorded exchange breaks the contract."""

    cassette: str
    number: int  # 1-based interaction number
    method: str
    path: str
    status: int
    message: str
    rule: str | None = None  # the fidelity-manifest rule it breaks, when one does

    def __str__(self) -> str:
        tag = f" [{self.rule}]" if self.rule else ""
        return (
            f"{self.cassette} #{self.number} {self.method} {self.path} -> {self.status}: "
            f"{self.message}{tag}"
        )


@dataclass(frozen=True)
class ErrorRule:
    """A manifest rule that names an error (status and code)."""

    id: str
    status: int
    code: str
    endpoints: frozenset[str] | None
    pointer: str | None
    parameter: str | None
    title: str


@cache
def error_rules() -> tuple[ErrorRule, ...]:
    doc = json.loads((schemas.schemas_dir() / "fidelity.json").read_text(encoding="utf-8"))
    out = []
    for rule in doc["rules"]:
        if "status" not in rule or "code" not in rule:
            continue
        endpoints = rule.get("endpoints")
        out.append(
            ErrorRule(
                id=rule["id"],
                status=int(rule["status"]),
                code=rule["code"],
                endpoints=frozenset(endpoints) if endpoints else None,
                pointer=rule.get("pointer"),
                parameter=rule.get("parameter"),
                title=rule.get("title")  # the manifest's own, where the code's usual one differs
                or _RULE_TITLES.get(rule["id"], _CODE_TITLES.get(rule["code"], "")),
            )
        )
    return tuple(out)


@cache
def _routes() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The data plane's path templates, in the app's order (the first match wins)."""
    # the manifest's spelling: {id}, not the app's {id:telnyx_job_id} convertor
    paths = dict.fromkeys(row.path for row in DATA_PLANE)
    templates = [re.sub(r"\{(\w+):\w+\}", r"{\1}", path) for path in paths]
    return tuple(
        (t, re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(t)) + "$"))
        for t in templates
    )


def route_of(path: str) -> str | None:
    """The route template (``/phone_numbers/{id}``) a path (``/v2`` or not) belongs to."""
    bare = response_check.api_path(path)
    return next((t for t, pattern in _routes() if pattern.match(bare)), None)


# -- pointers -----------------------------------------------------------------------------------
def _segments(pointer: str) -> list[str]:
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]


def _deref(node: Any, doc: str) -> tuple[Any, str]:
    while isinstance(node, dict) and "$ref" in node:
        file, _, fragment = node["$ref"].partition("#")
        doc = file or doc
        node = schemas.document(doc)
        for part in _segments(fragment):
            node = node[part]
    return node, doc


def schema_defines(schema_name: str, pointer: str) -> bool:
    """Whether ``pointer`` names a place in a body the request schema describes."""
    if not pointer.startswith("/"):
        return False
    node: Any = schemas.document(schema_name)
    doc = schema_name
    for segment in _segments(pointer):
        node, doc = _deref(node, doc)
        if not isinstance(node, dict):
            return False
        properties = node.get("properties", {})
        if segment in properties:
            node = properties[segment]
        elif segment.isdigit() and isinstance(node.get("items"), dict):
            node = node["items"]
        else:
            return False
    return True


#: request bodies of the PATCH routes (jobs: ``SCHEMA_BY_TYPE``)
_PATCH_SCHEMAS = {
    "PATCH /phone_numbers/{id}": NUMBER_PATCH_SCHEMA,
    "PATCH /phone_numbers/{id}/voice": VOICE_SCHEMA,
}


def _request_schema(endpoint: str | None) -> str | None:
    """The schema of the endpoint's request body, which ``/<field>`` pointers must name."""
    if endpoint is None:
        return None
    if endpoint.startswith("POST /phone_numbers/jobs/"):
        return SCHEMA_BY_TYPE.get(endpoint.rsplit("/", 1)[1])
    return _PATCH_SCHEMAS.get(endpoint)


def pointer_matches(template: str, pointer: str, request_schema: str | None = None) -> bool:
    """Does a pointer fit a manifest template (``/phone_numbers/<index>``, ``/voice/...``,
    ``/<field>``: a field of the endpoint's request schema)?"""
    if template == "/<field>":
        if request_schema is not None:
            return schema_defines(request_schema, pointer)
        return pointer.startswith("/") and len(pointer) > 1
    pattern = re.escape(template).replace(r"\.\.\.", ".+")
    pattern = pattern.replace("<index>", "[0-9]+")
    pattern = re.sub(r"<[^>]+>", "[^/]+", pattern)
    return re.fullmatch(pattern, pointer) is not None


# -- (b) error items against the manifest -------------------------------------------------------
def _field(item: dict[str, Any], outer: str, inner: str) -> Any:
    value = item.get(outer)
    return value.get(inner) if isinstance(value, dict) else None


def error_problems(endpoint: str | None, status: int, payload: Any) -> Iterator[Finding]:
    """(message, rule id) for each way an error body's items break the manifest."""
    items = payload.get("errors") if isinstance(payload, dict) else None
    if not isinstance(items, list):
        return
    schema = _request_schema(endpoint)
    here = f"on {endpoint}" if endpoint else "on an unknown route"
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("code"), str):
            continue  # the schema check reports it
        code, at = item["code"], f"/errors/{index}"
        rules = [
            r for r in error_rules()
            if r.status == status and r.code == code
            and (r.endpoints is None or (endpoint is not None and endpoint in r.endpoints))
        ]  # fmt: skip
        if not rules:
            yield (
                f"expected an error the fidelity manifest lists {here} at {at}, received "
                f"status {status} with code {code} (no rule gives that pair)",
                None,
            )
            continue
        pointer = _field(item, "source", "pointer")
        pointed = [r for r in rules if r.pointer is not None]
        if isinstance(pointer, str) and pointed:
            fits = [r for r in pointed if pointer_matches(r.pointer or "", pointer, schema)]
            if fits:
                rules = fits
            else:
                given = ", ".join(sorted({repr(r.pointer) for r in pointed}))
                yield (
                    f"expected source.pointer {given} at {at}/source/pointer for {status} {code} "
                    f"{here}, received {pointer!r}",
                    "/".join(sorted({r.id for r in pointed})),
                )
        elif pointer is None and len(pointed) == len(rules):
            yield (
                f"expected a source.pointer at {at}/source for {status} {code} {here} "
                f"(every rule gives one), received none",
                "/".join(sorted({r.id for r in rules})),
            )
        titles = sorted({r.title for r in rules})
        if item.get("title") not in titles:
            yield (
                f"expected title {' or '.join(map(repr, titles))} at {at}/title (verbatim, "
                f"mockserver/errors.py), received {item.get('title')!r}",
                "/".join(sorted({r.id for r in rules})),
            )
        url = errors.DOCS_URL.format(code=code)
        if _field(item, "meta", "url") != url:
            yield (
                f"expected {url!r} at {at}/meta/url, received {_field(item, 'meta', 'url')!r}",
                "R-ERROR-ENVELOPE",
            )


# -- one interaction, one cassette, many files ---------------------------------------------------
def _json(text: str | None) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested too deeply to read
        return None


def _schema_problems(method: str, path: str, status: int, body: str) -> list[str]:
    return response_check.problems(method, path, status, body.encode())  # deep bodies included


def check_interaction(interaction: cformat.Interaction) -> list[Finding]:
    """(message, rule id) for every divergence of one recorded exchange."""
    req, resp = interaction.request, interaction.response
    parts = urlsplit(req.uri)
    path = parts.path or "/"
    if response_check.api_path(path).startswith("/_mock"):
        return []
    where = f"{req.method} {path} -> {resp.status}: "
    found: list[Finding] = [
        (p.removeprefix(where), None)
        for p in _schema_problems(req.method, path, resp.status, resp.body)
    ]
    template = route_of(path)
    endpoint = f"{req.method} {template}" if template else None
    payload = _json(resp.body)
    if resp.status >= 400:
        found.extend(error_problems(endpoint, resp.status, payload))
    exchange = Exchange(
        method=req.method,
        endpoint=endpoint,
        path=response_check.api_path(path),
        query=parse_qsl(parts.query, keep_blank_values=True),
        body_text=req.body,
        body=_json(req.body),
        status=resp.status,
        payload=payload,
    )
    found.extend(request_rules(exchange))
    return found


def check_cassette(cassette: cformat.Cassette, name: str) -> list[Divergence]:
    out: list[Divergence] = []
    for number, interaction in enumerate(cassette.interactions, 1):
        path = urlsplit(interaction.request.uri).path or "/"
        for message, rule in check_interaction(interaction):
            out.append(
                Divergence(
                    cassette=name,
                    number=number,
                    method=interaction.request.method,
                    path=path,
                    status=interaction.response.status,
                    message=message,
                    rule=rule,
                )
            )
    return out


def expand(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Files as given; a directory stands for every ``.yaml``/``.yml`` under it (sorted).
    ``CassetteError`` for a missing path or a directory without cassettes."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix in _CASSETTE_SUFFIXES)
            if not found:
                raise cformat.CassetteError(f"{path}: no cassettes (*.yaml, *.yml) in this folder")
            out.extend(found)
        elif path.is_file():
            out.append(path)
        else:
            raise cformat.CassetteError(f"{path}: no such file or folder")
    return out


def check_file(path: str | os.PathLike[str]) -> list[Divergence]:
    """Divergences of one cassette file; ``CassetteError`` (message names the file) when it
    cannot be read or is not a cassette."""
    try:
        cassette = cformat.load(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise cformat.CassetteError(f"{path}: cannot read: {exc}") from None
    except cformat.CassetteError as exc:
        raise cformat.CassetteError(f"{path}: {exc}") from None
    return check_cassette(cassette, str(path))


def check_paths(paths: Iterable[str | os.PathLike[str]]) -> list[Divergence]:
    """Every divergence in these cassettes (folders expanded); ``CassetteError`` on the first
    file that cannot be read."""
    return [d for path in expand(paths) for d in check_file(path)]
