"""Feedback: submitted by members, read and triaged by moderators and marketers."""

from __future__ import annotations

from sqlalchemy import func, select

from api.relay import to_global_id
from domain.audit.models import AuditEntry
from domain.feedback.models import Feedback
from tests.support import GraphQLClient

SUBMIT = """mutation($input: SubmitFeedbackInput!) { submitFeedback(input: $input) {
  feedback { id kind score text targetId status } } }"""
LIST = """query($status: FeedbackStatus, $kind: FeedbackKind, $after: String) {
  feedback(first: 2, status: $status, kind: $kind, after: $after) {
    edges { node { kind score text status author { displayName } } }
    pageInfo { hasNextPage endCursor } } }"""
SET_STATUS = """mutation($id: ID!, $status: FeedbackStatus!) {
  setFeedbackStatus(input: {feedbackId: $id, status: $status}) { feedback { status } } }"""


async def stored(container) -> int:
    async with container.uow() as uow:
        return await uow.session.scalar(select(func.count()).select_from(Feedback))


async def test_members_submit_and_staff_page_through_it(client: GraphQLClient, container) -> None:
    alice = await client.register("Alice")
    post = to_global_id("Post", 3)
    nps = (await client.execute(SUBMIT, {"input": {"kind": "NPS", "score": 9}},
                                alice.token))["submitFeedback"]["feedback"]
    assert (nps["kind"], nps["score"], nps["status"]) == ("NPS", 9, "NEW")
    bug = (await client.execute(SUBMIT, {"input": {"kind": "BUG", "text": "  feed is blank ",
                                                   "targetId": post}}, alice.token))
    assert bug["submitFeedback"]["feedback"]["text"] == "feed is blank"
    assert bug["submitFeedback"]["feedback"]["targetId"] == post
    await client.execute(SUBMIT, {"input": {"kind": "IDEA", "text": "dark mode"}}, alice.token)

    for role in ("MODERATOR", "MARKETER"):
        staff = await client.member_with_roles(container, role)
        first = (await client.execute(LIST, {}, staff.token))["feedback"]
        assert [e["node"]["kind"] for e in first["edges"]] == ["IDEA", "BUG"]
        assert first["edges"][0]["node"]["author"] == {"displayName": "Alice"}
        rest = (await client.execute(LIST, {"after": first["pageInfo"]["endCursor"]},
                                     staff.token))["feedback"]
        assert [e["node"]["kind"] for e in rest["edges"]] == ["NPS"]
        assert rest["pageInfo"]["hasNextPage"] is False
        only_bugs = (await client.execute(LIST, {"kind": "BUG"}, staff.token))["feedback"]
        assert [e["node"]["kind"] for e in only_bugs["edges"]] == ["BUG"]


async def test_staff_move_the_status_and_it_is_audited(client: GraphQLClient, container) -> None:
    alice = await client.register("Alice")
    moderator = await client.member_with_roles(container, "MODERATOR")
    created = await client.execute(SUBMIT, {"input": {"kind": "COMPLAINT", "text": "rude"}},
                                   alice.token)
    feedback_id = created["submitFeedback"]["feedback"]["id"]
    changed = await client.execute(SET_STATUS, {"id": feedback_id, "status": "RESOLVED"},
                                   moderator.token)
    assert changed["setFeedbackStatus"]["feedback"]["status"] == "RESOLVED"
    resolved = (await client.execute(LIST, {"status": "RESOLVED"}, moderator.token))["feedback"]
    assert len(resolved["edges"]) == 1
    assert (await client.execute(LIST, {"status": "NEW"}, moderator.token))["feedback"]["edges"] == []
    async with container.uow() as uow:
        entry = await uow.session.scalar(select(AuditEntry).where(
            AuditEntry.action == "SET_FEEDBACK_STATUS"))
    assert (entry.before, entry.after) == ({"status": "NEW"}, {"status": "RESOLVED"})

    error = await client.error(SET_STATUS, {"id": feedback_id, "status": "DISMISSED"}, alice.token)
    assert error["extensions"]["code"] == "FORBIDDEN"
    missing = await client.error(SET_STATUS, {"id": to_global_id("Feedback", 999),
                                              "status": "DISMISSED"}, moderator.token)
    assert missing["extensions"]["code"] == "NOT_FOUND"


async def test_bad_feedback_is_refused_and_nothing_is_stored(client: GraphQLClient, container) -> None:
    alice = await client.register("Alice")
    cases = [
        ({"kind": "NPS"}, "score"),
        ({"kind": "NPS", "score": 11}, "score"),
        ({"kind": "NPS", "score": -1}, "score"),
        ({"kind": "BUG"}, "text"),
        ({"kind": "IDEA", "text": "x" * 2001}, "text"),
        ({"kind": "IDEA", "text": "ok", "score": 5}, "score"),
    ]
    for fields, field in cases:
        error = await client.error(SUBMIT, {"input": fields}, alice.token)
        assert error["extensions"]["code"] == "BAD_USER_INPUT", fields
        assert error["extensions"]["field"] == field, fields
    error = await client.error(SUBMIT, {"input": {"kind": "BUG", "text": "x", "targetId": "??"}},
                               alice.token)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert await stored(container) == 0


async def test_members_cannot_read_feedback(client: GraphQLClient, container) -> None:
    alice = await client.register("Alice")
    assert (await client.error(LIST, {}, alice.token))["extensions"]["code"] == "FORBIDDEN"
    assert (await client.error(LIST, {}))["extensions"]["code"] == "UNAUTHENTICATED"


async def test_feedback_is_rate_limited(client: GraphQLClient, container) -> None:
    alice = await client.register("Alice")
    for _ in range(container.settings.feedback_per_hour):
        await client.execute(SUBMIT, {"input": {"kind": "IDEA", "text": "more"}}, alice.token)
    error = await client.error(SUBMIT, {"input": {"kind": "IDEA", "text": "more"}}, alice.token)
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert await stored(container) == container.settings.feedback_per_hour
