"""Prometheus metrics: requests and latency by operation, errors by code, pool and sockets."""

from __future__ import annotations

import re
from collections.abc import Iterable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.requests import Request
from starlette.responses import Response

registry = CollectorRegistry(auto_describe=True)

REQUESTS = Counter("rally_graphql_requests_total", "GraphQL operations served",
                   ["operation"], registry=registry)
LATENCY = Histogram("rally_graphql_request_seconds", "GraphQL operation latency",
                    ["operation"], registry=registry,
                    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5))
ERRORS = Counter("rally_graphql_errors_total", "GraphQL errors by code", ["code"],
                 registry=registry)
DB_POOL_IN_USE = Gauge("rally_db_pool_connections_in_use", "PostgreSQL connections checked out",
                       registry=registry)
WEBSOCKETS = Gauge("rally_websocket_connections", "Open GraphQL WebSocket connections",
                   registry=registry)
SUBSCRIPTIONS = Gauge("rally_realtime_subscriptions", "Active GraphQL subscriptions in this process",
                      registry=registry)
REALTIME_EVENTS = Counter("rally_realtime_events_total", "Committed events received from pub/sub",
                          ["topic"], registry=registry)
REALTIME_FRAMES = Counter("rally_realtime_frames_total", "Subscription results sent to clients",
                          registry=registry)
PUBSUB_RECONNECTS = Counter("rally_realtime_pubsub_disconnects_total",
                            "Times the Redis pub/sub connection was lost", registry=registry)

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_MAX_OPERATION_LABELS = 500  # operation names come from clients: bound the label set
_seen_operations: set[str] = set()


def operation_label(name: str) -> str:
    if not _NAME.match(name):
        return "invalid"
    if name not in _seen_operations:
        if len(_seen_operations) >= _MAX_OPERATION_LABELS:
            return "other"
        _seen_operations.add(name)
    return name


def observe_request(operation: str, seconds: float, error_codes: Iterable[str]) -> None:
    label = operation_label(operation)
    REQUESTS.labels(label).inc()
    LATENCY.labels(label).observe(seconds)
    for code in error_codes:
        ERRORS.labels(code).inc()


def track_pool(engine: AsyncEngine) -> None:
    pool = engine.sync_engine.pool
    DB_POOL_IN_USE.set_function(lambda: float(getattr(pool, "checkedout", lambda: 0)()))


async def metrics_endpoint(request: Request) -> Response:
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
