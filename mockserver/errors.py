"""Domain errors and the verbatim texts of the Telnyx API.

Every error the emulator sends is an :class:`ApiError` rendered into the Telnyx envelope
``{"errors": [{"code", "title", "detail", "source", "meta"}]}``. Texts that the official spec or
the error catalogue give are copied verbatim; texts the sources do not give are marked as the
emulator's own wording in ``schemas/fidelity.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DOCS_URL = "https://developers.telnyx.com/docs/overview/errors/{code}"

# --- codes (error catalogue, CONTRACT.md §1.7) -------------------------------------------------
MISSING_PARAMETER = "10004"
NOT_FOUND = "10005"
INVALID_ID = "10006"
UNEXPECTED = "10007"
AUTH_FAILED = "10009"
AUTHZ_FAILED = "10010"
TOO_MANY_REQUESTS = "10011"
BAD_REQUEST = "10015"
NOT_E164 = "10016"
INVALID_JSON = "10023"

# --- titles ------------------------------------------------------------------------------------
T_BAD_REQUEST = "Bad Request"
T_AUTH_FAILED = "Authentication failed"
T_AUTHZ_FAILED = "Authorization Failed"
T_NOT_FOUND = "Resource not found"
T_NOT_E164 = "Phone number must be in +E.164 format"
T_INVALID_JSON = "Invalid JSON"
T_INVALID_PAGINATION = "Invalid pagination"
T_INVALID_SORT = "Invalid sorting value"
T_UNEXPECTED = "Unexpected error"
T_TOO_MANY = "Too many requests"
T_METHOD_NOT_ALLOWED = "Method not allowed"
T_UNSUPPORTED_MEDIA = "Unsupported media type"
T_TOO_LARGE = "Request entity too large"

# --- details copied from the spec examples (CONTRACT.md §3.1) ----------------------------------
D_AUTH_FAILED = "Could not understand the provided credentials."
D_MAX_NUMBERS = "{limit} numbers is the maximum allowed."
D_MIN_NUMBERS = "You must provide at least 1 phone number."
D_MUST_BE_PRESENT = "must be present"
D_MIXED = "You must specify either all phone numbers in the e164 format or all as phone number ids"
D_OWNERSHIP = "You must own every number in the bulk request"
D_MIN_UPDATEABLE = "You must provide at least 1 updateable field."
D_MAX_JOBS = "You can have at most {limit} pending or in progress jobs"
D_BILLING_GROUP = "The specified billing group either does not exist or is not part of your account"
D_NOT_FOUND = "The requested resource or URL could not be found."
D_INVALID_PAGINATION = (
    "The provided 'page' parameter is invalid. It must be an object with 'size' and/or 'number' "
    "with numeric values."
)
D_INVALID_SORT = "The value provided for sorting is not valid. Check the value used and try again."
D_NOT_E164 = "The specified phone number parameter must be in +E.164 format."
D_UNEXPECTED = "An unexpected error occured."  # sic, as in the catalogue
D_TOO_MANY = "You have exceeded the maximum number of allowed requests."

# --- the emulator's own wording (sources silent; see fidelity manifest) -------------------------
D_INVALID_JSON = "The request body is not valid JSON."
D_NOT_AN_OBJECT = "The request body must be a JSON object."
D_TOO_DEEP = "The request body is nested too deeply."
D_SURROGATE = "The request body contains a string that is not valid Unicode (a lone surrogate)."
D_TOO_LARGE = "The request body exceeds the maximum allowed size of {limit} bytes."
D_CONTENT_TYPE = "The request body must be sent with 'Content-Type: application/json'."
D_METHOD = "The {method} method is not allowed on this resource."
D_MALFORMED_ITEM = (
    "must be a phone number ID or a phone number in +E.164 format (e.g. '+13127367254')"
)
D_UNKNOWN_FILTER = "is not a supported filter"
D_FILTER_MIN_CHARS = "must contain at least 3 characters"
D_FILTER_MIN_DIGITS = "must contain at least 3 digits"
D_CNAM_NEEDS_ENABLED = "requires cnam_listing_enabled to be true"
D_EMERGENCY_ADDRESS_REQUIRED = "is required when emergency_enabled is true"
D_EMERGENCY_ADDRESS_FORBIDDEN = "must be null or omitted when emergency_enabled is false"
D_EMERGENCY_ADDRESS_UNKNOWN = "The emergency address does not exist or is not part of your account"


@dataclass(frozen=True)
class ErrorItem:
    """One entry of the Telnyx ``errors`` array."""

    code: str
    title: str
    detail: str
    pointer: str | None = None
    parameter: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "title": self.title, "detail": self.detail}
        if self.pointer is not None or self.parameter is not None:
            source: dict[str, str] = {}
            if self.pointer is not None:
                source["pointer"] = self.pointer
            if self.parameter is not None:
                source["parameter"] = self.parameter
            out["source"] = source
        out["meta"] = {"url": DOCS_URL.format(code=self.code)}
        return out


@dataclass
class ApiError(Exception):
    """A request the API rejects: an HTTP status plus one or more error items."""

    status: int
    items: list[ErrorItem] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.status, [i.detail for i in self.items])

    def to_json(self) -> dict[str, Any]:
        return {"errors": [item.to_json() for item in self.items]}


def error(
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    pointer: str | None = None,
    parameter: str | None = None,
) -> ApiError:
    """Build a single-item :class:`ApiError`."""
    return ApiError(status, [ErrorItem(code, title, detail, pointer, parameter)])


def bad_request(
    detail: str, *, pointer: str | None = None, parameter: str | None = None
) -> ApiError:
    """The 422 / 10015 "Bad Request" used by every documented validation failure."""
    return error(422, BAD_REQUEST, T_BAD_REQUEST, detail, pointer=pointer, parameter=parameter)


def unauthorized() -> ApiError:
    return error(401, AUTH_FAILED, T_AUTH_FAILED, D_AUTH_FAILED)


def not_found(pointer: str = "/base") -> ApiError:
    return error(404, NOT_FOUND, T_NOT_FOUND, D_NOT_FOUND, pointer=pointer)


# --- /_mock/state (C-STATE; the emulator's own wording) ----------------------------------------
D_BAD_STATE = "is not a state document this server can load: {reason}"
