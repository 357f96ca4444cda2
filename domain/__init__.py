"""The community: members, posts, comments, reactions, follows, moderation, coupons, analytics.

Services, repositories and models; no GraphQL here.
"""
