"""Accounts through GraphQL: register, log in, devices, refresh rotation, roles."""

from __future__ import annotations

import time

import jwt
from sqlalchemy import func, select

from domain.audit.models import AuditEntry
from domain.members.models import Member
from tests.support import PASSWORD, GraphQLClient

ME = "{ me { id displayName roles email isGuest } }"
LOGIN = """mutation($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { accessToken refreshToken user { id } } }"""
REFRESH = """mutation($t: String!) { refreshToken(input: {refreshToken: $t}) {
  accessToken refreshToken } }"""
REGISTER = """mutation($input: RegisterInput!) { register(input: $input) { user { id } } }"""


async def _member_count(container) -> int:
    async with container.uow() as uow:
        return await uow.session.scalar(select(func.count()).select_from(Member))


async def test_registered_member_sees_himself(client: GraphQLClient) -> None:
    alice = await client.register("Alice", email="  Alice@Example.COM ")
    me = (await client.execute(ME, token=alice.token))["me"]
    assert me == {"id": alice.id, "displayName": "Alice", "roles": ["MEMBER"],
                  "email": "alice@example.com", "isGuest": False}


async def test_anonymous_me_is_null(client: GraphQLClient) -> None:
    assert (await client.execute(ME))["me"] is None


async def test_registering_an_email_twice_is_a_conflict(client: GraphQLClient, container) -> None:
    await client.register("Alice", email="alice@example.com")
    error = await client.error(REGISTER, {"input": {
        "email": "ALICE@example.com", "password": PASSWORD, "displayName": "Alice Two"}})
    assert error["extensions"]["code"] == "CONFLICT"
    assert await _member_count(container) == 1


async def test_bad_registrations_are_refused_and_store_nothing(client: GraphQLClient, container) -> None:
    cases = [
        ({"email": "not-an-email", "password": PASSWORD, "displayName": "Al"}, "email"),
        ({"email": "a@example.com", "password": "short", "displayName": "Al"}, "password"),
        ({"email": "a@example.com", "password": PASSWORD, "displayName": "A"}, "displayName"),
        ({"email": "a@example.com", "password": PASSWORD, "displayName": "x" * 33}, "displayName"),
    ]
    for fields, field in cases:
        error = await client.error(REGISTER, {"input": fields})
        assert error["extensions"]["code"] == "BAD_USER_INPUT", fields
        assert error["extensions"]["field"] == field
    assert await _member_count(container) == 0


async def test_unknown_email_and_wrong_password_get_the_same_answer(client: GraphQLClient) -> None:
    alice = await client.register("Alice")
    wrong = await client.error(LOGIN, {"email": alice.email, "password": "wrong password!"})
    unknown = await client.error(LOGIN, {"email": "nobody@example.com", "password": PASSWORD})
    assert wrong["extensions"]["code"] == unknown["extensions"]["code"] == "UNAUTHENTICATED"
    assert wrong["message"] == unknown["message"]


async def test_repeated_login_failures_are_rate_limited(client: GraphQLClient, container) -> None:
    alice = await client.register("Alice")
    for _ in range(container.settings.login_failures_per_email):
        await client.error(LOGIN, {"email": alice.email, "password": "wrong password!"})
    error = await client.error(LOGIN, {"email": alice.email, "password": PASSWORD})
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert error["extensions"]["retryAfter"] > 0


async def test_login_failures_from_one_address_are_rate_limited(client: GraphQLClient, container, monkeypatch) -> None:
    from rally.ratelimit import Limit

    monkeypatch.setattr(container.members, "_address_failures", Limit("login-addr", 3, 900))
    for n in range(3):
        await client.error(LOGIN, {"email": f"x{n}@example.com", "password": "wrong password!"})
    error = await client.error(LOGIN, {"email": "x9@example.com", "password": "wrong password!"})
    assert error["extensions"]["code"] == "RATE_LIMITED"


async def test_device_login_returns_the_same_guest_until_he_links_an_email(client: GraphQLClient) -> None:
    query = """mutation($d: String!) { loginWithDevice(input: {deviceId: $d}) {
                 accessToken user { id isGuest } } }"""
    first = (await client.execute(query, {"d": "device-0001-abcd"}))["loginWithDevice"]
    again = (await client.execute(query, {"d": "device-0001-abcd"}))["loginWithDevice"]
    assert first["user"]["id"] == again["user"]["id"]
    assert first["user"]["isGuest"] is True
    linked = await client.execute(
        """mutation { linkEmail(input: {email: "guest@example.com", password: "%s"}) {
             user { id isGuest email } } }""" % PASSWORD, token=first["accessToken"])
    assert linked["linkEmail"]["user"] == {"id": first["user"]["id"], "isGuest": False,
                                           "email": "guest@example.com"}
    login = await client.execute(LOGIN, {"email": "guest@example.com", "password": PASSWORD})
    assert login["login"]["user"]["id"] == first["user"]["id"]


async def test_concurrent_first_logins_of_one_device_make_one_guest(client: GraphQLClient, container) -> None:
    import asyncio

    query = "mutation { loginWithDevice(input: {deviceId: \"device-race-0001\"}) { user { id } } }"
    results = await asyncio.gather(*(client.execute(query) for _ in range(10)))
    assert len({r["loginWithDevice"]["user"]["id"] for r in results}) == 1
    assert await _member_count(container) == 1


async def test_refresh_rotates_and_reuse_ends_the_family(client: GraphQLClient) -> None:
    alice = await client.register("Alice")
    rotated = (await client.execute(REFRESH, {"t": alice.refresh_token}))["refreshToken"]
    assert rotated["refreshToken"] != alice.refresh_token
    reused = await client.error(REFRESH, {"t": alice.refresh_token})
    assert reused["extensions"]["code"] == "UNAUTHENTICATED"
    assert reused["extensions"]["reason"] == "TOKEN_REUSED"
    # the thief's reuse also ended the legitimate newer token
    error = await client.error(REFRESH, {"t": rotated["refreshToken"]})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


async def test_logout_revokes_the_refresh_token(client: GraphQLClient) -> None:
    alice = await client.register("Alice")
    await client.execute("mutation($t: String!) { logout(input: {refreshToken: $t}) { ok } }",
                         {"t": alice.refresh_token})
    error = await client.error(REFRESH, {"t": alice.refresh_token})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


async def test_expired_access_token_is_refused_with_a_reason(client: GraphQLClient, container) -> None:
    alice = await client.register("Alice")
    claims = jwt.decode(alice.token, options={"verify_signature": False})
    claims["exp"] = int(time.time()) - 5
    expired = jwt.encode(claims, container.settings.secret_value(), algorithm="HS256")
    error = await client.error(ME, token=expired)
    assert error["extensions"] == {"code": "UNAUTHENTICATED", "reason": "TOKEN_EXPIRED"}


async def test_forged_token_is_refused(client: GraphQLClient) -> None:
    forged = jwt.encode({"sub": "1", "roles": ["ADMIN"], "typ": "access",
                         "exp": int(time.time()) + 60}, "guessed-secret-guessed-secret-guessed", algorithm="HS256")
    error = await client.error(ME, token=forged)
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


async def test_admin_grants_a_role_and_it_is_audited(client: GraphQLClient, container) -> None:
    admin = await client.member_with_roles(container, "ADMIN", name="Admin")
    bob = await client.register("Bob")
    granted = await client.execute(
        "mutation($u: ID!) { grantRole(input: {userId: $u, role: MODERATOR}) { user { roles } } }",
        {"u": bob.id}, token=admin.token)
    assert granted["grantRole"]["user"]["roles"] == ["MEMBER", "MODERATOR"]
    log = await client.execute(
        "{ auditLog(first: 5) { edges { node { action targetId before after actor { id } } } } }",
        token=admin.token)
    entry = log["auditLog"]["edges"][0]["node"]
    assert entry == {"action": "GRANT_ROLE", "targetId": bob.id, "before": {"roles": ["MEMBER"]},
                     "after": {"roles": ["MEMBER", "MODERATOR"]}, "actor": {"id": admin.id}}


async def test_members_cannot_grant_roles_or_read_the_audit_log(client: GraphQLClient, container) -> None:
    bob = await client.register("Bob")
    error = await client.error(
        "mutation($u: ID!) { grantRole(input: {userId: $u, role: ADMIN}) { user { roles } } }",
        {"u": bob.id}, token=bob.token)
    assert error["extensions"]["code"] == "FORBIDDEN"
    error = await client.error("{ auditLog { edges { cursor } } }", token=bob.token)
    assert error["extensions"]["code"] == "FORBIDDEN"
    async with container.uow() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


async def test_profile_updates_are_private(client: GraphQLClient) -> None:
    alice = await client.register("Alice")
    bob = await client.register("Bob")
    await client.execute(
        """mutation { updateProfile(input: {region: "Shanghai", bio: "runs at dawn",
             personalizationOptOut: true}) { user { id } } }""", token=alice.token)
    query = "query($id: ID!) { user(id: $id) { displayName email profile { region bio personalizationOptOut } } }"
    own = (await client.execute(query, {"id": alice.id}, token=alice.token))["user"]
    assert own["profile"] == {"region": "Shanghai", "bio": "runs at dawn", "personalizationOptOut": True}
    seen_by_bob = (await client.execute(query, {"id": alice.id}, token=bob.token))["user"]
    assert seen_by_bob == {"displayName": "Alice", "email": None, "profile": None}


async def test_node_resolves_users_and_rejects_ids_of_another_type(client: GraphQLClient) -> None:
    alice = await client.register("Alice")
    node = await client.execute("query($id: ID!) { node(id: $id) { id ... on User { displayName } } }",
                                {"id": alice.id})
    assert node["node"] == {"id": alice.id, "displayName": "Alice"}
    from api.relay import to_global_id

    error = await client.error("query($id: ID!) { user(id: $id) { id } }",
                               {"id": to_global_id("AuditEntry", 1)})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    error = await client.error("query($id: ID!) { user(id: $id) { id } }", {"id": "%%%"})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
