"""The demo community has members over the levels, badges held and a populated weekly board."""

from __future__ import annotations

from sqlalchemy import text

from api.demo import seed_demo
from tests.gamification_support import settle


async def test_demo_spreads_members_over_levels_with_badges_and_a_weekly_board(container, client) -> None:
    await seed_demo(container)
    await settle(container)
    async with container.engine.connect() as conn:
        levels = set((await conn.scalars(text("SELECT DISTINCT level FROM member_points"))).all())
        badges_held = await conn.scalar(text("SELECT count(*) FROM member_badges"))
    assert levels == {1, 2, 3, 4, 5}
    assert badges_held >= 5
    board = await client.execute("""{ leaderboard(kind: WEEKLY, first: 3) {
        totalCount edges { node { rank user { displayName level { name } } } } } }""")
    top = board["leaderboard"]
    assert top["totalCount"] >= 7
    assert top["edges"][0]["node"]["user"] == {"displayName": "Lena Legend",
                                               "level": {"name": "Legend"}}
