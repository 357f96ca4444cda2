"""analytics experiments feedback consents

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-25 11:57:55.678121
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from domain.analytics.partitions import SCHEMA, create_partition_sql, months_between

revision: str = '0006'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('daily_counters',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('metric', sa.String(length=32), nullable=False),
    sa.Column('shard', sa.SmallInteger(), nullable=False),
    sa.Column('value', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.PrimaryKeyConstraint('day', 'metric', 'shard', name=op.f('pk_daily_counters'))
    )
    op.create_table('experiments',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('metric', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_experiments')),
    sa.UniqueConstraint('key', name=op.f('uq_experiments_key'))
    )
    op.create_table('member_activity_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('created_content', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.PrimaryKeyConstraint('day', 'member_id', name=op.f('pk_member_activity_days'))
    )
    op.create_index('ix_member_activity_days_member_id_day', 'member_activity_days', ['member_id', 'day'], unique=False)
    op.create_table('member_signups',
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('member_id', name=op.f('pk_member_signups'))
    )
    op.create_index('ix_member_signups_day', 'member_signups', ['day'], unique=False)
    op.create_table('tracked_event_keys',
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('client_event_id', sa.String(length=64), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('member_id', 'client_event_id', name=op.f('pk_tracked_event_keys'))
    )
    op.create_index('ix_tracked_event_keys_occurred_at', 'tracked_event_keys', ['occurred_at'], unique=False, postgresql_using='brin')
    op.create_table('tracked_events',
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('client_event_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('target_type', sa.String(length=32), nullable=True),
    sa.Column('target_id', sa.BigInteger(), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('context', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    postgresql_partition_by='RANGE (occurred_at)'
    )
    op.create_index('ix_tracked_events_member_id_occurred_at', 'tracked_events', ['member_id', 'occurred_at'], unique=False)
    # Monthly partitions in their own schema (see domain/analytics/partitions.py): the one
    # a week ago may be the previous month, and the next two are created ahead.
    op.execute(f"CREATE SCHEMA IF NOT EXISTS {SCHEMA}")
    today = datetime.now(UTC).date()
    for month in months_between(today - timedelta(days=31), today + timedelta(days=62)):
        op.execute(create_partition_sql(month))
    op.create_table('consent_changes',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('purpose', sa.String(length=32), nullable=False),
    sa.Column('granted', sa.Boolean(), nullable=False),
    sa.Column('policy_version', sa.String(length=32), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_consent_changes_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_changes'))
    )
    op.create_index('ix_consent_changes_member_id', 'consent_changes', ['member_id'], unique=False)
    op.create_table('experiment_conversions',
    sa.Column('experiment_id', sa.BigInteger(), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('variant', sa.String(length=32), nullable=False),
    sa.Column('converted_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['experiment_id'], ['experiments.id'], name=op.f('fk_experiment_conversions_experiment_id_experiments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('experiment_id', 'member_id', name=op.f('pk_experiment_conversions'))
    )
    op.create_table('experiment_exposures',
    sa.Column('experiment_id', sa.BigInteger(), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('variant', sa.String(length=32), nullable=False),
    sa.Column('exposed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['experiment_id'], ['experiments.id'], name=op.f('fk_experiment_exposures_experiment_id_experiments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('experiment_id', 'member_id', name=op.f('pk_experiment_exposures'))
    )
    op.create_index('ix_experiment_exposures_member_id', 'experiment_exposures', ['member_id'], unique=False)
    op.create_table('experiment_variants',
    sa.Column('experiment_id', sa.BigInteger(), nullable=False),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['experiment_id'], ['experiments.id'], name=op.f('fk_experiment_variants_experiment_id_experiments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('experiment_id', 'position', name=op.f('pk_experiment_variants'))
    )
    op.create_table('feedback',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('score', sa.SmallInteger(), nullable=True),
    sa.Column('text', sa.String(length=2000), nullable=True),
    sa.Column('target_type', sa.String(length=32), nullable=True),
    sa.Column('target_id', sa.BigInteger(), nullable=True),
    sa.Column('status', sa.String(length=16), server_default='NEW', nullable=False),
    sa.Column('status_changed_by', sa.BigInteger(), nullable=True),
    sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_feedback_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback'))
    )
    op.create_index('ix_feedback_kind_id', 'feedback', ['kind', 'id'], unique=False)
    op.create_index('ix_feedback_member_id', 'feedback', ['member_id'], unique=False)
    op.create_index('ix_feedback_status_id', 'feedback', ['status', 'id'], unique=False)
    op.create_table('member_consents',
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('purpose', sa.String(length=32), nullable=False),
    sa.Column('granted', sa.Boolean(), nullable=False),
    sa.Column('policy_version', sa.String(length=32), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_member_consents_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('member_id', 'purpose', name=op.f('pk_member_consents'))
    )


def downgrade() -> None:
    op.drop_table('member_consents')
    op.drop_index('ix_feedback_status_id', table_name='feedback')
    op.drop_index('ix_feedback_member_id', table_name='feedback')
    op.drop_index('ix_feedback_kind_id', table_name='feedback')
    op.drop_table('feedback')
    op.drop_table('experiment_variants')
    op.drop_index('ix_experiment_exposures_member_id', table_name='experiment_exposures')
    op.drop_table('experiment_exposures')
    op.drop_table('experiment_conversions')
    op.drop_index('ix_consent_changes_member_id', table_name='consent_changes')
    op.drop_table('consent_changes')
    op.drop_index('ix_tracked_events_member_id_occurred_at', table_name='tracked_events')
    op.drop_table('tracked_events')  # drops its partitions with it
    op.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
    op.drop_index('ix_tracked_event_keys_occurred_at', table_name='tracked_event_keys', postgresql_using='brin')
    op.drop_table('tracked_event_keys')
    op.drop_index('ix_member_signups_day', table_name='member_signups')
    op.drop_table('member_signups')
    op.drop_index('ix_member_activity_days_member_id_day', table_name='member_activity_days')
    op.drop_table('member_activity_days')
    op.drop_table('experiments')
    op.drop_table('daily_counters')
