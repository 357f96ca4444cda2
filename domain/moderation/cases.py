"""Moderation cases: one open case per target gathers its reports and keyword flags."""

from __future__ import annotations

from sqlalchemy import text

from domain.community.models import TargetType
from domain.events import ModerationQueueChanged
from rally.uow import UnitOfWork

# Returns the open case of the target, creating it; the no-op update locks it for the caller.
_UPSERT_OPEN_CASE = text("""
INSERT INTO moderation_cases (target_type, target_id, owner_id, source, reasons)
VALUES (:type, :id, :owner, :source, ARRAY[:reason]::varchar[])
ON CONFLICT (target_type, target_id) WHERE status = 'OPEN'
DO UPDATE SET reasons = CASE WHEN :reason = ANY(moderation_cases.reasons)
                             THEN moderation_cases.reasons
                             ELSE moderation_cases.reasons || ARRAY[:reason]::varchar[] END
RETURNING id
""")


async def open_case(uow: UnitOfWork, target_type: TargetType, target_id: int, owner_id: int,
                    *, source: str, reason: str) -> int:
    case_id = int((await uow.session.execute(_UPSERT_OPEN_CASE, {
        "type": target_type.value, "id": target_id, "owner": owner_id, "source": source,
        "reason": reason})).scalar_one())
    await uow.publish(ModerationQueueChanged(case_id=case_id, status="OPEN"))
    return case_id
