"""data exports: the documents behind exportMyData's signed URLs

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 20:05:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0011'
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('data_exports',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('document', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_data_exports_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_exports'))
    )
    op.create_index('ix_data_exports_expires_at', 'data_exports', ['expires_at'], unique=False)
    op.create_index('ix_data_exports_member_id', 'data_exports', ['member_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_data_exports_member_id', table_name='data_exports')
    op.drop_index('ix_data_exports_expires_at', table_name='data_exports')
    op.drop_table('data_exports')
