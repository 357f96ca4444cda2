"""The audit log: every privileged action writes one entry in the action's own transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, select

from domain.audit.models import AuditEntry
from domain.pagination import Page, PageRequest, keyset_page
from rally.uow import UnitOfWork, UnitOfWorkFactory


async def record(
    uow: UnitOfWork,
    *,
    actor_id: int | None,
    action: str,
    target_type: str,
    target_id: int,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str | None = None,
) -> None:
    await uow.session.execute(
        insert(AuditEntry).values(
            actor_id=actor_id,
            action=action,
            target_type=target_type,
            target_id=target_id,
            before=before,
            after=after,
            note=note,
        )
    )


class AuditService:
    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        self._uow_factory = uow_factory

    async def entries(self, page: PageRequest) -> Page[AuditEntry]:
        async with self._uow_factory() as uow:
            return await keyset_page(uow.session, select(AuditEntry), AuditEntry.id, page)
