"""Declared interests through updateProfile; visible to the member himself only."""

from __future__ import annotations

from tests.support import GraphQLClient

UPDATE = """mutation($input: UpdateProfileInput!) { updateProfile(input: $input) {
  user { profile { bio } interests { tag weight source } } } }"""
INTERESTS = """query($id: ID!) { user(id: $id) { interests { tag weight source } } }"""


async def test_declared_interests_are_normalized_like_topics(client: GraphQLClient) -> None:
    alice = await client.register("Alice")
    data = await client.execute(UPDATE, {"input": {"interests": [
        "  #Running ", "COFFEE", "running", "#coffee", "trail"]}}, alice.token)
    interests = data["updateProfile"]["user"]["interests"]
    assert sorted(i["tag"] for i in interests) == ["coffee", "running", "trail"]
    assert {i["source"] for i in interests} == {"EXPLICIT"}
    assert {i["weight"] for i in interests} == {5.0}


async def test_declaring_again_replaces_the_declared_set(client: GraphQLClient) -> None:
    alice = await client.register("Alice")
    await client.execute(UPDATE, {"input": {"interests": ["running", "coffee"]}}, alice.token)
    data = await client.execute(UPDATE, {"input": {"interests": ["coffee", "yoga"]}}, alice.token)
    assert sorted(i["tag"] for i in data["updateProfile"]["user"]["interests"]) == ["coffee", "yoga"]
    cleared = await client.execute(UPDATE, {"input": {"interests": []}}, alice.token)
    assert cleared["updateProfile"]["user"]["interests"] == []


async def test_interests_are_visible_to_the_member_himself_only(client: GraphQLClient,
                                                                container) -> None:
    alice = await client.register("Alice")
    bob = await client.register("Bob")
    admin = await client.member_with_roles(container, "ADMIN")
    await client.execute(UPDATE, {"input": {"interests": ["running"]}}, alice.token)
    mine = await client.execute(INTERESTS, {"id": alice.id}, alice.token)
    assert [i["tag"] for i in mine["user"]["interests"]] == ["running"]
    for viewer in (bob.token, admin.token, None):
        seen = await client.execute(INTERESTS, {"id": alice.id}, viewer)
        assert seen["user"]["interests"] is None


async def test_bad_interests_change_nothing(client: GraphQLClient) -> None:
    alice = await client.register("Alice")
    await client.execute(UPDATE, {"input": {"interests": ["running"], "bio": "before"}},
                         alice.token)
    too_many = [f"tag{i}" for i in range(21)]
    for bad in (too_many, ["two words"], ["  # "], ["x" * 65]):
        error = await client.error(UPDATE, {"input": {"interests": bad, "bio": "after"}},
                                   alice.token)
        assert error["extensions"]["code"] == "BAD_USER_INPUT", bad
    data = await client.execute(INTERESTS, {"id": alice.id}, alice.token)
    assert [i["tag"] for i in data["user"]["interests"]] == ["running"]
    me = await client.execute("{ me { profile { bio } } }", token=alice.token)
    assert me["me"]["profile"]["bio"] == "before"
    twenty = [f"tag{i}" for i in range(20)]
    data = await client.execute(UPDATE, {"input": {"interests": twenty}}, alice.token)
    assert len(data["updateProfile"]["user"]["interests"]) == 20
