"""coupons: campaigns, per-member holdings, coupons

Revision ID: 0007
Revises: 0002
Create Date: 2026-11-25 12:03:43.115669
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0007'
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('coupon_campaigns',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('discount_kind', sa.String(length=16), nullable=False),
    sa.Column('discount_value', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('quota', sa.Integer(), nullable=False),
    sa.Column('per_member_limit', sa.Integer(), nullable=False),
    sa.Column('issued', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('valid_from', sa.DateTime(timezone=True), nullable=False),
    sa.Column('valid_until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('terms', sa.Text(), server_default=sa.text("''"), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint("(discount_kind = 'PERCENT' AND discount_value > 0 AND discount_value <= 100 AND currency IS NULL) OR (discount_kind = 'AMOUNT' AND discount_value > 0 AND currency IS NOT NULL)", name=op.f('ck_coupon_campaigns_discount_valid')),
    sa.CheckConstraint('issued >= 0 AND issued <= quota', name=op.f('ck_coupon_campaigns_issued_within_quota')),
    sa.CheckConstraint('per_member_limit >= 1', name=op.f('ck_coupon_campaigns_per_member_limit_positive')),
    sa.CheckConstraint('quota >= 1', name=op.f('ck_coupon_campaigns_quota_positive')),
    sa.CheckConstraint('valid_until > valid_from', name=op.f('ck_coupon_campaigns_window_ordered')),
    sa.ForeignKeyConstraint(['created_by'], ['members.id'], name=op.f('fk_coupon_campaigns_created_by_members'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coupon_campaigns'))
    )
    op.create_table('coupon_holdings',
    sa.Column('campaign_id', sa.BigInteger(), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('issued', sa.Integer(), nullable=False),
    sa.CheckConstraint('issued >= 0', name=op.f('ck_coupon_holdings_issued_not_negative')),
    sa.ForeignKeyConstraint(['campaign_id'], ['coupon_campaigns.id'], name=op.f('fk_coupon_holdings_campaign_id_coupon_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_coupon_holdings_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id', 'member_id', name=op.f('pk_coupon_holdings'))
    )
    op.create_table('coupons',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('campaign_id', sa.BigInteger(), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('code', sa.String(length=14), nullable=False),
    sa.Column('status', sa.String(length=16), server_default=sa.text("'ACTIVE'"), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('source_id', sa.BigInteger(), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('redeemed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('redeemed_store_id', sa.String(length=64), nullable=True),
    sa.Column('redeemed_by', sa.BigInteger(), nullable=True),
    sa.Column('voided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("(status = 'REDEEMED') = (redeemed_at IS NOT NULL)", name=op.f('ck_coupons_redeemed_has_time')),
    sa.CheckConstraint("status IN ('ACTIVE', 'REDEEMED', 'VOID')", name=op.f('ck_coupons_status_stored')),
    sa.ForeignKeyConstraint(['campaign_id'], ['coupon_campaigns.id'], name=op.f('fk_coupons_campaign_id_coupon_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_coupons_member_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['redeemed_by'], ['members.id'], name=op.f('fk_coupons_redeemed_by_members'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coupons')),
    sa.UniqueConstraint('code', name=op.f('uq_coupons_code'))
    )
    op.create_index('ix_coupons_campaign', 'coupons', ['campaign_id', 'issued_at'], unique=False)
    op.create_index('ix_coupons_member', 'coupons', ['member_id', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_coupons_member', table_name='coupons')
    op.drop_index('ix_coupons_campaign', table_name='coupons')
    op.drop_table('coupons')
    op.drop_table('coupon_holdings')
    op.drop_table('coupon_campaigns')
