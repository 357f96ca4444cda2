"""Shared pieces of the benchmarks: embedded servers, starting Rally and a baseline, wrk.

Every benchmark runs Rally and its thinnest baseline on the same machine, against the same
data, in the same run, and prints both with their ratio.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def servers() -> Iterator[dict[str, str]]:
    """Embedded PostgreSQL + Redis in a temp dir (or the DATABASE_URL/REDIS_URL given)."""
    from rally.embedded import EmbeddedServers
    from rally.migrate import upgrade

    if os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL"):
        env = {"DATABASE_URL": os.environ["DATABASE_URL"], "REDIS_URL": os.environ["REDIS_URL"]}
        upgrade(env["DATABASE_URL"])
        yield env
        return
    directory = Path(tempfile.mkdtemp(prefix="rally-bench-"))
    embedded = EmbeddedServers(directory, persistent=False)
    try:
        env = {"DATABASE_URL": embedded.start_postgres(), "REDIS_URL": embedded.start_redis(),
               "RALLY_DATA_DIR": str(directory)}
        upgrade(env["DATABASE_URL"])
        yield env
    finally:
        embedded.stop()
        shutil.rmtree(directory, ignore_errors=True)


@contextlib.contextmanager
def process(args: list[str], env: dict[str, str], port: int, name: str) -> Iterator[str]:
    """Run a server process until the block ends; yields its base URL once it answers."""
    log = open(Path(tempfile.gettempdir()) / f"rally-bench-{name}.log", "w")
    proc = subprocess.Popen(args, env={**os.environ, **env}, stdout=log, stderr=log, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited; see {log.name}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            time.sleep(0.2)
        else:
            raise RuntimeError(f"{name} did not start; see {log.name}")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def rally_server(env: dict[str, str], port: int, workers: int = 1) -> contextlib.AbstractContextManager[str]:
    settings = {"RALLY_ENV": "prod", "RALLY_SECRET": BENCH_SECRET, "RALLY_LOG_LEVEL": "WARNING",
                "RALLY_DB_POOL_SIZE": "20"}
    return process([PYTHON, "-m", "api.cli", "serve", "--port", str(port), "--workers", str(workers)],
                   {**env, **settings}, port, "rally")


def uvicorn_app(app: str, env: dict[str, str], port: int, name: str) -> contextlib.AbstractContextManager[str]:
    return process([PYTHON, "-m", "uvicorn", app, "--port", str(port), "--log-level", "warning",
                    "--no-access-log"], {**env, "RALLY_SECRET": BENCH_SECRET}, port, name)


BENCH_SECRET = "bench-secret-bench-secret-bench-secret-0123"


def run_sql(conn: Any, method: str, statement: Any, **params: object) -> Any:
    """Run one of Rally's own `rally.sql.Sql` statements on a raw asyncpg connection
    (`method`: fetchrow, fetch, fetchval or execute): baselines share Rally's SQL, not a copy."""
    return getattr(conn, method)(statement.text, *statement.arguments(params))


@dataclass
class LoadResult:
    name: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int

    def line(self) -> str:
        return (f"{self.name:<28} {self.requests_per_second:>9.0f} req/s   p50 {self.p50_ms:>6.2f} ms"
                f"   p99 {self.p99_ms:>6.2f} ms   errors {self.errors}")


_WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = %s
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
%s
"""

# Appended to every script: wrk prints one machine-readable line that `run_wrk` parses.
_WRK_DONE = """
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %f %f %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99),
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
"""


def wrk(name: str, url: str, body: dict, token: str | None = None, connections: int = 32,
        seconds: int = 10, threads: int = 1) -> LoadResult:
    auth = f'wrk.headers["Authorization"] = "Bearer {token}"' if token else ""
    return run_wrk(name, url, _WRK_SCRIPT % (json.dumps(json.dumps(body)), auth), connections,
                   seconds, threads)


def run_wrk(name: str, url: str, lua: str, connections: int = 32, seconds: int = 10,
            threads: int = 1) -> LoadResult:
    """Drive `url` with wrk running the `lua` request script; req/s, p50, p99, errors."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(lua + _WRK_DONE)
    output = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "-s", script.name, url],
        capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    match = re.search(r"RESULT (\d+) (\d+) ([\d.]+) ([\d.]+) (\d+)", output)
    if match is None:
        raise RuntimeError(output)
    requests, duration_us, p50, p99, errors = match.groups()
    return LoadResult(name, int(requests) / (int(duration_us) / 1e6), float(p50) / 1000,
                      float(p99) / 1000, int(errors))


def compare(rally: LoadResult, baseline: LoadResult) -> str:
    ratio = rally.requests_per_second / baseline.requests_per_second
    return f"{rally.line()}\n{baseline.line()}\nratio Rally/baseline: {ratio:.2f}"
