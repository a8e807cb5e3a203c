"""The world for ``(seed, count)`` and its diff-friendly file format."""

from __future__ import annotations

import bisect
import gc
import json
import random
from typing import Any, TextIO

from mockserver.worldgen.draws import (
    POOL_BITS,
    POOL_SIZE,
    default_voice,
    draw_associations,
    draw_pin,
    draw_tags,
    draw_voice,
    make_addresses,
    make_billing_groups,
    make_connections,
    make_ids,
    make_profiles,
    time_tables,
)
from mockserver.worldgen.vocabulary import (
    ACTIVE_SHARE,
    CA_AREA_CODES,
    CONNECTION_SPECS,
    EMERGENCY_ADDRESS_SHARE,
    FOREIGN_NUMBERS,
    GENERATED_BY,
    NEVER_ACTIVATED,
    NON_ACTIVE_STATUSES,
    PORT_IN_STATUSES,
    PURCHASE_STATUSES,
    SECONDS_PER_DAY,
    SHARE_CA,
    SHARE_GB,
    SHARE_TOLL_FREE,
    SPAN_SECONDS,
    SPECIAL_NUMBERS,
    TOLL_FREE_CODES,
    US_AREA_CODES,
    Record,
    World,
)

# --------------------------------------------------------------------------------------------
# The world
# --------------------------------------------------------------------------------------------


def generate_world(seed: int, count: int) -> World:
    """Build the world for ``(seed, count)``; the same arguments always give the same world.

    Records are plain dicts. To stay fast and small at a million numbers, records **share**
    their ``voice`` object with other records that drew the same settings (one of a pool of
    pre-drawn configurations): treat records as immutable and replace rather than mutate
    nested values (the emulator's inventory already does). Everything else, including each
    ``tags`` list, is per record. The cyclic garbage collector is paused while building: the
    records are acyclic, and millions of fresh containers would trigger repeated collections.
    """
    if count < 0:
        raise ValueError("count must be >= 0")
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _build_world(seed, count)
    finally:
        if was_enabled:
            gc.enable()


def _build_world(seed: int, count: int) -> World:
    rng = random.Random(seed)
    rand = rng.random
    getrandbits = rng.getrandbits

    connections = make_connections(rng)
    billing_groups = make_billing_groups(rng)
    addresses = make_addresses(rng)
    profiles = make_profiles(rng)

    # weighted pools, drawn by uniform index
    conn_pool: list[str] = [
        c["id"] for c, (_n, w) in zip(connections, CONNECTION_SPECS, strict=True) for _ in range(w)
    ]
    bg_pool: list[str] = [b["id"] for b in billing_groups for _ in range(2)]
    bg_pool += [billing_groups[0]["id"]] * 4  # the default group is the most used
    profile_pairs: list[tuple[str, str]] = [(p["id"], p["name"]) for p in profiles]

    # pre-drawn pools of per-record attribute combinations
    tag_pool = [draw_tags(rng) for _ in range(POOL_SIZE)]
    assoc_pool = [
        draw_associations(rng, conn_pool, bg_pool, profile_pairs) for _ in range(POOL_SIZE)
    ]
    pin_pool = [draw_pin(rng) for _ in range(POOL_SIZE)]
    voice_pool = [default_voice()] + [draw_voice(rng) for _ in range(POOL_SIZE - 1)]

    addr_ids: list[str] = [a["id"] for a in addresses]
    n_addr = len(addr_ids)
    us_codes, ca_codes, tf_codes = US_AREA_CODES, CA_AREA_CODES, TOLL_FREE_CODES
    n_us, n_ca, n_tf = len(us_codes), len(ca_codes), len(tf_codes)
    non_active = NON_ACTIVE_STATUSES
    n_non_active = len(non_active)
    never_activated = NEVER_ACTIVATED
    port_in, purchase = PORT_IN_STATUSES, PURCHASE_STATUSES
    days, hms, millis = time_tables()
    span = SPAN_SECONDS
    created_span = span - 3 * SECONDS_PER_DAY
    cut_ca = SHARE_CA
    cut_tf = SHARE_CA + SHARE_TOLL_FREE
    cut_gb = SHARE_CA + SHARE_TOLL_FREE + SHARE_GB

    specials = dict(list(SPECIAL_NUMBERS.items())[:count])
    ids = make_ids(rng, count, list(specials))

    # Every status occurs at least once: pin each non-active status on one random non-special slot.
    forced: dict[int, str] = {}
    if count >= 4 * (n_non_active + len(specials)):
        special_slots = {bisect.bisect_left(ids, int(i)) for i in specials}
        candidates = rng.sample(range(count), n_non_active + len(specials))
        slots = [i for i in candidates if i not in special_slots][:n_non_active]
        forced = dict(zip(slots, non_active, strict=True))
    forced_get = forced.get

    used_numbers: set[str] = set(FOREIGN_NUMBERS)
    used_numbers.update(p for p, _a in specials.values())
    used_add = used_numbers.add
    numbers: list[Record] = []
    append = numbers.append
    get_special = specials.get

    for index, int_id in enumerate(ids):
        ident = str(int_id)
        special = get_special(ident)
        address_id: str | None = None
        emergency_enabled = False
        emergency_status = "disabled"

        if special is None:
            # -- phone number, country, type --------------------------------------------------
            r = rand()
            while True:
                if r >= cut_gb:
                    country, ntype = "US", "local"
                    phone = (
                        f"+1{us_codes[int(rand() * n_us)]}{2_000_000 + getrandbits(23) % 8_000_000}"
                    )
                elif r < cut_ca:
                    country, ntype = "CA", "local"
                    phone = (
                        f"+1{ca_codes[int(rand() * n_ca)]}{2_000_000 + getrandbits(23) % 8_000_000}"
                    )
                elif r < cut_tf:
                    country, ntype = "US", "toll_free"
                    phone = (
                        f"+1{tf_codes[int(rand() * n_tf)]}{2_000_000 + getrandbits(23) % 8_000_000}"
                    )
                else:
                    country = "GB"
                    g = rand()
                    if g < 0.5:
                        ntype = "local"  # London 020 xxxx xxxx
                        phone = f"+4420{getrandbits(27) % 100_000_000:08d}"
                    elif g < 0.8:
                        ntype = "mobile"  # 07xxx xxxxxx
                        phone = f"+447{getrandbits(30) % 1_000_000_000:09d}"
                    else:
                        ntype = "national"  # 03xx xxx xxxx
                        phone = f"+443{getrandbits(30) % 1_000_000_000:09d}"
                if phone not in used_numbers:
                    break
            used_add(phone)

            # -- status, source -----------------------------------------------------------------
            status = forced_get(index)
            if status is None:
                status = (
                    "active" if rand() < ACTIVE_SHARE else non_active[int(rand() * n_non_active)]
                )
            if status in port_in:
                source = "port_request"
            elif status in purchase:
                source = "number_order"
            else:
                source = "port_request" if rand() < 0.15 else "number_order"

            # -- emergency ----------------------------------------------------------------------
            if (
                ntype == "local"
                and country == "US"
                and (status == "emergency-only" or rand() < EMERGENCY_ADDRESS_SHARE)
            ):
                address_id = addr_ids[int(rand() * n_addr)]
                if status == "active":
                    e = rand()
                    if e < 0.90:
                        emergency_enabled, emergency_status = True, "active"
                    elif e < 0.94:
                        emergency_enabled, emergency_status = True, "provisioning"
                    elif e < 0.96:
                        emergency_enabled, emergency_status = True, "provisioning-failed"
                    elif e < 0.98:
                        emergency_status = "deprovisioning"
                elif status == "emergency-only":
                    emergency_enabled, emergency_status = True, "active"
            voice = voice_pool[getrandbits(POOL_BITS)]
            deletion_lock = rand() < 0.10
        else:
            # a documented example number: an active US local number with default voice settings
            phone, country, ntype = special[0], "US", "local"
            status, source = "active", "number_order"
            address_id = special[1]
            if address_id is not None:
                emergency_enabled, emergency_status = True, "active"
            voice = voice_pool[0]
            deletion_lock = False

        connection_id, billing_group_id, reference, profile_id, profile_name = assoc_pool[
            getrandbits(POOL_BITS)
        ]
        if country == "GB":
            profile_id = profile_name = None

        # -- timestamps (strictly increasing seconds, so the strings order too) --------------
        created = int(rand() * created_span)
        purchased = created + 1 + int(rand() * 172_800.0)  # within two days
        updated = purchased + 1 + int(rand() * (span - 1 - purchased))
        ms = int(rand() * 1_000_000_000.0)  # three independent 3-digit millisecond fields
        updated_at = days[updated // 86_400] + hms[updated % 86_400] + millis[ms // 1_000_000]
        purchased_at = (
            days[purchased // 86_400] + hms[purchased % 86_400] + millis[ms // 1000 % 1000]
        )
        activated_at: str | None = None
        if status not in never_activated:
            delay = rand() * 3_600.0  # activated within the hour after purchase
            activated = purchased + 1 + int(delay)
            if activated >= updated:
                activated_at = updated_at
            else:
                activated_at = (
                    days[activated // 86_400]
                    + hms[activated % 86_400]
                    + millis[int(delay * 1000.0) % 1000]
                )

        append(
            {
                "id": ident,
                "phone_number": phone,
                "status": status,
                "tags": list(tag_pool[getrandbits(POOL_BITS)]),
                "external_pin": pin_pool[getrandbits(POOL_BITS)],
                "connection_id": connection_id,
                "customer_reference": reference,
                "billing_group_id": billing_group_id,
                "emergency_address_id": address_id,
                "emergency_enabled": emergency_enabled,
                "emergency_status": emergency_status,
                "messaging_profile_id": profile_id,
                "messaging_profile_name": profile_name,
                "country_iso_alpha2": country,
                "phone_number_type": ntype,
                "source_type": source,
                "has_bundle": rand() < 0.30,
                "deletion_lock_enabled": deletion_lock,
                "hd_voice_enabled": rand() < 0.20,
                "created_at": days[created // 86_400] + hms[created % 86_400] + millis[ms % 1000],
                "updated_at": updated_at,
                "purchased_at": purchased_at,
                "activated_at": activated_at,
                "voice": voice,
            }
        )

    return {
        "seed": seed,
        "generated_by": GENERATED_BY,
        "connections": connections,
        "billing_groups": billing_groups,
        "emergency_addresses": addresses,
        "messaging_profiles": profiles,
        "numbers": numbers,
    }


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def dump_world(world: World, out: TextIO) -> None:
    """Write ``world``: one top-level key per line, one number record per line."""
    keys = [k for k in world if k != "numbers"]
    out.write("{\n")
    for key in keys:
        out.write(f"{_compact(key)}:{_compact(world[key])},\n")
    out.write('"numbers":[\n')
    records = world["numbers"]
    last = len(records) - 1
    for i, record in enumerate(records):
        out.write(_compact(record))
        out.write(",\n" if i < last else "\n")
    out.write("]\n}\n")
