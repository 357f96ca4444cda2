"""Demo campaigns: a running challenge Alice has joined, a wheel with coupon prizes, a quiz,
a poll Bob voted in, and a catalogue item, all built through the services."""

from __future__ import annotations

from datetime import timedelta

from api.container import Container
from api.demo import demo_step
from domain.coupons import rules as coupon_rules
from domain.coupons.models import DiscountKind
from domain.coupons.service import CampaignDraft
from gamification.campaigns.catalog import ItemDraft
from gamification.campaigns.challenges import ChallengeDraft
from gamification.campaigns.minigames import GameDraft
from gamification.campaigns.models import ChallengeAction, GameKind
from gamification.campaigns.polls import PollDraft
from gamification.campaigns.rules import PrizeDraft, QuestionDraft
from rally.db import utcnow


@demo_step
async def campaigns(container: Container, accounts: dict[str, int]) -> None:
    services, marketer = container.campaigns, accounts["marketer@rally.demo"]
    alice, bob = accounts["alice@rally.demo"], accounts["bob@rally.demo"]
    now = utcnow()
    prizes = await container.coupons.create_campaign(marketer, CampaignDraft(
        name="Wheel prize: 20% off", discount=coupon_rules.discount(DiscountKind.PERCENT, 20, None),
        quota=200, per_member_limit=2, valid_from=now - timedelta(hours=1),
        valid_until=now + timedelta(days=30), terms="Won on the lucky wheel."))
    coffee = await container.coupons.create_campaign(marketer, CampaignDraft(
        name="Free coffee", discount=coupon_rules.discount(DiscountKind.AMOUNT, 4, "EUR"),
        quota=100, per_member_limit=3, valid_from=now - timedelta(hours=1),
        valid_until=now + timedelta(days=60), terms="One drink of your choice."))
    challenge = await services.challenges.create(marketer, ChallengeDraft(
        title="Run club week", action=ChallengeAction.POST_WITH_TOPIC, topic="running",
        target=3, starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=6),
        description="Post three runs tagged #running this week.", reward_points=150,
        reward_coupon_campaign_id=prizes.id,
        cover_url="https://images.rally.demo/challenges/run-club.jpg"))
    await services.challenges.join(alice, challenge.id)
    wheel = await services.minigames.create_game(marketer, GameDraft(
        kind=GameKind.WHEEL, title="Lucky wheel", starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=30), free_plays_per_day=1, cost_points=20, prizes=[
            PrizeDraft("20% off", weight=1, coupon_campaign_id=prizes.id, stock=100),
            PrizeDraft("25 points", weight=3, points=25),
            PrizeDraft("Try again tomorrow", weight=6)]))
    await services.minigames.play(alice, wheel.id, "demo-first-spin")
    await services.minigames.create_game(marketer, GameDraft(
        kind=GameKind.QUIZ, title="Know your trainers", starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=30), questions=[
            QuestionDraft("Which sole grips best on trails?", ["Slick", "Lugged"], [1]),
            QuestionDraft("Which fibres are natural?", ["Wool", "Nylon", "Cotton"], [0, 2])],
        prizes=[PrizeDraft("10 points", min_score=1, points=10),
                PrizeDraft("Perfect: 20% off", min_score=2, coupon_campaign_id=prizes.id)]))
    poll = await services.polls.create(marketer, PollDraft(
        question="Which colourway should we drop next?", options=["Volt", "Black", "Sand"],
        closes_at=now + timedelta(days=7), points_for_vote=2))
    await services.polls.vote(bob, poll.id, await _first_option(container, poll.id))
    await services.catalog.create_item(marketer, ItemDraft(
        title="Free coffee at the flagship store", cost_points=100, coupon_campaign_id=coffee.id,
        description="Swap points for a drink.", stock=50, per_member_limit=1))


async def _first_option(container: Container, poll_id: int) -> int:
    rows = await container.fetch(
        "SELECT id FROM poll_options WHERE poll_id = $1 ORDER BY position LIMIT 1", poll_id)
    return int(rows[0]["id"])
