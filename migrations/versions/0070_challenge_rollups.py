"""challengeReport reads rollups: participants' qualifying actions per day, and a challenge's
joins, completions, points and coupons per day

Revision ID: 0070
Revises: 0060
"""
from __future__ import annotations

import os
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from gamification.campaigns.challenge_report import challenge_rollups_backfill

revision: str = '0070'
down_revision: str | None = "0060"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('challenge_member_days',
    sa.Column('challenge_id', sa.BigInteger(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('actions', sa.Integer(), nullable=False),
    sa.Column('posts', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['challenge_id'], ['challenges.id'],
                            name=op.f('fk_challenge_member_days_challenge_id_challenges'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('challenge_id', 'day', 'member_id',
                            name=op.f('pk_challenge_member_days'))
    )
    op.create_table('challenge_day_counts',
    sa.Column('challenge_id', sa.BigInteger(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('metric', sa.String(length=16), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['challenge_id'], ['challenges.id'],
                            name=op.f('fk_challenge_day_counts_challenge_id_challenges'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('challenge_id', 'day', 'metric', name=op.f('pk_challenge_day_counts'))
    )
    # The brand's days, as the app counts them (RALLY_TIMEZONE, the setting's source).
    for statement in challenge_rollups_backfill(os.environ.get("RALLY_TIMEZONE", "UTC")):
        op.execute(statement)


def downgrade() -> None:
    op.drop_table('challenge_day_counts')
    op.drop_table('challenge_member_days')
