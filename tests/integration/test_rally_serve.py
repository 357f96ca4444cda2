"""The README's `make run`: `rally serve` with nothing configured starts embedded PostgreSQL and
Redis under the relative default data dir, loads the demo, answers, and stops everything on
SIGTERM; a second start finds the first one's data."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.realtime.servers import _free_port

RALLY = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "rally"
POSTS = '{ posts(first: 3, order: LATEST) { edges { node { body author { displayName } } } } }'


def _serve(cwd: Path, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL") and not k.startswith("RALLY_")}
    env.update(RALLY_PASSWORD_TIME_COST="1", RALLY_PASSWORD_MEMORY_KIB="1024")
    return subprocess.Popen([str(RALLY), "serve", "--port", str(port)], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _wait_ready(process: subprocess.Popen[bytes], port: int) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stdout.read().decode()[-3000:]  # type: ignore[union-attr]
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError("rally serve did not become ready")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0


def _embedded_processes(data_dir: Path) -> list[str]:
    out = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if str(data_dir) in line]


@pytest.mark.skipif(not RALLY.exists(), reason="needs the project's .venv (make test)")
def test_serve_from_nothing_demo_then_clean_stop_and_restart(tmp_path: Path) -> None:
    port = _free_port()
    process = _serve(tmp_path, port)
    try:
        _wait_ready(process, port)
        posts = httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": POSTS},
                           timeout=10).json()["data"]["posts"]["edges"]
        assert len(posts) == 3, "the demo community is there"
        assert "text/html" in httpx.get(f"http://127.0.0.1:{port}/graphql",
                                        headers={"accept": "text/html"}).headers["content-type"]
    finally:
        _stop(process)
    data_dir = (tmp_path / ".rally").resolve()
    assert data_dir.is_dir()
    assert _embedded_processes(data_dir) == [], "no orphan postgres or redis"

    again = _serve(tmp_path, port)
    try:
        _wait_ready(again, port)
        bodies = httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": POSTS},
                            timeout=10).json()["data"]["posts"]["edges"]
        assert bodies == posts, "the second start found the first one's data (no second demo)"
    finally:
        _stop(again)
