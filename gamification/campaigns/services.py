"""The campaign services of a process, built once by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from gamification.campaigns.catalog import CatalogService
from gamification.campaigns.challenges import ChallengeService
from gamification.campaigns.minigames import MiniGameService
from gamification.campaigns.polls import PollService
from gamification.campaigns.referrals import ReferralService
from rally.uow import UnitOfWorkFactory


@dataclass(frozen=True)
class CampaignServices:
    minigames: MiniGameService
    challenges: ChallengeService
    polls: PollService
    catalog: CatalogService
    referrals: ReferralService

    @classmethod
    def build(cls, uow: UnitOfWorkFactory) -> CampaignServices:
        return cls(minigames=MiniGameService(uow), challenges=ChallengeService(uow),
                   polls=PollService(uow), catalog=CatalogService(uow),
                   referrals=ReferralService(uow))
