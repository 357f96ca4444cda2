"""Fan-out latency: Rally's subscriptions beside a bare `websockets` broadcast server.

    .venv/bin/python -m bench.fanout --clients 1000 --rate 5 --seconds 8

Rally side: one uvicorn worker (a subprocess), N WebSocket clients authenticated as ONE
member and subscribed to `postCreated` (the path: createPost commits -> outbox relay ->
Redis -> hub -> one load, one render -> N frames). A publisher (another member) sends
`createPost` over HTTP at a steady rate; latency is from the mutation's answer (its commit is
done by then) to each client's receipt.

Bare side: a `websockets` server in this process broadcasting the same JSON frame to the
same N clients at the same rate; latency from just before the broadcast to receipt.

Also: the worker's RSS growth per idle authenticated, subscribed connection. Clients,
publisher and the bare server share this process and the machine's cores with the worker,
so the absolute figures are pessimistic for both sides. Runs ~2 × seconds plus set-up.
FANOUT_DEBUG=1 prints the five slowest events (milliseconds, event number) per side.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import orjson
import websockets

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rally.embedded import EmbeddedPostgres, EmbeddedRedis
from rally.migrate import upgrade
from rally.settings import Settings
from tests.realtime.servers import server_processes

SUBSCRIPTION = "subscription { postCreated { id body author { displayName } } }"
CREATE_POST = "mutation($i: CreatePostInput!) { createPost(input: $i) { post { id } } }"
REGISTER = "mutation($i: RegisterInput!) { register(input: $i) { accessToken user { id } } }"


def percentiles(samples: list[float]) -> str:
    if not samples:
        return "no samples"
    ordered = sorted(samples)
    p = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    return (f"n={len(ordered)} p50={p(0.50):.1f} ms p99={p(0.99):.1f} ms max={ordered[-1] * 1000:.1f} ms "
            f"mean={statistics.fmean(ordered) * 1000:.1f} ms")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Clients:
    """N sockets, each recording (message number, receipt time)."""

    def __init__(self) -> None:
        self.receipts: list[tuple[int, float]] = []
        self.tasks: list[asyncio.Task[None]] = []
        self.sockets: list[Any] = []

    async def reader(self, socket: Any, number_of: Any) -> None:
        async for raw in socket:
            number = number_of(orjson.loads(raw))
            if number is not None:
                self.receipts.append((number, time.perf_counter()))

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*(s.close() for s in self.sockets), return_exceptions=True)


async def connect_rally(url: str, token: str, count: int) -> Clients:
    clients = Clients()

    def number_of(message: dict[str, Any]) -> int | None:
        if message.get("type") != "next":
            return None
        return int(message["payload"]["data"]["postCreated"]["body"].rsplit("#", 1)[1])

    async def one() -> None:
        socket = await websockets.connect(url, subprotocols=["graphql-transport-ws"],
                                          compression=None, max_queue=None)
        await socket.send(orjson.dumps({"type": "connection_init",
                                        "payload": {"authorization": f"Bearer {token}"}}).decode())
        assert orjson.loads(await socket.recv())["type"] == "connection_ack"
        await socket.send(orjson.dumps({"id": "n", "type": "subscribe",
                                        "payload": {"query": SUBSCRIPTION}}).decode())
        clients.sockets.append(socket)
        clients.tasks.append(asyncio.create_task(clients.reader(socket, number_of)))

    for start in range(0, count, 100):  # in waves, not to flood the accept queue
        await asyncio.gather(*(one() for _ in range(start, min(count, start + 100))))
    return clients


async def run_rally(args: argparse.Namespace, url: str, pid: int) -> None:
    http = httpx.AsyncClient(base_url=url.replace("ws://", "http://").rsplit("/", 1)[0])
    auth = await register(http, "Reader")
    author = await register(http, "Author")
    idle = rss_kib(pid)
    clients = await connect_rally(url, auth["accessToken"], args.clients)
    await asyncio.sleep(1.0)
    per_connection = (rss_kib(pid) - idle) * 1024 / args.clients
    sent = await publish(args, lambda i: rally_publish(http, author["accessToken"], i))
    await asyncio.sleep(1.5)
    report("rally", clients, sent, args)
    print(f"rally: worker RSS growth per idle authenticated subscribed connection: "
          f"{per_connection / 1024:.1f} KiB ({args.clients} connections)")
    await clients.close()
    await http.aclose()


async def register(http: httpx.AsyncClient, name: str) -> dict[str, Any]:
    body = {"query": REGISTER,
            "variables": {"i": {"email": f"{name.lower()}{time.time_ns()}@example.com",
                                "password": "correct horse battery", "displayName": name}}}
    return (await http.post("/graphql", json=body)).json()["data"]["register"]


async def rally_publish(http: httpx.AsyncClient, token: str, i: int) -> float:
    answer = await http.post("/graphql", headers={"authorization": f"Bearer {token}"}, json={
        "query": CREATE_POST, "variables": {"i": {"body": f"fan-out post #{i}",
                                                  "topics": ["bench"]}}})
    assert "errors" not in answer.json(), answer.text
    return time.perf_counter()


async def publish(args: argparse.Namespace, send: Any) -> dict[int, float]:
    sent: dict[int, float] = {}
    interval = 1.0 / args.rate
    started = time.perf_counter()
    for i in range(int(args.rate * args.seconds)):
        await asyncio.sleep(max(0.0, started + i * interval - time.perf_counter()))
        sent[i] = await send(i)
    return sent


def report(name: str, clients: Clients, sent: dict[int, float], args: argparse.Namespace) -> None:
    latencies = [at - sent[i] for i, at in clients.receipts if i in sent]
    if os.environ.get("FANOUT_DEBUG"):
        worst: dict[int, float] = {}
        for i, at in clients.receipts:
            if i in sent:
                worst[i] = max(worst.get(i, 0.0), at - sent[i])
        print(sorted(((round(v * 1000), k) for k, v in worst.items()), reverse=True)[:5])
    expected = len(sent) * args.clients
    print(f"{name}: {args.clients} clients, {len(sent)} events, {len(latencies)}/{expected} "
          f"deliveries; latency {percentiles(latencies)}")


async def run_bare(args: argparse.Namespace) -> None:
    connected: set[Any] = set()

    async def handler(socket: Any) -> None:
        connected.add(socket)
        try:
            await socket.wait_closed()
        finally:
            connected.discard(socket)

    async with websockets.serve(handler, "127.0.0.1", 0, compression=None) as server:
        port = server.sockets[0].getsockname()[1]
        clients = Clients()

        def number_of(message: dict[str, Any]) -> int | None:
            return int(message["payload"]["data"]["postCreated"]["body"].rsplit("#", 1)[1])

        for start in range(0, args.clients, 100):
            batch = await asyncio.gather(*(websockets.connect(f"ws://127.0.0.1:{port}", compression=None,
                                                              max_queue=None)
                                           for _ in range(start, min(args.clients, start + 100))))
            for socket in batch:
                clients.sockets.append(socket)
                clients.tasks.append(asyncio.create_task(clients.reader(socket, number_of)))
        await asyncio.sleep(0.5)

        async def broadcast(i: int) -> float:
            frame = orjson.dumps({"id": "n", "type": "next", "payload": {"data": {"postCreated": {
                "id": f"UG9zdDo{i}", "body": f"fan-out post #{i}",
                "author": {"displayName": "Author"}}}}}).decode()
            at = time.perf_counter()
            websockets.broadcast(connected, frame)
            return at

        sent = await publish(args, broadcast)
        await asyncio.sleep(1.0)
        report("bare websockets", clients, sent, args)
        await clients.close()


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="rally-bench-") as directory:
        postgres = EmbeddedPostgres(Path(directory) / "postgres")
        redis = EmbeddedRedis(Path(directory) / "redis", persistent=False)
        database_url = postgres.start("bench")
        try:
            redis_url = redis.start()
            await asyncio.to_thread(upgrade, database_url)
            settings = Settings(env="test", database_url=database_url, redis_url=redis_url,
                                secret="bench-secret-bench-secret-bench-secret-0123",
                                password_time_cost=1, password_memory_kib=1024,
                                data_dir=Path(directory))
            os.environ["RALLY_WS_MAX_CONNECTIONS_PER_MEMBER"] = str(args.clients + 10)
            os.environ["RALLY_LOG_LEVEL"] = "WARNING"
            # The publisher posts faster than a member may: lift the abuse limits for the run.
            os.environ["RALLY_POSTS_PER_MINUTE"] = os.environ["RALLY_POSTS_PER_DAY"] = "1000000"
            with server_processes(settings, 1, Path(directory)) as (server,):
                await run_rally(args, server.ws_url, server.process.pid)
            await run_bare(args)
        finally:
            redis.stop()
            postgres.stop()


def raise_file_limit() -> None:
    import resource

    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the worker inherits it


if __name__ == "__main__":
    raise_file_limit()
    # The clients live in this process: a full collection over thousands of sockets stalls
    # every receipt timestamp by 100+ ms (the harness's cost, not the server's; the server
    # freezes its start-up objects itself), so the measuring process does not collect.
    gc.disable()
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=5.0, help="events per second")
    parser.add_argument("--seconds", type=float, default=8.0, help="publishing time per side")
    asyncio.run(main(parser.parse_args()))
