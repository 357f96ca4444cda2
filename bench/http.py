"""`{ me { id displayName roles } }` through `rally serve --workers 1` beside raw Starlette.

    .venv/bin/python -m bench.http [--seconds 10] [--connections 32]

Both servers run on this machine against the same embedded PostgreSQL, and wrk drives them
one after the other with the same connections and duration.
"""

from __future__ import annotations

import argparse

import httpx

from bench.common import compare, free_port, rally_server, servers, uvicorn_app, wrk

QUERY = {"query": "{ me { id displayName roles } }"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    with servers() as env:
        rally_port, baseline_port = free_port(), free_port()
        with rally_server(env, rally_port) as rally:
            token = httpx.post(rally + "/graphql", json={"query": """mutation { register(input: {
                email: "bench@example.com", password: "bench-password-1", displayName: "Bench"})
                { accessToken } }"""}).json()["data"]["register"]["accessToken"]
            expected = httpx.post(rally + "/graphql", json=QUERY,
                                  headers={"authorization": f"Bearer {token}"}).json()
            wrk("warm-up", rally + "/graphql", QUERY, token, args.connections, 2)
            rally_result = wrk("rally  me", rally + "/graphql", QUERY, token, args.connections, args.seconds)
        with uvicorn_app("bench.baseline_http:app", env, baseline_port, "baseline") as baseline:
            got = httpx.post(baseline + "/graphql", json=QUERY,
                             headers={"authorization": f"Bearer {token}"}).json()
            assert got == expected, (got, expected)
            wrk("warm-up", baseline + "/graphql", QUERY, token, args.connections, 2)
            baseline_result = wrk("baseline me (starlette+asyncpg)", baseline + "/graphql", QUERY, token,
                                  args.connections, args.seconds)
    print(f"{args.connections} connections, {args.seconds} s each, 1 worker")
    print(compare(rally_result, baseline_result))


if __name__ == "__main__":
    main()
