"""challenges target a marketer's saved segment

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 21:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('challenges', sa.Column('segment_id', sa.BigInteger(), nullable=True))
    op.create_foreign_key(op.f('fk_challenges_segment_id_segments'), 'challenges', 'segments',
                          ['segment_id'], ['id'], ondelete='RESTRICT')


def downgrade() -> None:
    op.drop_constraint(op.f('fk_challenges_segment_id_segments'), 'challenges',
                       type_='foreignkey')
    op.drop_column('challenges', 'segment_id')
