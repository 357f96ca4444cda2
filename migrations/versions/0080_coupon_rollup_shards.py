"""coupon_rollups rows split by shard: a campaign's issues count in the row of the quota shard
they took, so concurrent issuers no longer queue on one counter row per campaign and day

Revision ID: 0080
Revises: 0070
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0080'
down_revision: str | None = "0070"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('coupon_rollups', sa.Column('shard', sa.SmallInteger(),
                                              server_default=sa.text('0'), nullable=False))
    op.drop_constraint('pk_coupon_rollups', 'coupon_rollups', type_='primary')
    op.create_primary_key('pk_coupon_rollups', 'coupon_rollups',
                          ['campaign_id', 'source', 'day', 'metric', 'shard'])


def downgrade() -> None:
    op.execute("""
        CREATE TEMP TABLE coupon_rollups_folded ON COMMIT DROP AS
        SELECT campaign_id, source, day, metric, sum(value) AS value FROM coupon_rollups
        GROUP BY 1, 2, 3, 4""")
    op.execute("DELETE FROM coupon_rollups")
    op.drop_constraint('pk_coupon_rollups', 'coupon_rollups', type_='primary')
    op.drop_column('coupon_rollups', 'shard')
    op.create_primary_key('pk_coupon_rollups', 'coupon_rollups',
                          ['campaign_id', 'source', 'day', 'metric'])
    op.execute("INSERT INTO coupon_rollups (campaign_id, source, day, metric, value)"
               " SELECT campaign_id, source, day, metric, value FROM coupon_rollups_folded")
