"""Helpers that read like the app: send GraphQL documents, log members in."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

_counter = itertools.count(1)
PASSWORD = "correct horse battery"


class GraphQLClient:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def post(self, query: str, variables: dict[str, Any] | None = None,
                   token: str | None = None, **extra: Any) -> httpx.Response:
        headers = {"accept": "application/graphql-response+json"}
        if token:
            headers["authorization"] = f"Bearer {token}"
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        body.update(extra)
        return await self.http.post("/graphql", json=body, headers=headers)

    async def execute(self, query: str, variables: dict[str, Any] | None = None,
                      token: str | None = None) -> dict[str, Any]:
        """Run an operation that must succeed; returns `data`."""
        response = await self.post(query, variables, token)
        payload = response.json()
        assert "errors" not in payload, payload["errors"]
        assert response.status_code == 200, payload
        return payload["data"]

    async def error(self, query: str, variables: dict[str, Any] | None = None,
                    token: str | None = None) -> dict[str, Any]:
        """Run an operation that must be refused; returns its first error."""
        response = await self.post(query, variables, token)
        payload = response.json()
        assert payload.get("errors"), payload
        return payload["errors"][0]

    async def register(self, name: str | None = None, **fields: Any) -> Member:
        n = next(_counter)
        name = name or f"member{n}"
        email = fields.pop("email", f"{name.lower().replace(' ', '')}.{n}@example.com")
        data = await self.execute(
            """mutation($input: RegisterInput!) { register(input: $input) {
                 accessToken refreshToken user { id displayName } } }""",
            {"input": {"email": email, "password": PASSWORD, "displayName": name, **fields}},
        )
        auth = data["register"]
        return Member(auth["user"]["id"], email, auth["accessToken"], auth["refreshToken"])

    async def member_with_roles(self, container: Any, *roles: str, name: str | None = None) -> Member:
        """A member holding `roles`, granted through the service as an operator would."""
        member = await self.register(name)
        from api.relay import decode_id

        for role in roles:
            await container.members.set_role(None, decode_id(member.id, "User"), role, True)
        data = await self.execute(
            "mutation($t: String!) { login(input: {email: $t, password: \"%s\"}) { accessToken } }"
            % PASSWORD, {"t": member.email})
        member.token = data["login"]["accessToken"]
        return member


@dataclass
class Member:
    id: str
    email: str
    token: str
    refresh_token: str


async def a_post(container: Any, body: str = "Something to look at", topics: list[str] | None = None,
                 author_id: int | None = None) -> int:
    """A published post (for events that must target a real one); its author is new unless given."""
    from domain.community.posts import PostDraft

    if author_id is None:
        n = next(_counter)
        author_id = (await container.members.register(f"author.{n}@example.com", PASSWORD,
                                                      f"Author {n}")).member.id
    result = await container.posts.create(author_id, PostDraft(body=f"{body} {next(_counter)}",
                                                               topics=topics or []))
    return int(result.post.id)


async def post_without_events(container: Any, post_id: int) -> None:
    """A published post row (and its author) written directly, announcing nothing: for tests
    of tracked events whose rollups must hold only what the test tracks."""
    from sqlalchemy import text

    async with container.engine.begin() as conn:
        await conn.execute(text(
            "INSERT INTO members (id, display_name, referral_code) OVERRIDING SYSTEM VALUE"
            " VALUES (:id, 'Post author', :code) ON CONFLICT DO NOTHING"),
            {"id": 1_000_000 + post_id, "code": f"P{post_id:07d}"})
        await conn.execute(text(
            "INSERT INTO posts (id, author_id, body, status) OVERRIDING SYSTEM VALUE"
            " VALUES (:id, :author, 'Tracked post', 'PUBLISHED')"),
            {"id": post_id, "author": 1_000_000 + post_id})


@contextlib.contextmanager
def recorded_statements(container: Any, keep: Callable[[str], bool] = lambda _: True
                        ) -> Iterator[list[str]]:
    """Every SQL statement sent while the block runs, through SQLAlchemy or on a unit of
    work's driver connection, that `keep` accepts (background work shares the engine)."""
    from sqlalchemy import event

    statements: list[str] = []

    def record(statement: str) -> None:
        if keep(statement):
            statements.append(statement)

    def on_engine(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        record(statement)

    event.listen(container.engine.sync_engine, "before_cursor_execute", on_engine)
    container.uow.statement_observers.append(record)
    try:
        yield statements
    finally:
        event.remove(container.engine.sync_engine, "before_cursor_execute", on_engine)
        container.uow.statement_observers.remove(record)
