"""How a subscription field is fed: one `Stream` per field of `Subscription`.

A stream turns committed outbox events into GraphQL objects for the subscribers who may see
them. To add one, subclass `Stream`, set the class attributes and register it:

    @register
    class CommentAdded(Stream):
        field = "commentAdded"                 # the Subscription field it serves
        topics = (CommentCreated.topic,)       # outbox topics it listens to

        def subscriber_key(self, viewer, args):      # what a subscriber listens on
            return decode_id(args["postId"], "Post") # may raise a DomainError -> `error` message

        def route(self, payload):                    # the keys one event concerns
            return (payload["post_id"],)

        async def load(self, container, payload):    # the object, once per event; None drops it
            return ...

        def visible(self, viewer, obj):              # per subscriber, on the push path
            return obj.status == "PUBLISHED"

        async def hidden_from(self, container, obj, member_ids):  # optional: blocks, one query
            return await container.community.blockers_among(obj.author_id, member_ids)

Delivery: an event is loaded once, filtered per subscriber, then executed and serialized
once per group of subscribers sharing the same document, variables and (for `per_viewer`
streams) viewer. `per_viewer = False` executes with an anonymous context: viewer-dependent
fields resolve as for a visitor, so declare `per_viewer = True` when the type has any.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from domain.members.credentials import AccessClaims
from domain.members.models import Role

if TYPE_CHECKING:
    from api.container import Container


class Stream:
    field: ClassVar[str]
    topics: ClassVar[tuple[str, ...]]
    # Anonymous connections may subscribe.
    public: ClassVar[bool] = False
    # Any of these roles (ADMIN always passes) is needed to subscribe.
    roles: ClassVar[tuple[Role, ...]] = ()
    # Execute the selection per viewer rather than once for everyone.
    per_viewer: ClassVar[bool] = False
    # At most one delivery per key every `throttle_seconds` (the latest state wins).
    throttle_seconds: ClassVar[float | None] = None

    def subscriber_key(self, viewer: AccessClaims | None, args: dict[str, Any]) -> Hashable:
        raise NotImplementedError

    def route(self, payload: dict[str, Any]) -> Iterable[Hashable]:
        raise NotImplementedError

    async def load(self, container: Container, payload: dict[str, Any]) -> Any | None:
        raise NotImplementedError

    async def load_for_keys(self, container: Container, payload: dict[str, Any],
                            keys: list[Hashable]) -> Any | None:
        """The object for the subscribers of `keys` (one key for throttled streams); streams
        whose object depends on the key (one board of several an event touches) override it."""
        return await self.load(container, payload)

    def visible(self, viewer: AccessClaims | None, obj: Any) -> bool:
        return True

    async def hidden_from(self, container: Container, obj: Any, member_ids: set[int]) -> set[int]:
        """Of the members about to receive `obj`, those who must not (blocks): ONE query per
        event for all local subscribers, e.g. `SELECT blocker_id FROM blocks WHERE
        blocked_id = :author AND blocker_id = ANY(:ids)`. Only called when overridden."""
        return set()

    def dedupe_key(self, obj: Any) -> Hashable | None:
        """Identity of a delivered state: the same key is never sent twice to a subscriber."""
        return None

    # Replay (streams with a cursor argument). `replay_cursor` reads the argument;
    # `replay` returns what changed after a cursor, oldest first; `cursor_of` is the cursor
    # of a delivered object. Streams that replay resume without gaps after Redis drops.
    replays: ClassVar[bool] = False

    def replay_cursor(self, args: dict[str, Any]) -> Any | None:
        return None

    async def current_cursor(self, container: Container, viewer: AccessClaims | None,
                             key: Hashable) -> Any | None:
        return None

    async def replay(self, container: Container, viewer: AccessClaims | None, key: Hashable,
                     cursor: Any) -> Sequence[Any]:
        return ()

    def cursor_of(self, obj: Any) -> Any:
        return None


_streams: dict[str, Stream] = {}


def register(cls: type[Stream]) -> type[Stream]:
    """Declares the stream serving `cls.field`; one stream per Subscription field."""
    _streams[cls.field] = cls()
    return cls


def stream_for(field: str) -> Stream | None:
    return _streams.get(field)


def streams_for_topic(topic: str) -> list[Stream]:
    return [s for s in _streams.values() if topic in s.topics]


def all_topics() -> set[str]:
    return {t for s in _streams.values() for t in s.topics}
