"""Documents and helpers the community tests share."""

from __future__ import annotations

from typing import Any

from tests.support import GraphQLClient, Member

POST_FIELDS = """id body topics status reactionCount commentCount shareCount viewerReaction
  reactionCounts { kind count } author { id displayName } media { kind url }"""
CREATE_POST = """mutation($input: CreatePostInput!) { createPost(input: $input) {
  post { %s } reward { points } } }""" % POST_FIELDS
CREATE_COMMENT = """mutation($input: CreateCommentInput!) { createComment(input: $input) {
  comment { id body status replyCount parent { id } } reward { points } } }"""
REACT = """mutation($input: ReactInput!) { react(input: $input) {
  viewerReaction reward { points } post { reactionCount reactionCounts { kind count } }
  comment { reactionCount reactionCounts { kind count } } } }"""
UNREACT = """mutation($input: UnreactInput!) { unreact(input: $input) {
  viewerReaction post { reactionCount } comment { reactionCount } } }"""
POSTS = """query($first: Int, $after: String, $topic: String, $order: PostOrder!) {
  posts(first: $first, after: $after, topic: $topic, order: $order) {
    edges { cursor node { id body topics } } pageInfo { hasNextPage endCursor } } }"""
POST = "query($id: ID!) { post(id: $id) { %s } }" % POST_FIELDS
FOLLOW = """mutation($input: FollowInput!) { follow(input: $input) { following topic user { id } } }"""
BLOCK = """mutation($input: BlockInput!) { blockUser(input: $input) { blocked } }"""
REPORT = """mutation($input: ReportContentInput!) { reportContent(input: $input) { reported } }"""
MODERATE = """mutation($input: ModerateInput!) { moderate(input: $input) {
  post { id status } comment { id status } caseId } }"""
NOTIFICATIONS = """query { notifications(first: 50) { edges { node {
  kind actorCount subjectId data readAt actor { displayName } } } } }"""


async def create_post(client: GraphQLClient, member: Member, body: str,
                      **fields: Any) -> dict[str, Any]:
    data = await client.execute(CREATE_POST, {"input": {"body": body, **fields}}, member.token)
    return data["createPost"]["post"]


async def create_comment(client: GraphQLClient, member: Member, post_id: str, body: str,
                         parent_id: str | None = None) -> dict[str, Any]:
    data = await client.execute(CREATE_COMMENT, {"input": {
        "postId": post_id, "body": body, "parentId": parent_id}}, member.token)
    return data["createComment"]["comment"]


async def react(client: GraphQLClient, member: Member, target_id: str,
                kind: str = "LIKE") -> dict[str, Any]:
    data = await client.execute(REACT, {"input": {"targetId": target_id, "kind": kind}},
                                member.token)
    return data["react"]


async def latest_ids(client: GraphQLClient, member: Member | None = None,
                     **args: Any) -> list[str]:
    data = await client.execute(POSTS, {"first": 50, "order": "LATEST", **args},
                                member.token if member else None)
    return [e["node"]["id"] for e in data["posts"]["edges"]]


async def notifications(client: GraphQLClient, member: Member) -> list[dict[str, Any]]:
    data = await client.execute(NOTIFICATIONS, token=member.token)
    return [e["node"] for e in data["notifications"]["edges"]]
