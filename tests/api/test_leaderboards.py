"""Leaderboards through GraphQL: ranks, paging, around me, periods, challenge boards, rebuild."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from api.relay import to_global_id
from gamification.leaderboard import LeaderboardService, set_challenge_score
from gamification.rules import BoardKind, period_of
from rally.outbox import OutboxRelay
from tests.gamification_support import give, member, players, settle

BOARD = """query($kind: LeaderboardKind!, $first: Int, $after: String, $aroundMe: Boolean,
                 $challengeId: ID, $period: Date) {
  leaderboard(kind: $kind, first: $first, after: $after, aroundMe: $aroundMe,
              challengeId: $challengeId, period: $period) {
    totalCount live periodStart periodEnd nextResetAt
    edges { cursor node { rank score user { displayName } } }
    pageInfo { hasNextPage endCursor } } }"""


def rows(board: dict) -> list[tuple[int, int, str]]:
    return [(e["node"]["rank"], e["node"]["score"], e["node"]["user"]["displayName"])
            for e in board["edges"]]


async def test_ranks_are_competition_ranks_and_ties_list_who_reached_first(container, client) -> None:
    await players(client, container, {"Ann": 50, "Ben": 30, "Cat": 30, "Dan": 10})
    board = (await client.execute(BOARD, {"kind": "ALL_TIME"}))["leaderboard"]
    assert rows(board) == [(1, 50, "Ann"), (2, 30, "Ben"), (2, 30, "Cat"), (4, 10, "Dan")]
    weekly = (await client.execute(BOARD, {"kind": "WEEKLY"}))["leaderboard"]
    assert rows(weekly) == rows(board)
    assert weekly["live"] and weekly["nextResetAt"] == weekly["periodEnd"]
    assert board["periodStart"] is None and board["totalCount"] == 4


async def test_pages_follow_cursors_and_first_is_capped(container, client) -> None:
    await players(client, container, {f"P{i}": 100 - i for i in range(5)})
    first = (await client.execute(BOARD, {"kind": "ALL_TIME", "first": 2}))["leaderboard"]
    assert [r[0] for r in rows(first)] == [1, 2] and first["pageInfo"]["hasNextPage"]
    second = (await client.execute(BOARD, {"kind": "ALL_TIME", "first": 2,
                                           "after": first["pageInfo"]["endCursor"]}))["leaderboard"]
    assert [r[0] for r in rows(second)] == [3, 4]
    last = (await client.execute(BOARD, {"kind": "ALL_TIME", "first": 2,
                                         "after": second["pageInfo"]["endCursor"]}))["leaderboard"]
    assert [r[0] for r in rows(last)] == [5] and not last["pageInfo"]["hasNextPage"]
    error = await client.error(BOARD, {"kind": "ALL_TIME", "first": 101})
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_around_me_and_user_rank(container, client) -> None:
    seeded = await players(client, container, {f"P{i}": 100 - i for i in range(15)})
    me, _ = seeded["P10"]
    board = (await client.execute(BOARD, {"kind": "ALL_TIME", "aroundMe": True},
                                  me.token))["leaderboard"]
    assert [r[0] for r in rows(board)] == list(range(6, 17 - 1))
    assert rows(board)[5][2] == "P10"
    rank = await client.execute("{ me { rank(board: ALL_TIME) } }", token=me.token)
    assert rank["me"]["rank"] == 11
    anonymous = await client.error(BOARD, {"kind": "ALL_TIME", "aroundMe": True})
    assert anonymous["extensions"]["code"] == "UNAUTHENTICATED"


async def test_bad_board_arguments_are_refused(container, client) -> None:
    await players(client, container, {"Ann": 5})
    missing = await client.error(BOARD, {"kind": "CHALLENGE"})
    assert missing["extensions"]["code"] == "BAD_USER_INPUT"
    unknown = await client.error(BOARD, {"kind": "CHALLENGE",
                                         "challengeId": to_global_id("Challenge", 999)})
    assert unknown["extensions"]["code"] == "NOT_FOUND"
    future = await client.error(BOARD, {"kind": "WEEKLY", "period": "2999-01-01"})
    assert future["extensions"]["code"] == "BAD_USER_INPUT"
    wrong_kind = await client.error("{ leaderboard(kind: YEARLY) { totalCount } }")
    assert wrong_kind["extensions"]["code"] == "BAD_USER_INPUT"


async def test_challenge_scores_set_through_the_outbox_make_a_board(container, client) -> None:
    seeded = await players(client, container, {"Ann": 1, "Ben": 1})
    async with container.uow() as uow:
        await set_challenge_score(uow, 7, seeded["Ann"][1], 3)
        await set_challenge_score(uow, 7, seeded["Ben"][1], 9)
        await uow.commit()
    await settle(container)
    board = (await client.execute(BOARD, {"kind": "CHALLENGE",
                                          "challengeId": to_global_id("Challenge", 7)}))
    assert rows(board["leaderboard"]) == [(1, 9, "Ben"), (2, 3, "Ann")]


async def test_a_past_week_is_read_from_its_snapshot(container, client) -> None:
    seeded = await players(client, container, {"Ann": 10, "Ben": 20})
    last_week = period_of(BoardKind.WEEKLY, container.leaderboards.today() - timedelta(days=7))
    async with container.engine.begin() as conn:
        for name, score in (("Ann", 70), ("Ben", 40)):
            await conn.execute(text(
                "INSERT INTO period_points (kind, period_start, member_id, score) "
                "VALUES ('WEEKLY', :s, :m, :p)"),
                {"s": last_week.start, "m": seeded[name][1], "p": score})
    board = (await client.execute(BOARD, {"kind": "WEEKLY",
                                          "period": str(last_week.start + timedelta(days=3))}))
    past = board["leaderboard"]
    assert not past["live"] and past["nextResetAt"] is None
    assert rows(past) == [(1, 70, "Ann"), (2, 40, "Ben")]


async def test_a_finished_week_rewards_its_top_once(container, client) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    await client.execute("""mutation { createBadge(input: {name: "Podium",
        criterion: WEEKLY_TOP10, bronze: 1}) { badge { id } } }""", token=marketer.token)
    seeded = await players(client, container, {"Ann": 1, "Ben": 1})
    last_week = period_of(BoardKind.WEEKLY, container.leaderboards.today() - timedelta(days=7))
    async with container.engine.begin() as conn:
        await conn.execute(text(
            "INSERT INTO period_points (kind, period_start, member_id, score) "
            "VALUES ('WEEKLY', :s, :m, 70)"), {"s": last_week.start, "m": seeded["Ann"][1]})
    assert last_week.start in await container.leaderboards.close_finished_weeks()
    assert await container.leaderboards.close_finished_weeks() == []
    me = await client.execute("{ me { points badges { badge { name } } } }",
                              token=seeded["Ann"][0].token)
    assert me["me"] == {"points": 1 + 500, "badges": [{"badge": {"name": "Podium"}}]}


async def test_flushing_redis_and_rebuilding_gives_identical_ranks(container, client) -> None:
    await players(client, container, {"Ann": 50, "Ben": 30, "Cat": 30, "Dan": 10, "Eve": 70})
    before = {k: (await client.execute(BOARD, {"kind": k}))["leaderboard"]["edges"]
              for k in ("ALL_TIME", "WEEKLY", "MONTHLY")}
    await container.redis.flushdb()
    assert rows((await client.execute(BOARD, {"kind": "ALL_TIME"}))["leaderboard"]) == []
    built = await container.leaderboards.rebuild()
    assert built["ALL_TIME"] == 5
    after = {k: (await client.execute(BOARD, {"kind": k}))["leaderboard"]["edges"]
             for k in ("ALL_TIME", "WEEKLY", "MONTHLY")}
    assert after == before


async def test_a_committed_event_not_yet_relayed_is_delivered_by_the_next_relay(container, client) -> None:
    _, ann = await member(client, "Ann")
    await container.relay.stop()  # the process dies right after the commit
    try:
        await give(container, ann, 40, "before-crash")
        service = LeaderboardService(container.uow, container.redis)
        assert await service.rank_of(BoardKind.ALL_TIME, ann) is None
        next_process = OutboxRelay(container.engine, projectors=[service.projector])
        assert await next_process.drain() >= 1
        assert await service.rank_of(BoardKind.ALL_TIME, ann) == 1
    finally:
        await container.relay.start()


async def test_a_replayed_older_event_never_overwrites_a_newer_score(container, client) -> None:
    _, ann = await member(client, "Ann")
    await container.relay.stop()
    try:
        await give(container, ann, 10, "first")
        await give(container, ann, 5, "second")
        async with container.engine.connect() as conn:
            messages = (await conn.execute(text(
                "SELECT id, topic, payload, created_at FROM outbox ORDER BY id"))).all()
        from rally.outbox import OutboxMessage

        batch = [OutboxMessage(*m) for m in messages if m.topic == "points.changed"]
        projector = container.leaderboards.projector
        await projector(list(reversed(batch)))  # newest first, then the stale one
        await projector(batch[:1])  # and a replay of the oldest
        board = await container.leaderboards.read(BoardKind.ALL_TIME, challenge_id=None,
                                                  period=None, offset=0, count=5,
                                                  around_member=None)
        assert [(e.member_id, e.score) for e in board.entries] == [(ann, 15)]
    finally:
        await container.relay.start()


async def test_a_page_of_twenty_loads_its_members_in_one_query(container, client, monkeypatch) -> None:
    await players(client, container, {f"Q{i}": 10 + i for i in range(20)})
    reads: list[str] = []
    original = container.fetch

    async def counting(sql: str, *args):
        reads.append(sql)
        return await original(sql, *args)

    monkeypatch.setattr(container, "fetch", counting)
    container.leaderboards.forget_cached_pages()
    board = await client.execute("""{ leaderboard(kind: MONTHLY, first: 20) { edges { node {
        rank user { displayName points level { name } } } } } }""")
    assert len(board["leaderboard"]["edges"]) == 20
    assert sum("FROM members" in sql for sql in reads) == 1
    assert sum("FROM member_points" in sql for sql in reads) == 1


async def test_boards_follow_a_moderation_reversal_and_restoration(container, client) -> None:
    from domain.events import ContentRemoved, ContentRestored, PostCreated
    from tests.gamification_support import act

    seeded = await players(client, container, {"Ann": 5, "Ben": 8})
    ann = seeded["Ann"][1]
    await act(container, PostCreated(post_id=1, author_id=ann, topics=[], status="PUBLISHED"))
    await settle(container)
    board = (await client.execute(BOARD, {"kind": "WEEKLY"}))["leaderboard"]
    assert rows(board)[0] == (1, 15, "Ann")
    await act(container, ContentRemoved(target_type="POST", target_id=1, owner_id=ann, case_id=9))
    await settle(container)
    board = (await client.execute(BOARD, {"kind": "WEEKLY"}))["leaderboard"]
    assert rows(board) == [(1, 8, "Ben"), (2, 5, "Ann")]
    await act(container, ContentRestored(target_type="POST", target_id=1, owner_id=ann))
    await settle(container)
    board = (await client.execute(BOARD, {"kind": "ALL_TIME"}))["leaderboard"]
    assert rows(board)[0] == (1, 15, "Ann")
