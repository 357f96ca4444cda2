"""What the community's events earn: published in a unit of work, as the community does."""

from __future__ import annotations

import asyncio

from domain.events import (
    CommentCreated,
    ContentRemoved,
    ContentRestored,
    PostApproved,
    PostCreated,
    PostShared,
    ReactionAdded,
    ReactionRemoved,
)
from gamification.ledger import Source, award, spend
from rally.errors import Conflict
from tests.gamification_support import act, entries, figures, ledger_sum, member


def post(post_id: int, author: int, status: str = "PUBLISHED") -> PostCreated:
    return PostCreated(post_id=post_id, author_id=author, topics=["running"], status=status)


def reaction(target: int, owner: int, reactor: int, **extra) -> ReactionAdded:
    return ReactionAdded(target_type="POST", target_id=target, owner_id=owner, member_id=reactor,
                         kind="LIKE", **extra)


async def test_a_published_post_pays_its_author_in_the_same_transaction(container, client) -> None:
    _, alice = await member(client)
    reward = await act(container, post(1, alice))
    assert reward.points == 10
    assert (await figures(container, alice))["balance"] == 10
    assert (await figures(container, alice))["posts"] == 1


async def test_a_pending_post_earns_on_approval_not_on_creation(container, client) -> None:
    _, alice = await member(client)
    reward = await act(container, post(1, alice, status="PENDING"))
    assert reward.points == 0 and reward.notes
    moderator_reward = await act(container, PostApproved(post_id=1, author_id=alice,
                                                         topics=[], case_id=3))
    assert moderator_reward.points == 0  # the moderator earned nothing; the author did
    assert (await figures(container, alice))["balance"] == 10
    await act(container, PostApproved(post_id=1, author_id=alice, topics=[]))  # repeated
    assert (await figures(container, alice))["balance"] == 10


async def test_the_sixth_post_of_a_day_pays_nothing_and_says_so(container, client) -> None:
    _, alice = await member(client)
    for i in range(5):
        assert (await act(container, post(i + 1, alice))).points == 10
    sixth = await act(container, post(6, alice))
    assert sixth.points == 0
    assert any("daily cap reached" in note for note in sixth.notes)
    assert (await figures(container, alice))["posts"] == 6  # still counts for badges


async def test_concurrent_posts_never_exceed_the_daily_cap(container, client) -> None:
    _, alice = await member(client)
    await asyncio.gather(*(act(container, post(i + 1, alice)) for i in range(12)))
    assert (await figures(container, alice))["balance"] == 50


async def test_reactions_to_own_content_or_from_a_blocked_member_pay_nothing(container, client) -> None:
    _, alice = await member(client)
    _, bob = await member(client)
    own = await act(container, reaction(1, alice, alice))
    assert own.points == 0 and own.notes
    await act(container, reaction(1, alice, bob, reactor_blocked_by_owner=True))
    assert (await figures(container, alice))["balance"] == 0


async def test_unreact_takes_the_point_back_and_react_again_does_not_farm(container, client) -> None:
    _, alice = await member(client)
    _, bob = await member(client)
    await act(container, reaction(1, alice, bob))
    assert (await figures(container, alice))["balance"] == 1
    removed = ReactionRemoved(target_type="POST", target_id=1, owner_id=alice, member_id=bob,
                              kind="LIKE")
    await act(container, removed)
    await act(container, removed)  # a repeat takes nothing more
    assert (await figures(container, alice))["balance"] == 0
    await act(container, reaction(1, alice, bob))
    assert (await figures(container, alice))["balance"] == 0
    assert await ledger_sum(container, alice) == (0, 0)


async def test_removal_reverses_what_the_content_earned_naming_the_case(container, client) -> None:
    _, alice = await member(client)
    _, bob = await member(client)
    _, carol = await member(client)
    await act(container, post(7, alice))
    await act(container, reaction(7, alice, bob))
    await act(container, reaction(7, alice, carol))
    assert (await figures(container, alice))["lifetime"] == 12
    removed = ContentRemoved(target_type="POST", target_id=7, owner_id=alice, case_id=42)
    await act(container, removed)
    await act(container, removed)  # idempotent
    after = await figures(container, alice)
    assert (after["balance"], after["lifetime"]) == (0, 0)
    reversals = [e for e in await entries(container, alice) if e.reason == "REVERSAL"]
    assert len(reversals) == 3 and all("case #42" in e.note for e in reversals)
    await act(container, ContentRestored(target_type="POST", target_id=7, owner_id=alice,
                                         case_id=43))
    restored = await figures(container, alice)
    assert (restored["balance"], restored["lifetime"]) == (12, 12)
    assert await ledger_sum(container, alice) == (12, 12)


async def test_a_reversal_never_takes_the_balance_below_zero(container, client) -> None:
    _, alice = await member(client)
    await act(container, post(7, alice))
    async with container.uow() as uow:
        await spend(uow, alice, 8, "SPEND", Source("CATALOG_ITEM", 1), "spend-1")
        await uow.commit()
    await act(container, ContentRemoved(target_type="POST", target_id=7, owner_id=alice))
    after = await figures(container, alice)
    assert (after["balance"], after["lifetime"]) == (0, 0)
    await act(container, ContentRestored(target_type="POST", target_id=7, owner_id=alice))
    after = await figures(container, alice)
    assert (after["balance"], after["lifetime"]) == (2, 10)  # gives back what it took


async def test_comments_and_shares_pay_by_their_rules(container, client) -> None:
    _, alice = await member(client)
    _, bob = await member(client)
    reward = await act(container, CommentCreated(comment_id=1, post_id=1, author_id=bob,
                                                 post_author_id=alice))
    assert reward.points == 3
    own = await act(container, CommentCreated(comment_id=2, post_id=2, author_id=alice,
                                              post_author_id=alice))
    assert own.points == 0
    share = PostShared(share_id=1, post_id=1, member_id=bob, channel="LINK", referral_code="X")
    assert (await act(container, share)).points == 5
    again = PostShared(share_id=2, post_id=1, member_id=bob, channel="LINK", referral_code="X")
    assert (await act(container, again)).points == 0  # once per post


async def test_two_concurrent_spends_of_a_balance_covering_one_exactly_one_succeeds(container, client) -> None:
    _, alice = await member(client)
    async with container.uow() as uow:
        await award(uow, alice, 100, "ADJUSTMENT", Source(), "grant-1")
        await uow.commit()

    async def try_spend(key: str) -> bool:
        try:
            async with container.uow() as uow:
                await spend(uow, alice, 80, "SPEND", Source("CATALOG_ITEM", 1), key)
                await uow.commit()
            return True
        except Conflict as refused:
            assert refused.message == "insufficient points"
            return False

    results = await asyncio.gather(try_spend("a"), try_spend("b"))
    assert sorted(results) == [False, True]
    after = await figures(container, alice)
    assert (after["balance"], after["lifetime"]) == (20, 100)
    assert await ledger_sum(container, alice) == (20, 100)


async def test_a_replayed_award_key_pays_once(container, client) -> None:
    _, alice = await member(client)
    for _ in range(3):
        async with container.uow() as uow:
            await award(uow, alice, 100, "CHALLENGE_COMPLETED", Source("CHALLENGE", 1), "c-1")
            await uow.commit()
    assert (await figures(container, alice))["balance"] == 100


async def test_a_referred_signup_pays_both_and_counts_for_the_referrer(container, client) -> None:
    from domain.events import MemberRegistered
    from tests.gamification_support import act as publish

    _, alice = await member(client)
    async with container.engine.connect() as conn:
        from sqlalchemy import text

        code = await conn.scalar(text("SELECT referral_code FROM members WHERE id = :m"),
                                 {"m": alice})
    _, bob = await member(client)
    reward = await publish(container, MemberRegistered(member_id=bob, is_guest=False,
                                                       referral_code=code))
    assert reward.points == 20  # the newcomer's own part
    assert (await figures(container, alice))["balance"] == 50
    assert (await figures(container, alice))["referrals"] == 1
    again = await publish(container, MemberRegistered(member_id=bob, is_guest=False,
                                                      referral_code=code))
    assert again.points == 0
    unknown = await publish(container, MemberRegistered(member_id=bob, is_guest=False,
                                                        referral_code="NOPE0000"))
    assert unknown.points == 0 and unknown.notes


async def test_daily_caps_and_check_ins_count_in_the_brands_day(container, client) -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from sqlalchemy import text

    from rally.clock import brand_day
    from rally.uow import UnitOfWorkFactory

    # UTC+14 and UTC-11: at any hour one of them is on another date than UTC.
    zones = ("Pacific/Kiritimati", "Pacific/Pago_Pago")
    utc_today = datetime.now(UTC).date()
    assert any(brand_day(datetime.now(UTC), ZoneInfo(z)) != utc_today for z in zones)
    for i, zone in enumerate(zones):
        brand = container.settings.model_copy(update={"timezone": zone})
        factory = UnitOfWorkFactory(container.uow.sessions, container.uow.bus, brand)
        _, alice = await member(client)
        async with factory() as uow:
            await uow.publish(post(i + 1, alice))
            await uow.commit()
        async with container.engine.connect() as conn:
            day = await conn.scalar(text(
                "SELECT day FROM point_daily_counts WHERE member_id = :m"), {"m": alice})
        assert day == brand_day(datetime.now(UTC), brand.tz)


async def test_reversing_content_locks_the_members_it_paid_in_member_id_order(container, client) -> None:
    # Post 9 paid Ben (a reaction, the earlier entry) and then Ann; Ann's id is lower. A
    # reversal that locked in entry order would hold Ben's row while waiting for Ann's, the
    # opposite order of a reversal of content that paid Ann first: a deadlock.
    from sqlalchemy import text

    _, ann = await member(client, "Ann")
    _, ben = await member(client, "Ben")
    assert ann < ben
    # Entries of POST 9 for Ben first, then for Ann (made-up events: only the entries matter).
    await act(container, reaction(9, ben, ann))
    await act(container, post(9, ann))
    async with container.engine.connect() as holder:
        await holder.execute(text("BEGIN"))
        await holder.execute(text(
            "SELECT 1 FROM member_points WHERE member_id = :m FOR UPDATE"), {"m": ann})
        removal = asyncio.create_task(act(container, ContentRemoved(
            target_type="POST", target_id=9, owner_id=ann)))
        async with container.engine.connect() as probe:
            for _ in range(500):
                if await probe.scalar(text(
                        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                        "AND datname = current_database()")):
                    break
                await asyncio.sleep(0.01)
            else:
                raise AssertionError("the removal never waited for Ann's row")
            # Waiting for Ann's row, the removal holds no other member's: Ben's is free.
            await probe.execute(text("BEGIN"))
            free = await probe.scalar(text(
                "SELECT count(*) FROM (SELECT 1 FROM member_points WHERE member_id = :m "
                "FOR UPDATE SKIP LOCKED) s"), {"m": ben})
            await probe.execute(text("ROLLBACK"))
        await holder.execute(text("ROLLBACK"))
    await removal
    assert free == 1
    assert (await figures(container, ann))["lifetime"] == 0
    assert (await figures(container, ben))["lifetime"] == 0
