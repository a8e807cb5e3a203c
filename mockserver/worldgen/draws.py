"""The random draws of one world (ids, tags, pins, associations, voice settings), each from
the one ``random.Random(seed)`` passed in: never the clock, the global ``random`` or ``uuid4``."""

from __future__ import annotations

import functools
import random
import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from mockserver.worldgen.vocabulary import (
    ADDRESS_SPECS,
    BILLING_GROUP_NULL_SHARE,
    BILLING_GROUP_SPECS,
    CNAM_DETAILS,
    CONNECTION_NULL_SHARE,
    CONNECTION_SPECS,
    CUSTOMER_REFERENCE_NULL_SHARE,
    CUSTOMER_REFERENCES,
    EPOCH_START,
    FIXED_CONNECTION_ID,
    ID_HIGH,
    ID_LOW,
    MESSAGING_PROFILE_NAMES,
    MESSAGING_PROFILE_SHARE,
    OTHER_TAGS_WEIGHTED,
    SALES_SHARE_OF_TAGGED,
    SECONDS_PER_DAY,
    SPAN_SECONDS,
    UNTAGGED_SHARE,
    US_AREA_CODES,
)

# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


@functools.cache
def time_tables() -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Pieces of ``YYYY-MM-DDTHH:MM:SS.mmmZ``: per day since EPOCH_START, per second of the
    day, per millisecond. Second ``s`` (since EPOCH_START) at millisecond ``ms`` formats as
    ``days[s // 86_400] + hms[s % 86_400] + millis[ms]`` (all small ints: no big-int maths)."""
    days = tuple(
        (EPOCH_START + timedelta(days=d)).strftime("%Y-%m-%dT")
        for d in range(SPAN_SECONDS // SECONDS_PER_DAY)
    )
    hms = tuple(
        f"{h:02d}:{m:02d}:{s:02d}." for h in range(24) for m in range(60) for s in range(60)
    )
    millis = tuple(f"{ms:03d}Z" for ms in range(1000))
    return days, hms, millis


def format_timestamp(second: int, ms: int = 0) -> str:
    """Format ``second`` (since EPOCH_START, 2019-01-01T00:00:00Z) + ``ms`` as ISO 8601."""
    days, hms, millis = time_tables()
    return days[second // SECONDS_PER_DAY] + hms[second % SECONDS_PER_DAY] + millis[ms]


def rng_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def rng_digits_id(rng: random.Random, length: int) -> str:
    return str(rng.randrange(10 ** (length - 1), 10**length))


def make_connections(rng: random.Random) -> list[dict[str, str]]:
    out = [{"id": FIXED_CONNECTION_ID, "name": CONNECTION_SPECS[0][0]}]
    seen = {FIXED_CONNECTION_ID}
    for name, _weight in CONNECTION_SPECS[1:]:
        ident = rng_digits_id(rng, 19)
        while ident in seen:
            ident = rng_digits_id(rng, 19)
        seen.add(ident)
        out.append({"id": ident, "name": name})
    return out


def make_billing_groups(rng: random.Random) -> list[dict[str, str]]:
    return [
        {"id": ident if ident is not None else rng_uuid(rng), "name": name}
        for ident, name in BILLING_GROUP_SPECS
    ]


def make_addresses(rng: random.Random) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for ident, street, locality, area, postal in ADDRESS_SPECS:
        out.append(
            {
                "id": ident if ident is not None else rng_digits_id(rng, rng.randint(13, 19)),
                "street_address": street,
                "locality": locality,
                "administrative_area": area,
                "postal_code": postal,
                "country_code": "US",
            }
        )
    return out


def make_profiles(rng: random.Random) -> list[dict[str, str]]:
    return [{"id": rng_uuid(rng), "name": name} for name in MESSAGING_PROFILE_NAMES]


#: size of the pre-drawn pools (tags, associations, PINs, voice settings); a power of two so a
#: record picks an entry with a single ``getrandbits`` call
POOL_BITS = 12
POOL_SIZE = 1 << POOL_BITS


def make_ids(rng: random.Random, count: int, fixed: Sequence[str]) -> list[int]:
    """``count`` unique 19-digit ids, ascending: ``fixed`` plus one random id per equal-width
    stratum of the id range (sorted and unique by construction, no big set or sort needed)."""
    fixed_ints = sorted({int(i) for i in fixed})
    taken = set(fixed_ints)
    n = count - len(fixed_ints)
    if n <= 0:
        return fixed_ints[:count]
    getrandbits = rng.getrandbits
    width = ID_HIGH - ID_LOW
    out: list[int] = []
    append = out.append
    lo = ID_LOW
    for i in range(1, n + 1):
        hi = ID_LOW + i * width // n
        x = lo + getrandbits(64) % (hi - lo)
        while x in taken:  # only ever true for a documented id (a handful of values)
            x = lo + getrandbits(64) % (hi - lo)
        append(x)
        lo = hi
    if fixed_ints:
        out = sorted(out + fixed_ints)  # two sorted runs: a linear merge
    return out


def draw_tags(rng: random.Random) -> tuple[str, ...]:
    """0-3 distinct tags, sorted; ~20 % untagged, "sales" on ~60 % of the tagged."""
    rand = rng.random
    if rand() < UNTAGGED_SHARE:
        return ()
    tags = ["sales"] if rand() < SALES_SHARE_OF_TAGGED else []
    want = min(3, len(tags) + 1 + rng.getrandbits(2) % 3)
    for _ in range(6):
        if len(tags) >= want:
            break
        tag = OTHER_TAGS_WEIGHTED[int(rand() * len(OTHER_TAGS_WEIGHTED))]
        if tag not in tags:
            tags.append(tag)
    return tuple(sorted(tags))


def draw_pin(rng: random.Random) -> str | None:
    """Half the numbers have no external PIN; the rest 4-8 digits."""
    if rng.random() < 0.5:
        return None
    length = rng.randint(4, 8)
    return str(rng.randrange(10**length)).zfill(length)


Associations = tuple[str | None, str | None, str | None, str | None, str | None]


def draw_associations(
    rng: random.Random,
    connection_pool: Sequence[str],
    billing_group_pool: Sequence[str],
    profiles: Sequence[tuple[str, str]],
) -> Associations:
    """(connection_id, billing_group_id, customer_reference, messaging profile id, its name)."""
    rand = rng.random
    connection_id = None if rand() < CONNECTION_NULL_SHARE else rng.choice(connection_pool)
    billing_group_id = None if rand() < BILLING_GROUP_NULL_SHARE else rng.choice(billing_group_pool)
    reference = None if rand() < CUSTOMER_REFERENCE_NULL_SHARE else rng.choice(CUSTOMER_REFERENCES)
    if rand() < MESSAGING_PROFILE_SHARE:
        profile_id, profile_name = rng.choice(profiles)
        return connection_id, billing_group_id, reference, profile_id, profile_name
    return connection_id, billing_group_id, reference, None, None


def default_voice() -> dict[str, Any]:
    """Voice settings with every spec default (CONTRACT.md 5.3)."""
    return {
        "call_forwarding": {
            "call_forwarding_enabled": True,
            "forwarding_type": None,
            "forwards_to": "",
        },
        "call_recording": {
            "inbound_call_recording_enabled": False,
            "inbound_call_recording_format": "wav",
            "inbound_call_recording_channels": "single",
        },
        "cnam_listing": {"cnam_listing_enabled": False, "cnam_listing_details": ""},
        "media_features": {
            "rtp_auto_adjust_enabled": True,
            "accept_any_rtp_packets_enabled": False,
            "t38_fax_gateway_enabled": False,
        },
        "caller_id_name_enabled": False,
        "inbound_call_screening": "disabled",
        "tech_prefix_enabled": False,
        "translated_number": "",
        "usage_payment_method": "pay-per-minute",
    }


def draw_voice(rng: random.Random) -> dict[str, Any]:
    """Voice settings: mostly the spec defaults, with a realistic minority of changes."""
    rand = rng.random
    voice = default_voice()
    v = rand()
    if v < 0.05:
        voice["call_forwarding"]["call_forwarding_enabled"] = False
    elif v < 0.13:
        target = (
            "+13035559123"
            if rand() < 0.2
            else f"+1{rng.choice(US_AREA_CODES)}555{rng.randrange(10_000):04d}"
        )
        voice["call_forwarding"]["forwarding_type"] = "always" if rand() < 0.6 else "on-failure"
        voice["call_forwarding"]["forwards_to"] = target
    recording = voice["call_recording"]
    recording["inbound_call_recording_enabled"] = rand() < 0.10
    recording["inbound_call_recording_format"] = "wav" if rand() < 0.85 else "mp3"
    recording["inbound_call_recording_channels"] = "single" if rand() < 0.80 else "dual"
    if rand() < 0.08:
        voice["cnam_listing"] = {
            "cnam_listing_enabled": True,
            "cnam_listing_details": rng.choice(CNAM_DETAILS),
        }
    media = voice["media_features"]
    media["rtp_auto_adjust_enabled"] = rand() < 0.90
    media["accept_any_rtp_packets_enabled"] = rand() < 0.05
    media["t38_fax_gateway_enabled"] = rand() < 0.05
    voice["caller_id_name_enabled"] = rand() < 0.10
    s = rand()
    if s >= 0.94:
        voice["inbound_call_screening"] = "reject_calls" if s < 0.97 else "flag_calls"
    voice["tech_prefix_enabled"] = rand() < 0.03
    if rand() < 0.03:
        voice["translated_number"] = str(rng.randrange(10**10)).zfill(10)
    if rand() < 0.15:
        voice["usage_payment_method"] = "channel"
    return voice
