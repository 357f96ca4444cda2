"""Demo gamification: default rules (seeded by the migration), a badge catalogue, members
spread over the levels with badges, and a populated weekly board."""

from __future__ import annotations

from api.container import Container
from api.demo import demo_step
from gamification.ledger import Source, award, bump_counter
from gamification.rules import Action, Criterion
from gamification.service import BadgeDraft

DEMO_BADGES = [
    BadgeDraft("First Post", "Published a first post", Criterion.FIRST_POST, 1, None, None, None),
    BadgeDraft("Storyteller", "Posts that got published", Criterion.POSTS, 5, 25, 100, None),
    BadgeDraft("Conversationalist", "Comments written", Criterion.COMMENTS, 10, 50, 200, None),
    BadgeDraft("Crowd Favourite", "Reactions received", Criterion.REACTIONS_RECEIVED, 10, 100,
               1000, None),
    BadgeDraft("Regular", "Check-in streak", Criterion.CHECK_IN_STREAK, 7, 30, 100, None),
    BadgeDraft("Challenger", "Challenges completed", Criterion.CHALLENGES_COMPLETED, 1, 5, 20,
               None),
    BadgeDraft("Ambassador", "Friends who joined with your code", Criterion.REFERRALS, 1, 5, 20,
               None),
    BadgeDraft("Podium", "Top 10 of a finished weekly board", Criterion.WEEKLY_TOP10, 1, 5, 20,
               None),
]

# display name, lifetime points to earn, (counter, value) for badges
DEMO_PLAYERS = [
    ("Lena Legend", 12_500, [("posts", 120), ("reactions_received", 1200), ("weekly_top10", 6)]),
    ("Chris Champion", 2_600, [("posts", 30), ("comments", 60), ("best_streak", 31)]),
    ("Ines Insider", 720, [("posts", 6), ("comments", 12)]),
    ("Rui Regular", 180, [("posts", 1), ("referrals", 2)]),
    ("Nina Newcomer", 40, [("posts", 1)]),
]


@demo_step
async def gamification(container: Container, accounts: dict[str, int]) -> None:
    marketer = accounts["marketer@rally.demo"]
    for draft in DEMO_BADGES:
        await container.gamification.create_badge(marketer, draft)
    players = [(accounts["alice@rally.demo"], 950, [("posts", 7), ("comments", 11)]),
               (accounts["bob@rally.demo"], 130, [("posts", 1)])]
    for i, (name, points, counters) in enumerate(DEMO_PLAYERS):
        session = await container.members.register(
            f"player{i + 1}@rally.demo", "rally-demo-pass", name)
        players.append((session.member.id, points, counters))
    for member_id, points, counters in players:
        async with container.uow() as uow:
            await award(uow, member_id, points, Action.CHALLENGE_COMPLETED.value,
                        Source("DEMO", None), f"DEMO:{member_id}", note="demo history")
            for counter, value in counters:
                await bump_counter(uow, member_id, counter, value)
            await uow.commit()
    await container.gamification.check_in(accounts["alice@rally.demo"], "demo-check-in")
