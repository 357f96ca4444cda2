"""maintained engagement rollups: rolling WAU/MAU, distinct actives, daily actives, retention;
check-ins, challenge joins and coupons for the programme rates and couponReport

Revision ID: 0050
Revises: 0013
Create Date: 2026-11-30 22:30:00
"""
from __future__ import annotations

import os
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from domain.analytics.activity import BACKFILL
from domain.analytics.programme import programme_backfill

revision: str = '0050'
down_revision: str | None = "0040"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('member_activity_days', sa.Column('prev_day', sa.Date(), nullable=True))
    op.create_index('ix_member_activity_days_creators', 'member_activity_days',
                    ['day', 'member_id'], unique=False,
                    postgresql_where=sa.text('created_content'))
    op.create_table('active_window_deltas',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('window_days', sa.SmallInteger(), nullable=False),
    sa.Column('shard', sa.SmallInteger(), nullable=False),
    sa.Column('value', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.PrimaryKeyConstraint('day', 'window_days', 'shard', name=op.f('pk_active_window_deltas'))
    )
    op.create_table('activity_gaps',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('prev_day', sa.Date(), nullable=False),
    sa.Column('shard', sa.SmallInteger(), nullable=False),
    sa.Column('members', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.PrimaryKeyConstraint('day', 'prev_day', 'shard', name=op.f('pk_activity_gaps'))
    )
    op.create_table('cohort_retention',
    sa.Column('cohort_day', sa.Date(), nullable=False),
    sa.Column('offset_days', sa.SmallInteger(), nullable=False),
    sa.Column('shard', sa.SmallInteger(), nullable=False),
    sa.Column('retained', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.PrimaryKeyConstraint('cohort_day', 'offset_days', 'shard', name=op.f('pk_cohort_retention'))
    )
    op.create_table('challenge_join_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'member_id', name=op.f('pk_challenge_join_days'))
    )
    op.create_table('coupon_rollups',
    sa.Column('campaign_id', sa.BigInteger(), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('metric', sa.String(length=24), nullable=False),
    sa.Column('value', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.PrimaryKeyConstraint('campaign_id', 'source', 'day', 'metric', name=op.f('pk_coupon_rollups'))
    )
    op.create_index('ix_coupon_rollups_day', 'coupon_rollups', ['day'], unique=False)
    for statement in BACKFILL:
        op.execute(statement)
    # The brand's days, as the app counts them (RALLY_TIMEZONE, the setting's source).
    for statement in programme_backfill(os.environ.get("RALLY_TIMEZONE", "UTC")):
        op.execute(statement)


def downgrade() -> None:
    op.execute("DELETE FROM daily_counters WHERE metric IN ('members.active', 'members.creators',"
               " 'check_ins')")
    op.drop_index('ix_coupon_rollups_day', table_name='coupon_rollups')
    op.drop_table('coupon_rollups')
    op.drop_table('challenge_join_days')
    op.drop_table('cohort_retention')
    op.drop_table('active_window_deltas')
    op.drop_index('ix_member_activity_days_creators', table_name='member_activity_days')
    op.drop_table('activity_gaps')
    op.drop_column('member_activity_days', 'prev_day')
