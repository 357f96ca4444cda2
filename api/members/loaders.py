from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from api.loaders import batch_loader
from domain.members.models import Member

if TYPE_CHECKING:
    from api.container import Container

_MEMBER_COLUMNS = Member.__table__.c


@batch_loader("members_by_id")
async def members_by_id(container: Container, ids: Sequence[int]) -> list[Any]:
    async with container.engine.connect() as conn:
        rows = (await conn.execute(select(Member.__table__).where(_MEMBER_COLUMNS.id.in_(ids)))).all()
    by_id = {row.id: row for row in rows}
    return [by_id.get(i) for i in ids]
