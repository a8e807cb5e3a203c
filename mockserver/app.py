"""The one place an app is built: ``create_app(settings, *, clock=..., template=...)``."""

from __future__ import annotations

import time
from functools import partial

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute
from starlette.types import ASGIApp

from mockserver.clock import Clock, ManualClock, RealClock
from mockserver.config import Settings
from mockserver.errors import ApiError
from mockserver.faults import Faults, RateLimiter
from mockserver.http import errors as handlers
from mockserver.http.common import forget_extras
from mockserver.http.middleware import EmulatorMiddleware
from mockserver.inventory import Inventory
from mockserver.journal import Journals
from mockserver.routes import c_controls, data_routes, r_v2_prefix
from mockserver.tenants import Tenants, WallClock
from mockserver.world import template as load_template


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
    routes: list[BaseRoute] = [*c_controls(settings), *r_v2_prefix(data_routes())]
    app = Emulator(
        routes=routes,
        exception_handlers={
            ApiError: handlers.api_error,
            HTTPException: handlers.http_error,
            Exception: handlers.r_no_500,
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
