"""Redaction: secrets are scrubbed from an interaction before it is kept, so never reach disk.

By default the ``Authorization``, ``Proxy-Authorization``, ``Cookie``, ``Set-Cookie`` and
``X-Api-Key`` headers, every ``external_pin`` JSON field (request and response bodies, at any
depth, found in the parsed document: ``mockserver/scrub.py``) and any ``user:password@`` in a
URI, which is removed; more headers, query parameters and JSON fields can be configured. A form
body (``application/x-www-form-urlencoded``) has its named fields and parameters redacted too.
Besides named places, every secret value seen in a redacted header (the API key behind
``Bearer``, a cookie's value of 16 characters or more) or in a URI's user information is
scrubbed wherever else it appears in the interaction: URI, headers and bodies.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from mockserver import scrub
from mockserver.cassette.format import Headers, Interaction, RecordedRequest, RecordedResponse

PLACEHOLDER = scrub.PLACEHOLDER
DEFAULT_HEADERS = scrub.SECRET_HEADERS
DEFAULT_JSON_FIELDS = scrub.SECRET_FIELDS
_MIN_SECRET = 4  # shorter values would scrub ordinary text
_MIN_COOKIE = 16  # cookie values are often short words ("true", "en"): only long ones, elsewhere
_COOKIES = frozenset({"cookie", "set-cookie"})
_FORM = "application/x-www-form-urlencoded"


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
        secrets |= {s for s in scrub.userinfo(req.uri) if len(s) >= _MIN_SECRET}
        req = RecordedRequest(
            method=req.method,
            uri=self._scrub(self._uri(scrub.without_userinfo(req.uri)), secrets),
            headers=self._headers(req.headers, secrets),
            body=None
            if req.body is None
            else self._scrub(self._body(req.body, req.headers), secrets),
        )
        resp = RecordedResponse(
            status=resp.status,
            message=resp.message,
            headers=self._headers(resp.headers, secrets),
            body=self._scrub(self._body(resp.body, resp.headers), secrets),
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

    def _body(self, body: str, headers: Headers) -> str:
        """Every body is read as JSON (the parsed document decides, not its spelling); a form
        body by its fields; anything else is kept as it is (minus the scrubbed secrets)."""
        if not body:
            return body
        if _media_type(headers) == _FORM:
            return self._form(body)
        found = scrub.json_text(body, self.json_fields, self.placeholder)
        return body if found is None else found

    def _form(self, body: str) -> str:
        names = self.json_fields | self.query
        pairs = parse_qsl(body, keep_blank_values=True)
        if not any(k in names for k, _ in pairs):
            return body
        return urlencode([(k, self.placeholder if k in names else v) for k, v in pairs])

    def _scrub(self, text: str, secrets: set[str]) -> str:
        for secret in sorted(secrets, key=len, reverse=True):
            text = text.replace(secret, self.placeholder)
        return text


def _media_type(headers: Headers) -> str:
    for name, values in headers.items():
        if name.lower() == "content-type" and values:
            return values[0].split(";", 1)[0].strip().lower()
    return ""


def _cookie_values(name: str, value: str) -> list[str]:
    """``a=1; b=2`` (Cookie) or ``a=1; Path=/`` (Set-Cookie: the first pair only)."""
    pairs = value.split(";")[:1] if name == "set-cookie" else value.split(";")
    return [pair.partition("=")[2].strip() for pair in pairs]


def _secrets(headers: Headers, names: frozenset[str]) -> set[str]:
    found: set[str] = set()
    for name, values in headers.items():
        lowered = name.lower()
        if lowered not in names:
            continue
        for value in values:
            if lowered in _COOKIES:
                found.update(v for v in _cookie_values(lowered, value) if len(v) >= _MIN_COOKIE)
                continue
            for part in (value, value.partition(" ")[2]):  # "Bearer KEY" -> the key, too
                if len(part.strip()) >= _MIN_SECRET:
                    found.add(part.strip())
    return found
