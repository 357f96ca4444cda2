"""Accounts over GraphQL: thin resolvers over MemberService."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry
from strawberry.types import Info

from api.members.types import AuthPayload, RoleEnum, User, user_by_id
from api.permissions import Authenticated, requires
from api.relay import decode_id
from domain.members.models import Role
from domain.members.service import Session


def _auth_payload(session: Session) -> AuthPayload:
    return AuthPayload(
        access_token=session.access_token,
        access_token_expires_at=datetime.fromtimestamp(session.access_expires_at, UTC),
        refresh_token=session.refresh_token,
        user=User.from_row(session.member),
    )


@strawberry.input
class RegisterInput:
    email: str
    password: str
    display_name: str
    referral_code: str | None = strawberry.field(default=None, description="A friend's referral code.")
    device_id: str | None = None


@strawberry.input
class LoginInput:
    email: str
    password: str


@strawberry.input
class LoginWithDeviceInput:
    device_id: str


@strawberry.input
class RefreshTokenInput:
    refresh_token: str


@strawberry.input
class LogoutInput:
    refresh_token: str


@strawberry.type
class LogoutPayload:
    ok: bool


@strawberry.input
class LinkEmailInput:
    email: str
    password: str


@strawberry.type
class UserPayload:
    user: User


@strawberry.input
class RoleInput:
    user_id: strawberry.ID
    role: RoleEnum  # type: ignore[valid-type]


@strawberry.input
class UpdateProfileInput:
    display_name: str | None = strawberry.UNSET
    avatar_url: str | None = strawberry.UNSET
    bio: str | None = strawberry.UNSET
    age_range: str | None = strawberry.UNSET
    gender: str | None = strawberry.UNSET
    region: str | None = strawberry.UNSET
    occupation: str | None = strawberry.UNSET
    personalization_opt_out: bool | None = strawberry.UNSET
    interests: list[str] | None = strawberry.field(
        default=strawberry.UNSET,
        description="Declared interests, replacing the previous ones: trimmed, case-folded, "
                    "'#' stripped, at most 20.")


@strawberry.type
class MemberQueries:
    @strawberry.field(description="The caller, or null when not logged in.")
    async def me(self, info: Info) -> User | None:
        if info.context.authorization:
            info.context.require_member()  # an expired token says so instead of answering null
        return await user_by_id(info, info.context.viewer_id)

    @strawberry.field
    async def user(self, info: Info, id: strawberry.ID) -> User | None:
        return await user_by_id(info, decode_id(id, "User"))


@strawberry.type
class MemberMutations:
    @strawberry.mutation
    async def register(self, info: Info, input: RegisterInput) -> AuthPayload:
        session = await info.context.services.members.register(
            input.email, input.password, input.display_name,
            referral_code=input.referral_code, device_id=input.device_id,
        )
        return _auth_payload(session)

    @strawberry.mutation
    async def login(self, info: Info, input: LoginInput) -> AuthPayload:
        ctx = info.context
        return _auth_payload(await ctx.services.members.login(input.email, input.password,
                                                               ctx.client_address))

    @strawberry.mutation(description="A guest account bound to this device; link an email later.")
    async def login_with_device(self, info: Info, input: LoginWithDeviceInput) -> AuthPayload:
        return _auth_payload(await info.context.services.members.login_with_device(input.device_id))

    @strawberry.mutation(description="Rotates the refresh token; reusing an old one ends the session.")
    async def refresh_token(self, info: Info, input: RefreshTokenInput) -> AuthPayload:
        return _auth_payload(await info.context.services.members.refresh(input.refresh_token))

    @strawberry.mutation
    async def logout(self, info: Info, input: LogoutInput) -> LogoutPayload:
        await info.context.services.members.logout(input.refresh_token)
        return LogoutPayload(ok=True)

    @strawberry.mutation(permission_classes=[Authenticated])
    async def link_email(self, info: Info, input: LinkEmailInput) -> UserPayload:
        member = await info.context.services.members.link_email(
            info.context.require_member().member_id, input.email, input.password)
        return UserPayload(user=User.from_row(member))

    @strawberry.mutation(permission_classes=[Authenticated])
    async def update_profile(self, info: Info, input: UpdateProfileInput) -> UserPayload:
        changes = {name: value for name, value in vars(input).items() if value is not strawberry.UNSET}
        member = await info.context.services.members.update_profile(
            info.context.require_member().member_id, changes)
        return UserPayload(user=User.from_row(member))

    @strawberry.mutation(permission_classes=[requires(Role.ADMIN)])
    async def grant_role(self, info: Info, input: RoleInput) -> UserPayload:
        return await _set_role(info, input, granted=True)

    @strawberry.mutation(permission_classes=[requires(Role.ADMIN)])
    async def revoke_role(self, info: Info, input: RoleInput) -> UserPayload:
        return await _set_role(info, input, granted=False)


async def _set_role(info: Info, input: RoleInput, granted: bool) -> UserPayload:
    member = await info.context.services.members.set_role(
        info.context.require_member().member_id, decode_id(input.user_id, "User"),
        Role(input.role).value, granted)
    return UserPayload(user=User.from_row(member))
