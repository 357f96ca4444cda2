"""GraphQL over HTTP: media types, status codes, limits and the error mapping."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.schema import schema
from tests.support import GraphQLClient

GQL_RESPONSE = "application/graphql-response+json"


async def test_get_runs_queries(client: GraphQLClient) -> None:
    response = await client.http.get("/graphql", params={"query": "{ me { id } }"},
                                     headers={"accept": GQL_RESPONSE})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(GQL_RESPONSE)
    assert response.json() == {"data": {"me": None}}


async def test_mutation_over_get_is_405(client: GraphQLClient) -> None:
    response = await client.http.get(
        "/graphql", params={"query": 'mutation { logout(input: {refreshToken: "x"}) { ok } }'})
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


async def test_parse_errors_are_400_for_graphql_response_json(client: GraphQLClient) -> None:
    response = await client.post("{ me { id ")
    assert response.status_code == 400
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_parse_errors_are_200_for_plain_json(client: GraphQLClient) -> None:
    response = await client.http.post("/graphql", json={"query": "{ me { id "},
                                      headers={"accept": "application/json"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["errors"]


async def test_validation_errors_name_the_problem(client: GraphQLClient) -> None:
    response = await client.post("{ me { noSuchField } }")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert "noSuchField" in error["message"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_bad_variables_are_refused_before_execution(client: GraphQLClient) -> None:
    response = await client.post("query($id: ID!) { user(id: $id) { id } }", {"id": None})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize("body", [b"not json", b"[]", b'[{"query": "{ me { id } }"}]', b'"x"',
                                  b'{"query": 1}', b'{"query": "{ me { id } }", "variables": "x"}'])
async def test_malformed_requests_are_400(client: GraphQLClient, body: bytes) -> None:
    response = await client.http.post("/graphql", content=body,
                                      headers={"content-type": "application/json",
                                               "accept": GQL_RESPONSE})
    assert response.status_code == 400


async def test_unsupported_media_types_are_refused(client: GraphQLClient) -> None:
    response = await client.http.post("/graphql", content=b"{ me { id } }",
                                      headers={"content-type": "text/plain"})
    assert response.status_code == 415
    response = await client.http.post("/graphql", json={"query": "{ me { id } }"},
                                      headers={"accept": "text/xml"})
    assert response.status_code == 406


async def test_oversized_bodies_are_413(client: GraphQLClient, container) -> None:
    padding = "x" * (container.settings.max_body_bytes + 1)
    response = await client.http.post("/graphql", json={"query": "{ me { id } }", "pad": padding})
    assert response.status_code == 413


async def test_oversized_documents_are_too_complex(client: GraphQLClient, container) -> None:
    query = "{ me { id } }" + " " * container.settings.max_document_bytes
    error = await client.error(query)
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"


async def test_depth_limit(client: GraphQLClient, container, monkeypatch) -> None:
    monkeypatch.setattr(container.settings, "max_query_depth", 3)
    fragment = "fragment A on AuditEntry { actor { id } }"
    error = await client.error("{ auditLog { edges { node { ...A } } } } " + fragment)
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert "nested 5 levels" in error["message"]


async def test_alias_limit(client: GraphQLClient, container) -> None:
    aliases = " ".join(f"a{n}: me {{ id }}" for n in range(container.settings.max_aliases + 1))
    error = await client.error("{ %s }" % aliases)
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"


async def test_cost_limit_counts_page_sizes_from_variables(client: GraphQLClient, container, monkeypatch) -> None:
    monkeypatch.setattr(container.settings, "max_query_cost", 300)
    query = "query($n: Int) { auditLog(first: $n) { edges { node { id action actor { id } } } } }"
    error = await client.error(query, {"n": 100})
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert "cost" in error["message"]
    admin = await client.member_with_roles(container, "ADMIN")
    page = await client.execute(query, {"n": 10}, token=admin.token)
    assert [e["node"]["action"] for e in page["auditLog"]["edges"]] == ["GRANT_ROLE"]


async def test_page_size_cap_is_an_error(client: GraphQLClient, container) -> None:
    admin = await client.member_with_roles(container, "ADMIN")
    error = await client.error("{ auditLog(first: 101) { edges { cursor } } }", token=admin.token)
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "maximum": 100}


async def test_unexpected_errors_are_internal_without_details(client: GraphQLClient, container, monkeypatch) -> None:
    admin = await client.member_with_roles(container, "ADMIN")

    async def broken(*args, **kwargs):
        raise RuntimeError("SELECT secret FROM vault")

    monkeypatch.setattr(container.audit, "entries", broken)
    response = await client.post("{ auditLog { edges { cursor } } }", token=admin.token)
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "INTERNAL"
    assert "secret" not in response.text and "Traceback" not in response.text
    assert error["extensions"]["requestId"] == response.headers["x-request-id"]


async def test_health_readiness_and_metrics(client: GraphQLClient) -> None:
    assert (await client.http.get("/healthz")).text == "ok"
    ready = await client.http.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"postgres": "ok", "redis": "ok"}
    await client.post("query ProbeMe { me { id } }")
    await client.post("{ nope }")
    metrics = (await client.http.get("/metrics")).text
    assert 'rally_graphql_requests_total{operation="ProbeMe"}' in metrics
    assert 'rally_graphql_errors_total{code="BAD_USER_INPUT"}' in metrics
    assert "rally_db_pool_connections_in_use" in metrics


async def test_browsers_get_graphiql(client: GraphQLClient) -> None:
    response = await client.http.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


def test_exported_schema_matches_the_code() -> None:
    exported = (Path(__file__).parents[2] / "api" / "schema.graphql").read_text()
    assert exported == schema.as_str() + "\n", "run `.venv/bin/rally export-schema`"
