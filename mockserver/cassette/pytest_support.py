"""The ``telnyx_cassette`` fixture and marker: replay (or record) a cassette in a test.

::

    @pytest.mark.telnyx_cassette("cassettes/job.yaml")          # relative to this test file
    def test_job(telnyx_cassette):
        client = telnyx.Telnyx(api_key="k")                       # default base URL, no change
        ...

While the test runs, every httpx request to ``api.telnyx.com`` (``host=`` to change it) goes
through a :class:`~mockserver.cassette.record.RecordingTransport` under respx's httpx-level
mocker; other hosts are untouched. Marker keywords: ``record_mode`` (default: the
``--telnyx-record-mode`` option if the plugin registers it, else ``none``, replay only),
``host``, and ``redact_headers``/``redact_query``/``redact_json`` (added to the defaults). In a
recording mode, unrecorded requests go to the real host through httpx's own transport.
Without a path the cassette is ``cassettes/<module>/<test>.yaml`` next to the test file.

In ``once``/``new_episodes``/``all``, ``upstream=`` (or ``--telnyx-cassette-upstream URL``)
sends what is recorded to another server instead of the real host, e.g. a local emulator
(``http://127.0.0.1:4010``): offline recording. The cassette still says ``api.telnyx.com``.

A request the cassette does not hold (and may not record) is answered with a Telnyx-shaped 404
(``x-telnyx-mock-replay: miss``, ``x-should-retry: false``) whose detail names the closest
recorded request: the official SDK raises ``telnyx.NotFoundError`` at once, with no retries.
Every miss is kept in the handle's ``misses``, and a test that had any fails at teardown (even
if the code under test swallowed the 404); clear ``misses`` in a test that expects one.

Only ``pytest`` and the standard library are imported here; the rest waits for the fixture.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import respx

    from mockserver.cassette.session import CassetteSession, RecordMode

MARKER = (
    "telnyx_cassette(path=None, record_mode='none', host='api.telnyx.com', redact_headers=(), "
    "redact_query=(), redact_json=(), upstream=None): replay (or record) a cassette of "
    "api.telnyx.com traffic in this test through the telnyx_cassette fixture (path relative to "
    "the test file; upstream: record from this server instead, e.g. a local emulator)"
)
OPTION = "--telnyx-record-mode"
UPSTREAM_OPTION = "--telnyx-cassette-upstream"
DEFAULT_HOST = "api.telnyx.com"
_KEYWORDS = frozenset(
    {"record_mode", "host", "redact_headers", "redact_query", "redact_json", "upstream"}
)


def addoption(group: Any) -> None:
    """Register ``--telnyx-record-mode`` on a pytest option group (call from the plugin)."""
    group.addoption(
        OPTION,
        dest="telnyx_record_mode",
        default=None,
        help="record mode of telnyx_cassette tests without their own: none (default), once, "
        "new_episodes or all",
    )
    group.addoption(
        UPSTREAM_OPTION,
        dest="telnyx_cassette_upstream",
        default=None,
        metavar="URL",
        help="where telnyx_cassette tests without their own upstream= record from (default: "
        "the real host), e.g. http://127.0.0.1:4010 for a local emulator",
    )


@dataclass
class CassetteHandle:
    """What a ``telnyx_cassette`` test gets: the cassette in use and what happened to it."""

    path: Path
    session: CassetteSession
    router: respx.MockRouter
    misses: list[str] = field(default_factory=list)

    @property
    def mode(self) -> RecordMode:
        return self.session.mode

    @property
    def recorded(self) -> int:
        """Exchanges recorded (written) during this test."""
        return self.session.recorded


def _names(value: Any, what: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple | set | frozenset) and all(isinstance(v, str) for v in value):
        return tuple(value)
    pytest.fail(f"telnyx_cassette: {what} must be a name or a list of names", pytrace=False)


def _default_path(request: pytest.FixtureRequest) -> Path:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name).strip("_")
    return Path("cassettes") / request.path.stem / f"{name}.yaml"


def _upstream(request: pytest.FixtureRequest, kwargs: dict[str, Any]) -> str | None:
    option = request.config.getoption("telnyx_cassette_upstream", default=None)
    value = kwargs.get("upstream", option)
    if value is None:
        return None
    text = str(value)
    if not text.startswith(("http://", "https://")) or not text.split("://", 1)[1]:
        pytest.fail(
            f"telnyx_cassette: upstream must be an http(s) URL such as http://127.0.0.1:4010, "
            f"not {text!r}",
            pytrace=False,
        )
    return text.rstrip("/")


def _settings(request: pytest.FixtureRequest) -> tuple[Path, str, str, dict[str, Any]]:
    marker = request.node.get_closest_marker("telnyx_cassette")
    args: tuple[Any, ...] = marker.args if marker else ()
    kwargs: dict[str, Any] = dict(marker.kwargs) if marker else {}
    unknown = sorted(set(kwargs) - _KEYWORDS - {"path"})
    if unknown:
        pytest.fail(
            f"telnyx_cassette: unknown keyword(s) {unknown}; known: {sorted(_KEYWORDS)}",
            pytrace=False,
        )
    given = args[0] if args else kwargs.pop("path", None)
    if len(args) > 1 or not isinstance(given, str | Path | None):
        pytest.fail("telnyx_cassette: give one cassette path", pytrace=False)
    path = Path(given) if given is not None else _default_path(request)
    if not path.is_absolute():
        path = request.path.parent / path
    option = request.config.getoption("telnyx_record_mode", default=None)
    mode = str(kwargs.get("record_mode") or option or "none")
    host = str(kwargs.get("host", DEFAULT_HOST))
    redact = {
        "headers": _names(kwargs.get("redact_headers", ()), "redact_headers"),
        "query": _names(kwargs.get("redact_query", ()), "redact_query"),
        "json_fields": _names(kwargs.get("redact_json", ()), "redact_json"),
    }
    return path, mode, host, redact


@pytest.fixture
def telnyx_cassette(request: pytest.FixtureRequest) -> Iterator[CassetteHandle]:
    """Replay (or record) the marked cassette for every httpx request to ``api.telnyx.com``."""
    import httpx
    import respx

    from mockserver.cassette.format import CassetteError
    from mockserver.cassette.miss import miss_response
    from mockserver.cassette.record import RecordingTransport, UpstreamTransport
    from mockserver.cassette.redact import Redactor
    from mockserver.cassette.session import CassetteMiss, CassetteSession

    path, mode, host, redact = _settings(request)
    marker = request.node.get_closest_marker("telnyx_cassette")
    upstream = _upstream(request, dict(marker.kwargs) if marker else {})
    try:
        session = CassetteSession(path, mode, Redactor().extended(**redact))
    except (ValueError, FileNotFoundError, CassetteError) as exc:  # CassetteError: a ValueError
        pytest.fail(f"telnyx_cassette: {exc}", pytrace=False)
    transport = RecordingTransport(
        session, inner=UpstreamTransport(upstream) if upstream is not None else None
    )

    with respx.mock(assert_all_called=False, using="httpx") as router:
        handle = CassetteHandle(path, session, router)

        def answer(sent: httpx.Request) -> httpx.Response:
            try:
                return transport.handle_request(sent)
            except CassetteMiss as miss:  # an HTTP answer, so the SDK does not retry
                handle.misses.append(str(miss))
                return miss_response(str(miss), sent)

        router.route(host=host).mock(side_effect=answer)
        router.route().pass_through()
        try:
            yield handle
        finally:
            transport.close()
    if handle.misses:
        shown = "\n".join(handle.misses[:3])
        pytest.fail(
            f"telnyx_cassette: {len(handle.misses)} request(s) the cassette does not hold "
            f"(answered 404):\n{shown}",
            pytrace=False,
        )
