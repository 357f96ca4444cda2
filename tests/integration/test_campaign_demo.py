"""The demo shows campaigns to explore: a running challenge, a wheel with coupon prizes,
a quiz, a poll and a catalogue item."""

from __future__ import annotations

from api.container import Container
from api.demo import seed_demo
from domain.pagination import PageRequest
from gamification.campaigns.models import GameKind
from gamification.campaigns.rules import ChallengeStatus


async def test_demo_has_every_kind_of_campaign(container: Container) -> None:
    accounts = await seed_demo(container)
    services = container.campaigns
    [challenge] = (await services.challenges.challenges(ChallengeStatus.ACTIVE,
                                                        PageRequest(10))).items
    assert challenge.participant_count == 1
    games = (await services.minigames.games(PageRequest(10))).items
    assert {g.kind for g in games} == {GameKind.WHEEL, GameKind.QUIZ}
    wheel = next(g for g in games if g.kind == GameKind.WHEEL)
    coupon_prizes = await container.fetch(
        "SELECT count(*) FROM mini_game_prizes WHERE game_id = $1"
        " AND coupon_campaign_id IS NOT NULL", wheel.id)
    assert coupon_prizes[0][0] >= 1
    [poll] = (await services.polls.polls(None, PageRequest(10))).items
    assert poll.question
    [item] = (await services.catalog.items(PageRequest(10))).items
    assert item.cost_points == 100
    page, total, _ = await services.referrals.of_referrer(accounts["alice@rally.demo"],
                                                          PageRequest(10))
    assert total == len(page.items)
