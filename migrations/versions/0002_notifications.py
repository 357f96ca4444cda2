"""notifications

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 11:52:56.651561
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(sa.schema.CreateSequence(sa.Sequence('notification_seq')))
    op.create_table('notifications',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('seq', sa.BigInteger(), server_default=sa.text("nextval('notification_seq')"), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('actor_id', sa.BigInteger(), nullable=True),
    sa.Column('actor_count', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('subject_type', sa.String(length=32), nullable=True),
    sa.Column('subject_id', sa.BigInteger(), nullable=True),
    sa.Column('data', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('group_key', sa.String(length=128), nullable=True),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['members.id'], name=op.f('fk_notifications_actor_id_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_notifications_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    op.create_index('ix_notifications_member_seq', 'notifications', ['member_id', 'seq'], unique=False)
    op.create_index('ix_notifications_member_unread', 'notifications', ['member_id'], unique=False, postgresql_where=sa.text('read_at IS NULL'))
    op.create_index('uq_notifications_unread_group', 'notifications', ['member_id', 'group_key'], unique=True, postgresql_where=sa.text('read_at IS NULL AND group_key IS NOT NULL'))


def downgrade() -> None:
    op.drop_index('uq_notifications_unread_group', table_name='notifications', postgresql_where=sa.text('read_at IS NULL AND group_key IS NOT NULL'))
    op.drop_index('ix_notifications_member_unread', table_name='notifications', postgresql_where=sa.text('read_at IS NULL'))
    op.drop_index('ix_notifications_member_seq', table_name='notifications')
    op.drop_table('notifications')
    op.execute(sa.schema.DropSequence(sa.Sequence('notification_seq')))
