"""The jobs surface: the operations of ``/phone_numbers/jobs``, named after the API's operations.

``JobsBackend(tenant)`` answers one tenant's requests; each method returns what the response's
``data`` holds (and ``meta`` for a list). The checks are :mod:`mockserver.rules.jobs` and
:mod:`mockserver.rules.queries`; the state is the :class:`~mockserver.tenant.Tenant`.
"""

from __future__ import annotations

from typing import Any

from mockserver.jobs import DELETE, EMERGENCY, UPDATE, progress
from mockserver.rules.jobs import r_parameters, r_validation_order
from mockserver.rules.queries import parse_page, q_job_404, q_job_filters, q_sort
from mockserver.tenant import Tenant
from mockserver.views import job_view, r_job_shape

JOB_SORTS = ("created_at",)


class JobsBackend:
    """Batch jobs: create (update, emergency, delete), list, retrieve."""

    __slots__ = ("tenant",)

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant

    # -- CreateXxxJob ---------------------------------------------------------------------------
    def create_update_job(self, body: Any, query: dict[str, Any]) -> dict[str, Any]:
        """``POST /phone_numbers/jobs/update_phone_numbers``."""
        return self.r_atomic(UPDATE, body, query)

    def create_emergency_job(self, body: Any, query: dict[str, Any]) -> dict[str, Any]:
        """``POST /phone_numbers/jobs/update_emergency_settings``."""
        return self.r_atomic(EMERGENCY, body, query)

    def create_delete_job(self, body: Any, query: dict[str, Any]) -> dict[str, Any]:
        """``POST /phone_numbers/jobs/delete_phone_numbers``."""
        return self.r_atomic(DELETE, body, query)

    def r_atomic(self, job_type: str, body: Any, query: dict[str, Any]) -> dict[str, Any]:
        """R-ATOMIC: every check first (:func:`~mockserver.rules.jobs.r_validation_order`), then
        the one write (:meth:`~mockserver.tenant.Tenant.add_job`): a rejected request creates no
        job, changes no number and consumes no id."""
        tenant = self.tenant
        now = tenant.settle()
        targets, by_filter = r_validation_order(tenant, job_type, body, query, now)
        params = r_parameters(job_type, body, targets, by_filter)
        job = tenant.add_job(job_type, params, targets, body.get("customer_reference"), now)
        view = r_job_shape(job, now)
        tenant.settle(now)  # a zero-length job takes effect at once
        return view

    # -- reads ----------------------------------------------------------------------------------
    def retrieve_job(self, job_id: str) -> dict[str, Any]:
        """``GET /phone_numbers/jobs/{id}``."""
        now = self.tenant.l_read_no_move()
        job = q_job_404(self.tenant.jobs, job_id)
        return job_view(job, progress(job, now))

    def list_jobs(self, query: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, int]]:
        """``GET /phone_numbers/jobs``: filters, newest first (or ``sort``), one page."""
        tenant = self.tenant
        now = tenant.l_read_no_move()
        criteria = q_job_filters(tenant.inventory, query.get("filter"), now)
        page = parse_page(query)
        sort = q_sort(query, JOB_SORTS)
        descending = True if sort is None else sort[1]
        # O(page) on the tenant's job index, whatever the number of jobs kept
        shown, total = tenant.job_index.page(criteria, now, descending, page.start, page.size)
        return [job_view(job, prog) for job, prog in shown], page.meta(total)
