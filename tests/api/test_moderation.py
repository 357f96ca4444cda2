"""Keyword rules, reports, the queue, moderation actions, suspensions and bans — all audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.api.community_support import (
    CREATE_POST,
    MODERATE,
    POST,
    REPORT,
    create_comment,
    create_post,
    latest_ids,
    notifications,
)
from tests.support import PASSWORD, GraphQLClient, recorded_statements

SET_RULE = """mutation($k: String!, $a: KeywordRuleAction!) {
  setKeywordRule(input: {keyword: $k, action: $a}) { rule { id keyword normalized action } } }"""
QUEUE = """query($status: ModerationCaseStatus!) { moderationQueue(first: 10, status: $status) {
  edges { node { id targetId status source reporterCount reasons resolution note
    post { id status } comment { id } reports { reason reporter { displayName } } } } } }"""
AUDIT = "query { auditLog(first: 20) { edges { node { action targetType before after note } } } }"


async def test_keyword_rules_block_review_and_mask(client: GraphQLClient, container) -> None:
    mod = await client.member_with_roles(container, "MODERATOR")
    alice = await client.register("Alice")
    rules = {}
    for keyword, action in (("spam", "BLOCK"), ("casino", "REVIEW"), ("darn", "MASK")):
        data = await client.execute(SET_RULE, {"k": keyword, "a": action}, mod.token)
        rules[keyword] = data["setKeywordRule"]["rule"]["id"]
    error = await client.error(CREATE_POST, {"input": {"body": "Buy S P A M now"}}, alice.token)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["reason"] == "CONTENT_BLOCKED"
    assert error["extensions"]["ruleId"] == rules["spam"]
    assert await latest_ids(client) == []
    masked = await create_post(client, alice, "Oh D.A.R.N it")
    assert masked["body"] == "Oh ******* it"
    pending = await create_post(client, alice, "ＣＡＳＩＮＯ night")
    assert pending["status"] == "PENDING"
    assert await latest_ids(client) == [masked["id"]]
    queue = (await client.execute(QUEUE, {"status": "OPEN"}, mod.token))["moderationQueue"]
    [case] = [e["node"] for e in queue["edges"]]
    assert (case["source"], case["post"]["id"]) == ("KEYWORD", pending["id"])
    data = await client.execute(MODERATE, {"input": {"targetId": pending["id"], "action": "APPROVE",
                                                     "note": "fine"}}, mod.token)
    assert data["moderate"]["post"]["status"] == "PUBLISHED"
    assert set(await latest_ids(client)) == {masked["id"], pending["id"]}
    rules_list = await client.execute("query { keywordRules { keyword action } }", token=mod.token)
    assert len(rules_list["keywordRules"]) == 3
    delete = """mutation($id: ID!) { deleteKeywordRule(input: {ruleId: $id}) { deletedRuleId } }"""
    await client.execute(delete, {"id": rules["spam"]}, mod.token)
    await create_post(client, alice, "spam is fine now")
    actions = [e["node"]["action"] for e in
               (await client.execute(AUDIT, token=mod.token))["auditLog"]["edges"]]
    assert "DELETE_KEYWORD_RULE" in actions and "MODERATE_APPROVE" in actions


async def test_keyword_rules_apply_to_comments(client: GraphQLClient, container) -> None:
    mod = await client.member_with_roles(container, "MODERATOR")
    await client.execute(SET_RULE, {"k": "idiot", "a": "BLOCK"}, mod.token)
    alice = await client.register("Alice")
    post = await create_post(client, alice, "Hello")
    error = await client.error("""mutation($input: CreateCommentInput!) { createComment(input: $input)
        { comment { id } } }""", {"input": {"postId": post["id"], "body": "you i d i o t"}},
        alice.token)
    assert error["extensions"]["reason"] == "CONTENT_BLOCKED"
    # The rules are held in process (posts, comments and names share them) while their
    # version stands: a comment does not read them again, and a new rule still applies.
    await create_comment(client, alice, post["id"], "lovely")
    with recorded_statements(container, lambda s: "keyword_rules" in s) as reads:
        await create_comment(client, alice, post["id"], "lovely again")
    assert reads == []
    await client.execute(SET_RULE, {"k": "fool", "a": "MASK"}, mod.token)
    masked = await create_comment(client, alice, post["id"], "what a fool")
    assert masked["body"] == "what a ****"


async def test_three_distinct_reporters_hide_a_post_until_restored(
        client: GraphQLClient, container) -> None:
    mod = await client.member_with_roles(container, "MODERATOR")
    alice = await client.register("Alice")
    reporters = [await client.register() for _ in range(3)]
    post = await create_post(client, alice, "Questionable")
    report = {"input": {"targetId": post["id"], "reason": "SPAM"}}
    await client.execute(REPORT, report, reporters[0].token)
    again = await client.error(REPORT, report, reporters[0].token)
    assert again["extensions"]["code"] == "CONFLICT"
    await client.execute(REPORT, {"input": {"targetId": post["id"], "reason": "hate"}},
                         reporters[1].token)
    assert await latest_ids(client) == [post["id"]]
    await client.execute(REPORT, report, reporters[2].token)
    assert await latest_ids(client) == []
    queue = (await client.execute(QUEUE, {"status": "OPEN"}, mod.token))["moderationQueue"]
    [case] = [e["node"] for e in queue["edges"]]
    assert case["reporterCount"] == 3 and sorted(case["reasons"]) == ["HATE", "SPAM"]
    assert case["post"]["status"] == "HIDDEN" and len(case["reports"]) == 3
    await client.execute(MODERATE, {"input": {"targetId": post["id"], "action": "RESTORE",
                                              "note": "satire"}}, mod.token)
    assert await latest_ids(client) == [post["id"]]
    resolved = (await client.execute(QUEUE, {"status": "RESOLVED"}, mod.token))["moderationQueue"]
    assert [(e["node"]["resolution"], e["node"]["note"]) for e in resolved["edges"]] == [
        ("RESTORE", "satire")]
    assert [n["kind"] for n in await notifications(client, alice)] == ["MODERATION"]
    [entry] = [e["node"] for e in (await client.execute(AUDIT, token=mod.token))["auditLog"]["edges"]
               if e["node"]["action"] == "MODERATE_RESTORE"]
    assert (entry["before"], entry["after"], entry["note"]) == (
        {"status": "HIDDEN"}, {"status": "PUBLISHED"}, "satire")


async def test_removing_a_comment_fixes_the_post_comment_count(
        client: GraphQLClient, container) -> None:
    mod = await client.member_with_roles(container, "MODERATOR")
    alice, bob = await client.register("Alice"), await client.register("Bob")
    post = await create_post(client, alice, "Hello")
    comment = await create_comment(client, bob, post["id"], "rude")
    data = await client.execute(MODERATE, {"input": {"targetId": comment["id"],
                                                     "action": "REMOVE"}}, mod.token)
    assert data["moderate"]["comment"]["status"] == "REMOVED"
    assert (await client.execute(POST, {"id": post["id"]}))["post"]["commentCount"] == 0


async def test_moderation_needs_the_role(client: GraphQLClient) -> None:
    alice = await client.register("Alice")
    post = await create_post(client, alice, "Hello")
    for document, variables in (
            (MODERATE, {"input": {"targetId": post["id"], "action": "HIDE"}}),
            (SET_RULE, {"k": "x", "a": "BLOCK"}), (QUEUE, {"status": "OPEN"}),
            ("query { keywordRules { id } }", None), (AUDIT, None)):
        error = await client.error(document, variables, alice.token)
        assert error["extensions"]["code"] == "FORBIDDEN"
    assert (await client.execute(POST, {"id": post["id"]}))["post"]["status"] == "PUBLISHED"


async def test_suspended_member_reads_but_cannot_write_until_unsuspended(
        client: GraphQLClient, container) -> None:
    mod = await client.member_with_roles(container, "MODERATOR")
    alice = await client.register("Alice")
    until = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    suspend = """mutation($input: SuspendUserInput!) { suspendUser(input: $input) { user { status } } }"""
    data = await client.execute(suspend, {"input": {"userId": alice.id, "until": until,
                                                    "reason": "spamming"}}, mod.token)
    assert data["suspendUser"]["user"]["status"] == "SUSPENDED"
    error = await client.error(CREATE_POST, {"input": {"body": "let me in"}}, alice.token)
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert error["extensions"]["reason"] == "spamming"
    assert error["extensions"]["until"].startswith(until[:16])
    assert await latest_ids(client, alice) == []  # reading still works
    unsuspend = """mutation($id: ID!) { unsuspendUser(input: {userId: $id}) { user { status } } }"""
    await client.execute(unsuspend, {"id": alice.id}, mod.token)
    await create_post(client, alice, "back")
    actions = [e["node"]["action"] for e in
               (await client.execute(AUDIT, token=mod.token))["auditLog"]["edges"]]
    assert {"SUSPEND_MEMBER", "UNSUSPEND_MEMBER"} <= set(actions)


async def test_banned_member_cannot_log_in_or_refresh(client: GraphQLClient, container) -> None:
    mod = await client.member_with_roles(container, "MODERATOR")
    alice = await client.register("Alice")
    ban = """mutation($id: ID!) { banUser(input: {userId: $id, reason: "fraud"}) { user { status } } }"""
    assert (await client.execute(ban, {"id": alice.id}, mod.token))["banUser"]["user"][
        "status"] == "BANNED"
    login = "mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) { accessToken } }"
    error = await client.error(login, {"e": alice.email, "p": PASSWORD})
    assert error["extensions"]["code"] == "FORBIDDEN"
    refresh = "mutation($t: String!) { refreshToken(input: {refreshToken: $t}) { accessToken } }"
    error = await client.error(refresh, {"t": alice.refresh_token})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    error = await client.error(CREATE_POST, {"input": {"body": "still here?"}}, alice.token)
    assert error["extensions"]["code"] == "FORBIDDEN"


async def test_content_its_author_deleted_cannot_be_restored(client: GraphQLClient, container) -> None:
    mod = await client.member_with_roles(container, "MODERATOR")
    alice = await client.register("Alice")
    post = await create_post(client, alice, "Regret")
    await client.execute("""mutation($id: ID!) { deletePost(input: {postId: $id}) { post { id } } }""",
                         {"id": post["id"]}, alice.token)
    error = await client.error(MODERATE, {"input": {"targetId": post["id"], "action": "RESTORE"}},
                               mod.token)
    assert error["extensions"]["reason"] == "DELETED_BY_AUTHOR"
    assert await latest_ids(client) == []
