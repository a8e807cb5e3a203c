"""The phone-numbers surface: the operations of ``/phone_numbers``, ``/phone_numbers/slim`` and
``/phone_numbers/{id}``.

``PhoneNumbersBackend(tenant)`` answers one tenant's requests, each method returning what the
response's ``data`` holds (and ``meta`` for a list). The checks are
:mod:`mockserver.rules.phone_numbers` plus the per-number outcome rules of a job
(:mod:`mockserver.outcomes`), answered at once as a 422.

One world, many views: :meth:`PhoneNumbersBackend.v_one_world` selects, orders and pages the
numbers for every list of the family (this one, the slim, voice and messaging lists) and
:meth:`PhoneNumbersBackend.ordered` for every CSV download, so a number is in the same place in
each.
"""

from __future__ import annotations

from typing import Any

from mockserver import errors, outcomes
from mockserver.clock import iso_ms
from mockserver.family_views import slim_view
from mockserver.inventory import Inventory, NumberFilter, Record
from mockserver.jobs import DELETE, UPDATE, UPDATEABLE_FIELDS
from mockserver.number_order import list_page
from mockserver.rules.jobs import r_billing_group
from mockserver.rules.phone_numbers import (
    SLIM_FILTER_KEYS,
    SLIM_STATUSES,
    SORTS,
    check_list_options,
    n_resources,
    parse_list_filter,
    r_slim_include,
)
from mockserver.rules.queries import Page, parse_page, q_sort
from mockserver.rules.shape import check_shape
from mockserver.tenant import Tenant
from mockserver.views import number_view, v_nulls_deleted

#: the updateable fields ``PATCH /phone_numbers/{id}`` applies (tags and voice settings have
#: routes of their own; the deletion lock is the batch job's alone, CONTRACT §4.2)
PATCH_FIELDS = frozenset(UPDATEABLE_FIELDS) - {"add_tags", "remove_tags", "voice"}
NUMBER_PATCH_SCHEMA = "update_phone_number_request.schema.json"
#: not in the deleted-number representation
DELETED_OMITS = ("country_iso_alpha2", "emergency_status", "inbound_call_screening", "source_type")


def refuse_unchangeable(
    job_type: str, params: dict[str, Any], record: Record, inv: Inventory
) -> None:
    """A single-number change answers the outcome rules a job target would fail (422)."""
    problems = outcomes.decide(job_type, params, record, inv)
    if problems:
        raise errors.ApiError(422, problems)


class PhoneNumbersBackend:
    """Phone numbers: list, retrieve, update, delete."""

    __slots__ = ("tenant",)

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant

    # -- one world, many views ------------------------------------------------------------------
    def ordered(self, f: NumberFilter, sort: tuple[str, bool] | None) -> list[Record]:
        """Every number matching ``f`` in a list's order: ``sort`` (name, descending) or the
        default, ``created_at`` newest first (ties by id); through the same precomputed orders
        as a page (:func:`~mockserver.number_order.list_page`)."""
        inv = self.tenant.inventory
        records, _total = list_page(inv, f, sort, 0, len(inv))
        return records

    def v_one_world(
        self, f: NumberFilter, sort: tuple[str, bool] | None, page: Page
    ) -> tuple[list[Record], dict[str, int]]:
        """V-ONE-WORLD: one page of the numbers a list shows, in its order, in O(page)
        (:mod:`mockserver.number_order`). Every list view of the family selects, sorts and pages
        through this one method (and every CSV download through :meth:`ordered`), over the same
        records every other operation changes."""
        shown, total = list_page(self.tenant.inventory, f, sort, page.start, page.size)
        return shown, page.meta(total)

    # -- operations -----------------------------------------------------------------------------
    def list_phone_numbers(
        self, query: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], dict[str, int]]:
        """``GET /phone_numbers``: filters, sort, one page."""
        tenant = self.tenant
        tenant.l_read_no_move()
        inv = tenant.inventory
        check_list_options(query)
        f = parse_list_filter(inv, query.get("filter"))
        page = parse_page(query)
        shown, meta = self.v_one_world(f, q_sort(query, SORTS), page)
        return [number_view(r, inv) for r in shown], meta

    def slim_list_phone_numbers(
        self, query: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], dict[str, int]]:
        """``GET /phone_numbers/slim``."""
        return self.v_slim_list(query)

    def v_slim_list(self, query: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, int]]:
        """V-SLIM-LIST: the numbers of ``GET /phone_numbers`` with its filters (but
        ``without_tags``), sorts and pages, as slim items of the same values."""
        tenant = self.tenant
        tenant.l_read_no_move()
        inv = tenant.inventory
        tags, connection = r_slim_include(query)
        f = parse_list_filter(inv, query.get("filter"), SLIM_FILTER_KEYS, SLIM_STATUSES)
        page = parse_page(query)
        shown, meta = self.v_one_world(f, q_sort(query, SORTS), page)
        return [slim_view(r, inv, tags, connection) for r in shown], meta

    def retrieve_phone_number(self, ident: str) -> dict[str, Any]:
        """``GET /phone_numbers/{id}``."""
        self.tenant.l_read_no_move()
        inv = self.tenant.inventory
        return number_view(n_resources(inv, ident), inv)

    def update_phone_number(self, ident: str, body: Any) -> dict[str, Any]:
        """``PATCH /phone_numbers/{id}``."""
        tenant = self.tenant
        now = tenant.settle()
        inv = tenant.inventory
        record = n_resources(inv, ident)
        body = check_shape(NUMBER_PATCH_SCHEMA, body)
        r_billing_group(body, inv)
        params = {k: v for k, v in body.items() if k in PATCH_FIELDS}
        params.pop("deletion_lock_enabled", None)
        refuse_unchangeable(UPDATE, params, record, inv)
        new = outcomes.e_update(record, params, iso_ms(now))
        inv.replace(new)
        return number_view(new, inv)

    def delete_phone_number(self, ident: str) -> dict[str, Any]:
        """``DELETE /phone_numbers/{id}``."""
        tenant = self.tenant
        tenant.settle()
        inv = tenant.inventory
        record = n_resources(inv, ident)
        refuse_unchangeable(DELETE, {}, record, inv)
        outcomes.e_delete(inv, ident)
        view = number_view(record, inv)
        for key in DELETED_OMITS:
            view.pop(key)
        view["status"] = "deleted"
        return v_nulls_deleted(view)
