"""`leaderboardChanged`: public, the board's top after the projector wrote it, ≤ 1/s."""

from __future__ import annotations

from api.relay import to_global_id
from gamification.leaderboard import set_challenge_score
from tests.gamification_support import give, member
from tests.realtime.support import subscribed

BOARD_CHANGED = """subscription($kind: LeaderboardKind!, $challengeId: ID) {
  leaderboardChanged(kind: $kind, challengeId: $challengeId) {
    kind entries { rank score user { displayName } } } }"""


async def test_an_anonymous_viewer_sees_the_top_change_and_bursts_are_throttled(client, container, ws):
    _, ann = await member(client, "Ann")
    _, ben = await member(client, "Ben")
    async with ws.connect() as socket:
        assert (await socket.init())["type"] == "connection_ack"
        await socket.subscribe(BOARD_CHANGED, {"kind": "WEEKLY"})
        await container.realtime.connected.wait()
        await subscribed(container, 1)
        await give(container, ann, 30, "a1")
        pushed = (await socket.next())["data"]["leaderboardChanged"]
        assert pushed["kind"] == "WEEKLY"
        assert pushed["entries"] == [{"rank": 1, "score": 30, "user": {"displayName": "Ann"}}]
        for i in range(5):  # a burst within the second collapses into one push
            await give(container, ben, 10, f"b{i}")
        latest = (await socket.next(within=3))["data"]["leaderboardChanged"]
        if len(latest["entries"]) < 2 or latest["entries"][0]["score"] != 50:
            latest = (await socket.next(within=3))["data"]["leaderboardChanged"]
        assert [(e["user"]["displayName"], e["score"]) for e in latest["entries"]] == [
            ("Ben", 50), ("Ann", 30)]
        await socket.nothing_within(1.5)


async def test_a_challenge_board_needs_its_id_and_gets_its_own_scores(client, container, ws):
    _, ann = await member(client, "Ann")
    async with ws.connect() as socket:
        await socket.init()
        await socket.subscribe(BOARD_CHANGED, {"kind": "CHALLENGE"}, id_="bad")
        error = await socket.receive()
        assert error["type"] == "error" and error["id"] == "bad"
        await socket.subscribe(BOARD_CHANGED, {"kind": "CHALLENGE",
                                               "challengeId": to_global_id("Challenge", 5)})
        await subscribed(container, 1)
        async with container.uow() as uow:
            await set_challenge_score(uow, 5, ann, 4)
            await uow.commit()
        pushed = (await socket.next())["data"]["leaderboardChanged"]
        assert pushed["entries"] == [{"rank": 1, "score": 4, "user": {"displayName": "Ann"}}]
