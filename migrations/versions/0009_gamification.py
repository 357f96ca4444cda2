"""gamification: ledger, rules, levels, badges, check-ins, boards

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 19:35:11.233273
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('leaderboard_closings',
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('rewarded', sa.Integer(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'period_start', name=op.f('pk_leaderboard_closings'))
    )
    op.create_table('badges',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('description', sa.String(length=300), server_default=sa.text("''"), nullable=False),
    sa.Column('criterion', sa.String(length=32), nullable=False),
    sa.Column('bronze', sa.Integer(), nullable=False),
    sa.Column('silver', sa.Integer(), nullable=True),
    sa.Column('gold', sa.Integer(), nullable=True),
    sa.Column('icon_url', sa.String(length=2048), nullable=True),
    sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('bronze >= 1', name=op.f('ck_badges_bronze_positive')),
    sa.CheckConstraint('gold IS NULL OR (silver IS NOT NULL AND gold > silver)', name=op.f('ck_badges_gold_above_silver')),
    sa.CheckConstraint('silver IS NULL OR silver > bronze', name=op.f('ck_badges_silver_above_bronze')),
    sa.ForeignKeyConstraint(['created_by'], ['members.id'], name=op.f('fk_badges_created_by_members'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_badges')),
    sa.UniqueConstraint('name', name=op.f('uq_badges_name'))
    )
    op.create_table('challenge_scores',
    sa.Column('challenge_id', sa.BigInteger(), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('version', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('reached_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_challenge_scores_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('challenge_id', 'member_id', name=op.f('pk_challenge_scores'))
    )
    op.create_table('check_ins',
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('streak', sa.Integer(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_check_ins_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('member_id', 'day', name=op.f('pk_check_ins'))
    )
    op.create_table('member_points',
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('balance', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('lifetime', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('level', sa.Integer(), server_default=sa.text('1'), nullable=False),
    sa.Column('version', sa.BigInteger(), server_default=sa.text('0'), nullable=False),
    sa.Column('reached_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('posts', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('comments', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('reactions_received', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('shares', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('referrals', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('challenges_completed', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('weekly_top10', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('streak', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('best_streak', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('last_check_in', sa.Date(), nullable=True),
    sa.CheckConstraint('balance >= 0', name=op.f('ck_member_points_balance_not_negative')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_member_points_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('member_id', name=op.f('pk_member_points'))
    )
    op.create_index('ix_member_points_lifetime', 'member_points', ['lifetime', 'reached_at'], unique=False)
    op.create_table('period_points',
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('reached_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_period_points_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('kind', 'period_start', 'member_id', name=op.f('pk_period_points'))
    )
    op.create_index('ix_period_points_rank', 'period_points', ['kind', 'period_start', 'score'], unique=False)
    op.create_table('point_daily_counts',
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_point_daily_counts_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('member_id', 'action', 'day', name=op.f('pk_point_daily_counts'))
    )
    op.create_table('point_entries',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('delta', sa.Integer(), nullable=False),
    sa.Column('earned', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('source_type', sa.String(length=32), nullable=True),
    sa.Column('source_id', sa.BigInteger(), nullable=True),
    sa.Column('note', sa.String(length=200), server_default=sa.text("''"), nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=False),
    sa.Column('reverses_id', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_point_entries_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_point_entries')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_point_entries_idempotency_key'))
    )
    op.create_index('ix_point_entries_member', 'point_entries', ['member_id', 'id'], unique=False)
    op.create_index('ix_point_entries_reverses', 'point_entries', ['reverses_id'], unique=False)
    op.create_index('ix_point_entries_source', 'point_entries', ['source_type', 'source_id'], unique=False)
    op.create_table('point_rules',
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('daily_cap', sa.Integer(), nullable=True),
    sa.Column('once_per_target', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('updated_by', sa.BigInteger(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('daily_cap IS NULL OR daily_cap >= 0', name=op.f('ck_point_rules_daily_cap_not_negative')),
    sa.CheckConstraint('points >= 0', name=op.f('ck_point_rules_points_not_negative')),
    sa.ForeignKeyConstraint(['updated_by'], ['members.id'], name=op.f('fk_point_rules_updated_by_members'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('action', name=op.f('pk_point_rules'))
    )
    op.create_table('member_badges',
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('badge_id', sa.BigInteger(), nullable=False),
    sa.Column('tier', sa.String(length=8), nullable=False),
    sa.Column('awarded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['badge_id'], ['badges.id'], name=op.f('fk_member_badges_badge_id_badges'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_member_badges_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('member_id', 'badge_id', 'tier', name=op.f('pk_member_badges'))
    )
    op.create_index('ix_member_badges_badge', 'member_badges', ['badge_id'], unique=False)


    # Default rules (gamification.rules.DEFAULT_RULES): points, daily cap, once per target.
    op.bulk_insert(sa.table('point_rules', sa.column('action', sa.String), sa.column('points', sa.Integer),
                            sa.column('daily_cap', sa.Integer), sa.column('once_per_target', sa.Boolean)), [
        {'action': 'POST_CREATED', 'points': 10, 'daily_cap': 5, 'once_per_target': True},
        {'action': 'COMMENT_CREATED', 'points': 3, 'daily_cap': 20, 'once_per_target': False},
        {'action': 'REACTION_RECEIVED', 'points': 1, 'daily_cap': 50, 'once_per_target': True},
        {'action': 'SHARE', 'points': 5, 'daily_cap': 3, 'once_per_target': True},
        {'action': 'REFERRAL_SIGNUP', 'points': 50, 'daily_cap': 10, 'once_per_target': True},
        {'action': 'REFERRED_SIGNUP', 'points': 20, 'daily_cap': None, 'once_per_target': True},
        {'action': 'CHECK_IN', 'points': 5, 'daily_cap': 1, 'once_per_target': False},
        {'action': 'CHALLENGE_COMPLETED', 'points': 100, 'daily_cap': None, 'once_per_target': True},
    ])


def downgrade() -> None:
    op.drop_index('ix_member_badges_badge', table_name='member_badges')
    op.drop_table('member_badges')
    op.drop_table('point_rules')
    op.drop_index('ix_point_entries_source', table_name='point_entries')
    op.drop_index('ix_point_entries_reverses', table_name='point_entries')
    op.drop_index('ix_point_entries_member', table_name='point_entries')
    op.drop_table('point_entries')
    op.drop_table('point_daily_counts')
    op.drop_index('ix_period_points_rank', table_name='period_points')
    op.drop_table('period_points')
    op.drop_index('ix_member_points_lifetime', table_name='member_points')
    op.drop_table('member_points')
    op.drop_table('check_ins')
    op.drop_table('challenge_scores')
    op.drop_table('badges')
    op.drop_table('leaderboard_closings')
