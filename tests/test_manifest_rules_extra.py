"""Manifest rules for the errors outside batch-job validation: the rate limit and injected 500/503
faults, the pagination pointers, and the 422s of the single-number routes (PATCH and DELETE
``/phone_numbers/{id}``, PATCH ``.../voice``).

Each case is driven through the in-process emulator and recorded into a cassette; the drift check
(``telnyx-mock check-cassette``) must then find every recorded error in ``schemas/fidelity.json``.
Where one rule alone covers the error, dropping that rule must make the same cassette drift, so
the check is not vacuous.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, cast

import httpx
import pytest

from mockserver import errors
from mockserver.app import create_app
from mockserver.cassette import drift
from mockserver.cassette import format as cformat
from mockserver.cassette.record import RecordingTransport
from mockserver.clock import ManualClock
from mockserver.config import Settings
from mockserver.transport import ASGIBridge
from tests.helpers import JOBS, NUMBERS, UPDATE, error_item

ROOT = Path(__file__).resolve().parents[1]
WORLD = ROOT / "fixtures" / "world.json"
BAD = (errors.BAD_REQUEST, errors.T_BAD_REQUEST)


@cache
def _numbers() -> tuple[dict[str, Any], ...]:
    return tuple(json.loads(WORLD.read_text(encoding="utf-8"))["numbers"])


def number_id(test: Callable[[dict[str, Any]], bool]) -> str:
    """The id of the first number of the default world passing ``test``."""
    return str(next(r["id"] for r in _numbers() if test(r)))


def active(r: dict[str, Any]) -> bool:
    return bool(r["status"] == "active" and r["phone_number_type"] == "local")


def plain(r: dict[str, Any]) -> bool:
    return active(r) and not r["deletion_lock_enabled"]


def deletion_locked(r: dict[str, Any]) -> bool:
    return active(r) and bool(r["deletion_lock_enabled"])


def toll_free(r: dict[str, Any]) -> bool:
    return bool(r["status"] == "active" and r["phone_number_type"] == "toll_free")


@contextmanager
def recording(path: Path, settings: Settings | None = None) -> Iterator[httpx.Client]:
    """A client of a fresh emulator (manual clock) whose every exchange is written to ``path``."""
    app = create_app(settings or Settings(manual_clock=True), clock=ManualClock())
    transport = RecordingTransport(path, mode="all", inner=ASGIBridge(app))
    with httpx.Client(
        transport=transport,
        base_url="https://api.telnyx.com",
        headers={"Authorization": "Bearer test-key"},
    ) as client:
        yield client


def inject(client: httpx.Client, **spec: Any) -> None:
    r = client.post("/_mock/faults", json=spec)
    assert r.status_code == 201, r.text


def data_plane(path: Path) -> list[cformat.Interaction]:
    """The recorded exchanges the drift check looks at (test controls left out)."""
    return [i for i in cformat.load(path).interactions if "/_mock/" not in i.request.uri]


# -- the cases -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    rule: str
    drive: Callable[[httpx.Client], httpx.Response]  # the last request is the error
    status: int
    item: dict[str, Any]  # the (first) error item the emulator sends
    #: no other rule covers this error, so dropping the rule makes it drift (on PATCH .../voice
    #: R-TYPES and R-ENUMS both take any field of the voice object: neither is alone there)
    alone: bool = True
    settings: Settings | None = None


def _rate_limited(client: httpx.Client) -> httpx.Response:
    first = client.get(JOBS)
    assert first.status_code == 200, first.text
    assert (first.headers["x-ratelimit-limit"], first.headers["x-ratelimit-remaining"]) == (
        "1",
        "0",
    )
    return client.get(JOBS)


def _faulted(status: int, **extra: Any) -> Callable[[httpx.Client], httpx.Response]:
    def drive(client: httpx.Client) -> httpx.Response:
        inject(client, kind="status", status=status, times=1, **extra)
        return client.post(UPDATE, json={"phone_numbers": ["+13127367254"], "tags": ["x"]})

    return drive


def _get(path: str, **params: str) -> Callable[[httpx.Client], httpx.Response]:
    return lambda client: client.get(path, params=params)


def _patch(suffix: str, body: Any, pick: Callable[[dict[str, Any]], bool] = plain) -> Any:
    return lambda client: client.patch(f"{NUMBERS}/{number_id(pick)}{suffix}", json=body)


def _delete(pick: Callable[[dict[str, Any]], bool]) -> Any:
    return lambda client: client.delete(f"{NUMBERS}/{number_id(pick)}")


def _bad(detail: str, pointer: str) -> dict[str, Any]:
    return error_item(*BAD, detail, pointer)


def _page(pointer: str) -> dict[str, Any]:
    return error_item(
        errors.BAD_REQUEST, errors.T_INVALID_PAGINATION, errors.D_INVALID_PAGINATION, pointer
    )


STATUS_LOCKED = "The phone number cannot be modified while its status is '{}'."

CASES = [
    pytest.param(Case("R-RATE-LIMIT", _rate_limited, 429,
                      error_item(errors.TOO_MANY_REQUESTS, errors.T_TOO_MANY, errors.D_TOO_MANY),
                      settings=Settings(manual_clock=True, rate_limit_per_second=1)),
                 marks=pytest.mark.rule("R-RATE-LIMIT"), id="rate-limit"),
    pytest.param(Case("R-RATE-LIMIT", _faulted(429), 429,
                      error_item(errors.TOO_MANY_REQUESTS, errors.T_TOO_MANY, errors.D_TOO_MANY)),
                 marks=pytest.mark.rule("R-RATE-LIMIT"), id="fault-429"),
    pytest.param(Case("F-FAULT-500", _faulted(500), 500,
                      error_item(errors.UNEXPECTED, errors.T_UNEXPECTED, errors.D_UNEXPECTED)),
                 marks=pytest.mark.rule("F-FAULT-500"), id="fault-500"),
    pytest.param(Case("F-FAULT-503", _faulted(503, retry_after=2), 503,
                      error_item(errors.UNEXPECTED, errors.T_UNAVAILABLE, errors.D_UNAVAILABLE)),
                 marks=pytest.mark.rule("F-FAULT-503"), id="fault-503"),
    pytest.param(Case("Q-PAGE", _get(NUMBERS, **{"page[size]": "0"}), 422, _page("page/size")),
                 marks=pytest.mark.rule("Q-PAGE"), id="page-size"),
    pytest.param(Case("Q-PAGE", _get(JOBS, **{"page[number]": "x"}), 422, _page("page/number")),
                 marks=pytest.mark.rule("Q-PAGE"), id="page-number"),
    pytest.param(Case("Q-PAGE", _get(JOBS, **{"page[x]": "1"}), 422, _page("page/x")),
                 marks=pytest.mark.rule("Q-PAGE"), id="page-unknown-key"),
    pytest.param(Case("Q-PAGE-NOT-OBJECT", _get(NUMBERS, page="1"), 422, _page("page")),
                 marks=pytest.mark.rule("Q-PAGE-NOT-OBJECT"), id="page-flat-numbers"),
    pytest.param(Case("Q-PAGE-NOT-OBJECT", _get(JOBS, page="1"), 422, _page("page")),
                 marks=pytest.mark.rule("Q-PAGE-NOT-OBJECT"), id="page-flat-jobs"),
    pytest.param(Case("R-TYPES", _patch("", {"tags": ["a", 1], "hd_voice_enabled": "yes"}), 422,
                      _bad("must be a boolean", "/hd_voice_enabled")),
                 marks=pytest.mark.rule("R-TYPES"), id="patch-types"),
    pytest.param(Case("R-TYPES", _patch("/voice", {"tech_prefix_enabled": "yes"}), 422,
                      _bad("must be a boolean", "/tech_prefix_enabled"), alone=False),
                 marks=pytest.mark.rule("R-TYPES"), id="patch-voice-types"),
    pytest.param(Case("R-ENUMS", _patch("/voice", {"call_forwarding": {"forwarding_type": "x"}}),
                      422, _bad("must be one of: always, on-failure",
                                "/call_forwarding/forwarding_type"), alone=False),
                 marks=pytest.mark.rule("R-ENUMS"), id="patch-voice-enum"),
    pytest.param(Case("R-FORWARDS-TO-VOICE",
                      _patch("/voice", {"call_forwarding": {"forwards_to": "13035559123"}}), 422,
                      error_item(errors.NOT_E164, errors.T_NOT_E164, errors.D_NOT_E164,
                                 "/call_forwarding/forwards_to")),
                 marks=pytest.mark.rule("R-FORWARDS-TO-VOICE"), id="patch-voice-forwards-to"),
    pytest.param(Case("R-CNAM-VOICE",
                      _patch("/voice", {"cnam_listing": {"cnam_listing_details": "ACME"}},
                             lambda r: plain(r)
                             and not r["voice"]["cnam_listing"]["cnam_listing_enabled"]),
                      422, _bad(errors.D_CNAM_NEEDS_ENABLED, "/cnam_listing/cnam_listing_details"),
                      alone=False),
                 marks=pytest.mark.rule("R-CNAM-VOICE"), id="patch-voice-cnam"),
    pytest.param(Case("O-STATUS", _patch("", {"tags": ["x"]}, lambda r: r["status"] == "deleted"),
                      422, _bad(STATUS_LOCKED.format("deleted"), "/phone_numbers")),
                 marks=pytest.mark.rule("O-STATUS"), id="patch-locked-status"),
    pytest.param(Case("O-STATUS", _patch("/voice", {"tech_prefix_enabled": True},
                                         lambda r: r["status"] == "ported-out"),
                      422, _bad(STATUS_LOCKED.format("ported-out"), "/phone_numbers")),
                 marks=pytest.mark.rule("O-STATUS"), id="patch-voice-locked-status"),
    pytest.param(Case("O-STATUS", _delete(lambda r: r["status"] == "port-pending"
                                          and not r["deletion_lock_enabled"]),
                      422, _bad(STATUS_LOCKED.format("port-pending"), "/phone_numbers")),
                 marks=pytest.mark.rule("O-STATUS"), id="delete-locked-status"),
    pytest.param(Case("O-HD-VOICE-TOLL-FREE", _patch("", {"hd_voice_enabled": True}, toll_free),
                      422, _bad("HD Voice is not available for this phone number.",
                                "/hd_voice_enabled"), alone=False),
                 marks=pytest.mark.rule("O-HD-VOICE-TOLL-FREE"), id="patch-hd-voice-toll-free"),
    pytest.param(Case("O-CONNECTION", _patch("", {"connection_id": "777"}), 422,
                      _bad("The field is invalid.", "/connection_id"), alone=False),
                 marks=pytest.mark.rule("O-CONNECTION"), id="patch-unknown-connection"),
    pytest.param(Case("O-DELETION-LOCK", _delete(deletion_locked), 422,
                      _bad("The phone number has deletion lock enabled and cannot be deleted.",
                           "/deletion_lock_enabled")),
                 marks=pytest.mark.rule("O-DELETION-LOCK"), id="delete-deletion-lock"),
]  # fmt: skip


def _record(case: Case, path: Path) -> httpx.Response:
    with recording(path, case.settings) as client:
        response = case.drive(client)
    return response


@pytest.mark.parametrize("case", CASES)
def test_the_emulators_error_is_the_rules_and_keeps_the_manifest(
    tmp_path: Path, case: Case
) -> None:
    path = tmp_path / "case.yaml"
    r = _record(case, path)
    assert r.status_code == case.status, r.text
    assert r.json()["errors"][0] == case.item
    recorded = data_plane(path)
    assert recorded[-1].response.status == case.status
    assert drift.check_paths([path]) == []


@pytest.mark.parametrize("case", [c for c in CASES if cast(Case, c.values[0]).alone])
def test_without_its_rule_the_recorded_error_is_drift(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: Case
) -> None:
    path = tmp_path / "case.yaml"
    _record(case, path)
    kept = tuple(r for r in drift.error_rules() if r.id != case.rule)
    assert len(kept) < len(drift.error_rules())
    monkeypatch.setattr(drift, "error_rules", lambda: kept)
    found = drift.check_paths([path])
    assert found, "the error was still covered without its rule"
    assert {d.number for d in found} == {len(cformat.load(path).interactions)}
    assert {d.status for d in found} == {case.status}


# -- the details the cases do not show ------------------------------------------------------------
@pytest.mark.rule("R-RATE-LIMIT")
def test_the_rate_limit_429_headers_and_refill(tmp_path: Path) -> None:
    path = tmp_path / "limit.yaml"
    with recording(path, Settings(manual_clock=True, rate_limit_per_second=1)) as client:
        r = _rate_limited(client)
        assert r.status_code == 429
        names = ("retry-after", "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")
        assert [r.headers[n] for n in names] == ["1", "1", "0", "1"]
        advanced = client.post("/_mock/clock/advance", json={"seconds": 1})
        assert advanced.status_code == 200, advanced.text
        assert client.get(NUMBERS, params={"page[size]": "1"}).status_code == 200
    assert [i.response.status for i in data_plane(path)] == [200, 429, 200]
    assert drift.check_paths([path]) == []


@pytest.mark.rule("F-FAULT-500")
@pytest.mark.rule("F-FAULT-503")
@pytest.mark.parametrize("status", [500, 503])
def test_an_injected_server_error_changes_nothing_and_sends_retry_after_only_if_set(
    tmp_path: Path, status: int
) -> None:
    path = tmp_path / "fault.yaml"
    with recording(path) as client:
        plain_fault = _faulted(status)(client)
        assert plain_fault.status_code == status
        assert "retry-after" not in plain_fault.headers
        assert "source" not in plain_fault.json()["errors"][0]
        timed = _faulted(status, retry_after=2.5)(client)
        assert (timed.status_code, timed.headers["retry-after"]) == (status, "2.5")
        assert client.get(JOBS).json()["data"] == []  # no job was created
    assert drift.check_paths([path]) == []


@pytest.mark.rule("R-CNAM-VOICE")
def test_patch_voice_takes_cnam_listing_enabled_from_the_number(tmp_path: Path) -> None:
    ident = number_id(lambda r: plain(r) and not r["voice"]["cnam_listing"]["cnam_listing_enabled"])
    voice = f"{NUMBERS}/{ident}/voice"
    path = tmp_path / "cnam.yaml"
    with recording(path) as client:
        details = {"cnam_listing": {"cnam_listing_details": "ACME 2"}}
        assert client.patch(voice, json=details).status_code == 422
        enable = {"cnam_listing": {"cnam_listing_enabled": True}}
        assert client.patch(voice, json=enable).status_code == 200
        r = client.patch(voice, json=details)
        assert r.status_code == 200, r.text
        assert r.json()["data"]["cnam_listing"] == {
            "cnam_listing_enabled": True,
            "cnam_listing_details": "ACME 2",
        }
        too_long = client.patch(voice, json={"cnam_listing": {"cnam_listing_details": "A" * 16}})
        assert too_long.json()["errors"] == [
            _bad("must be at most 15 characters", "/cnam_listing/cnam_listing_details")
        ]
    assert drift.check_paths([path]) == []


@pytest.mark.rule("R-TYPES")
def test_patch_lists_every_shape_error_sorted_by_pointer(tmp_path: Path) -> None:
    path = tmp_path / "types.yaml"
    with recording(path) as client:
        body = {"tags": ["a", 1], "hd_voice_enabled": "yes", "external_pin": 5}
        r = _patch("", body)(client)
    assert r.status_code == 422
    assert [(e["source"]["pointer"], e["detail"]) for e in r.json()["errors"]] == [
        ("/external_pin", "must be a string"),
        ("/hd_voice_enabled", "must be a boolean"),
        ("/tags/1", "must be a string"),
    ]
    assert drift.check_paths([path]) == []


# -- the manifest's own titles ---------------------------------------------------------------------
def test_every_manifest_title_is_one_the_emulator_sends() -> None:
    doc = json.loads((ROOT / "schemas" / "fidelity.json").read_text(encoding="utf-8"))
    titles = {r["id"]: r["title"] for r in doc["rules"] if "title" in r}
    known = {getattr(errors, n) for n in dir(errors) if n.startswith("T_")} | {errors.T_UNAVAILABLE}
    assert {"F-FAULT-503", "Q-PAGE-NOT-OBJECT"} <= set(titles)
    assert {rule: t for rule, t in titles.items() if t not in known} == {}
    assert {r.id: r.title for r in drift.error_rules() if r.id in titles} == titles
