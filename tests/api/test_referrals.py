"""Referrals: both members paid once by the rules, daily cap per referrer, shared devices
pay nothing, unknown codes do not block registration."""

from __future__ import annotations

from api.container import Container
from tests.api.campaign_support import balance, scalar
from tests.support import GraphQLClient, Member

MY_REFERRALS = """{ myReferrals { totalCount referralCode
  edges { node { paid refusal user { displayName } } } } }"""


async def _code(client: GraphQLClient, member: Member) -> str:
    return (await client.execute(MY_REFERRALS, token=member.token))["myReferrals"]["referralCode"]


async def test_a_friend_joining_with_a_code_pays_both_once(
        client: GraphQLClient, container: Container) -> None:
    alice = await client.register("Alice")
    bob = await client.register("Bob", referralCode=await _code(client, alice))
    assert (await balance(container, alice), await balance(container, bob)) == (50, 20)
    data = (await client.execute(MY_REFERRALS, token=alice.token))["myReferrals"]
    assert data["totalCount"] == 1
    assert data["edges"][0]["node"] == {"paid": True, "refusal": None,
                                        "user": {"displayName": "Bob"}}
    assert await scalar(container, "SELECT referrals FROM member_points WHERE member_id ="
                                   " (SELECT id FROM members WHERE display_name = 'Alice')") == 1


async def test_accounts_sharing_a_device_earn_nothing(
        client: GraphQLClient, container: Container) -> None:
    guest = await client.execute("""mutation { loginWithDevice(input: {deviceId: "phone-0001"}) {
      accessToken user { id } } }""")
    token = guest["loginWithDevice"]["accessToken"]
    code = (await client.execute(MY_REFERRALS, token=token))["myReferrals"]["referralCode"]
    second = await client.register("Second self", referralCode=code, deviceId="phone-0001")
    assert await balance(container, second) == 0
    data = (await client.execute(MY_REFERRALS, token=token))["myReferrals"]
    assert data["edges"][0]["node"]["refusal"] == "SAME_DEVICE"
    assert await scalar(container, "SELECT count(*) FROM point_entries") == 0


async def test_the_referrers_daily_cap_comes_from_the_point_rule(
        client: GraphQLClient, container: Container) -> None:
    admin = await client.member_with_roles(container, "ADMIN")
    await client.execute("""mutation { setPointRule(input: {action: REFERRAL_SIGNUP, points: 50,
      dailyCap: 1, oncePerTarget: true}) { __typename } }""", token=admin.token)
    alice = await client.register("Alice")
    code = await _code(client, alice)
    await client.register("Bob", referralCode=code)
    carol = await client.register("Carol", referralCode=code)
    assert await balance(container, alice) == 50
    assert await balance(container, carol) == 20  # the newcomer is still welcomed
    data = (await client.execute(MY_REFERRALS, token=alice.token))["myReferrals"]
    assert [e["node"]["refusal"] for e in data["edges"]] == ["DAILY_CAP", None]


async def test_an_unknown_code_still_registers_and_records_nothing(
        client: GraphQLClient, container: Container) -> None:
    bob = await client.register("Bob", referralCode="NOSUCHCODE")
    assert await balance(container, bob) == 0
    assert await scalar(container, "SELECT count(*) FROM referrals") == 0


REFERRAL_REPORT = """query($since: Date, $until: Date) { referralReport(since: $since, until: $until)
  { since until signups paid refusedSameDevice refusedDailyCap referrers
    byDay { day signups paid } } }"""


async def test_marketers_read_referral_signups_by_day(
        client: GraphQLClient, container: Container) -> None:
    from datetime import date, timedelta

    admin = await client.member_with_roles(container, "ADMIN")
    marketer = await client.member_with_roles(container, "MARKETER")
    await client.execute("""mutation { setPointRule(input: {action: REFERRAL_SIGNUP, points: 50,
      dailyCap: 1, oncePerTarget: true}) { __typename } }""", token=admin.token)
    alice, dave = await client.register("Alice"), await client.register("Dave")
    await client.register("Bob", referralCode=await _code(client, alice))
    await client.register("Carol", referralCode=await _code(client, alice))  # over the cap
    await client.register("Erin", referralCode=await _code(client, dave))
    await client.register("Frank", referralCode="NOSUCHCODE")  # not a referral
    # Erin's referral happened two days ago (as if recorded then)
    from sqlalchemy import text
    async with container.engine.begin() as conn:
        await conn.execute(text("UPDATE referrals SET day = day - 2 WHERE referred_id ="
                                " (SELECT id FROM members WHERE display_name = 'Erin')"))
    default = (await client.execute(REFERRAL_REPORT, token=marketer.token))["referralReport"]
    today = date.fromisoformat(default["until"])
    assert date.fromisoformat(default["since"]) == today - timedelta(days=29)
    assert len(default["byDay"]) == 30 and default["signups"] == 3
    report = (await client.execute(REFERRAL_REPORT, {
        "since": str(today - timedelta(days=2)), "until": str(today)},
        marketer.token))["referralReport"]
    assert {k: report[k] for k in ("signups", "paid", "refusedSameDevice", "refusedDailyCap",
                                   "referrers")} == {
        "signups": 3, "paid": 2, "refusedSameDevice": 0, "refusedDailyCap": 1, "referrers": 2}
    # Days of fewer than 5 members are withheld (null); a day with none says 0.
    assert report["byDay"] == [
        {"day": str(today - timedelta(days=2)), "signups": None, "paid": None},
        {"day": str(today - timedelta(days=1)), "signups": 0, "paid": 0},
        {"day": str(today), "signups": None, "paid": None}]
    yesterday = (await client.execute(REFERRAL_REPORT, {"until": str(today - timedelta(days=1))},
                                      marketer.token))["referralReport"]
    assert yesterday["signups"] == 1
    error = await client.error(REFERRAL_REPORT, {"since": str(today), "until":
                                                 str(today - timedelta(days=1))}, marketer.token)
    assert (error["extensions"]["code"], error["extensions"]["field"]) == (
        "BAD_USER_INPUT", "since")
    error = await client.error(REFERRAL_REPORT, {"since": "2020-01-01"}, marketer.token)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    error = await client.error(REFERRAL_REPORT, {}, alice.token)
    assert error["extensions"]["code"] == "FORBIDDEN"
