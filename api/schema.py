"""The schema: each area contributes its Query / Mutation / Subscription classes here."""

from __future__ import annotations

import strawberry
from strawberry.tools import merge_types
from strawberry.types import Info

from api.analytics.resolvers import AnalyticsMutations, AnalyticsQueries
from api.audit.resolvers import AuditQueries
from api.campaigns import demo as _campaign_demo  # noqa: F401  (registers its demo step)
from api.campaigns import loaders as _campaign_loaders  # noqa: F401  (registers batch loaders)
from api.campaigns.catalog import CatalogMutations, CatalogQueries
from api.campaigns.challenges import ChallengeMutations, ChallengeQueries
from api.campaigns.minigames import MiniGameMutations, MiniGameQueries
from api.campaigns.polls import PollMutations, PollQueries
from api.campaigns.subscriptions import ChallengeSubscriptions
from api.community import demo as _community_demo  # noqa: F401  (registers its demo step)
from api.community import loaders as _community_loaders  # noqa: F401  (registers batch loaders)
from api.community.lean import install as lean_resolvers
from api.community.resolvers import CommunityMutations, CommunityQueries
from api.community.subscriptions import CommunitySubscriptions
from api.coupons import demo as _coupon_demo  # noqa: F401  (registers its demo step)
from api.coupons import loaders as _coupon_loaders  # noqa: F401  (registers batch loaders)
from api.coupons.resolvers import CouponMutations, CouponQueries
from api.experiments.resolvers import ExperimentMutations, ExperimentQueries
from api.feedback.resolvers import FeedbackMutations, FeedbackQueries
from api.gamification import demo as _gamification_demo  # noqa: F401  (registers its demo step)
from api.gamification import loaders as _gamification_loaders  # noqa: F401  (batch loaders)
from api.gamification.resolvers import GamificationMutations, GamificationQueries
from api.gamification.subscriptions import GamificationSubscriptions
from api.members import loaders as _member_loaders  # noqa: F401  (registers batch loaders)
from api.members.resolvers import MemberMutations, MemberQueries
from api.moderation.resolvers import ModerationMutations, ModerationQueries
from api.notifications.resolvers import NotificationMutations, NotificationQueries
from api.notifications.subscriptions import NotificationSubscriptions
from api.personalization import demo as _personalization_demo  # noqa: F401  (after community's)
from api.personalization.resolvers import SegmentMutations, SegmentQueries
from api.privacy.resolvers import PrivacyMutations, PrivacyRightsMutations
from api.relay import Node, resolve_node


@strawberry.type
class NodeQueries:
    @strawberry.field(description="Any object by its global id; null when it does not exist.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await resolve_node(info.context, id)


Query = merge_types("Query", (NodeQueries, MemberQueries, AuditQueries, AnalyticsQueries,
                              ExperimentQueries, FeedbackQueries, CouponQueries,
                              CommunityQueries, ModerationQueries, NotificationQueries,
                              GamificationQueries, MiniGameQueries, ChallengeQueries,
                              PollQueries, CatalogQueries, SegmentQueries))
Mutation = merge_types("Mutation", (MemberMutations, PrivacyMutations, AnalyticsMutations,
                                    ExperimentMutations, FeedbackMutations, CouponMutations,
                                    PrivacyRightsMutations, CommunityMutations,
                                    ModerationMutations, NotificationMutations,
                                    GamificationMutations, MiniGameMutations, ChallengeMutations,
                                    PollMutations, CatalogMutations, SegmentMutations))
Subscription = merge_types("Subscription", (NotificationSubscriptions, CommunitySubscriptions,
                                            GamificationSubscriptions, ChallengeSubscriptions))

schema = strawberry.Schema(query=Query, mutation=Mutation, subscription=Subscription)

# The hot reads (posts, leaderboards): plain resolvers where Strawberry's chain adds nothing,
# their root fields included (their arguments are scalars and enums).
lean_resolvers(schema._schema)
