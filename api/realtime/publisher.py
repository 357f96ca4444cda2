"""The outbox projector that announces committed events on Redis pub/sub.

Runs in the outbox relay, so only committed events are published; a relay that crashes
before deleting its batch publishes it again (subscriptions drop states they already sent,
see `Stream.dedupe_key`). Only topics some stream listens to are published.
"""

from __future__ import annotations

from collections.abc import Sequence

import orjson
from redis.asyncio import Redis

from api.realtime.hub import channel
from api.realtime.streams import all_topics
from rally.outbox import OutboxMessage


class RealtimePublisher:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def __call__(self, messages: Sequence[OutboxMessage]) -> None:
        topics = all_topics()
        wanted = [m for m in messages if m.topic in topics]
        if not wanted:
            return
        async with self._redis.pipeline(transaction=False) as pipe:
            for message in wanted:
                envelope = {"id": message.id, "topic": message.topic, "payload": message.payload}
                pipe.publish(channel(message.topic), orjson.dumps(envelope))
            await pipe.execute()
