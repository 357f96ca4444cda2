"""The Starlette application: GraphQL over HTTP and WebSocket, health, readiness, metrics."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute

from api import metrics
from api.community.uploads import media_endpoint
from api.container import Container
from api.http import GraphQLHTTP
from api.privacy.routes import download_export
from api.schema import schema
from api.websocket import GraphQLWebSocket
from rally.logging import configure_logging
from rally.settings import Settings, get_settings


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


async def readyz(request: Request) -> Response:
    container: Container = request.app.state.container
    checks: dict[str, str] = {}
    try:
        async with container.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        checks["postgres"] = "ok"
    except Exception as exc:  # any failure means not ready
        checks["postgres"] = type(exc).__name__
    try:
        await container.redis.ping()
        checks["redis"] = "ok"
    except Exception as exc:
        checks["redis"] = type(exc).__name__
    ready = all(v == "ok" for v in checks.values())
    return JSONResponse(checks, status_code=200 if ready else 503)


def create_app(settings: Settings | None = None, container: Container | None = None,
               run_relay: bool = True) -> Starlette:
    settings = settings or get_settings()

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        owned = container is None
        app.state.container = container or Container.build(settings)
        metrics.track_pool(app.state.container.engine)
        if owned:
            await app.state.container.start(run_relay=run_relay)
        gc.collect()
        gc.freeze()  # objects made at start-up never need scanning again
        try:
            yield
        finally:
            await graphql_ws.stop()
            if owned:
                await app.state.container.close()

    graphql_http = GraphQLHTTP(schema)
    graphql_ws = GraphQLWebSocket(settings)
    middleware = []
    if settings.cors_origins:
        middleware.append(Middleware(
            CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
            allow_headers=["authorization", "content-type"], max_age=600,
        ))
    app = Starlette(
        routes=[
            Route("/graphql", graphql_http.handle, methods=["GET", "POST"]),
            WebSocketRoute("/graphql", graphql_ws),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics.metrics_endpoint),
            Route("/privacy/exports/{token}", download_export),
            Route("/media/{key:str}", media_endpoint, methods=["GET", "PUT"]),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )
    app.state.websockets = graphql_ws
    return app


def app_factory() -> Starlette:
    """Entry point for uvicorn workers: settings come from the environment."""
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    return create_app(settings)
