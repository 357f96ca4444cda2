"""campaigns: mini-games and quizzes, challenges, polls, rewards catalogue, referrals

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 19:51:50.148713
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('mini_games',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('cost_points', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('free_plays_per_day', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('questions', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'[]'"), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("kind IN ('WHEEL', 'SCRATCH', 'QUIZ')", name=op.f('ck_mini_games_kind_known')),
    sa.CheckConstraint('cost_points >= 0 AND free_plays_per_day >= 0', name=op.f('ck_mini_games_costs_not_negative')),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_mini_games_window_ordered')),
    sa.ForeignKeyConstraint(['created_by'], ['members.id'], name=op.f('fk_mini_games_created_by_members'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mini_games'))
    )
    op.create_table('polls',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('question', sa.String(length=300), nullable=False),
    sa.Column('post_id', sa.BigInteger(), nullable=True),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('points_for_vote', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('points_for_vote >= 0', name=op.f('ck_polls_points_not_negative')),
    sa.ForeignKeyConstraint(['created_by'], ['members.id'], name=op.f('fk_polls_created_by_members'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_polls'))
    )
    op.create_index('ix_polls_post_id', 'polls', ['post_id'], unique=False)
    op.create_table('referrals',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('referrer_id', sa.BigInteger(), nullable=False),
    sa.Column('referred_id', sa.BigInteger(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('paid', sa.Boolean(), nullable=False),
    sa.Column('refusal', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['referred_id'], ['members.id'], name=op.f('fk_referrals_referred_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['referrer_id'], ['members.id'], name=op.f('fk_referrals_referrer_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals')),
    sa.UniqueConstraint('referred_id', name=op.f('uq_referrals_referred_id'))
    )
    op.create_index('ix_referrals_referrer_id', 'referrals', ['referrer_id', 'day'], unique=False)
    op.create_table('challenges',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), server_default=sa.text("''"), nullable=False),
    sa.Column('cover_url', sa.String(length=2048), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('topic', sa.String(length=64), nullable=True),
    sa.Column('target', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ends_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reward_points', sa.Integer(), nullable=True),
    sa.Column('reward_badge_id', sa.BigInteger(), nullable=True),
    sa.Column('reward_coupon_campaign_id', sa.BigInteger(), nullable=True),
    sa.Column('segment_min_level', sa.Integer(), nullable=True),
    sa.Column('segment_interest', sa.String(length=64), nullable=True),
    sa.Column('participant_cap', sa.Integer(), nullable=True),
    sa.Column('participant_count', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_challenges_window_ordered')),
    sa.CheckConstraint('participant_count >= 0 AND (participant_cap IS NULL OR participant_count <= participant_cap)', name=op.f('ck_challenges_seats_within_cap')),
    sa.CheckConstraint('reward_points IS NULL OR reward_points >= 0', name=op.f('ck_challenges_reward_points_not_negative')),
    sa.CheckConstraint('target >= 1', name=op.f('ck_challenges_target_positive')),
    sa.ForeignKeyConstraint(['created_by'], ['members.id'], name=op.f('fk_challenges_created_by_members'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reward_coupon_campaign_id'], ['coupon_campaigns.id'], name=op.f('fk_challenges_reward_coupon_campaign_id_coupon_campaigns'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_challenges'))
    )
    op.create_index('ix_challenges_window', 'challenges', ['starts_at', 'ends_at'], unique=False)
    op.create_table('mini_game_days',
    sa.Column('game_id', sa.BigInteger(), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('free_plays', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['game_id'], ['mini_games.id'], name=op.f('fk_mini_game_days_game_id_mini_games'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_mini_game_days_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('game_id', 'member_id', 'day', name=op.f('pk_mini_game_days'))
    )
    op.create_table('mini_game_prizes',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('game_id', sa.BigInteger(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('weight', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('min_score', sa.Integer(), nullable=True),
    sa.Column('points', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('coupon_campaign_id', sa.BigInteger(), nullable=True),
    sa.Column('stock', sa.Integer(), nullable=True),
    sa.CheckConstraint('stock IS NULL OR stock >= 0', name=op.f('ck_mini_game_prizes_stock_not_negative')),
    sa.CheckConstraint('weight >= 0 AND points >= 0', name=op.f('ck_mini_game_prizes_weight_points_not_negative')),
    sa.ForeignKeyConstraint(['coupon_campaign_id'], ['coupon_campaigns.id'], name=op.f('fk_mini_game_prizes_coupon_campaign_id_coupon_campaigns'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['game_id'], ['mini_games.id'], name=op.f('fk_mini_game_prizes_game_id_mini_games'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mini_game_prizes'))
    )
    op.create_index('ix_mini_game_prizes_game_id', 'mini_game_prizes', ['game_id', 'position'], unique=True)
    op.create_table('poll_options',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('poll_id', sa.BigInteger(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=120), nullable=False),
    sa.Column('votes', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.CheckConstraint('votes >= 0', name=op.f('ck_poll_options_votes_not_negative')),
    sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], name=op.f('fk_poll_options_poll_id_polls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_poll_options'))
    )
    op.create_index('ix_poll_options_poll_id', 'poll_options', ['poll_id', 'position'], unique=True)
    op.create_table('reward_items',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), server_default=sa.text("''"), nullable=False),
    sa.Column('cost_points', sa.Integer(), nullable=False),
    sa.Column('coupon_campaign_id', sa.BigInteger(), nullable=False),
    sa.Column('stock', sa.Integer(), nullable=True),
    sa.Column('remaining', sa.Integer(), nullable=True),
    sa.Column('per_member_limit', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), server_default=sa.text('true'), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('(stock IS NULL) = (remaining IS NULL)', name=op.f('ck_reward_items_stock_has_remaining')),
    sa.CheckConstraint('cost_points >= 1', name=op.f('ck_reward_items_cost_positive')),
    sa.CheckConstraint('per_member_limit IS NULL OR per_member_limit >= 1', name=op.f('ck_reward_items_limit_positive')),
    sa.CheckConstraint('remaining >= 0 AND remaining <= stock', name=op.f('ck_reward_items_remaining_within_stock')),
    sa.ForeignKeyConstraint(['coupon_campaign_id'], ['coupon_campaigns.id'], name=op.f('fk_reward_items_coupon_campaign_id_coupon_campaigns'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by'], ['members.id'], name=op.f('fk_reward_items_created_by_members'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reward_items'))
    )
    op.create_table('challenge_credits',
    sa.Column('challenge_id', sa.BigInteger(), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('subject', sa.String(length=96), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['challenge_id'], ['challenges.id'], name=op.f('fk_challenge_credits_challenge_id_challenges'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_challenge_credits_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('challenge_id', 'member_id', 'subject', name=op.f('pk_challenge_credits'))
    )
    op.create_table('challenge_participants',
    sa.Column('challenge_id', sa.BigInteger(), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('progress', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('joined_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('reached_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('progress >= 0', name=op.f('ck_challenge_participants_progress_not_negative')),
    sa.ForeignKeyConstraint(['challenge_id'], ['challenges.id'], name=op.f('fk_challenge_participants_challenge_id_challenges'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_challenge_participants_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('challenge_id', 'member_id', name=op.f('pk_challenge_participants'))
    )
    op.create_index('ix_challenge_participants_board', 'challenge_participants', ['challenge_id', 'progress', 'reached_at'], unique=False)
    op.create_index('ix_challenge_participants_member_id', 'challenge_participants', ['member_id'], unique=False)
    op.create_table('mini_game_plays',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('game_id', sa.BigInteger(), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('prize_id', sa.BigInteger(), nullable=True),
    sa.Column('points_won', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('coupon_id', sa.BigInteger(), nullable=True),
    sa.Column('cost_points', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('free', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('played_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['game_id'], ['mini_games.id'], name=op.f('fk_mini_game_plays_game_id_mini_games'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_mini_game_plays_member_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['prize_id'], ['mini_game_prizes.id'], name=op.f('fk_mini_game_plays_prize_id_mini_game_prizes'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mini_game_plays'))
    )
    op.create_index('ix_mini_game_plays_game_id', 'mini_game_plays', ['game_id', 'played_at'], unique=False)
    op.create_index('ix_mini_game_plays_member_id', 'mini_game_plays', ['member_id', 'id'], unique=False)
    op.create_table('mini_game_prize_stock',
    sa.Column('prize_id', sa.BigInteger(), nullable=False),
    sa.Column('shard', sa.Integer(), nullable=False),
    sa.Column('remaining', sa.Integer(), nullable=False),
    sa.CheckConstraint('remaining >= 0', name=op.f('ck_mini_game_prize_stock_remaining_not_negative')),
    sa.ForeignKeyConstraint(['prize_id'], ['mini_game_prizes.id'], name=op.f('fk_mini_game_prize_stock_prize_id_mini_game_prizes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('prize_id', 'shard', name=op.f('pk_mini_game_prize_stock'))
    )
    op.create_table('poll_votes',
    sa.Column('poll_id', sa.BigInteger(), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('option_id', sa.BigInteger(), nullable=False),
    sa.Column('voted_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_poll_votes_member_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['option_id'], ['poll_options.id'], name=op.f('fk_poll_votes_option_id_poll_options'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['poll_id'], ['polls.id'], name=op.f('fk_poll_votes_poll_id_polls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('poll_id', 'member_id', name=op.f('pk_poll_votes'))
    )
    op.create_table('reward_holdings',
    sa.Column('item_id', sa.BigInteger(), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('redeemed', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['reward_items.id'], name=op.f('fk_reward_holdings_item_id_reward_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_reward_holdings_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id', 'member_id', name=op.f('pk_reward_holdings'))
    )
    op.create_table('reward_redemptions',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('item_id', sa.BigInteger(), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('coupon_id', sa.BigInteger(), nullable=False),
    sa.Column('cost_points', sa.Integer(), nullable=False),
    sa.Column('redeemed_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['reward_items.id'], name=op.f('fk_reward_redemptions_item_id_reward_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_reward_redemptions_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reward_redemptions'))
    )
    op.create_index('ix_reward_redemptions_item_member', 'reward_redemptions', ['item_id', 'member_id'], unique=False)
    op.create_table('quiz_submissions',
    sa.Column('game_id', sa.BigInteger(), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('play_id', sa.BigInteger(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['game_id'], ['mini_games.id'], name=op.f('fk_quiz_submissions_game_id_mini_games'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_quiz_submissions_member_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['play_id'], ['mini_game_plays.id'], name=op.f('fk_quiz_submissions_play_id_mini_game_plays'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('game_id', 'member_id', name=op.f('pk_quiz_submissions'))
    )


def downgrade() -> None:
    op.drop_table('quiz_submissions')
    op.drop_index('ix_reward_redemptions_item_member', table_name='reward_redemptions')
    op.drop_table('reward_redemptions')
    op.drop_table('reward_holdings')
    op.drop_table('poll_votes')
    op.drop_table('mini_game_prize_stock')
    op.drop_index('ix_mini_game_plays_member_id', table_name='mini_game_plays')
    op.drop_index('ix_mini_game_plays_game_id', table_name='mini_game_plays')
    op.drop_table('mini_game_plays')
    op.drop_index('ix_challenge_participants_member_id', table_name='challenge_participants')
    op.drop_index('ix_challenge_participants_board', table_name='challenge_participants')
    op.drop_table('challenge_participants')
    op.drop_table('challenge_credits')
    op.drop_table('reward_items')
    op.drop_index('ix_poll_options_poll_id', table_name='poll_options')
    op.drop_table('poll_options')
    op.drop_index('ix_mini_game_prizes_game_id', table_name='mini_game_prizes')
    op.drop_table('mini_game_prizes')
    op.drop_table('mini_game_days')
    op.drop_index('ix_challenges_window', table_name='challenges')
    op.drop_table('challenges')
    op.drop_index('ix_referrals_referrer_id', table_name='referrals')
    op.drop_table('referrals')
    op.drop_index('ix_polls_post_id', table_name='polls')
    op.drop_table('polls')
    op.drop_table('mini_games')
