"""mockserver.clock (manual and tenant clocks, the wire time format) and mockserver.ids."""

from __future__ import annotations

import random
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mockserver.clock import (
    DEFAULT_MANUAL_START_MS,
    ManualClock,
    RealClock,
    TenantClock,
    iso_ms,
    parse_iso,
)
from mockserver.ids import IdSource

WIRE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: 9999-12-31T23:59:59.999Z, the last instant ISO 8601 years of four digits can say
MAX_MS = 253_402_300_799_999


def reference_iso(ms: int) -> str:
    """The wire format computed with integer arithmetic only (no floats)."""
    dt = EPOCH + timedelta(milliseconds=ms)
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + f".{dt.microsecond // 1000:03d}Z"


# --- ManualClock -------------------------------------------------------------------------------


def test_manual_clock_starts_at_2026_and_stays_frozen() -> None:
    clock = ManualClock()
    assert clock.now_ms() == DEFAULT_MANUAL_START_MS
    assert iso_ms(clock.now_ms()) == "2026-01-01T00:00:00.000Z"
    assert clock.now_ms() == clock.now_ms() == DEFAULT_MANUAL_START_MS
    assert ManualClock(5).now_ms() == 5


def test_manual_clock_moves_only_forward() -> None:
    clock = ManualClock(1_000)
    clock.advance(0)
    assert clock.now_ms() == 1_000
    clock.advance(250)
    assert clock.now_ms() == 1_250
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(-1)
    assert clock.now_ms() == 1_250
    clock.set(1_250)  # setting "now" is not moving backwards
    clock.set(5_000)
    assert clock.now_ms() == 5_000
    with pytest.raises(ValueError, match="backwards"):
        clock.set(4_999)
    assert clock.now_ms() == 5_000


def test_real_clock_is_epoch_milliseconds() -> None:
    now = RealClock().now_ms()
    assert isinstance(now, int)
    assert now > DEFAULT_MANUAL_START_MS - 10 * 365 * 86_400_000  # after 2016


# --- TenantClock -------------------------------------------------------------------------------


def test_tenant_clocks_share_the_base_but_not_each_others_offsets() -> None:
    base = ManualClock()
    a, b = TenantClock(base), TenantClock(base)
    assert a.now_ms() == b.now_ms() == base.now_ms()
    a.advance(5_000)
    assert a.now_ms() == base.now_ms() + 5_000
    assert b.now_ms() == base.now_ms()
    base.advance(1_000)
    assert a.now_ms() == DEFAULT_MANUAL_START_MS + 6_000
    assert b.now_ms() == DEFAULT_MANUAL_START_MS + 1_000
    b.set(DEFAULT_MANUAL_START_MS + 60_000)
    assert b.now_ms() == DEFAULT_MANUAL_START_MS + 60_000
    assert a.now_ms() == DEFAULT_MANUAL_START_MS + 6_000
    base.advance(1)
    assert b.now_ms() == DEFAULT_MANUAL_START_MS + 60_001  # set is an offset, not a freeze


def test_tenant_clock_refuses_to_move_backwards() -> None:
    clock = TenantClock(ManualClock(10_000))
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(-1)
    with pytest.raises(ValueError, match="backwards"):
        clock.set(9_999)
    assert clock.now_ms() == 10_000
    clock.set(10_000)
    assert clock.now_ms() == 10_000


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["base", "advance", "set"]),
            st.integers(-5_000, 5_000),
        ),
        max_size=30,
    )
)
def test_tenant_clock_never_goes_backwards(ops: list[tuple[str, int]]) -> None:
    base = ManualClock(1_000_000)
    tenant, other = TenantClock(base), TenantClock(base)
    seen = tenant.now_ms()
    for op, amount in ops:
        before = tenant.now_ms()
        other_before = other.now_ms()
        if op == "base":
            base.advance(abs(amount))
            assert tenant.now_ms() == before + abs(amount)
        elif op == "advance":
            if amount < 0:
                with pytest.raises(ValueError, match="backwards"):
                    tenant.advance(amount)
                assert tenant.now_ms() == before
            else:
                tenant.advance(amount)
                assert tenant.now_ms() == before + amount
            assert other.now_ms() == other_before
        else:
            target = before + amount
            if target < before:
                with pytest.raises(ValueError, match="backwards"):
                    tenant.set(target)
                assert tenant.now_ms() == before
            else:
                tenant.set(target)
                assert tenant.now_ms() == target
            assert other.now_ms() == other_before
        assert tenant.now_ms() >= seen
        seen = tenant.now_ms()


# --- iso_ms / parse_iso ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ms", "text"),
    [
        (0, "1970-01-01T00:00:00.000Z"),
        (1, "1970-01-01T00:00:00.001Z"),
        (999, "1970-01-01T00:00:00.999Z"),
        (1_000, "1970-01-01T00:00:01.000Z"),
        (59_999, "1970-01-01T00:00:59.999Z"),
        (86_399_999, "1970-01-01T23:59:59.999Z"),
        (DEFAULT_MANUAL_START_MS - 1, "2025-12-31T23:59:59.999Z"),
        (DEFAULT_MANUAL_START_MS, "2026-01-01T00:00:00.000Z"),
        (DEFAULT_MANUAL_START_MS + 999, "2026-01-01T00:00:00.999Z"),
        (951_782_400_000, "2000-02-29T00:00:00.000Z"),  # leap day
        (1_709_251_199_999, "2024-02-29T23:59:59.999Z"),
        (MAX_MS, "9999-12-31T23:59:59.999Z"),
    ],
)
def test_iso_ms_has_milliseconds_and_z(ms: int, text: str) -> None:
    assert iso_ms(ms) == text
    assert WIRE.match(iso_ms(ms))
    assert parse_iso(text) == ms


@given(st.integers(0, MAX_MS))
def test_iso_ms_equals_integer_arithmetic(ms: int) -> None:
    text = iso_ms(ms)
    assert WIRE.match(text)
    assert text == reference_iso(ms)


@given(st.integers(0, MAX_MS))
def test_parse_iso_round_trips_iso_ms(ms: int) -> None:
    assert parse_iso(iso_ms(ms)) == ms


@given(st.integers(0, MAX_MS // 1000).map(lambda s: s * 1000), st.integers(0, 999))
def test_round_trip_keeps_the_millisecond_at_second_edges(second_ms: int, extra: int) -> None:
    ms = second_ms + extra
    text = iso_ms(ms)
    assert text.endswith(f".{extra:03d}Z")
    assert parse_iso(text) == ms


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("2026-01-01T00:00:00Z", DEFAULT_MANUAL_START_MS),
        ("2026-01-01T00:00:00z", DEFAULT_MANUAL_START_MS),
        ("2026-01-01T00:00:00.000Z", DEFAULT_MANUAL_START_MS),
        ("2026-01-01T00:00:00+00:00", DEFAULT_MANUAL_START_MS),
        ("2026-01-01T02:00:00+02:00", DEFAULT_MANUAL_START_MS),
        ("2025-12-31T19:00:00-05:00", DEFAULT_MANUAL_START_MS),
        ("2026-01-01T00:00:00", DEFAULT_MANUAL_START_MS),  # no offset: UTC
        ("  2026-01-01T00:00:00Z  ", DEFAULT_MANUAL_START_MS),
        ("2026-01-01T00:00:00.5Z", DEFAULT_MANUAL_START_MS + 500),
        ("2026-01-01T00:00:00.123456Z", DEFAULT_MANUAL_START_MS + 123),
        ("2026-01-02T00:00:00Z", DEFAULT_MANUAL_START_MS + 86_400_000),
    ],
)
def test_parse_iso_accepts_z_offsets_and_naive(text: str, ms: int) -> None:
    assert parse_iso(text) == ms


@pytest.mark.parametrize("text", ["", "yesterday", "2026-13-01T00:00:00Z", "2026-01-01T25:00Z"])
def test_parse_iso_rejects_garbage_with_value_error(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the type is the contract here
        parse_iso(text)


# --- ids ---------------------------------------------------------------------------------------


def draw_all(source: IdSource) -> tuple[list[str], list[float], list[str]]:
    return (
        [source.uuid() for _ in range(20)],
        [source.random() for _ in range(5)],
        [source.digits(19) for _ in range(5)],
    )


@pytest.mark.rule("C-DETERMINISM")
def test_same_seed_and_namespace_give_the_same_ids() -> None:
    assert draw_all(IdSource(0, "test-key")) == draw_all(IdSource(0, "test-key"))
    assert draw_all(IdSource(7)) == draw_all(IdSource(7, ""))


def test_ids_do_not_depend_on_the_global_random_state() -> None:
    state = random.getstate()
    try:
        random.seed(1)
        first = draw_all(IdSource(3, "k"))
        random.seed(2)
        second = draw_all(IdSource(3, "k"))
    finally:
        random.setstate(state)
    assert first == second


@given(
    seed=st.integers(-(2**63), 2**63),
    a=st.text(max_size=12),
    b=st.text(max_size=12),
)
def test_different_namespaces_or_seeds_give_different_ids(seed: int, a: str, b: str) -> None:
    assert IdSource(seed, a).uuid() == IdSource(seed, a).uuid()
    if a != b:
        assert IdSource(seed, a).uuid() != IdSource(seed, b).uuid()
    assert IdSource(seed, a).uuid() != IdSource(seed + 1, a).uuid()


@given(seed=st.integers(0, 2**32), namespace=st.text(max_size=8))
def test_uuids_are_version_4_and_unique(seed: int, namespace: str) -> None:
    source = IdSource(seed, namespace)
    ids = [source.uuid() for _ in range(50)]
    assert len(set(ids)) == len(ids)
    for text in ids:
        assert UUID4.match(text), text
        parsed = uuid.UUID(text)
        assert parsed.version == 4
        assert parsed.variant == uuid.RFC_4122
        assert str(parsed) == text


@given(seed=st.integers(0, 2**32), n=st.integers(1, 25))
def test_digits_have_the_length_and_no_leading_zero(seed: int, n: int) -> None:
    text = IdSource(seed).digits(n)
    assert len(text) == n
    assert text.isdigit()
    assert text[0] != "0"
    value = IdSource(seed).random()
    assert 0.0 <= value < 1.0
