"""Conversions counted from tracked events: an experiment whose metric is an event kind
converts an exposed member the first time he sends that kind at or after his exposure."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text

from rally.uow import UnitOfWork

_CONVERT = text("""
INSERT INTO experiment_conversions (experiment_id, member_id, variant, converted_at)
SELECT x.experiment_id, x.member_id, x.variant, k.last_at
FROM experiment_exposures x
JOIN experiments e ON e.id = x.experiment_id
JOIN unnest(CAST(:kinds AS text[]), CAST(:lasts AS timestamptz[])) AS k(kind, last_at)
  ON e.metric = k.kind AND x.exposed_at <= k.last_at
WHERE x.member_id = :member_id
ON CONFLICT DO NOTHING
""")


async def convert_from_events(uow: UnitOfWork, member_id: int,
                              last_by_kind: dict[str, datetime]) -> None:
    if not last_by_kind:
        return
    kinds = sorted(last_by_kind)
    await uow.session.execute(_CONVERT, {"member_id": member_id, "kinds": kinds,
                                         "lasts": [last_by_kind[k] for k in kinds]})
