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

# per-number outcomes of a job (O-*), also the single-number PATCH/DELETE answers
D_FIELD_INVALID = "The field is invalid."  # the doc example's per-number error text
D_NUMBER_GONE = "The phone number no longer exists on your account."
D_STATUS = "The phone number cannot be modified while its status is '{status}'."
D_HD_VOICE = "HD Voice is not available for this phone number."
D_DELETION_LOCK = "The phone number has deletion lock enabled and cannot be deleted."
D_JOB_EXPIRED = "The job expired before it could be processed."

# injected faults (F-*): the sources give no 503 example
T_UNAVAILABLE = "Service unavailable"
D_UNAVAILABLE = "The service is temporarily unavailable. Please try again later."

# body shape errors (R-TYPES, R-ENUMS, R-CNAM-FORMAT, ...), built from the schema's keywords
D_TYPE = "must be {types}"
TYPE_JOINER = " or "
TYPE_WORDS = {"array": "an array", "object": "an object", "integer": "an integer", "null": "null"}
TYPE_WORD = "a {name}"
D_ONE_OF = "must be one of: {values}"
D_CNAM_CHARACTERS = "must contain only letters, digits and spaces"
D_MAX_LENGTH = "must be at most {limit} characters"
D_MIN_LENGTH = "must be at least {limit} characters"
D_CONST = "must be {value!r}"
D_INVALID = "is invalid"

# query strings, filters and list parameters
D_QUERY_NAME = "is not a valid query parameter name"
D_VALUE_AND_OBJECT = "cannot be both a value and an object"
D_ONE_FORM = "must be given in one form only"
D_GIVEN_ONCE = "must be given once"
D_FILTER_NOT_OBJECT = "must be an object (filter[key]=value)"
D_SINGLE_VALUE = "must be a single value"
D_OPERATORS = "must be an object of operators"
D_TRUE_OR_FALSE = "must be one of: true, false"
D_EQ_ONLY = "supports only [eq]"
D_VALUES = "must be a value or a list of values"
D_REFERENCE = "must be a non-blank string of at most 250 characters"
D_MAX_VALUES = "accepts at most {limit} values"
D_PLUS_DIGITS = "values beginning with + must have 1 to 20 digits after the plus sign"
D_NUMBERS_OR_IDS = "must be phone numbers in +E.164 format or phone number ids"

# test controls (/_mock/clock, /_mock/faults)
D_SECONDS = "must be a non-negative number"
D_TEN_YEARS = "must be at most ten years"
D_PAST_END_OF_TIME = "would move the clock past 9999-12-31T23:59:59.999Z"
D_TIMESTAMP = "must be an ISO 8601 timestamp"
D_AFTER_END_OF_TIME = "must not be after 9999-12-31T23:59:59.999Z"
D_BACKWARDS = "cannot move the clock backwards"
D_NUMBER = "must be a number"
D_INTEGER_RANGE = "must be an integer from {low} to {high}"
D_FAULT_FIELD = "is not a supported fault field"
D_RETRY_AFTER = "must be from 0 to 3600 seconds"
D_REGEX = "must be a regular expression"
D_HTTP_METHOD = "must be an HTTP method"
D_PROBABILITY = "must be greater than 0 and at most 1"

# the cassette proxy (telnyx-mock record) and replay server (telnyx-mock replay)
T_BAD_GATEWAY = "Bad gateway"
D_BAD_GATEWAY = "The recording proxy could not get a response from the upstream {upstream} ({why})."
T_NOT_RECORDED = "Not recorded"
D_NOT_RECORDED = "telnyx-mock replay ({source}): {why}"
# fault routes (C-FAULT-ROUTE, C-FAULT-LIMIT) and content codings (R-CONTENT-ENCODING)
D_FAULT_ROUTE = (
    "must be a path prefix (/phone_numbers/jobs), a glob (/phone_numbers/*/voice: * within one "
    "segment, ** once for any number of segments) or plain text anchored with ^ and $ "
    "(^/phone_numbers$), at most 256 characters; regular expressions are not supported"
)
D_FAULT_LIMIT = (
    "A tenant can hold at most {limit} faults at once; DELETE /_mock/faults clears them."
)
D_CONTENT_ENCODING = (
    "The request body must be sent without a Content-Encoding (only 'identity' is accepted)."
)


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
        return r_error_envelope(self.items)


def r_error_envelope(items: list[ErrorItem]) -> dict[str, Any]:
    """R-ERROR-ENVELOPE: ``{"errors": [{code, title, detail, source?, meta: {url}}]}``."""
    return {"errors": [item.to_json() for item in items]}


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


# --- the /phone_numbers family (issue 13): the emulator's own wording unless marked ----------
D_REQUIRES_INCLUDE_TAGS = "requires include_tags=true"
D_REQUIRES_INCLUDE_CONNECTION = "requires include_connection=true"
D_MUST_BE_UUID = "must be a UUID"
D_MESSAGING_PROFILE_UNKNOWN = "The messaging profile does not exist or is not part of your account"
D_MESSAGING_PRODUCT_UNKNOWN = "is not a messaging product of your account"
D_MESSAGING_PRODUCT_INELIGIBLE = "is not available for this phone number's type ({type})"
D_VOICEMAIL_EXISTS = "Voicemail settings already exist for this phone number."
D_VOICEMAIL_PIN = "must be 4 to 8 digits"
D_VOICEMAIL_MEDIA_NAME = "is required when mode is custom_greeting"
D_MANAGED_ACCOUNTS = "You do not have access to managed accounts."
D_MUST_BE_TRUE = "must be true (to disable emergency services use the emergency settings job)"
D_BUNDLE_UNKNOWN = "The bundle does not exist or is not part of your account"
#: [SPEC] PhoneNumberBundleStatusChangeRequest.bundle_id, verbatim
D_BUNDLE_MOVE = (
    "You cannot assign a number from one bundle to another directly. You must first remove it "
    "from a bundle, and then assign it to a new bundle."
)
D_NOT_E164_ITEM = "must be a phone number in +E.164 format (e.g. '+13127367254')"
D_CSV_NOT_READY = "The CSV download is not complete: only complete CSV downloads can be retrieved."

# --- /_mock/state (C-STATE; the emulator's own wording) ----------------------------------------
D_BAD_STATE = "is not a state document this server can load: {reason}"

#: the reasons a state document (``serve --state``, ``/_mock/state``) is refused, each after the
#: JSON pointer of the problem (``D_BAD_STATE``'s ``{reason}``; ``serve`` prints them on stderr)
D_STATE_NOT_OBJECT = "a state document must be a JSON object"
D_STATE_FORMAT = "not a telnyx-mock state document (expected {expected!r})"
D_STATE_VERSION = "written by another version ({found!r}); this is {expected!r}"
D_STATE_WORLD = "saved with another world file (--fixtures)"
D_STATE_SEED = "saved with --seed {found!r}; this is {expected}"
D_STATE_JSON = "not valid JSON (truncated or corrupt?): {reason}"
D_STATE_CHECKSUM = "the tenants do not match their checksum (corrupt file)"
D_STATE_TENANTS = "must be the list of tenant_count tenants"
D_STATE_KEY = "must be a non-empty string"
D_STATE_TENANT = "must be an object (a tenant exported by GET)"
D_STATE_OBJECT = "must be an object"
D_STATE_MISSING = "is missing"
D_STATE_KIND = "must be {kind}"
D_STATE_AT_LEAST = "must be at least {low}"
D_STATE_NUMBER = "is not a number of this world"
D_STATE_PHONE_NUMBER = "differs from the world's (never changed)"
D_STATE_REMOVED = "must be the id of a number of this world (removed once)"
D_STATE_REPLACED_REMOVED = "is removed as well"
D_STATE_TARGET = "must be [id of a number of this world, E.164, id|phone_number]"
D_STATE_NO_TARGETS = "must not be empty"
D_STATE_PARAMETERS = "is not a valid {job_type} request body"
D_STATE_OUTCOME = "must be a list of errors"
D_STATE_OUTCOMES = "has more outcomes than the job has targets"
D_STATE_JOB_ORDER = "jobs must be in creation order (seq increasing)"
D_STATE_JOB_IDS = "two jobs have the same id"
D_STATE_UNSETTLED = "must list seq numbers of the jobs"
D_STATE_FORCED_FAIL = "must list ids of the jobs"
D_STATE_RANDOM = "is not a random state ({reason})"
#: the /phone_numbers family's parts of a state document (voicemail, CSV downloads)
D_STATE_VOICEMAIL = "must be voicemail settings ({reason})"
D_STATE_DOWNLOAD_IDS = "two CSV downloads have the same id"
D_STATE_DOWNLOAD_READY = "must not be before created_ms"
