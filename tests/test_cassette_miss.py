"""A cassette miss under the official SDK is an HTTP 404 it surfaces at once (no retries, the
closest recording named), and the ``telnyx_cassette`` marker records from a local emulator
(``upstream=`` / ``--telnyx-cassette-upstream``), offline."""

from __future__ import annotations

import httpx
import pytest
import telnyx  # noqa: F401  # imported once here: the in-process runs below reuse it

from mockserver.cassette import format as cformat
from mockserver.cassette.miss import MISS_HEADER, miss_response
from mockserver.cassette.replay_app import create_replay_app
from mockserver.plugin import MockHandle
from mockserver.transport import ASGIBridge

pytest_plugins = ["pytester"]

INI = "[pytest]\naddopts = -p no:cacheprovider --strict-markers\nfilterwarnings = error\n"
TESTS = """
import pytest
import telnyx

BODY = {"phone_numbers": ["+13127367254"], "tags": ["offline"]}


@pytest.mark.telnyx_cassette("cassettes/job.yaml", record_mode=MODE UPSTREAM)
def test_job(telnyx_cassette):
    client = telnyx.Telnyx(api_key="recording-key")          # default base URL, default retries
    job = client.phone_numbers.jobs.update_batch(**BODY).data
    assert job.status == "pending"
    assert client.phone_numbers.jobs.retrieve(job.id).data.id == job.id


@pytest.mark.telnyx_cassette("cassettes/job.yaml", record_mode=MODE UPSTREAM)
def test_a_miss(telnyx_cassette):
    if telnyx_cassette.session.may_record:
        return
    client = telnyx.Telnyx(api_key="recording-key")          # max_retries: the SDK's default 2
    with pytest.raises(telnyx.NotFoundError) as caught:
        client.phone_numbers.jobs.update_batch(phone_numbers=["+13127367254"], tags=["other"])
    assert caught.value.status_code == 404
    assert "closest recorded request (interaction 1 of 2)" in str(caught.value)
    assert 'body /tags/0: recorded "offline", received "other"' in str(caught.value)
    assert len(telnyx_cassette.misses) == 1                  # sent once: no retry
    telnyx_cassette.misses.clear()
"""


def run(pytester: pytest.Pytester, mode: str, upstream: str = "", *args: str) -> None:
    source = TESTS.replace("MODE", repr(mode)).replace("UPSTREAM", upstream)
    pytester.makepyfile(test_offline=source)
    pytester.runpytest_inprocess(*args).assert_outcomes(passed=2)


def test_record_from_a_local_emulator_then_replay(
    pytester: pytest.Pytester, telnyx_mock_server: MockHandle
) -> None:
    pytester.makeini(INI)
    run(pytester, "once", "", "--telnyx-cassette-upstream", telnyx_mock_server.origin)
    path = pytester.path / "cassettes" / "job.yaml"
    cassette = cformat.load(path)
    assert cassette.interactions[0].request.uri == (
        "https://api.telnyx.com/v2/phone_numbers/jobs/update_phone_numbers"
    )  # the client's URL is what is recorded; the emulator answered
    assert [i.response.status for i in cassette.interactions] == [202, 200]
    assert "recording-key" not in path.read_text()
    telnyx_mock_server.for_key("recording-key").assert_called(
        "POST", "/phone_numbers/jobs/update_phone_numbers", times=1
    )
    text = path.read_text()
    run(pytester, "none")  # offline: nothing listens for these requests now
    assert path.read_text() == text


def test_the_marker_keyword_wins_over_the_option(
    pytester: pytest.Pytester, telnyx_mock_server: MockHandle
) -> None:
    pytester.makeini(INI)
    keyword = f", upstream={telnyx_mock_server.origin + '/'!r}"
    run(pytester, "new_episodes", keyword, "--telnyx-cassette-upstream", "http://127.0.0.1:9")
    assert len(cformat.load(pytester.path / "cassettes" / "job.yaml")) == 2


def test_a_swallowed_miss_fails_the_test_at_teardown(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    (pytester.path / "c.yaml").write_text("interactions: []\nversion: 1\n")
    pytester.makepyfile(
        """
        import pytest
        import telnyx

        @pytest.mark.telnyx_cassette("c.yaml")
        def test_swallows(telnyx_cassette):
            try:
                telnyx.Telnyx(api_key="k").phone_numbers.jobs.list()
            except telnyx.NotFoundError:
                pass  # code under test treating 404 as "none"

        @pytest.mark.telnyx_cassette("c.yaml", upstream="ftp://x")
        def test_bad_upstream(telnyx_cassette):
            pass
        """
    )
    result = pytester.runpytest_inprocess()
    result.assert_outcomes(passed=1, errors=2)  # test_bad_upstream errors in its set-up
    result.stdout.fnmatch_lines_random(
        [
            "*telnyx_cassette: 1 request(s) the cassette does not hold (answered 404):*",
            "*telnyx_cassette: upstream must be an http(s) URL such as http://127.0.0.1:4010, "
            "not 'ftp://x'",
        ]
    )


def test_both_replay_servers_say_do_not_retry() -> None:
    request = httpx.Request("GET", "https://api.telnyx.com/v2/x")
    response = miss_response("no recorded interaction matches GET /v2/x", request)
    assert (response.status_code, response.headers["x-should-retry"]) == (404, "false")
    assert response.json()["errors"][0]["title"] == "Not recorded"
    app = create_replay_app(cformat.Cassette())
    with httpx.Client(transport=ASGIBridge(app), base_url="http://replay") as client:
        r = client.get("/v2/phone_numbers/jobs")
    assert (r.status_code, r.headers[MISS_HEADER], r.headers["x-should-retry"]) == (
        404, "miss", "false",
    )  # fmt: skip
