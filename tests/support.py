"""Helpers that read like the app: send GraphQL documents, log members in."""

from __future__ import annotations

import itertools
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
