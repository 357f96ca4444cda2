"""a coupon campaign's quota is split over shard rows (no single hot row per issue)

Revision ID: 0040
Revises: 0013
Create Date: 2026-11-30 22:30:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0040'
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('coupon_quota_shards',
    sa.Column('campaign_id', sa.BigInteger(), nullable=False),
    sa.Column('shard', sa.Integer(), nullable=False),
    sa.Column('quota', sa.Integer(), nullable=False),
    sa.Column('issued', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.CheckConstraint('issued >= 0 AND issued <= quota', name=op.f('ck_coupon_quota_shards_issued_within_quota')),
    sa.ForeignKeyConstraint(['campaign_id'], ['coupon_campaigns.id'], name=op.f('fk_coupon_quota_shards_campaign_id_coupon_campaigns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id', 'shard', name=op.f('pk_coupon_quota_shards'))
    )
    # Existing campaigns keep their exact state in one shard; a quota change re-splits it.
    op.execute("INSERT INTO coupon_quota_shards (campaign_id, shard, quota, issued)"
               " SELECT id, 0, quota, issued FROM coupon_campaigns")
    op.drop_constraint(op.f('ck_coupon_campaigns_issued_within_quota'), 'coupon_campaigns',
                       type_='check')
    op.drop_column('coupon_campaigns', 'issued')


def downgrade() -> None:
    op.add_column('coupon_campaigns', sa.Column('issued', sa.Integer(),
                                                server_default=sa.text('0'), nullable=False))
    op.execute("UPDATE coupon_campaigns c SET issued = s.issued FROM (SELECT campaign_id,"
               " sum(issued) AS issued FROM coupon_quota_shards GROUP BY campaign_id) s"
               " WHERE s.campaign_id = c.id")
    op.create_check_constraint(op.f('ck_coupon_campaigns_issued_within_quota'),
                               'coupon_campaigns', 'issued >= 0 AND issued <= quota')
    op.drop_table('coupon_quota_shards')
