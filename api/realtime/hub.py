"""The local hub: ONE Redis pub/sub connection per process, fanned out to local subscribers.

Committed events arrive on `rally:rt:<topic>` channels (see `publisher.py`). The hub keeps
the local subscriptions indexed by stream and key, so an event touches only the
subscriptions it concerns; it loads the event's object once and renders it once per group
of subscriptions sharing a document (see `streams.py`). When Redis drops the connection,
the hub reconnects with exponential backoff and asks replaying streams (myNotifications)
to fill what was published meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Hashable, Iterable
from typing import TYPE_CHECKING, Any

import orjson
import structlog
from redis.asyncio import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from api import metrics
from api.realtime.streams import Stream, all_topics, streams_for_topic
from api.realtime.subscription import Subscription

if TYPE_CHECKING:
    from api.container import Container

log = structlog.get_logger(__name__)

CHANNEL_PREFIX = "rally:rt:"


def channel(topic: str) -> str:
    return CHANNEL_PREFIX + topic


class RealtimeHub:
    def __init__(self, container: Container, redis_url: str) -> None:
        self._container = container
        # Its own client: the pub/sub connection must not come from the shared pool, and
        # reconnecting is ours to do (so we know to replay what was missed).
        self._redis = Redis.from_url(redis_url, retry=Retry(NoBackoff(), 0),
                                     health_check_interval=15)
        self._index: dict[str, dict[Hashable, set[Subscription]]] = defaultdict(dict)
        self._task: asyncio.Task[None] | None = None
        self._jobs: set[asyncio.Task[Any]] = set()
        # Open throttle windows: (stream, key) -> the latest event held back, if any.
        self._windows: dict[tuple[str, Hashable], dict[str, Any] | None] = {}
        self.connected = asyncio.Event()
        self.connections_made = 0
        self.min_backoff, self.max_backoff = 0.05, 5.0

    # -- lifecycle -------------------------------------------------------------------------
    async def start(self) -> None:
        import api.realtime.catalog  # noqa: F401  (declares every stream before we subscribe)

        self._task = asyncio.create_task(self._listen(), name="realtime-hub")

    async def stop(self) -> None:
        tasks = [t for t in (self._task, *self._jobs) if t is not None]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await self._redis.aclose()

    async def _listen(self) -> None:
        delay = self.min_backoff
        channels = sorted(channel(t) for t in all_topics())
        while True:
            pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            try:
                await pubsub.subscribe(*channels)
                self.connections_made += 1
                if self.connections_made > 1:
                    self._resync_all()
                self.connected.set()
                delay = self.min_backoff
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=5.0)
                    if message is not None and message.get("type") == "message":
                        await self._on_message(message["data"])
            except asyncio.CancelledError:
                raise
            except Exception as error:  # RedisError, OSError, or a bug: never stop listening
                self.connected.clear()
                metrics.PUBSUB_RECONNECTS.inc()
                log.warning("realtime pub/sub connection lost; reconnecting", error=repr(error),
                            retry_in=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_backoff)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()

    # -- subscriptions ---------------------------------------------------------------------
    def add(self, sub: Subscription) -> None:
        subs = self._index[sub.stream.field].setdefault(sub.key, set())
        if sub not in subs:
            subs.add(sub)
            metrics.SUBSCRIPTIONS.inc()

    def remove(self, sub: Subscription) -> None:
        sub.closed = True
        by_key = self._index.get(sub.stream.field)
        if by_key is None:
            return
        subs = by_key.get(sub.key)
        if subs is not None and sub in subs:
            subs.discard(sub)
            metrics.SUBSCRIPTIONS.dec()
            if not subs:
                del by_key[sub.key]

    def subscription_count(self) -> int:
        return sum(len(s) for by_key in self._index.values() for s in by_key.values())

    def run_job(self, coro: Any) -> asyncio.Task[Any]:
        task = asyncio.create_task(coro)
        self._jobs.add(task)
        task.add_done_callback(self._job_done)
        return task

    def _job_done(self, task: asyncio.Task[Any]) -> None:
        self._jobs.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("realtime job failed", exc_info=task.exception())

    def start_with_replay(self, sub: Subscription, cursor: Any) -> None:
        """Registers `sub` now, then sends what changed after `cursor` from PostgreSQL, then
        the live events held meanwhile.

        Registering before reading closes the race: an event committed after the read is
        live, one committed before is in the read, one in both is dropped by its seq.
        """
        sub.buffering = True
        self.add(sub)
        self.run_job(self._catch_up(sub, cursor))

    async def _catch_up(self, sub: Subscription, cursor: Any) -> None:
        try:
            if cursor is None:
                cursor = await sub.stream.current_cursor(self._container, sub.viewer, sub.key)
                sub.cursor = cursor if sub.cursor is None else sub.cursor
            else:
                missed = await sub.stream.replay(self._container, sub.viewer, sub.key, cursor)
                await self._deliver_each(sub, missed)
            while sub.pending and not sub.closed:
                live, sub.pending = sub.pending, []
                await self._deliver_each(sub, live)
        finally:
            sub.buffering = False

    async def _deliver_each(self, sub: Subscription, objs: Iterable[Any]) -> None:
        for obj in objs:
            if sub.closed:
                return
            if sub.first_delivery(obj):
                sub.advance(obj)
                sub.send(sub.id, await sub.render(self._container, obj))

    def _resync_all(self) -> None:
        for by_key in self._index.values():
            for subs in by_key.values():
                for sub in subs:
                    if sub.stream.replays and not sub.buffering and not sub.closed:
                        sub.buffering = True
                        self.run_job(self._catch_up(sub, sub.cursor))

    # -- delivery --------------------------------------------------------------------------
    async def _on_message(self, data: bytes | str) -> None:
        try:
            envelope = orjson.loads(data)
            topic, payload = envelope["topic"], envelope["payload"]
        except (orjson.JSONDecodeError, KeyError, TypeError):
            log.warning("dropping malformed realtime message")
            return
        metrics.REALTIME_EVENTS.labels(topic).inc()
        for stream in streams_for_topic(topic):
            by_key = self._index.get(stream.field)
            if not by_key:
                continue
            keys = [k for k in stream.route(payload) if k in by_key]
            if not keys:
                continue
            try:
                if stream.throttle_seconds:
                    for key in keys:
                        self._throttled(stream, key, payload)
                else:
                    await self._deliver(stream, keys, payload)
            except Exception:
                log.exception("realtime delivery failed", stream=stream.field)

    def _throttled(self, stream: Stream, key: Hashable, payload: dict[str, Any]) -> None:
        """Delivers now and opens a window; events inside it collapse into one at its end.

        Streams' `load` reads the current state, so the last event of a window carries it.
        """
        slot = (stream.field, key)
        if slot in self._windows:
            self._windows[slot] = payload
            return
        self._windows[slot] = None
        self.run_job(self._deliver(stream, [key], payload))
        asyncio.get_running_loop().call_later(
            stream.throttle_seconds or 0.0, self._window_end, stream, key)

    def _window_end(self, stream: Stream, key: Hashable) -> None:
        latest = self._windows.pop((stream.field, key), None)
        if latest is not None and self._index.get(stream.field, {}).get(key):
            self._throttled(stream, key, latest)

    async def _deliver(self, stream: Stream, keys: list[Hashable], payload: dict[str, Any]) -> None:
        obj = await stream.load_for_keys(self._container, payload, keys)
        if obj is None:
            return
        by_key = self._index.get(stream.field, {})
        candidates = [sub for key in keys for sub in by_key.get(key, ())
                      if not sub.closed and stream.visible(sub.viewer, obj)]
        if type(stream).hidden_from is not Stream.hidden_from:
            viewers = {sub.viewer.member_id for sub in candidates if sub.viewer is not None}
            hidden = await stream.hidden_from(self._container, obj, viewers) if viewers else set()
            candidates = [sub for sub in candidates
                          if sub.viewer is None or sub.viewer.member_id not in hidden]
        groups: dict[tuple[Any, ...], list[Subscription]] = {}
        for sub in candidates:
            if sub.closed:
                continue
            if sub.buffering:
                sub.pending.append(obj)
            elif sub.first_delivery(obj):
                sub.advance(obj)
                groups.setdefault(sub.group_key, []).append(sub)
        for members in groups.values():
            rendered = await members[0].render(self._container, obj)  # once per group
            for sub in members:
                if not sub.closed:
                    sub.send(sub.id, rendered)
            metrics.REALTIME_FRAMES.inc(len(members))
