"""A connection's outgoing queue: a client that does not read is cut off, not buffered forever."""

from __future__ import annotations

from types import SimpleNamespace

from api.realtime.connection import Connection, Protocol
from rally.settings import Settings


def connection(max_queued: int) -> Connection:
    server = SimpleNamespace(settings=Settings(env="test", ws_max_queued_frames=max_queued))
    return Connection(server, websocket=None, protocol=Protocol("graphql-transport-ws"))  # type: ignore[arg-type]


def test_a_client_too_slow_to_read_is_closed_with_1013_and_nothing_more_is_queued():
    conn = connection(max_queued=3)
    for n in range(3):
        conn.send_next("1", f'{{"n":{n}}}')
    conn.send_next("1", '{"n":3}')
    conn.send_next("1", '{"n":4}')
    queued = list(conn._outbox)
    assert queued[:3] == [f'{{"id":"1","type":"next","payload":{{"n":{n}}}}}' for n in range(3)]
    assert queued[3][1:] == (1013, "client too slow") and len(queued) == 4


def test_legacy_frames_use_the_data_type():
    conn = Connection(SimpleNamespace(settings=Settings(env="test")), websocket=None,  # type: ignore[arg-type]
                      protocol=Protocol("graphql-ws"))
    conn.send_next("7", '{"data":null}')
    assert list(conn._outbox) == ['{"id":"7","type":"data","payload":{"data":null}}']
