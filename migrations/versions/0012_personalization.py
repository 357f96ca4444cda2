"""personalization: member interests (declared, inferred with decay) and segments

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 19:45:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0012'
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('member_interests',
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('tag', sa.String(length=64), nullable=False),
    sa.Column('score', sa.Double(), nullable=False),
    sa.Column('scored_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('score >= 0', name=op.f('ck_member_interests_score_not_negative')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_member_interests_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('member_id', 'source', 'tag', name=op.f('pk_member_interests'))
    )
    op.create_index('ix_member_interests_tag', 'member_interests', ['tag'], unique=False)
    op.create_table('segments',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('rules', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['members.id'], name=op.f('fk_segments_created_by_members'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_segments')),
    sa.UniqueConstraint('name', name=op.f('uq_segments_name'))
    )


def downgrade() -> None:
    op.drop_table('segments')
    op.drop_index('ix_member_interests_tag', table_name='member_interests')
    op.drop_table('member_interests')
