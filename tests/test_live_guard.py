"""The live guard refuses every dangerous request BEFORE sending it, and lets the safe and the
provably-failing ones through; the live target restores what the suite changed."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from contract_tests.guard import GuardRefused, LiveGuard
from contract_tests.live import LiveConfigError, LiveTarget, RateLimited
from mockserver.app import create_app
from mockserver.config import Settings
from mockserver.transport import ASGIBridge

BASE = "https://api.telnyx.com/v2"
SANDBOX = "+13127367254"
SANDBOX_ID = "1583466971586889004"
OTHER = "+13035550100"
OTHER_ID = "2637816387126861836"
TAG = "contract-sandbox"
UPDATE = "/phone_numbers/jobs/update_phone_numbers"
EMERGENCY = "/phone_numbers/jobs/update_emergency_settings"
DELETE_JOB = "/phone_numbers/jobs/delete_phone_numbers"


class Recorder:
    """The inner transport: records what would have been sent, answers 200 {}."""

    def __init__(self) -> None:
        self.sent: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        if request.method == "GET" and request.url.path == "/v2/phone_numbers":
            data = [
                {"id": "7000000000000000001", "phone_number": SANDBOX},
                {"id": "7000000000000000002", "phone_number": OTHER},
            ]
            return httpx.Response(200, json={"data": data})
        return httpx.Response(200, json={})


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def guarded(recorder: Recorder) -> httpx.Client:
    guard = LiveGuard(
        httpx.MockTransport(recorder),
        sandbox_numbers=[SANDBOX],
        sandbox_ids=[SANDBOX_ID],
        sandbox_tag=TAG,
    )
    return httpx.Client(transport=guard, base_url=BASE + "/")


REFUSED: list[tuple[str, str, dict[str, Any]]] = [
    ("delete job (sandbox)", "POST", {"url": DELETE_JOB, "json": {"phone_numbers": [SANDBOX]}}),
    ("delete job (empty)", "POST", {"url": DELETE_JOB, "json": {"phone_numbers": []}}),
    ("DELETE a number", "DELETE", {"url": f"/phone_numbers/{OTHER_ID}"}),
    ("DELETE a sandbox number", "DELETE", {"url": f"/phone_numbers/{SANDBOX_ID}"}),
    ("update a non-sandbox number", "POST",
     {"url": UPDATE, "json": {"phone_numbers": [SANDBOX, OTHER], "tags": ["x"]}}),
    ("update a non-sandbox id", "POST",
     {"url": UPDATE, "json": {"phone_numbers": [OTHER_ID], "tags": ["x"]}}),
    ("update an E.164 number written as an id", "POST",
     {"url": UPDATE, "json": {"phone_numbers": [SANDBOX.lstrip("+")], "tags": ["x"]}}),
    ("emergency on a non-sandbox number", "POST",
     {"url": EMERGENCY, "json": {"phone_numbers": [OTHER], "emergency_enabled": False}}),
    ("filter update without a tag", "POST",
     {"url": UPDATE, "params": {"filter[status]": "active"}, "json": {"tags": ["x"]}}),
    ("filter update with another tag", "POST",
     {"url": UPDATE, "params": {"filter[tag]": "sales"}, "json": {"tags": ["x"]}}),
    ("filter update with two tag pins", "POST",
     {"url": UPDATE, "params": [("filter[tag]", TAG), ("filter[tag][]", "sales")],
      "json": {"tags": ["x"]}}),
    ("sandbox-tag filter plus a list", "POST",
     {"url": UPDATE, "params": {"filter[tag]": TAG}, "json": {"phone_numbers": [SANDBOX],
                                                             "tags": ["x"]}}),
    ("no targets but a field", "POST", {"url": UPDATE, "json": {"tags": ["x"]}}),
    ("empty list but a field", "POST", {"url": UPDATE, "json": {"phone_numbers": [], "tags": []}}),
    ("PATCH a non-sandbox number", "PATCH",
     {"url": f"/phone_numbers/{OTHER_ID}", "json": {"tags": ["x"]}}),
    ("PATCH a non-sandbox number's voice", "PATCH",
     {"url": f"/phone_numbers/{OTHER_ID}/voice", "json": {"tech_prefix_enabled": True}}),
    ("a form-encoded job body", "POST",
     {"url": UPDATE, "content": b"phone_numbers[]=%2B13035550100&tags[]=x",
      "headers": {"Content-Type": "application/x-www-form-urlencoded"}}),
    ("a repeated key", "POST",
     {"url": UPDATE, "content": b'{"phone_numbers": ["%s"], "phone_numbers": ["%s"], "tags": []}'
      % (SANDBOX.encode(), OTHER.encode()), "headers": {"Content-Type": "application/json"}}),
    ("a trailing slash", "POST", {"url": UPDATE + "/", "json": {"phone_numbers": [SANDBOX]}}),
    ("POST to an unknown path", "POST", {"url": "/number_orders", "json": {}}),
    ("PUT a number", "PUT", {"url": f"/phone_numbers/{SANDBOX_ID}", "json": {}}),
    # the /phone_numbers family
    ("PATCH a non-sandbox number's messaging", "PATCH",
     {"url": f"/phone_numbers/{OTHER_ID}/messaging", "json": {"tags": ["x"]}}),
    ("create voicemail on a non-sandbox number", "POST",
     {"url": f"/phone_numbers/{OTHER_ID}/voicemail", "json": {"pin": "1234"}}),
    ("PATCH voicemail of a non-sandbox number", "PATCH",
     {"url": f"/phone_numbers/{OTHER_ID}/voicemail", "json": {"enabled": False}}),
    ("enable emergency on a non-sandbox number", "POST",
     {"url": f"/phone_numbers/{OTHER_ID}/actions/enable_emergency",
      "json": {"emergency_enabled": True, "emergency_address_id": "1"}}),
    ("bundle change of a non-sandbox number", "PATCH",
     {"url": f"/phone_numbers/{OTHER_ID}/actions/bundle_status_change",
      "json": {"bundle_id": None}}),
    ("POST to a sandbox number's messaging", "POST",
     {"url": f"/phone_numbers/{SANDBOX_ID}/messaging", "json": {}}),
    ("PATCH a collection", "PATCH", {"url": "/phone_numbers/slim", "json": {"tags": ["x"]}}),
]  # fmt: skip


@pytest.mark.parametrize(("what", "method", "kwargs"), REFUSED, ids=[r[0] for r in REFUSED])
def test_the_guard_refuses_before_sending(
    guarded: httpx.Client, recorder: Recorder, what: str, method: str, kwargs: dict[str, Any]
) -> None:
    with pytest.raises(GuardRefused, match="live guard refused"):
        guarded.request(method, **kwargs)
    assert recorder.sent == [], f"{what}: the guard let a request through"


ALLOWED: list[tuple[str, str, dict[str, Any]]] = [
    ("GET anything", "GET", {"url": "/phone_numbers", "params": {"page[size]": "250"}}),
    ("GET an unknown path", "GET", {"url": "/whatever/else"}),
    ("update sandbox numbers", "POST",
     {"url": UPDATE, "json": {"phone_numbers": [SANDBOX, SANDBOX_ID], "tags": ["x"]}}),
    ("emergency on sandbox numbers", "POST",
     {"url": EMERGENCY, "json": {"phone_numbers": [SANDBOX], "emergency_enabled": False}}),
    ("filter update pinned to the sandbox tag", "POST",
     {"url": UPDATE, "params": {"filter[tag]": TAG, "filter[phone_number]": "312"},
      "json": {"customer_reference": "x"}}),
    ("pinned filter with an empty list", "POST",
     {"url": UPDATE, "params": {"filter[tag]": TAG}, "json": {"phone_numbers": [], "tags": []}}),
    ("PATCH a sandbox id", "PATCH", {"url": f"/phone_numbers/{SANDBOX_ID}", "json": {"tags": []}}),
    ("PATCH a sandbox number's voice", "PATCH",
     {"url": f"/phone_numbers/{SANDBOX_ID}/voice", "json": {"tech_prefix_enabled": True}}),
    ("PATCH a sandbox number's messaging", "PATCH",
     {"url": f"/phone_numbers/{SANDBOX_ID}/messaging", "json": {"tags": ["x"]}}),
    ("voicemail of a sandbox number", "POST",
     {"url": f"/phone_numbers/{SANDBOX_ID}/voicemail", "json": {"pin": "1234"}}),
    ("enable emergency on a sandbox number", "POST",
     {"url": f"/phone_numbers/{SANDBOX_ID}/actions/enable_emergency",
      "json": {"emergency_enabled": True, "emergency_address_id": "1"}}),
    ("bundle change of a sandbox number", "PATCH",
     {"url": f"/phone_numbers/{SANDBOX_ID}/actions/bundle_status_change",
      "json": {"bundle_id": None}}),
    ("verify ownership of any numbers", "POST",
     {"url": "/phone_numbers/actions/verify_ownership", "json": {"phone_numbers": [OTHER]}}),
    ("a CSV export", "POST", {"url": "/phone_numbers/csv_downloads",
                              "params": {"csv_format": "V2"}}),
    # provably failing or changing nothing, whatever the targets
    ("over the cap", "POST",
     {"url": UPDATE, "json": {"phone_numbers": [OTHER] * 1001, "tags": ["x"]}}),
    ("a body that is an array", "POST", {"url": UPDATE, "json": [{"phone_numbers": [OTHER]}]}),
    ("a body that is not JSON", "POST",
     {"url": UPDATE, "content": b'{"phone_numbers": [', "headers":
      {"Content-Type": "application/json"}}),
    ("PATCH a non-sandbox number with a non-object body", "PATCH",
     {"url": f"/phone_numbers/{OTHER_ID}", "json": ["x"]}),
    ("no field to change", "POST", {"url": UPDATE, "json": {"phone_numbers": [OTHER]}}),
    ("nothing at all", "POST", {"url": UPDATE, "json": {}}),
    ("an item that cannot name a number", "POST",
     {"url": UPDATE, "json": {"phone_numbers": [SANDBOX, "not-a-number"], "tags": ["x"]}}),
    ("a reserved test number", "POST",
     {"url": UPDATE, "json": {"phone_numbers": [SANDBOX, "+15005550000"], "tags": ["x"]}}),
]  # fmt: skip


@pytest.mark.parametrize(("what", "method", "kwargs"), ALLOWED, ids=[r[0] for r in ALLOWED])
def test_the_guard_sends_safe_and_provably_failing_requests(
    guarded: httpx.Client, recorder: Recorder, what: str, method: str, kwargs: dict[str, Any]
) -> None:
    guarded.request(method, **kwargs)
    assert len(recorder.sent) == 1, what


def test_the_guard_learns_sandbox_ids_from_the_lists_it_sees(
    guarded: httpx.Client, recorder: Recorder
) -> None:
    learned = "/phone_numbers/7000000000000000001"
    with pytest.raises(GuardRefused):
        guarded.patch(learned, json={"tags": ["x"]})
    guarded.get("/phone_numbers", params={"filter[phone_number]": "3127367254"})
    guarded.patch(learned, json={"tags": ["x"]})  # now known as the sandbox number's id
    with pytest.raises(GuardRefused):  # the other number in the same list is not learned
        guarded.patch("/phone_numbers/7000000000000000002", json={"tags": ["x"]})
    assert [r.method for r in recorder.sent] == ["GET", "PATCH"]


def test_the_guard_rejects_a_sandbox_that_is_not_e164() -> None:
    with pytest.raises(ValueError, match=r"E\.164"):
        LiveGuard(httpx.MockTransport(Recorder()), sandbox_numbers=["3127367254"])


def test_rate_limiting_spaces_requests_and_retries_429(recorder: Recorder) -> None:
    waits: list[float] = []

    def pause(timeout: float | None = None) -> bool:
        """The limiter's wait, recorded instead of waited."""
        waits.append(timeout or 0.0)
        return True

    answers = iter([httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200)])
    limited = RateLimited(httpx.MockTransport(recorder), per_second=1000.0)
    limited._pause.wait = pause  # type: ignore[method-assign]
    for _ in range(3):
        limited.handle_request(httpx.Request("GET", BASE))
    assert len(recorder.sent) == 3
    assert len(waits) == 2
    assert 0 < waits[0] <= 0.001 < waits[1] <= 0.002  # one slot each

    retried = RateLimited(httpx.MockTransport(lambda r: next(answers)), per_second=1e9)
    retried._pause.wait = pause  # type: ignore[method-assign]
    assert retried.handle_request(httpx.Request("GET", BASE)).status_code == 200
    assert 7.0 in waits


# -- the live target, end to end against an in-process emulator standing in for the API --------
def test_the_live_target_changes_only_the_sandbox_and_restores_it() -> None:
    app = create_app(Settings(instant_jobs=True))
    target = LiveTarget(
        "live-stand-in", [SANDBOX], tag="sandbox", per_second=10_000, inner=ASGIBridge(app)
    )
    target.start()
    api = target.client()
    [record] = target.inventory()
    before = api.get(f"phone_numbers/{record['id']}").json()["data"]
    voice_before = api.get(f"phone_numbers/{record['id']}/voice").json()["data"]
    body = {
        "phone_numbers": [SANDBOX],
        "tags": ["changed"],
        "customer_reference": "changed",
        "deletion_lock_enabled": not before["deletion_lock_enabled"],
        "voice": {"tech_prefix_enabled": not voice_before["tech_prefix_enabled"]},
    }
    assert api.post("phone_numbers/jobs/update_phone_numbers", json=body).status_code == 202
    api.post(
        "phone_numbers/jobs/update_emergency_settings",
        json={"phone_numbers": [SANDBOX], "emergency_enabled": False},
    )
    with pytest.raises(GuardRefused):
        api.post("phone_numbers/jobs/delete_phone_numbers", json={"phone_numbers": [SANDBOX]})
    with pytest.raises(GuardRefused):
        api.post(
            "phone_numbers/jobs/update_phone_numbers",
            json={"phone_numbers": [OTHER_ID], "tags": ["x"]},
        )
    assert api.get(f"phone_numbers/{record['id']}").json()["data"]["tags"] == ["changed"]

    assert target.restore() == []
    after = api.get(f"phone_numbers/{record['id']}").json()["data"]
    voice_after = api.get(f"phone_numbers/{record['id']}/voice").json()["data"]
    for key in ("tags", "customer_reference", "deletion_lock_enabled", "emergency_enabled",
                "emergency_address_id"):  # fmt: skip
        assert after[key] == before[key], key
    assert voice_after == voice_before
    assert target.close() == []


def test_the_live_target_explains_what_is_missing() -> None:
    with pytest.raises(LiveConfigError, match="TELNYX_API_KEY"):
        LiveTarget.from_env({})
    with pytest.raises(LiveConfigError, match="TELNYX_CONTRACT_NUMBERS"):
        LiveTarget.from_env({"TELNYX_API_KEY": "k"})
    with pytest.raises(LiveConfigError, match=r"non-E\.164"):
        LiveTarget.from_env({"TELNYX_API_KEY": "k", "TELNYX_CONTRACT_NUMBERS": "3127367254"})
    target = LiveTarget.from_env(
        {"TELNYX_API_KEY": "k", "TELNYX_CONTRACT_NUMBERS": f"{SANDBOX}, {SANDBOX}"}
    )
    assert target.sandbox_numbers == [SANDBOX]
    assert target.sandbox_tag is None
