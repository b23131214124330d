"""The FastAPI app factory. One process serves the API, the webhooks and the embedded scheduler."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from bot.app.preview import preview
from bot.app.runtime import Runtime, build_runtime
from bot.platform.clock import Clock
from bot.platform.config import Settings, get_settings
from bot.web.errors import install_error_handlers
from bot.web.limits import install_limits
from bot.web.log_redact import install_log_redaction
from bot.web.routes import admin, buyers, cases, docs, health, policies, reports, reviews, staff, staff_events
from bot.web.security_headers import SecurityHeaders
from channels import slack, sms, telegram, webchat, webchat_photos


def create_app(
    settings: Settings | None = None,
    clock: Clock | None = None,
    *,
    run_scheduler: bool = True,
    runtime: Runtime | None = None,
) -> FastAPI:
    """Build the app. Given a `runtime`, the app uses it and leaves closing it to the caller (tests)."""
    settings = settings or (runtime.settings if runtime else get_settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        install_log_redaction()  # again: uvicorn (re)configures its loggers after the app is built
        if runtime is not None:
            yield
            return
        built = await build_runtime(settings, clock, refresh_knowledge=True)
        built.settle()  # this process serves one runtime for its life
        app.state.runtime = built
        if run_scheduler:
            built.start_worker()
        try:
            yield
        finally:
            await built.close()

    app = FastAPI(
        title="Mediator",
        version="0.1.0",
        lifespan=lifespan,
        description="Turns a low-rated review into a resolved customer.",
        docs_url=None,  # bot/web/routes/docs.py serves both pages from local assets
        redoc_url=None,
    )
    if runtime is not None:
        app.state.runtime = runtime
    app.state.preview = preview  # the admin API's policy preview builds scratch runtimes: composition-root work
    install_error_handlers(app)
    install_limits(app, photo_limit=settings.webchat.max_photo_bytes)
    app.add_middleware(SecurityHeaders)
    install_log_redaction()
    # Routes are matched in this order, one by one: the providers' webhooks, the busiest and most
    # latency-bound requests (bench/channels.py), come first.
    for module in (
        sms,
        telegram,
        health,
        reviews,
        cases,
        buyers,
        webchat,
        webchat_photos,
        slack,
        staff,
        staff_events,
        policies,
        admin,
        reports,
        docs,
    ):
        app.include_router(module.router)
    return app
