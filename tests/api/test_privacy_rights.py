"""exportMyData and deleteMyAccount: everything out, then nothing left that names the person."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text, update

from domain.privacy.models import DataExport
from tests.api.community_support import FOLLOW, create_comment, create_post, react
from tests.support import PASSWORD, GraphQLClient

EXPORT = "mutation { exportMyData { url expiresAt } }"
DELETE = """mutation($input: DeleteMyAccountInput!) { deleteMyAccount(input: $input) { deleted } }"""
ME = "{ me { id displayName } }"
PROFILE = """mutation($input: UpdateProfileInput!) { updateProfile(input: $input) { user { id } } }"""
TRACK = """mutation($input: TrackEventsInput!) { trackEvents(input: $input) { accepted } }"""
FEEDBACK = """mutation($input: SubmitFeedbackInput!) { submitFeedback(input: $input) {
  feedback { id } } }"""
DEVICE = """mutation($d: String!) { loginWithDevice(input: {deviceId: $d}) {
  accessToken refreshToken user { id } } }"""
REFRESH = """mutation($t: String!) { refreshToken(input: {refreshToken: $t}) { accessToken } }"""
LOGIN = """mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) {
  accessToken } }"""


async def _active_member(client: GraphQLClient, name: str):
    member = await client.register(name)
    await client.execute(PROFILE, {"input": {"bio": f"{name} runs marathons",
                                             "region": "Lyon"}}, member.token)
    await client.execute(TRACK, {"input": {"events": [{
        "clientEventId": "e-1", "kind": "VIEW", "targetId": member.id,
        "occurredAt": (datetime.now(UTC) - timedelta(minutes=1)).isoformat()}]}}, member.token)
    await client.execute(FEEDBACK, {"input": {"kind": "IDEA", "text": f"{name} wants dark mode"}},
                         member.token)
    return member


async def _download(client: GraphQLClient, url: str):
    return await client.http.get(url.split("://", 1)[1].split("/", 1)[1].join(["/", ""]))


async def test_export_holds_everything_about_the_caller_only(client: GraphQLClient) -> None:
    alice = await _active_member(client, "Alice")
    await _active_member(client, "Bob")
    await create_post(client, alice, "Alice's first run", topics=["running"])
    link = (await client.execute(EXPORT, token=alice.token))["exportMyData"]
    assert datetime.fromisoformat(link["expiresAt"]) > datetime.now(UTC)
    response = await _download(client, link["url"])
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    document = response.json()
    assert document["format"] == "rally.export/1"
    assert document["profile"][0]["email"] == alice.email
    assert document["profile"][0]["bio"] == "Alice runs marathons"
    assert [e["client_event_id"] for e in document["events"]] == ["e-1"]
    assert [f["text"] for f in document["feedback"]] == ["Alice wants dark mode"]
    assert [p["body"] for p in document["posts"]] == ["Alice's first run"]
    assert [e["reason"] for e in document["points"]] == ["POST_CREATED"]
    assert document["sessions"] and "deletionPolicy" in document
    assert set(document["deletionPolicy"]) <= set(document)  # every source exported a section
    assert {"miniGamePlays", "pollVotes", "checkIns", "follows"} <= set(document)
    assert "Bob" not in response.text


async def test_export_links_refuse_tampering_and_expire(client: GraphQLClient, container) -> None:
    alice = await client.register("Alice")
    url = (await client.execute(EXPORT, token=alice.token))["exportMyData"]["url"]
    assert (await _download(client, url[:-3] + "xyz")).status_code == 404
    async with container.uow() as uow:
        await uow.session.execute(update(DataExport).values(
            expires_at=datetime.now(UTC) - timedelta(seconds=1)))
        await uow.commit()
    assert (await _download(client, url)).status_code == 404
    assert await container.privacy.purge_expired_exports() == 1


async def test_export_needs_a_login(client: GraphQLClient) -> None:
    error = await client.error(EXPORT)
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


async def test_wrong_password_deletes_nothing(client: GraphQLClient) -> None:
    alice = await client.register("Alice")
    error = await client.error(DELETE, {"input": {"password": "not it at all"}}, alice.token)
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert (await client.execute(ME, token=alice.token))["me"]["displayName"] == "Alice"
    await client.execute(LOGIN, {"e": alice.email, "p": PASSWORD})


async def test_deleted_account_leaves_no_trace_and_every_token_dies(
        client: GraphQLClient, container) -> None:
    alice = await _active_member(client, "Alicia Quixotic")
    bob = await client.register("Bob")
    post = await create_post(client, alice, "Zanzibarish sunrise run", topics=["running"])
    await create_comment(client, alice, post["id"], "Zanzibarish again")
    await react(client, bob, post["id"])
    await client.execute(FOLLOW, {"input": {"userId": bob.id}}, alice.token)
    await client.execute(FOLLOW, {"input": {"userId": alice.id}}, bob.token)
    await client.execute(EXPORT, token=alice.token)
    # A second device session: its tokens must die too.
    other = (await client.execute(LOGIN, {"e": alice.email, "p": PASSWORD}))["login"]
    assert (await client.execute(DELETE, {"input": {"password": PASSWORD}}, alice.token)) == {
        "deleteMyAccount": {"deleted": True}}

    for token in (alice.token, other["accessToken"]):
        assert (await client.error(ME, token=token))["extensions"]["code"] == "UNAUTHENTICATED"
    refused = await client.error(REFRESH, {"t": alice.refresh_token})
    assert refused["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await client.error(LOGIN, {"e": alice.email, "p": PASSWORD}))["extensions"]["code"] \
        == "UNAUTHENTICATED"

    assert await _tables_mentioning(container, alice.email, "Alicia", "Quixotic", "marathons",
                                    "dark mode", "Zanzibarish") == []
    # His post is gone for everyone; Bob's reaction stays an anonymous count.
    assert (await client.execute("query($id: ID!) { post(id: $id) { id } }",
                                 {"id": post["id"]}, bob.token))["post"] is None
    again = await client.register("Alicia", email=alice.email)  # the email is free again
    assert again.id != alice.id


async def test_guest_confirms_with_the_phrase_and_his_device_id_is_gone(
        client: GraphQLClient, container) -> None:
    guest = (await client.execute(DEVICE, {"d": "device-7f3a-unique-zz"}))["loginWithDevice"]
    error = await client.error(DELETE, {"input": {"confirmation": "yes"}}, guest["accessToken"])
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert await _tables_mentioning(container, "device-7f3a-unique-zz") == ["devices"]
    phrase = container.settings.account_deletion_phrase
    await client.execute(DELETE, {"input": {"confirmation": phrase}}, guest["accessToken"])
    assert await _tables_mentioning(container, "device-7f3a-unique-zz") == []
    # The device starts a brand-new guest account.
    fresh = (await client.execute(DEVICE, {"d": "device-7f3a-unique-zz"}))["loginWithDevice"]
    assert fresh["user"]["id"] != guest["user"]["id"]


async def _tables_mentioning(container, *needles: str) -> list[str]:
    """Every table (all schemas, partitions included) with a row whose text contains a needle."""
    found = []
    async with container.engine.connect() as conn:
        tables = (await conn.execute(text(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_type = 'BASE TABLE' AND table_schema NOT IN "
            "('pg_catalog', 'information_schema')"))).all()
        for schema, table in tables:
            for needle in needles:
                hit = await conn.scalar(text(
                    f'SELECT 1 FROM "{schema}"."{table}" t WHERE t::text ILIKE :n LIMIT 1'),
                    {"n": f"%{needle}%"})
                if hit:
                    found.append(table)
                    break
    return sorted(found)
