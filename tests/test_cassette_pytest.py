"""mockserver.cassette.pytest_support: the ``telnyx_cassette`` marker and fixture as a user meets
them, in temporary projects run by pytester (paths relative to the test file, the default path,
recording through the fixture, async clients, usage errors)."""

from __future__ import annotations

import pytest
import telnyx  # noqa: F401  # imported once here: the in-process runs below reuse it

from mockserver.cassette import format as cformat

pytest_plugins = ["pytester"]

INI = "[pytest]\naddopts = -p no:cacheprovider --strict-markers\nfilterwarnings = error\n"

RECORD_THEN_REPLAY = """
import asyncio

import httpx
import pytest
import telnyx  # noqa: F401  # imported once here: the in-process runs below reuse it
import telnyx

BODY = {"phone_numbers": ["+13127367254"], "tags": ["fx"]}


def follow(client):
    job = client.phone_numbers.jobs.update_batch(**BODY).data
    return job.id, [client.phone_numbers.jobs.retrieve(job.id).data.status for _ in range(2)]


@pytest.mark.telnyx_cassette("../cassettes/fixture.yaml", record_mode=MODE)
def test_job(request, telnyx_cassette):
    client = telnyx.Telnyx(api_key="fixture-secret-key", max_retries=0)
    if MODE == "once":  # recording: the far side is the emulator, via the telnyx_mock_router
        mock = request.getfixturevalue("telnyx_mock_router")
        job_id = client.phone_numbers.jobs.update_batch(**BODY).data.id
        first = client.phone_numbers.jobs.retrieve(job_id).data.status
        mock.advance(60)
        second = client.phone_numbers.jobs.retrieve(job_id).data.status
        assert telnyx_cassette.recorded == 3
    else:
        job_id, (first, second) = follow(client)
        assert telnyx_cassette.recorded == 0
    assert (first, second) == ("pending", "completed")
    assert str(telnyx_cassette.path).endswith("cassettes/fixture.yaml")


@pytest.mark.telnyx_cassette("../cassettes/fixture.yaml", record_mode=MODE)
def test_async_client(telnyx_cassette):
    if MODE == "once":
        return

    async def go():
        async with telnyx.AsyncTelnyx(api_key="k", max_retries=0) as client:
            job = (await client.phone_numbers.jobs.update_batch(**BODY)).data
            return (await client.phone_numbers.jobs.retrieve(job.id)).data.status

    assert asyncio.run(go()) == "pending"


@pytest.mark.telnyx_cassette("../cassettes/fixture.yaml", record_mode=MODE)
def test_other_hosts_are_untouched(telnyx_cassette):
    with pytest.raises(httpx.ConnectError):
        httpx.get("http://127.0.0.1:9/", timeout=5)
"""


def test_record_through_the_fixture_then_replay(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    tests = pytester.mkdir("tests")
    (tests / "test_fx.py").write_text(RECORD_THEN_REPLAY.replace("MODE", "'once'"))
    pytester.runpytest_inprocess().assert_outcomes(passed=3)
    path = pytester.path / "cassettes" / "fixture.yaml"  # relative to the test file's folder
    text = path.read_text()
    assert "fixture-secret-key" not in text
    assert len(cformat.load(path)) == 3
    (tests / "test_fx.py").write_text(RECORD_THEN_REPLAY.replace("MODE", "'none'"))
    pytester.runpytest_inprocess().assert_outcomes(passed=3)
    assert path.read_text() == text  # replaying never writes


def test_default_path_and_usage_errors(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    pytester.makepyfile(
        """
        import pytest

        def test_unmarked(telnyx_cassette):
            pass

        @pytest.mark.telnyx_cassette("c.yaml", record_mode="sometimes")
        def test_bad_mode(telnyx_cassette):
            pass

        @pytest.mark.telnyx_cassette("c.yaml", colour="red")
        def test_bad_keyword(telnyx_cassette):
            pass

        @pytest.mark.telnyx_cassette("a.yaml", "b.yaml")
        def test_two_paths(telnyx_cassette):
            pass

        @pytest.mark.telnyx_cassette("bad.yaml")
        def test_invalid_cassette(telnyx_cassette):
            pass

        @pytest.mark.telnyx_cassette("c.yaml", redact_json=3)
        def test_bad_redact(telnyx_cassette):
            pass
        """
    )
    (pytester.path / "bad.yaml").write_text("interactions: [\n")
    result = pytester.runpytest_inprocess()
    result.assert_outcomes(errors=6)
    result.stdout.fnmatch_lines_random(
        [
            "*telnyx_cassette: record mode 'none' needs a cassette to replay: "
            "*cassettes/test_default_path_and_usage_errors/test_unmarked.yaml",
            "*telnyx_cassette: unknown record mode 'sometimes': expected one of none, once, "
            "new_episodes, all",
            "*telnyx_cassette: unknown keyword(s) ?'colour'?; known: *",
            "*telnyx_cassette: give one cassette path",
            "*telnyx_cassette: not valid YAML: expected the node content*",
            "*telnyx_cassette: redact_json must be a name or a list of names",
        ]
    )


def test_the_marker_is_registered(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)
    result = pytester.runpytest_inprocess("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.telnyx_cassette(path=None, record_mode='none'*"])


def test_the_record_mode_option_and_the_marker_over_it(pytester: pytest.Pytester) -> None:
    pytester.makeini(INI)  # the plugin registers --telnyx-record-mode itself
    pytester.makepyfile(
        """
        import pytest

        def test_option(telnyx_cassette):
            assert telnyx_cassette.mode == "all"

        @pytest.mark.telnyx_cassette(record_mode="new_episodes")
        def test_marker_wins(telnyx_cassette):
            assert telnyx_cassette.mode == "new_episodes"
        """
    )
    pytester.runpytest_inprocess("--telnyx-record-mode", "all").assert_outcomes(passed=2)
    result = pytester.runpytest_inprocess("--telnyx-record-mode", "sometimes")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*telnyx_cassette: unknown record mode 'sometimes'*"])
