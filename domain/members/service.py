"""Accounts: registration, logins, rotating refresh tokens, roles and profiles."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from domain.audit.service import record as audit
from domain.events import InterestsDeclared, MemberRegistered, RolesChanged
from domain.members import rules
from domain.members.credentials import Passwords, Tokens, hash_refresh_token, new_refresh_token
from domain.members.models import Device, Member, MemberStatus, RefreshToken, Role
from domain.moderation.screening import KeywordRuleCache, screen_display_name
from rally.errors import Conflict, Forbidden, InvalidInput, NotFound, Unauthenticated
from rally.ratelimit import Limit, RateLimiter
from rally.uow import UnitOfWork, UnitOfWorkFactory

PROFILE_FIELDS = {"avatar_url": 2048, "bio": 500, "age_range": 16, "gender": 32, "region": 64,
                  "occupation": 64}


@dataclass(frozen=True)
class Session:
    member: Member
    access_token: str
    access_expires_at: int
    refresh_token: str


class MemberService:
    def __init__(
        self, uow_factory: UnitOfWorkFactory, passwords: Passwords, tokens: Tokens,
        limiter: RateLimiter, rules: KeywordRuleCache,
    ) -> None:
        self._uow_factory = uow_factory
        self._passwords = passwords
        self._tokens = tokens
        self._limiter = limiter
        self._rules = rules
        s = uow_factory.settings
        self._refresh_ttl = timedelta(seconds=s.refresh_token_ttl_seconds)
        window = s.login_failure_window_seconds
        self._email_failures = Limit("login-email", s.login_failures_per_email, window)
        self._address_failures = Limit("login-addr", s.login_failures_per_address, window)

    # --- reading -------------------------------------------------------------------------

    async def get(self, member_id: int) -> Member:
        async with self._uow_factory() as uow:
            member = await uow.session.get(Member, member_id)
        if member is None:
            raise NotFound("member not found")
        return member

    async def get_many(self, member_ids: list[int]) -> dict[int, Member]:
        async with self._uow_factory() as uow:
            rows = await uow.session.execute(select(Member).where(Member.id.in_(member_ids)))
            return {m.id: m for m in rows.scalars()}

    # --- accounts ------------------------------------------------------------------------

    async def register(
        self, email: str, password: str, display_name: str, *, roles: list[str] | None = None,
        referral_code: str | None = None, device_id: str | None = None,
    ) -> Session:
        email = rules.normalize_email(email)
        rules.check_password(password)
        name = rules.normalize_display_name(display_name)
        password_hash = await self._passwords.hash(password)
        async with self._uow_factory() as uow:
            if await uow.session.scalar(select(Member.id).where(Member.email == email)):
                raise Conflict("an account with this email already exists", field="email")
            name = await screen_display_name(uow, name, self._rules)
            member = Member(email=email, password_hash=password_hash, display_name=name,
                            roles=sorted({Role.MEMBER.value, *(roles or [])}),
                            referral_code=rules.new_referral_code())
            uow.session.add(member)
            await self._flush_unique(uow, "an account with this email already exists")
            await uow.publish(MemberRegistered(member_id=member.id, is_guest=False,
                                               referral_code=referral_code, device_id=device_id))
            session = await self._open_session(uow, member)
            await uow.commit()
        return session

    async def login(self, email: str, password: str, client_address: str) -> Session:
        try:
            normalized = rules.normalize_email(email)
        except InvalidInput:
            normalized = email.strip().lower()[:254]
        await self._limiter.check(self._email_failures, normalized)
        await self._limiter.check(self._address_failures, client_address)
        async with self._uow_factory() as uow:
            member = await uow.session.scalar(select(Member).where(Member.email == normalized))
            ok = await self._passwords.verify(member.password_hash if member else None, password)
            if member is None or not ok:
                await self._limiter.record(self._email_failures, normalized)
                await self._limiter.record(self._address_failures, client_address)
                raise Unauthenticated("email or password is wrong")
            self._refuse_banned(member)
            session = await self._open_session(uow, member)
            await uow.commit()
        return session

    async def login_with_device(self, device_id: str) -> Session:
        device_id = rules.check_device_id(device_id)
        try:
            return await self._device_session(device_id)
        except IntegrityError:
            # Two first logins of one device raced; the other one created the guest.
            return await self._device_session(device_id)

    async def _device_session(self, device_id: str) -> Session:
        async with self._uow_factory() as uow:
            member_id = await uow.session.scalar(
                select(Device.member_id).where(Device.device_id == device_id)
            )
            if member_id is None:
                member = Member(display_name=f"Guest {secrets.token_hex(3)}", is_guest=True,
                                referral_code=rules.new_referral_code(), roles=[Role.MEMBER.value])
                uow.session.add(member)
                await uow.session.flush()
                await uow.session.execute(
                    insert(Device).values(device_id=device_id, member_id=member.id)
                )
                await uow.publish(MemberRegistered(member_id=member.id, is_guest=True,
                                                   device_id=device_id))
            else:
                found = await uow.session.get(Member, member_id)
                assert found is not None
                member = found
                self._refuse_banned(member)
            session = await self._open_session(uow, member)
            await uow.commit()
        return session

    async def link_email(self, member_id: int, email: str, password: str) -> Member:
        """Turns a guest into a full account; his history stays his."""
        email = rules.normalize_email(email)
        rules.check_password(password)
        password_hash = await self._passwords.hash(password)
        async with self._uow_factory() as uow:
            member = await self._for_update(uow, member_id)
            if not member.is_guest:
                raise Conflict("this account already has an email")
            if await uow.session.scalar(select(Member.id).where(Member.email == email)):
                raise Conflict("an account with this email already exists", field="email")
            member.email, member.password_hash, member.is_guest = email, password_hash, False
            await self._flush_unique(uow, "an account with this email already exists")
            await uow.commit()
        return member

    async def refresh(self, refresh_token: str) -> Session:
        token_hash = hash_refresh_token(refresh_token)
        async with self._uow_factory() as uow:
            now = await uow.now()
            token = await uow.session.scalar(
                select(RefreshToken).where(RefreshToken.token_hash == token_hash).with_for_update()
            )
            if token is None or token.revoked_at is not None or token.expires_at <= now:
                raise Unauthenticated("refresh token is invalid or expired; log in again")
            if token.rotated_at is not None:
                # A rotated token came back: it was stolen or replayed. End the whole family.
                await self._revoke_family(uow, token.family_id, now)
                await uow.commit()
                raise Unauthenticated("refresh token was already used; log in again",
                                      reason="TOKEN_REUSED")
            member = await uow.session.get(Member, token.member_id)
            assert member is not None
            self._refuse_banned(member)
            token.rotated_at = now
            session = await self._open_session(uow, member, family_id=token.family_id)
            await uow.commit()
        return session

    async def logout(self, refresh_token: str) -> None:
        async with self._uow_factory() as uow:
            family = await uow.session.scalar(
                select(RefreshToken.family_id).where(
                    RefreshToken.token_hash == hash_refresh_token(refresh_token)
                )
            )
            if family is not None:
                await self._revoke_family(uow, family, await uow.now())
                await uow.commit()

    async def revoke_all_sessions(self, uow: UnitOfWork, member_id: int) -> None:
        await uow.session.execute(
            update(RefreshToken)
            .where(RefreshToken.member_id == member_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=func.now())
        )

    # --- roles and profile ---------------------------------------------------------------

    async def set_role(self, actor_id: int | None, member_id: int, role: str, granted: bool) -> Member:
        if role not in Role.__members__:
            raise InvalidInput(f"unknown role {role}", field="role")
        if role == Role.MEMBER and not granted:
            raise InvalidInput("every account keeps the MEMBER role", field="role")
        async with self._uow_factory() as uow:
            member = await self._for_update(uow, member_id)
            before = sorted(member.roles)
            after = sorted(set(before) | {role}) if granted else sorted(set(before) - {role})
            member.roles = after
            await audit(uow, actor_id=actor_id, action="GRANT_ROLE" if granted else "REVOKE_ROLE",
                        target_type="MEMBER", target_id=member_id, before={"roles": before},
                        after={"roles": after})
            await uow.publish(RolesChanged(member_id=member_id, roles=after))
            await uow.commit()
        return member

    async def find_by_email(self, email: str) -> Member:
        async with self._uow_factory() as uow:
            member = await uow.session.scalar(
                select(Member).where(Member.email == rules.normalize_email(email))
            )
        if member is None:
            raise NotFound("no member with this email")
        return member

    async def update_profile(self, member_id: int, changes: dict[str, Any]) -> Member:
        async with self._uow_factory() as uow:
            member = await self._for_update(uow, member_id)
            for name, value in changes.items():
                if name == "interests":
                    # Stored by personalization, in this transaction (bad tags undo it all).
                    await uow.publish(InterestsDeclared(member_id=member_id, tags=list(value or [])))
                    continue
                if name == "display_name":
                    value = await screen_display_name(uow, rules.normalize_display_name(value),
                                                      self._rules)
                elif name in PROFILE_FIELDS:
                    value = (value or "").strip() or None
                    if value is not None and len(value) > PROFILE_FIELDS[name]:
                        raise InvalidInput(f"{name} must have at most {PROFILE_FIELDS[name]} characters",
                                           field=name)
                elif name != "personalization_opt_out":
                    raise InvalidInput(f"unknown profile field {name}")
                setattr(member, name, value)
            await uow.commit()
        return member

    # --- helpers -------------------------------------------------------------------------

    async def _open_session(self, uow: UnitOfWork, member: Member, family_id: str | None = None) -> Session:
        refresh, refresh_hash = new_refresh_token()
        await uow.session.execute(
            insert(RefreshToken).values(
                token_hash=refresh_hash, family_id=family_id or secrets.token_hex(16),
                member_id=member.id, expires_at=await uow.now() + self._refresh_ttl,
            )
        )
        access, expires = self._tokens.issue_access(member.id, member.roles)
        return Session(member, access, expires, refresh)

    async def _revoke_family(self, uow: UnitOfWork, family_id: str, now: datetime) -> None:
        await uow.session.execute(
            update(RefreshToken)
            .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now)
        )

    async def _for_update(self, uow: UnitOfWork, member_id: int) -> Member:
        member = await uow.session.get(Member, member_id, with_for_update=True)
        if member is None:
            raise NotFound("member not found")
        return member

    @staticmethod
    async def _flush_unique(uow: UnitOfWork, message: str) -> None:
        try:
            await uow.session.flush()
        except IntegrityError as exc:
            raise Conflict(message) from exc

    @staticmethod
    def _refuse_banned(member: Member) -> None:
        if member.status == MemberStatus.BANNED:
            raise Forbidden("this account is banned", reason=member.status_reason or "")
        if member.status == MemberStatus.DELETED:
            raise Unauthenticated("this account no longer exists")
