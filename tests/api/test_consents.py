"""Consents: recorded with time and policy version, visible to the member only."""

from __future__ import annotations

from sqlalchemy import select

from domain.privacy.models import ConsentChange
from tests.support import GraphQLClient

CONSENTS = """query($id: ID!) { user(id: $id) { consents {
  analytics { granted policyVersion changedAt } personalization { granted policyVersion }
  marketing { granted policyVersion } } } }"""
UPDATE = """mutation($input: UpdateConsentsInput!) { updateConsents(input: $input) { consents {
  analytics { granted policyVersion changedAt } marketing { granted policyVersion } } } }"""


async def test_defaults_apply_until_the_member_answers(client: GraphQLClient, container) -> None:
    alice = await client.register("Alice")
    consents = (await client.execute(CONSENTS, {"id": alice.id}, alice.token))["user"]["consents"]
    assert consents == {
        "analytics": {"granted": True, "policyVersion": None, "changedAt": None},
        "personalization": {"granted": True, "policyVersion": None},
        "marketing": {"granted": False, "policyVersion": None}}


async def test_a_change_is_recorded_with_time_and_version(client: GraphQLClient, container) -> None:
    alice = await client.register("Alice")
    version = container.settings.consent_policy_version
    first = (await client.execute(UPDATE, {"input": {"marketing": True, "analytics": False}},
                                  alice.token))["updateConsents"]["consents"]
    assert first["marketing"] == {"granted": True, "policyVersion": version}
    assert first["analytics"]["granted"] is False and first["analytics"]["changedAt"]
    await client.execute(UPDATE, {"input": {"analytics": True}}, alice.token)
    consents = (await client.execute(CONSENTS, {"id": alice.id}, alice.token))["user"]["consents"]
    assert consents["analytics"]["granted"] is True
    assert consents["marketing"]["granted"] is True  # untouched purposes keep their answer
    async with container.uow() as uow:
        history = (await uow.session.execute(
            select(ConsentChange.purpose, ConsentChange.granted, ConsentChange.policy_version)
            .order_by(ConsentChange.id))).all()
    assert [tuple(h) for h in history] == [("ANALYTICS", False, version),
                                           ("MARKETING", True, version),
                                           ("ANALYTICS", True, version)]


async def test_nobody_else_sees_a_members_consents(client: GraphQLClient, container) -> None:
    alice, bob = await client.register("Alice"), await client.register("Bob")
    admin = await client.member_with_roles(container, "ADMIN")
    for viewer in (bob.token, admin.token, None):
        user = (await client.execute(CONSENTS, {"id": alice.id}, viewer))["user"]
        assert user["consents"] is None


async def test_changing_consents_needs_a_member(client: GraphQLClient, container) -> None:
    error = await client.error(UPDATE, {"input": {"analytics": False}})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    async with container.uow() as uow:
        assert (await uow.session.execute(select(ConsentChange))).first() is None
