"""Real server processes (uvicorn on 127.0.0.1) sharing the test database and Redis."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from rally.settings import Settings


@dataclass
class ServerProcess:
    port: int
    process: subprocess.Popen[bytes]

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/graphql"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def server_processes(settings: Settings, count: int, data_dir: Path) -> Iterator[list[ServerProcess]]:
    env = dict(os.environ,
               DATABASE_URL=settings.database_url or "", REDIS_URL=settings.redis_url or "",
               RALLY_SECRET=settings.secret_value(), RALLY_ENV="test",
               RALLY_PASSWORD_TIME_COST="1", RALLY_PASSWORD_MEMORY_KIB="1024",
               RALLY_DATA_DIR=str(data_dir), RALLY_LOG_LEVEL="WARNING")
    servers: list[ServerProcess] = []
    try:
        for _ in range(count):
            port = _free_port()
            process = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "api.app:app_factory", "--factory",
                 "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
                 "--ws-per-message-deflate", "false"],
                env=env, cwd=Path(__file__).resolve().parents[2])
            servers.append(ServerProcess(port, process))
        for server in servers:
            _wait_ready(server)
        yield servers
    finally:
        for server in servers:
            server.process.terminate()
        for server in servers:
            try:
                server.process.wait(10)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait()


def _wait_ready(server: ServerProcess, within: float = 30.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server on port {server.port} exited with {server.process.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{server.http_url}/readyz", timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"server on port {server.port} did not become ready")
