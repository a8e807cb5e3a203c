"""Redaction: secrets are scrubbed from an interaction before it is kept, so never reach disk.

By default the ``Authorization`` header and every ``external_pin`` and ``pin`` (voicemail) JSON
field (request and response bodies, at any depth); more headers, query parameters and JSON
fields can be configured.
Besides named places, every secret value seen in a redacted header (the API key behind
``Bearer``) is scrubbed wherever else it appears in the interaction: URI, headers and bodies.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from mockserver.cassette.format import Headers, Interaction, RecordedRequest, RecordedResponse

PLACEHOLDER = "REDACTED"
DEFAULT_HEADERS = frozenset({"authorization"})
DEFAULT_JSON_FIELDS = frozenset({"external_pin", "pin"})  # pin: the voicemail PIN
_MIN_SECRET = 4  # shorter values would scrub ordinary text


@dataclass(frozen=True)
class Redactor:
    headers: frozenset[str] = DEFAULT_HEADERS
    query: frozenset[str] = frozenset()
    json_fields: frozenset[str] = DEFAULT_JSON_FIELDS
    placeholder: str = PLACEHOLDER

    def extended(
        self,
        headers: Iterable[str] = (),
        query: Iterable[str] = (),
        json_fields: Iterable[str] = (),
    ) -> Redactor:
        """This redactor plus more names (header names are case-insensitive)."""
        return replace(
            self,
            headers=self.headers | {h.lower() for h in headers},
            query=self.query | set(query),
            json_fields=self.json_fields | set(json_fields),
        )

    def request(self, request: RecordedRequest) -> RecordedRequest:
        """The request as it is matched and stored (secrets out); see ``interaction``."""
        return self.interaction(Interaction(request, RecordedResponse(0))).request

    def interaction(self, interaction: Interaction) -> Interaction:
        req, resp = interaction.request, interaction.response
        secrets = _secrets(req.headers, self.headers) | _secrets(resp.headers, self.headers)
        req = RecordedRequest(
            method=req.method,
            uri=self._scrub(self._uri(req.uri), secrets),
            headers=self._headers(req.headers, secrets),
            body=None if req.body is None else self._scrub(self._body(req.body), secrets),
        )
        resp = RecordedResponse(
            status=resp.status,
            message=resp.message,
            headers=self._headers(resp.headers, secrets),
            body=self._scrub(self._body(resp.body), secrets),
        )
        return Interaction(req, resp)

    def _headers(self, headers: Headers, secrets: set[str]) -> Headers:
        return {
            name: [self.placeholder] * len(values)
            if name.lower() in self.headers
            else [self._scrub(v, secrets) for v in values]
            for name, values in headers.items()
        }

    def _uri(self, uri: str) -> str:
        if not self.query:
            return uri
        parts = urlsplit(uri)
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        if not any(k in self.query for k, _ in pairs):
            return uri
        scrubbed = [(k, self.placeholder if k in self.query else v) for k, v in pairs]
        return urlunsplit(parts._replace(query=urlencode(scrubbed)))

    def _body(self, body: str) -> str:
        if not self.json_fields or not any(f in body for f in self.json_fields):
            return body
        try:
            doc = json.loads(body)
        except ValueError:
            return body
        scrubbed, changed = self._json(doc)
        if not changed:
            return body
        return json.dumps(scrubbed, separators=(",", ":"), ensure_ascii=False)

    def _json(self, value: Any) -> tuple[Any, bool]:
        if isinstance(value, dict):
            out, changed = {}, False
            for key, item in value.items():
                if key in self.json_fields and item is not None:
                    out[key], changed = self.placeholder, True
                else:
                    out[key], sub = self._json(item)
                    changed = changed or sub
            return out, changed
        if isinstance(value, list):
            items = [self._json(item) for item in value]
            return [i for i, _ in items], any(c for _, c in items)
        return value, False

    def _scrub(self, text: str, secrets: set[str]) -> str:
        for secret in sorted(secrets, key=len, reverse=True):
            text = text.replace(secret, self.placeholder)
        return text


def _secrets(headers: Headers, names: frozenset[str]) -> set[str]:
    found: set[str] = set()
    for name, values in headers.items():
        if name.lower() not in names:
            continue
        for value in values:
            for part in (value, value.partition(" ")[2]):  # "Bearer KEY" -> the key, too
                if len(part.strip()) >= _MIN_SECRET:
                    found.add(part.strip())
    return found
