"""The plugin's handle, the journal, faults and cassettes on the /phone_numbers family's routes,
through the official SDK with its default base URL (``telnyx_mock_router``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import telnyx

from mockserver.cassette import format as cformat
from mockserver.cassette.drift import check_file
from mockserver.cassette.record import RecordingTransport
from mockserver.cassette.replay import router
from mockserver.plugin import MockHandle
from tests.family_support import ADDRESS, first, without_voicemail


def sdk(mock: MockHandle, **kwargs: Any) -> telnyx.Telnyx:
    """The SDK as the handle's tenant, with its default base URL."""
    return telnyx.Telnyx(
        api_key=mock.api_key, max_retries=0, _strict_response_validation=True, **kwargs
    )


@pytest.mark.rule("V-ONE-WORLD")
@pytest.mark.rule("L-CSV-DOWNLOAD")
def test_handle_helpers_see_the_family(telnyx_mock_router: MockHandle) -> None:
    mock = telnyx_mock_router
    client = sdk(mock)
    fresh = without_voicemail()
    assert mock.voicemail(fresh["id"]) is None
    client.phone_numbers.voicemail.create(fresh["id"], pin="5555")
    assert mock.voicemail(fresh["id"]) == {"enabled": True, "pin": "5555"}
    client.phone_numbers.messaging.update(fresh["id"], tags=["via-messaging"])
    assert mock.messaging(fresh["id"])["tags"] == ["via-messaging"]
    assert mock.number(fresh["id"])["tags"] == ["via-messaging"]
    made = client.phone_numbers.csv_downloads.create(filter={"tag": "via-messaging"}).data
    assert made is not None
    assert [d["status"] for d in mock.csv_downloads()] == ["pending"]
    mock.run_jobs()
    assert [d["status"] for d in mock.csv_downloads()] == ["complete"]
    assert made[0].id is not None
    assert fresh["phone_number"] in mock.csv_file(made[0].id)
    mock.assert_called("POST", "/phone_numbers/{id}/voicemail", json={"pin": "REDACTED"})


@pytest.mark.rule("S-PIN-REDACTED")
def test_journal_and_faults_on_family_routes(telnyx_mock_router: MockHandle) -> None:
    mock = telnyx_mock_router
    client = sdk(mock)
    mock.fault(kind="status", status=503, route="^/phone_numbers/slim", times=1)
    with pytest.raises(telnyx.InternalServerError):
        client.phone_numbers.slim_list()
    assert client.phone_numbers.slim_list().data  # the fault was used up
    record = first(emergency_enabled=False)
    client.phone_numbers.actions.enable_emergency(
        record["id"], emergency_enabled=True, emergency_address_id=ADDRESS
    )
    entries = mock.journal(path="/phone_numbers/slim")
    assert [e["status"] for e in entries] == [503, 200]
    assert entries[0]["fault"] == "status:503"
    action = mock.journal(method="POST", path="/phone_numbers/{id}/actions/enable_emergency")
    assert action[0]["request"] == {"emergency_enabled": True, "emergency_address_id": ADDRESS}


@pytest.mark.rule("S-PIN-REDACTED")
@pytest.mark.rule("R-CSV-FILE")
def test_family_cassette_round_trip(telnyx_mock_router: MockHandle, tmp_path: Path) -> None:
    path = tmp_path / "family.yaml"
    fresh = without_voicemail()
    transport = RecordingTransport(str(path), mode="all", inner=_inner(telnyx_mock_router))
    with sdk(telnyx_mock_router, http_client=httpx.Client(transport=transport)) as client:
        client.phone_numbers.voicemail.create(fresh["id"], pin="97531")
        client.phone_numbers.voicemail.retrieve(fresh["id"])
        verified = client.phone_numbers.actions.verify_ownership(
            phone_numbers=[fresh["phone_number"]]
        )
        slim = client.phone_numbers.slim_list(page_size=2)
    text = path.read_text(encoding="utf-8")
    assert "97531" not in text
    assert len(cformat.load(path).interactions) == 4
    assert check_file(path) == []  # the drift check knows the new shapes
    with router(path, host="api.telnyx.com"), sdk(telnyx_mock_router) as offline:
        again = offline.phone_numbers.actions.verify_ownership(
            phone_numbers=[fresh["phone_number"]]
        )
        assert again == verified
        page = offline.phone_numbers.slim_list(page_size=2)
        assert [n.id for n in page.data] == [n.id for n in slim.data]  # one page, no paging


def _inner(mock: MockHandle) -> httpx.BaseTransport:
    """The in-process emulator as an httpx transport (the router's target)."""
    from mockserver.transport import ASGIBridge

    return ASGIBridge(mock.app)
