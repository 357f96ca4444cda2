"""Consents: what a member allows Rally to do with his data, read fresh on every use so a
change takes effect at once (the next request, even the next statement, sees it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.privacy.models import ConsentChange, MemberConsent
from rally.settings import Settings
from rally.uow import UnitOfWorkFactory


class Purpose(StrEnum):
    ANALYTICS = "ANALYTICS"
    PERSONALIZATION = "PERSONALIZATION"
    MARKETING = "MARKETING"


@dataclass(frozen=True)
class Consent:
    purpose: Purpose
    granted: bool
    policy_version: str | None  # None: never answered, the default applies
    changed_at: datetime | None


def default_for(settings: Settings, purpose: Purpose) -> bool:
    return {
        Purpose.ANALYTICS: settings.consent_default_analytics,
        Purpose.PERSONALIZATION: settings.consent_default_personalization,
        Purpose.MARKETING: settings.consent_default_marketing,
    }[purpose]


async def is_granted(session: AsyncSession, settings: Settings, member_id: int,
                     purpose: Purpose) -> bool:
    """The member's answer for `purpose` as of this transaction."""
    granted = await session.scalar(select(MemberConsent.granted).where(
        MemberConsent.member_id == member_id, MemberConsent.purpose == purpose.value))
    return default_for(settings, purpose) if granted is None else granted


async def granted_members(session: AsyncSession, settings: Settings, member_ids: set[int],
                          purpose: Purpose) -> set[int]:
    """Of `member_ids`, those who allow `purpose` (one query)."""
    if not member_ids:
        return set()
    rows = await session.execute(select(MemberConsent.member_id, MemberConsent.granted).where(
        MemberConsent.member_id.in_(member_ids), MemberConsent.purpose == purpose.value))
    answers = dict(rows.tuples().all())
    default = default_for(settings, purpose)
    return {m for m in member_ids if answers.get(m, default)}


class ConsentService:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def consents(self, member_id: int) -> list[Consent]:
        async with self._uow() as uow:
            rows = (await uow.session.execute(select(MemberConsent).where(
                MemberConsent.member_id == member_id))).scalars().all()
            return _with_defaults(uow.settings, {r.purpose: r for r in rows})

    async def update(self, member_id: int, changes: dict[Purpose, bool]) -> list[Consent]:
        """Record each changed answer (current value + an append-only proof row)."""
        async with self._uow() as uow:
            now = await uow.now()
            version = uow.settings.consent_policy_version
            for purpose, granted in sorted(changes.items()):
                values = dict(member_id=member_id, purpose=purpose.value, granted=granted,
                              policy_version=version, changed_at=now)
                await uow.session.execute(insert(MemberConsent).values(**values)
                                          .on_conflict_do_update(
                                              index_elements=["member_id", "purpose"],
                                              set_={"granted": granted, "policy_version": version,
                                                    "changed_at": now}))
                await uow.session.execute(insert(ConsentChange).values(**values))
            rows = (await uow.session.execute(select(MemberConsent).where(
                MemberConsent.member_id == member_id))).scalars().all()
            result = _with_defaults(uow.settings, {r.purpose: r for r in rows})
            await uow.commit()
            return result


def _with_defaults(settings: Settings, rows: dict[str, MemberConsent]) -> list[Consent]:
    consents = []
    for purpose in Purpose:
        row = rows.get(purpose.value)
        if row is None:
            consents.append(Consent(purpose, default_for(settings, purpose), None, None))
        else:
            consents.append(Consent(purpose, row.granted, row.policy_version, row.changed_at))
    return consents
