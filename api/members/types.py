from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.types import Info

from api.gamification.enums import BoardKindEnum
from api.personalization.types import Interest
from api.privacy.types import Consents
from api.relay import Connection, Node, node_type, page_request, to_global_id
from domain.members.models import MemberStatus, Role

if TYPE_CHECKING:
    from api.community.types import PostConnection
    from api.gamification.types import EarnedBadge, Level

RoleEnum = strawberry.enum(Role, name="Role", description="What a member may do; ADMIN holds every power.")
MemberStatusEnum = strawberry.enum(MemberStatus, name="MemberStatus")


@strawberry.type(description="A member's optional personal details, visible to himself only.")
class Profile:
    bio: str | None
    age_range: str | None
    gender: str | None
    region: str | None
    occupation: str | None
    personalization_opt_out: bool


@strawberry.type(description="A member of the community.")
class User(Node):
    id: strawberry.ID
    display_name: str
    avatar_url: str | None
    roles: list[RoleEnum]  # type: ignore[valid-type]
    is_guest: bool
    created_at: datetime
    member_id: strawberry.Private[int]
    row: strawberry.Private[Any]

    @classmethod
    def from_row(cls, row: Any) -> User:
        return cls(
            id=strawberry.ID(to_global_id("User", row.id)),
            display_name=row.display_name,
            avatar_url=row.avatar_url,
            roles=[Role(r) for r in row.roles],
            is_guest=row.is_guest,
            created_at=row.created_at,
            member_id=row.id,
            row=row,
        )

    def _is_self_or_admin(self, info: Info) -> bool:
        ctx = info.context
        return ctx.viewer_id == self.member_id or ctx.has_role(Role.ADMIN)

    @strawberry.field(description="Visible to the member himself and to admins; null otherwise.")
    def email(self, info: Info) -> str | None:
        return self.row.email if self._is_self_or_admin(info) else None

    @strawberry.field(description="Visible to the member himself and to admins; null otherwise.")
    def profile(self, info: Info) -> Profile | None:
        if not self._is_self_or_admin(info):
            return None
        r = self.row
        return Profile(bio=r.bio, age_range=r.age_range, gender=r.gender, region=r.region,
                       occupation=r.occupation, personalization_opt_out=r.personalization_opt_out)

    @strawberry.field(description="The member's consents; visible to himself only, null otherwise.")
    async def consents(self, info: Info) -> Consents | None:
        if info.context.viewer_id != self.member_id:
            return None
        return Consents.from_domain(await info.context.services.consents.consents(self.member_id))

    @strawberry.field(description="Moderation status; visible to moderators and the member himself.")
    def status(self, info: Info) -> MemberStatusEnum | None:  # type: ignore[valid-type]
        ctx = info.context
        if ctx.viewer_id == self.member_id or ctx.has_role(Role.MODERATOR):
            return MemberStatus(self.row.status)
        return None

    @strawberry.field(description="Declared and inferred interests, strongest first; visible to "
                                  "the member himself only, null otherwise.")
    async def interests(self, info: Info) -> list[Interest] | None:
        if info.context.viewer_id != self.member_id:
            return None
        values = await info.context.services.interests.interests(self.member_id)
        return [Interest.from_domain(v) for v in values]

    @strawberry.field(description="The member's posts, newest first (his pending ones to himself).")
    async def posts(self, info: Info, first: int | None = None, after: str | None = None
                    ) -> Annotated[PostConnection, strawberry.lazy("api.community.types")]:
        from api.community.types import page_relations, post_connection

        ctx = info.context
        page = await ctx.services.community.posts(ctx.viewer_id, page_request(ctx, first, after),
                                                  author_id=self.member_id,
                                                  relations=page_relations(info))
        return await post_connection(info, page)

    @strawberry.field(description="Members following this one, latest first.")
    async def followers(self, info: Info, first: int | None = None,
                        after: str | None = None) -> Connection[User]:
        return await _follow_page(info, self.member_id, first, after, followers=True)

    @strawberry.field(description="Members this one follows.")
    async def following(self, info: Info, first: int | None = None,
                        after: str | None = None) -> Connection[User]:
        return await _follow_page(info, self.member_id, first, after, followers=False)

    @strawberry.field(description="Unread notifications; the member himself only, null otherwise.")
    async def unread_notification_count(self, info: Info) -> int | None:
        if info.context.viewer_id != self.member_id:
            return None
        return await info.context.services.notifications.unread_count(self.member_id)


    # --- gamification ------------------------------------------------------------------
    @strawberry.field(description="Spendable points.")
    async def points(self, info: Info) -> int:
        figures = await info.context.loaders.load("member_points_by_id", self.member_id)
        return int(figures.balance) if figures else 0

    @strawberry.field(description="Points earned over all time (never reduced by spending).")
    async def lifetime_points(self, info: Info) -> int:
        figures = await info.context.loaders.load("member_points_by_id", self.member_id)
        return int(figures.lifetime) if figures else 0

    @strawberry.field(description="The level his lifetime earned points reach.")
    async def level(self, info: Info) -> Annotated[Level, strawberry.lazy("api.gamification.types")]:
        from api.gamification.types import Level

        figures = await info.context.loaders.load("member_points_by_id", self.member_id)
        return Level.of(int(figures.lifetime) if figures else 0, info.context.settings)

    @strawberry.field(description="Badge tiers he holds, earliest first.")
    async def badges(self, info: Info) -> list[
            Annotated[EarnedBadge, strawberry.lazy("api.gamification.types")]]:
        from api.gamification.types import EarnedBadge

        held = await info.context.loaders.load("member_badges_by_member", self.member_id)
        return [EarnedBadge(tier=h.tier, awarded_at=h.awarded_at, badge_id=h.badge_id)
                for h in held]

    @strawberry.field(description="His rank on a current board; null when he is not on it.")
    async def rank(self, info: Info,
                   board: BoardKindEnum,  # type: ignore[valid-type]
                   challenge_id: strawberry.ID | None = None) -> int | None:
        from api.relay import decode_id
        from gamification.rules import BoardKind

        challenge = decode_id(challenge_id, "Challenge") if challenge_id is not None else None
        return await info.context.services.leaderboards.rank_of(
            BoardKind(board), self.member_id, challenge)


async def _follow_page(info: Info, member_id: int, first: int | None, after: str | None,
                       followers: bool) -> Connection[User]:
    ctx = info.context
    page = await ctx.services.community.follows(member_id, page_request(ctx, first, after),
                                                followers)
    rows = await ctx.loaders.load_many("members_by_id", page.items)
    users = [(pk, row) for pk, row in zip(page.items, rows, strict=True) if row is not None]
    return Connection.of(users, page.has_next, lambda u: User.from_row(u[1]), lambda u: (u[0],))


@node_type("User")
async def load_user(context: Any, pk: int) -> User | None:
    row = await context.loaders.load("members_by_id", pk)
    return User.from_row(row) if row is not None else None


async def user_by_id(info: Info, member_id: int | None) -> User | None:
    if member_id is None:
        return None
    return await load_user(info.context, member_id)


@strawberry.type
class AuthPayload:
    access_token: str
    access_token_expires_at: datetime
    refresh_token: str
    user: User
