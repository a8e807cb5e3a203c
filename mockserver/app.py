"""The one place an app is built: ``create_app(settings, *, clock=..., template=...)``."""

from __future__ import annotations

import time
from functools import partial

from starlette.applications import Starlette
from starlette.convertors import StringConvertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Mount, Route, Router
from starlette.types import ASGIApp

from mockserver.clock import Clock, ManualClock, RealClock
from mockserver.config import Settings
from mockserver.errors import ApiError
from mockserver.faults import Faults, RateLimiter
from mockserver.http import control, control_extra, jobs, numbers, state
from mockserver.http import errors as handlers
from mockserver.http.common import forget_extras
from mockserver.http.middleware import EmulatorMiddleware
from mockserver.inventory import Inventory
from mockserver.journal import Journals
from mockserver.tenants import Tenants, WallClock
from mockserver.world import template as load_template


class JobIdConvertor(StringConvertor):
    """One path segment that is not one of the three creation paths."""

    regex = "(?!(?:" + "|".join(sorted(jobs.CREATION_PATHS)) + ")(?:/|$))[^/]+"


register_url_convertor("telnyx_job_id", JobIdConvertor())


def data_routes() -> list[BaseRoute]:
    """The data plane, exactly as the live API lays it out under ``/v2``."""
    return [
        Route(
            "/phone_numbers/jobs/update_phone_numbers", jobs.update_phone_numbers, methods=["POST"]
        ),
        Route(
            "/phone_numbers/jobs/update_emergency_settings",
            jobs.update_emergency_settings,
            methods=["POST"],
        ),
        Route(
            "/phone_numbers/jobs/delete_phone_numbers", jobs.delete_phone_numbers, methods=["POST"]
        ),
        Route("/phone_numbers/jobs", jobs.list_jobs, methods=["GET"]),
        # a job id is never a creation path's last segment: GET on those is Starlette's own 405
        Route("/phone_numbers/jobs/{id:telnyx_job_id}", jobs.retrieve_job, methods=["GET"]),
        Route("/phone_numbers", numbers.list_numbers, methods=["GET"]),
        Route(
            "/phone_numbers/{id}",
            numbers.number_resource,
            methods=["GET", "PATCH", "DELETE"],
        ),
        Route("/phone_numbers/{id}/voice", numbers.voice_resource, methods=["GET", "PATCH"]),
    ]


def control_routes() -> list[BaseRoute]:
    return [
        Route("/health", control.health, methods=["GET"]),
        Route("/reset", control.reset, methods=["POST"]),
        Route("/clock", control.clock, methods=["GET"]),
        Route("/clock/advance", control.clock_advance, methods=["POST"]),
        Route("/clock/set", control.clock_set, methods=["POST"]),
        Route("/jobs/run", control.run_jobs, methods=["POST"]),
        *control_extra.routes(),
        *state.routes(),
    ]


class Emulator(Starlette):
    """Starlette with the emulator's own layer (journal, faults, rate limit, access log) outside
    Starlette's error middleware, so that a dropped connection really sends nothing."""

    def build_middleware_stack(self) -> ASGIApp:
        return EmulatorMiddleware(super().build_middleware_stack(), self.state)


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    template: Inventory | None = None,
    wall_clock: WallClock | None = None,
) -> Starlette:
    """Build the emulator. ``clock`` defaults to real time (manual if ``settings.manual_clock``);
    ``wall_clock`` (seconds, monotonic) measures how long tenants stay idle."""
    settings = settings or Settings()
    if clock is None:
        clock = ManualClock() if settings.manual_clock else RealClock()
    if template is None:
        template = load_template(settings.world_path)
    routes: list[BaseRoute] = []
    if settings.control:
        routes.append(Mount("/_mock", app=Router(control_routes(), redirect_slashes=False)))
    routes.append(Mount("/v2", app=Router(data_routes(), redirect_slashes=False)))
    routes.extend(data_routes())  # the same routes without /v2 (the SDK's mock-server default)
    app = Emulator(
        routes=routes,
        exception_handlers={
            ApiError: handlers.api_error,
            HTTPException: handlers.http_error,
            Exception: handlers.unexpected,
        },
    )
    app.router.redirect_slashes = False  # /phone_numbers/ is an unknown route, not a redirect
    app.state.settings = settings
    app.state.clock = clock
    app.state.tenants = Tenants(
        settings, template, clock, wall=wall_clock or time.monotonic,
        on_evict=partial(forget_extras, app.state),
    )  # fmt: skip
    app.state.journals = Journals(settings.journal_size)
    app.state.faults = Faults(settings.seed)
    rate = settings.rate_limit_per_second
    app.state.limiter = RateLimiter(rate) if rate else None
    return app
