"""The community over GraphQL: thin resolvers over the community services."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from api.community.types import (
    Comment,
    MediaKindEnum,
    Post,
    PostConnection,
    ReactionKindEnum,
    load_comment,
    load_post,
    page_relations,
    post_connection,
    prefetch,
)
from api.members.types import User, user_by_id
from api.permissions import Authenticated
from api.relay import decode_id, decode_typed_id, page_request
from api.rewards import Reward
from domain.community import rules
from domain.community.models import MediaKind, ReactionKind, TargetType
from domain.community.posts import MediaRef, PostDraft
from domain.community.queries import PostOrder
from domain.personalization.feed import feed_cursor
from rally.errors import InvalidInput

PostOrderEnum = strawberry.enum(PostOrder, name="PostOrder",
                                description="LATEST: newest first. HOT: see README (hot score).")
TARGET_TYPES = {"Post": TargetType.POST, "Comment": TargetType.COMMENT}


def decode_target(global_id: str) -> tuple[TargetType, int]:
    type_name, pk = decode_typed_id(global_id, "Post", "Comment")
    return TARGET_TYPES[type_name], pk


@strawberry.input
class MediaInput:
    kind: MediaKindEnum  # type: ignore[valid-type]
    url: str = strawberry.field(description="The mediaUrl requestUpload gave for your upload.")
    width: int | None = None
    height: int | None = None
    duration_ms: int | None = None


@strawberry.input
class CreatePostInput:
    body: str
    media: list[MediaInput] = strawberry.field(default_factory=list)
    topics: list[str] = strawberry.field(default_factory=list)


@strawberry.type
class CreatePostPayload:
    post: Post
    reward: Reward


@strawberry.input
class UpdatePostInput:
    post_id: strawberry.ID
    body: str | None = None
    topics: list[str] | None = None


@strawberry.input
class DeletePostInput:
    post_id: strawberry.ID


@strawberry.type
class PostPayload:
    post: Post


@strawberry.input
class CreateCommentInput:
    post_id: strawberry.ID
    body: str
    parent_id: strawberry.ID | None = None


@strawberry.type
class CreateCommentPayload:
    comment: Comment
    reward: Reward


@strawberry.input
class DeleteCommentInput:
    comment_id: strawberry.ID


@strawberry.type
class CommentPayload:
    comment: Comment


@strawberry.input
class ReactInput:
    target_id: strawberry.ID = strawberry.field(description="A Post or Comment id.")
    kind: ReactionKindEnum  # type: ignore[valid-type]


@strawberry.input
class UnreactInput:
    target_id: strawberry.ID


@strawberry.type
class ReactPayload:
    post: Post | None = strawberry.field(description="The post reacted to (null for a comment).")
    comment: Comment | None
    viewer_reaction: ReactionKindEnum | None  # type: ignore[valid-type]
    reward: Reward


@strawberry.input
class SharePostInput:
    post_id: strawberry.ID
    channel: str = strawberry.field(description="Where it is shared: WECHAT, WHATSAPP, LINK…")


@strawberry.type
class SharePostPayload:
    share_url: str
    referral_code: str
    post: Post | None
    reward: Reward


@strawberry.input
class FollowInput:
    user_id: strawberry.ID | None = None
    topic: str | None = None


@strawberry.type
class FollowPayload:
    user: User | None
    topic: str | None
    following: bool


@strawberry.input
class BlockInput:
    user_id: strawberry.ID


@strawberry.type
class BlockPayload:
    user: User | None
    blocked: bool


@strawberry.input
class RequestUploadInput:
    kind: MediaKindEnum  # type: ignore[valid-type]
    content_type: str
    byte_size: int


@strawberry.type
class RequestUploadPayload:
    upload_url: str = strawberry.field(description="PUT the file here, with its Content-Type.")
    media_url: str = strawberry.field(description="Reference this in createPost once uploaded.")
    expires_at: datetime
    content_type: str


@strawberry.type
class CommunityQueries:
    @strawberry.field(description="Published posts, LATEST first or by HOT score.")
    async def posts(self, info: Info, first: int | None = None, after: str | None = None,
                    topic: str | None = None,
                    order: PostOrderEnum = PostOrder.LATEST) -> PostConnection:  # type: ignore[valid-type,assignment]
        ctx = info.context
        name = rules.normalize_topic(topic, ctx.settings.topic_max_chars) if topic else None
        page = await ctx.services.community.posts(ctx.viewer_id, page_request(ctx, first, after),
                                                  topic=name, order=PostOrder(order),
                                                  relations=page_relations(info))
        return await post_connection(info, page)

    @strawberry.field
    async def post(self, info: Info, id: strawberry.ID) -> Post | None:
        return await load_post(info.context, decode_id(id, "Post"))

    @strawberry.field(permission_classes=[Authenticated], description=(
        "For you: ranked for the caller (follows, interests, hot, fresh; at most 2 posts of one "
        "author a page), never repeating a post within a feed session. `Post.feedReason` says "
        "why each post is here."))
    async def feed(self, info: Info, first: int | None = None,
                   after: str | None = None) -> PostConnection:
        ctx = info.context
        viewer = ctx.require_member().member_id
        request = page_request(ctx, first, after)
        page = await ctx.services.feed.page(viewer, request.first, request.after)
        posts = await prefetch(info, [Post.in_feed(ranked) for ranked in page.items])
        return PostConnection.of(  # type: ignore[return-value]  # `of` builds the subclass
            enumerate(posts), page.has_next, lambda e: e[1], lambda e: feed_cursor(page, e[0]))


@strawberry.type
class CommunityMutations:
    @strawberry.mutation(permission_classes=[Authenticated])
    async def create_post(self, info: Info, input: CreatePostInput) -> CreatePostPayload:
        ctx = info.context
        draft = PostDraft(body=input.body, topics=list(input.topics), media=[
            MediaRef(MediaKind(m.kind), m.url, m.width, m.height, m.duration_ms)
            for m in input.media])
        result = await ctx.services.posts.create(ctx.require_member().member_id, draft)
        return CreatePostPayload(post=Post.from_row(result.post),
                                 reward=Reward.from_domain(result.reward))

    @strawberry.mutation(permission_classes=[Authenticated], description=(
        "Edit your post; earlier versions are kept for moderators."))
    async def update_post(self, info: Info, input: UpdatePostInput) -> PostPayload:
        ctx = info.context
        if input.body is None and input.topics is None:
            raise InvalidInput("give a new body or new topics")
        post = await ctx.services.posts.update(ctx.require_member().member_id,
                                               decode_id(input.post_id, "Post"), input.body,
                                               list(input.topics) if input.topics is not None else None)
        return PostPayload(post=Post.from_row(post))

    @strawberry.mutation(permission_classes=[Authenticated])
    async def delete_post(self, info: Info, input: DeletePostInput) -> PostPayload:
        ctx = info.context
        post = await ctx.services.posts.delete(ctx.require_member().member_id,
                                               decode_id(input.post_id, "Post"))
        return PostPayload(post=Post.from_row(post))

    @strawberry.mutation(permission_classes=[Authenticated])
    async def create_comment(self, info: Info, input: CreateCommentInput) -> CreateCommentPayload:
        ctx = info.context
        post_id = decode_id(input.post_id, "Post")
        parent_id = decode_id(input.parent_id, "Comment") if input.parent_id else None
        result = await ctx.services.comments.create(ctx.require_member().member_id, post_id,
                                                    input.body, parent_id)
        return CreateCommentPayload(comment=Comment.from_row(result.comment),
                                    reward=Reward.from_domain(result.reward))

    @strawberry.mutation(permission_classes=[Authenticated])
    async def delete_comment(self, info: Info, input: DeleteCommentInput) -> CommentPayload:
        ctx = info.context
        comment = await ctx.services.comments.delete(ctx.require_member().member_id,
                                                     decode_id(input.comment_id, "Comment"))
        return CommentPayload(comment=Comment.from_row(comment))

    @strawberry.mutation(permission_classes=[Authenticated], description=(
        "React to a post or comment; a different kind replaces your earlier reaction."))
    async def react(self, info: Info, input: ReactInput) -> ReactPayload:
        ctx = info.context
        target_type, pk = decode_target(input.target_id)
        result = await ctx.services.reactions.react(ctx.require_member().member_id, target_type,
                                                    pk, ReactionKind(input.kind))
        return await _react_payload(info, target_type, pk, result.kind, result.reward)

    @strawberry.mutation(permission_classes=[Authenticated])
    async def unreact(self, info: Info, input: UnreactInput) -> ReactPayload:
        ctx = info.context
        target_type, pk = decode_target(input.target_id)
        result = await ctx.services.reactions.unreact(ctx.require_member().member_id,
                                                      target_type, pk)
        return await _react_payload(info, target_type, pk, None, result.reward)

    @strawberry.mutation(permission_classes=[Authenticated], description=(
        "A share link carrying your referral code; the share is recorded."))
    async def share_post(self, info: Info, input: SharePostInput) -> SharePostPayload:
        ctx = info.context
        post_id = decode_id(input.post_id, "Post")
        result = await ctx.services.social.share(ctx.require_member().member_id, post_id,
                                                 input.channel)
        return SharePostPayload(share_url=result.share_url, referral_code=result.referral_code,
                                post=await load_post(ctx, post_id),
                                reward=Reward.from_domain(result.reward))

    @strawberry.mutation(permission_classes=[Authenticated], description="Follow a member or a topic.")
    async def follow(self, info: Info, input: FollowInput) -> FollowPayload:
        return await _follow(info, input, following=True)

    @strawberry.mutation(permission_classes=[Authenticated])
    async def unfollow(self, info: Info, input: FollowInput) -> FollowPayload:
        return await _follow(info, input, following=False)

    @strawberry.mutation(permission_classes=[Authenticated], description=(
        "His posts, comments and notifications no longer reach you; follows end both ways."))
    async def block_user(self, info: Info, input: BlockInput) -> BlockPayload:
        ctx = info.context
        pk = decode_id(input.user_id, "User")
        await ctx.services.social.block(ctx.require_member().member_id, pk)
        return BlockPayload(user=await user_by_id(info, pk), blocked=True)

    @strawberry.mutation(permission_classes=[Authenticated])
    async def unblock_user(self, info: Info, input: BlockInput) -> BlockPayload:
        ctx = info.context
        pk = decode_id(input.user_id, "User")
        await ctx.services.social.unblock(ctx.require_member().member_id, pk)
        return BlockPayload(user=await user_by_id(info, pk), blocked=False)

    @strawberry.mutation(permission_classes=[Authenticated], description=(
        "A short-lived signed URL to PUT one file to, and the URL it will be served at."))
    async def request_upload(self, info: Info, input: RequestUploadInput) -> RequestUploadPayload:
        ctx = info.context
        ticket = await ctx.services.media.request_upload(
            ctx.require_member().member_id, MediaKind(input.kind), input.content_type,
            input.byte_size)
        return RequestUploadPayload(upload_url=ticket.upload_url, media_url=ticket.media_url,
                                    expires_at=ticket.expires_at, content_type=ticket.content_type)


async def _react_payload(info: Info, target_type: TargetType, pk: int,
                         kind: ReactionKind | None, reward: object) -> ReactPayload:
    ctx = info.context
    post = await load_post(ctx, pk) if target_type is TargetType.POST else None
    comment = await load_comment(ctx, pk) if target_type is TargetType.COMMENT else None
    return ReactPayload(post=post, comment=comment, viewer_reaction=kind,
                        reward=Reward.from_domain(reward))  # type: ignore[arg-type]


async def _follow(info: Info, input: FollowInput, following: bool) -> FollowPayload:
    ctx = info.context
    member = ctx.require_member().member_id
    if (input.user_id is None) == (input.topic is None):
        raise InvalidInput("give exactly one of userId or topic")
    social = ctx.services.social
    if input.topic is not None:
        topic = await (social.follow_topic if following else social.unfollow_topic)(
            member, input.topic)
        return FollowPayload(user=None, topic=topic, following=following)
    assert input.user_id is not None
    pk = decode_id(input.user_id, "User")
    if following:
        await social.follow_member(member, pk)
    else:
        await social.unfollow_member(member, pk)
    return FollowPayload(user=await user_by_id(info, pk), topic=None, following=following)
