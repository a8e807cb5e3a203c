"""The generated world's fixed vocabulary: statuses, tags, connections, billing groups,
addresses, number plans, time span and the special numbers every world holds (Telnyx's doc
examples). Field meanings follow CONTRACT.md sections 4.3 and 5.3/5.4."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

DEFAULT_SEED = 20201023
DEFAULT_COUNT = 2500
GENERATED_BY = "fixtures/generate_world.py"

World = dict[str, Any]
Record = dict[str, Any]

# --------------------------------------------------------------------------------------------
# Static vocabulary
# --------------------------------------------------------------------------------------------

STATUSES: tuple[str, ...] = (
    "purchase-pending",
    "purchase-failed",
    "port-pending",
    "port-failed",
    "active",
    "deleted",
    "emergency-only",
    "ported-out",
    "port-out-pending",
    "requirement-info-pending",
    "requirement-info-under-review",
    "requirement-info-exception",
    "provision-pending",
)
NON_ACTIVE_STATUSES: tuple[str, ...] = tuple(s for s in STATUSES if s != "active")
#: statuses whose numbers have never been activated (``activated_at`` is null)
NEVER_ACTIVATED: frozenset[str] = frozenset(
    {
        "purchase-pending",
        "purchase-failed",
        "port-pending",
        "port-failed",
        "requirement-info-pending",
        "requirement-info-under-review",
        "requirement-info-exception",
        "provision-pending",
    }
)
#: statuses that only make sense for numbers coming in through a port request
PORT_IN_STATUSES: frozenset[str] = frozenset({"port-pending", "port-failed"})
PURCHASE_STATUSES: frozenset[str] = frozenset({"purchase-pending", "purchase-failed"})
ACTIVE_SHARE = 0.85

TAG_VOCABULARY: tuple[str, ...] = (
    "campaign-2026",
    "east",
    "sales",
    "sandbox",
    "support",
    "test",
    "vip",
    "west",
)
UNTAGGED_SHARE = 0.20
#: probability that a tagged number carries "sales" (0.8 * 0.6 = 48 % of all numbers)
SALES_SHARE_OF_TAGGED = 0.60
#: the non-"sales" tags, repeated by weight; drawn by uniform index
OTHER_TAGS_WEIGHTED: tuple[str, ...] = (
    ("support",) * 6
    + ("east",) * 5
    + ("west",) * 5
    + ("vip",) * 3
    + ("test",) * 3
    + ("campaign-2026",) * 3
    + ("sandbox",) * 2
)

FIXED_CONNECTION_ID = "1521916448077776306"
#: (name, weight); the first one gets the documented id, the rest get ids from the rng
CONNECTION_SPECS: tuple[tuple[str, int], ...] = (
    ("test-connection-main", 6),
    ("sip-trunk-east", 14),
    ("sip-trunk-west", 12),
    ("Main Office PBX", 8),
    ("Branch Office PBX", 4),
    ("office-fax-gateway", 2),
    ("test-connection", 3),
    ("support-queue", 7),
    ("voice-api-prod", 20),
    ("voice-api-staging", 4),
    ("prod-sip-trunk", 10),
    ("sales-prod-dialer", 10),
)
CONNECTION_NULL_SHARE = 0.10

#: (id or None for an rng uuid, name)
BILLING_GROUP_SPECS: tuple[tuple[str | None, str], ...] = (
    ("62e4bf2e-c278-4282-b524-488d9c9c43b2", "Default Billing Group"),
    ("dc8e4d67-33a0-4cbb-af74-7b58f05bd494", "Engineering"),
    (None, "Sales Department"),
    (None, "Customer Support"),
    (None, "Marketing Campaigns"),
)
BILLING_GROUP_NULL_SHARE = 0.35

#: (id or None for an rng id, street, locality, administrative area, postal code)
ADDRESS_SPECS: tuple[tuple[str | None, str, str, str, str], ...] = (
    ("9102160989215728032", "311 W Superior St", "Chicago", "IL", "60654"),
    ("53829456729313", "1600 Broadway", "Denver", "CO", "80202"),
    (None, "600 Congress Ave", "Austin", "TX", "78701"),
    (None, "350 5th Ave", "New York", "NY", "10118"),
    (None, "1 Market St", "San Francisco", "CA", "94105"),
    (None, "500 Boylston St", "Boston", "MA", "02116"),
)
#: share of eligible (US, non-toll-free) numbers that have an emergency address
EMERGENCY_ADDRESS_SHARE = 0.30

MESSAGING_PROFILE_NAMES: tuple[str, ...] = ("default-sms", "marketing-sms", "support-alerts")
MESSAGING_PROFILE_SHARE = 0.35

CUSTOMER_REFERENCES: tuple[str, ...] = tuple(
    f"REF-{n:04d}" for n in (1, 7, 12, 42, 77, 100, 128, 256, 404, 512, 777, 1001, 2020, 4242)
)
CUSTOMER_REFERENCE_NULL_SHARE = 0.45

CNAM_DETAILS: tuple[str, ...] = (
    "ACME CORP",
    "ACME SALES",
    "Main Office",
    "Support Desk",
    "Telnyx Demo",
    "Chicago HQ",
    "Denver Branch",
    "Helpdesk 24x7",
)

US_AREA_CODES: tuple[str, ...] = (
    "212", "213", "206", "210", "303", "305", "312", "313", "314", "404", "415", "469",
    "503", "512", "602", "615", "617", "646", "702", "713", "718", "720", "773", "786",
    "805", "858", "917", "919", "970", "971",
)  # fmt: skip
CA_AREA_CODES: tuple[str, ...] = (
    "403", "416", "437", "514", "587", "604", "613", "647", "778", "905",
)  # fmt: skip
TOLL_FREE_CODES: tuple[str, ...] = ("800", "833", "844", "855", "866", "877", "888")

# cumulative country / type shares: US local, CA local, US toll-free, GB (split below)
SHARE_CA = 0.06
SHARE_TOLL_FREE = 0.025
SHARE_GB = 0.012

#: documented numbers that must exist: id -> (phone number, emergency address id or None)
SPECIAL_NUMBERS: dict[str, tuple[str, str | None]] = {
    "1293384261075731499": ("+13127367254", None),
    "1583466971586889004": ("+13125550100", None),
    "2637816387126861836": ("+19705555098", "53829456729313"),
    "2637816387126861837": ("+19705555099", "53829456729313"),
    "2637816387126861838": ("+19715555098", None),
    "2637816387126861839": ("+19705551234", None),
}
#: documented numbers that must NOT be owned (e.g. forwarding targets)
FOREIGN_NUMBERS: frozenset[str] = frozenset({"+13035559123"})

EPOCH_START = datetime(2019, 1, 1, tzinfo=UTC)
EPOCH_END = datetime(2026, 7, 1, tzinfo=UTC)  # exclusive
SECONDS_PER_DAY = 86_400
SPAN_SECONDS = (EPOCH_END - EPOCH_START) // timedelta(seconds=1)

ID_LOW = 10**18
ID_HIGH = 10**19
