"""community: posts, media, edits, comments, reactions, shares, follows, blocks, keyword rules,
moderation cases, reports; an index for @mention lookups on members

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 20:11:02.757399
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('blocks',
    sa.Column('blocker_id', sa.BigInteger(), nullable=False),
    sa.Column('blocked_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['blocked_id'], ['members.id'], name=op.f('fk_blocks_blocked_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['blocker_id'], ['members.id'], name=op.f('fk_blocks_blocker_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('blocker_id', 'blocked_id', name=op.f('pk_blocks'))
    )
    op.create_index('ix_blocks_blocked_id', 'blocks', ['blocked_id'], unique=False)
    op.create_table('keyword_rules',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('keyword', sa.String(length=100), nullable=False),
    sa.Column('normalized', sa.String(length=100), nullable=False),
    sa.Column('action', sa.String(length=8), nullable=False),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['members.id'], name=op.f('fk_keyword_rules_created_by_members'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_keyword_rules')),
    sa.UniqueConstraint('normalized', name=op.f('uq_keyword_rules_normalized'))
    )
    op.create_table('member_follows',
    sa.Column('follower_id', sa.BigInteger(), nullable=False),
    sa.Column('followee_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['followee_id'], ['members.id'], name=op.f('fk_member_follows_followee_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['follower_id'], ['members.id'], name=op.f('fk_member_follows_follower_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('follower_id', 'followee_id', name=op.f('pk_member_follows'))
    )
    op.create_index('ix_member_follows_followee_id', 'member_follows', ['followee_id'], unique=False)
    op.create_table('moderation_cases',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('target_type', sa.String(length=8), nullable=False),
    sa.Column('target_id', sa.BigInteger(), nullable=False),
    sa.Column('owner_id', sa.BigInteger(), nullable=False),
    sa.Column('status', sa.String(length=8), server_default=sa.text("'OPEN'"), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('report_count', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('reasons', postgresql.ARRAY(sa.String(length=32)), server_default=sa.text("'{}'::varchar[]"), nullable=False),
    sa.Column('resolution', sa.String(length=8), nullable=True),
    sa.Column('resolved_by', sa.BigInteger(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['owner_id'], ['members.id'], name=op.f('fk_moderation_cases_owner_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resolved_by'], ['members.id'], name=op.f('fk_moderation_cases_resolved_by_members'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_moderation_cases'))
    )
    op.create_index('ix_moderation_cases_status_id', 'moderation_cases', ['status', 'id'], unique=False)
    op.create_index('uq_moderation_cases_open_target', 'moderation_cases', ['target_type', 'target_id'], unique=True, postgresql_where=sa.text("status = 'OPEN'"))
    op.create_table('posts',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('author_id', sa.BigInteger(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('topics', postgresql.ARRAY(sa.String(length=64)), server_default=sa.text("'{}'::varchar[]"), nullable=False),
    sa.Column('mention_ids', postgresql.ARRAY(sa.BigInteger()), server_default=sa.text("'{}'::bigint[]"), nullable=False),
    sa.Column('reaction_count', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('reaction_counts', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('comment_count', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('share_count', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('hot_score', sa.Double(), server_default=sa.text('0'), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('edited_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.CheckConstraint('reaction_count >= 0 AND comment_count >= 0 AND share_count >= 0', name=op.f('ck_posts_counts_not_negative')),
    sa.ForeignKeyConstraint(['author_id'], ['members.id'], name=op.f('fk_posts_author_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_posts'))
    )
    op.create_index('ix_posts_author_id', 'posts', ['author_id', 'id'], unique=False)
    op.create_index('ix_posts_published_hot', 'posts', ['hot_score', 'id'], unique=False, postgresql_where=sa.text("status = 'PUBLISHED'"))
    op.create_index('ix_posts_published_id', 'posts', ['id'], unique=False, postgresql_where=sa.text("status = 'PUBLISHED'"))
    op.create_index('ix_posts_topics', 'posts', ['topics'], unique=False, postgresql_using='gin')
    op.create_table('reactions',
    sa.Column('target_type', sa.String(length=8), nullable=False),
    sa.Column('target_id', sa.BigInteger(), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_reactions_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('target_type', 'target_id', 'member_id', name=op.f('pk_reactions'))
    )
    op.create_index('ix_reactions_member_id', 'reactions', ['member_id'], unique=False)
    op.create_table('topic_follows',
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('topic', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_topic_follows_member_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('member_id', 'topic', name=op.f('pk_topic_follows'))
    )
    op.create_table('comments',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('post_id', sa.BigInteger(), nullable=False),
    sa.Column('author_id', sa.BigInteger(), nullable=False),
    sa.Column('parent_id', sa.BigInteger(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reaction_count', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('reaction_counts', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False),
    sa.Column('reply_count', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['members.id'], name=op.f('fk_comments_author_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['parent_id'], ['comments.id'], name=op.f('fk_comments_parent_id_comments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_comments_post_id_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_comments'))
    )
    op.create_index('ix_comments_parent_id', 'comments', ['parent_id', 'id'], unique=False)
    op.create_index('ix_comments_post_id', 'comments', ['post_id', 'id'], unique=False)
    op.create_table('media',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('owner_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('byte_size', sa.BigInteger(), nullable=False),
    sa.Column('storage_key', sa.String(length=200), nullable=False),
    sa.Column('url', sa.String(length=2048), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('post_id', sa.BigInteger(), nullable=True),
    sa.Column('position', sa.Integer(), server_default=sa.text('0'), nullable=False),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('duration_ms', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['members.id'], name=op.f('fk_media_owner_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_media_post_id_posts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_media')),
    sa.UniqueConstraint('storage_key', name=op.f('uq_media_storage_key'))
    )
    op.create_index('ix_media_post_id', 'media', ['post_id', 'position'], unique=False)
    op.create_table('post_edits',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('post_id', sa.BigInteger(), nullable=False),
    sa.Column('previous_body', sa.Text(), nullable=False),
    sa.Column('previous_topics', postgresql.ARRAY(sa.String(length=64)), nullable=False),
    sa.Column('edited_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_post_edits_post_id_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_post_edits'))
    )
    op.create_index('ix_post_edits_post_id', 'post_edits', ['post_id'], unique=False)
    op.create_table('reports',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('target_type', sa.String(length=8), nullable=False),
    sa.Column('target_id', sa.BigInteger(), nullable=False),
    sa.Column('reporter_id', sa.BigInteger(), nullable=False),
    sa.Column('case_id', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['moderation_cases.id'], name=op.f('fk_reports_case_id_moderation_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reporter_id'], ['members.id'], name=op.f('fk_reports_reporter_id_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports'))
    )
    op.create_index('ix_reports_case_id', 'reports', ['case_id'], unique=False)
    op.create_index('uq_reports_target_reporter', 'reports', ['target_type', 'target_id', 'reporter_id'], unique=True)
    op.create_table('shares',
    sa.Column('id', sa.BigInteger(), sa.Identity(always=False), nullable=False),
    sa.Column('post_id', sa.BigInteger(), nullable=False),
    sa.Column('member_id', sa.BigInteger(), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('referral_code', sa.String(length=16), nullable=False),
    sa.Column('code_owner_id', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.ForeignKeyConstraint(['code_owner_id'], ['members.id'], name=op.f('fk_shares_code_owner_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_shares_member_id_members'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_shares_post_id_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shares'))
    )
    op.create_index('ix_shares_post_id', 'shares', ['post_id'], unique=False)
    op.create_index('ix_members_display_name_lower', 'members', [sa.literal_column('lower(display_name)')], unique=False)


def downgrade() -> None:
    op.drop_index('ix_members_display_name_lower', table_name='members')
    op.drop_index('ix_shares_post_id', table_name='shares')
    op.drop_table('shares')
    op.drop_index('uq_reports_target_reporter', table_name='reports')
    op.drop_index('ix_reports_case_id', table_name='reports')
    op.drop_table('reports')
    op.drop_index('ix_post_edits_post_id', table_name='post_edits')
    op.drop_table('post_edits')
    op.drop_index('ix_media_post_id', table_name='media')
    op.drop_table('media')
    op.drop_index('ix_comments_post_id', table_name='comments')
    op.drop_index('ix_comments_parent_id', table_name='comments')
    op.drop_table('comments')
    op.drop_table('topic_follows')
    op.drop_index('ix_reactions_member_id', table_name='reactions')
    op.drop_table('reactions')
    op.drop_index('ix_posts_topics', table_name='posts', postgresql_using='gin')
    op.drop_index('ix_posts_published_id', table_name='posts', postgresql_where=sa.text("status = 'PUBLISHED'"))
    op.drop_index('ix_posts_published_hot', table_name='posts', postgresql_where=sa.text("status = 'PUBLISHED'"))
    op.drop_index('ix_posts_author_id', table_name='posts')
    op.drop_table('posts')
    op.drop_index('uq_moderation_cases_open_target', table_name='moderation_cases', postgresql_where=sa.text("status = 'OPEN'"))
    op.drop_index('ix_moderation_cases_status_id', table_name='moderation_cases')
    op.drop_table('moderation_cases')
    op.drop_index('ix_member_follows_followee_id', table_name='member_follows')
    op.drop_table('member_follows')
    op.drop_table('keyword_rules')
    op.drop_index('ix_blocks_blocked_id', table_name='blocks')
    op.drop_table('blocks')
