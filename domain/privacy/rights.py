"""The member's rights over his data: a full export, and deleting the account.

Both walk the registered personal-data sources (personal_data.py), so every area's data is
covered by registering it there. Policy per source: `policy_summary()` (also in the README).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import jwt
import orjson
from sqlalchemy import CursorResult, delete, select, update

import domain.privacy.catalog  # noqa: F401  (registers every area's sources)
from domain.audit.service import record as audit
from domain.events import MemberDeleted
from domain.members.credentials import JWT_ALGORITHM, Passwords
from domain.members.models import Member, MemberStatus
from domain.members.revocations import Revocations
from domain.members.rules import new_referral_code
from domain.privacy.models import DataExport
from domain.privacy.personal_data import SOURCES
from rally.errors import Forbidden, InvalidInput, NotFound
from rally.uow import UnitOfWorkFactory

EXPORT_FORMAT = "rally.export/1"
DELETED_NAME = "Deleted member"


@dataclass(frozen=True)
class ExportLink:
    url: str
    expires_at: datetime


def policy_summary() -> dict[str, str]:
    return {section: source.policy for section, source in SOURCES.items()}


class PrivacyRights:
    def __init__(self, uow_factory: UnitOfWorkFactory, passwords: Passwords,
                 revocations: Revocations) -> None:
        self._uow = uow_factory
        self._passwords = passwords
        self._revocations = revocations
        self._secret = uow_factory.settings.secret_value()

    # --- export ------------------------------------------------------------------------------

    async def export(self, member_id: int) -> ExportLink:
        settings = self._uow.settings
        async with self._uow() as uow:
            now = await uow.now()
            document: dict[str, Any] = {"format": EXPORT_FORMAT, "memberId": member_id,
                                        "generatedAt": now, "deletionPolicy": policy_summary()}
            for section, source in SOURCES.items():
                document[section] = await source.export(uow.session, member_id)
            expires_at = now + timedelta(seconds=settings.export_url_ttl_seconds)
            # orjson turns datetimes, decimals… into JSON once, so the stored document is plain.
            plain = orjson.loads(orjson.dumps(document, default=str))
            record = DataExport(member_id=member_id, document=plain, expires_at=expires_at)
            uow.session.add(record)
            await uow.session.flush()
            await uow.commit()
        token = jwt.encode({"typ": "export", "sub": str(member_id), "xid": record.id,
                            "exp": int(expires_at.timestamp())}, self._secret,
                           algorithm=JWT_ALGORITHM)
        return ExportLink(f"{settings.public_url}/privacy/exports/{token}", expires_at)

    async def download(self, token: str) -> dict[str, Any]:
        """The document behind a signed export URL; NotFound for a bad, expired or used-up one."""
        try:
            claims = jwt.decode(token, self._secret, algorithms=[JWT_ALGORITHM])
        except jwt.PyJWTError as exc:
            raise NotFound("this download link is invalid or has expired") from exc
        if claims.get("typ") != "export":
            raise NotFound("this download link is invalid or has expired")
        async with self._uow() as uow:
            document = await uow.session.scalar(select(DataExport.document).where(
                DataExport.id == int(claims["xid"]), DataExport.member_id == int(claims["sub"]),
                DataExport.expires_at > await uow.now()))
        if document is None:
            raise NotFound("this download link is invalid or has expired")
        return document

    async def purge_expired_exports(self) -> int:
        async with self._uow() as uow:
            result = await uow.session.execute(
                delete(DataExport).where(DataExport.expires_at <= await uow.now()))
            await uow.commit()
        return cast(CursorResult[Any], result).rowcount or 0

    # --- deletion ----------------------------------------------------------------------------

    async def delete_account(self, member_id: int, password: str | None,
                             confirmation: str | None) -> None:
        phrase = self._uow.settings.account_deletion_phrase
        async with self._uow() as uow:
            member = await uow.session.scalar(
                select(Member).where(Member.id == member_id).with_for_update())
            if member is None or member.status == MemberStatus.DELETED:
                raise NotFound("this account no longer exists")
            if member.password_hash is not None:
                if not password or not await self._passwords.verify(member.password_hash, password):
                    raise Forbidden("the password is wrong; the account was not deleted",
                                    reason="WRONG_PASSWORD")
            elif (confirmation or "").strip() != phrase:
                raise InvalidInput(f'type "{phrase}" to confirm', field="confirmation")
            for source in SOURCES.values():
                await source.erase(uow, member_id)
            await uow.session.execute(delete(DataExport).where(DataExport.member_id == member_id))
            await uow.session.execute(update(Member).where(Member.id == member_id).values(
                email=None, password_hash=None, display_name=DELETED_NAME, avatar_url=None,
                bio=None, age_range=None, gender=None, region=None, occupation=None,
                status=MemberStatus.DELETED.value, status_reason=None, suspended_until=None,
                referral_code=new_referral_code(), last_seen_at=None, roles=["MEMBER"],
                personalization_opt_out=True))
            await audit(uow, actor_id=member_id, action="account.deleted", target_type="Member",
                        target_id=member_id, before={}, after={"status": "DELETED"})
            await uow.publish(MemberDeleted(member_id=member_id))
            await uow.commit()
        await self._revocations.revoke(member_id)

