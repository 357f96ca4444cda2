from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from api.loaders import batch_loader
from domain.members.models import Member

if TYPE_CHECKING:
    from api.container import Container

_COLUMNS = ", ".join(c.name for c in Member.__table__.columns)
_MEMBERS_BY_ID = f"SELECT {_COLUMNS} FROM members WHERE id = ANY($1::bigint[])"


@batch_loader("members_by_id")
async def members_by_id(container: Container, ids: Sequence[int]) -> list[Any]:
    rows = await container.fetch(_MEMBERS_BY_ID, list(ids))
    by_id = {row["id"]: SimpleNamespace(**row) for row in rows}
    return [by_id.get(i) for i in ids]
