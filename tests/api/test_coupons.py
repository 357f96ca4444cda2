"""Coupon campaigns, grants, the member's wallet, store redemption and the report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from api.container import Container
from api.relay import decode_id
from domain.coupons import codes
from domain.pagination import PageRequest
from tests.api.coupon_support import (
    CREATE,
    REDEEM,
    UPDATE,
    VOID_REDEMPTION,
    campaign_input,
    create_campaign,
    grant,
    iso,
    my_coupons,
    table_counts,
)
from tests.support import GraphQLClient, recorded_statements

REPORT = """query($id: ID!) { couponReport(campaignId: $id) {
  issued redeemed redemptionRate voided campaign { name }
  byDay { day issued redeemed } bySource { source issued redeemed } } }"""


async def test_a_marketer_creates_a_campaign_and_members_receive_coupons(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice, bob = await client.register("Alice"), await client.register("Bob")
    data = await client.execute(CREATE, {"input": campaign_input(
        discount={"kind": "AMOUNT", "value": 5.5, "currency": "eur"}, quota=3, perUserLimit=1)},
        marketer.token)
    campaign = data["createCouponCampaign"]["campaign"]
    assert campaign["discount"] == {"kind": "AMOUNT", "value": 5.5, "currency": "EUR"}
    assert (campaign["issued"], campaign["remaining"]) == (0, 3)

    granted = await grant(client, marketer, campaign["id"], alice, bob, alice)
    assert (granted["issuedCount"], granted["refusedCount"]) == (2, 0)
    assert granted["campaign"] == {"issued": 2, "remaining": 1}

    [coupon] = await my_coupons(client, alice, "ACTIVE")
    assert coupon["status"] == "ACTIVE" and coupon["source"] == "GRANT"
    assert coupon["campaign"]["id"] == campaign["id"]
    verified = codes.verify_qr_payload(
        codes.qr_signing_key(container.settings.secret_value()), coupon["qrPayload"])
    assert codes.format_code(verified.code) == coupon["code"]

    again = await grant(client, marketer, campaign["id"], alice, bob)
    assert (again["issuedCount"], again["refusedByMemberLimit"]) == (0, 2)
    notes = await container.notifications.list(decode_id(alice.id, "User"), PageRequest(10))
    assert [n.kind for n in notes.items] == ["COUPON"]


async def test_a_grant_beyond_the_quota_issues_what_is_left_and_counts_the_rest(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    members = [await client.register() for _ in range(4)]
    campaign_id = await create_campaign(client, marketer, quota=3)
    granted = await grant(client, marketer, campaign_id, *members)
    assert (granted["issuedCount"], granted["refusedByQuota"]) == (3, 1)
    assert granted["campaign"] == {"issued": 3, "remaining": 0}


async def test_a_coupon_is_redeemed_once_and_the_second_attempt_says_when_and_where(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    merchant = await client.member_with_roles(container, "MERCHANT")
    alice = await client.register("Alice")
    await grant(client, marketer, await create_campaign(client, marketer), alice)
    [coupon] = await my_coupons(client, alice)

    typed = coupon["code"].lower().replace("-", " ")
    data = await client.execute(REDEEM, {"input": {"code": typed, "storeId": "store-7"}},
                                merchant.token)
    redeemed = data["redeemCoupon"]["coupon"]
    assert (redeemed["status"], redeemed["redeemedStoreId"]) == ("REDEEMED", "store-7")
    assert redeemed["campaign"]["discount"] == {"kind": "PERCENT", "value": 10.0}

    error = await client.error(REDEEM, {"input": {"code": coupon["code"], "storeId": "store-9"}},
                               merchant.token)
    assert error["extensions"]["code"] == "CONFLICT"
    assert error["extensions"]["reason"] == "ALREADY_REDEEMED"
    assert error["extensions"]["storeId"] == "store-7"
    assert error["extensions"]["redeemedAt"] == redeemed["redeemedAt"]
    assert "store-7" in error["message"]
    assert [c["status"] for c in await my_coupons(client, alice, "REDEEMED")] == ["REDEEMED"]
    assert await my_coupons(client, alice, "ACTIVE") == []


async def test_expired_and_not_yet_valid_coupons_are_refused_with_their_dates(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    merchant = await client.member_with_roles(container, "MERCHANT")
    alice = await client.register("Alice")
    now = datetime.now(UTC)
    later_id = await create_campaign(client, marketer, validFrom=iso(now + timedelta(days=1)),
                                     validUntil=iso(now + timedelta(days=2)))
    ending_id = await create_campaign(client, marketer)
    await grant(client, marketer, later_id, alice)
    await grant(client, marketer, ending_id, alice)
    # Ending the campaign early expires its unused coupons at once: status is read-time.
    await client.execute(UPDATE, {"input": {"campaignId": ending_id,
                                            "validUntil": iso(now - timedelta(minutes=1))}},
                         marketer.token)
    [expired] = await my_coupons(client, alice, "EXPIRED")
    [upcoming] = await my_coupons(client, alice, "ACTIVE")
    before = await table_counts(container)

    for code, reason in ((expired["code"], "EXPIRED"), (upcoming["code"], "NOT_YET_VALID")):
        error = await client.error(REDEEM, {"input": {"code": code, "storeId": "s1"}},
                                   merchant.token)
        assert (error["extensions"]["code"], error["extensions"]["reason"]) == ("CONFLICT", reason)
    assert await table_counts(container) == before


async def test_a_mistyped_code_is_refused_before_any_query(
        client: GraphQLClient, container: Container) -> None:
    merchant = await client.member_with_roles(container, "MERCHANT")
    code = codes.new_code()
    typo = code[:3] + ("0" if code[3] != "0" else "1") + code[4:]
    # Background work (the relay's polling, closing leaderboard weeks) shares the engine;
    # only statements touching coupons can be the request's.
    with recorded_statements(container, lambda s: "coupon" in s) as statements:
        for mutation, extra in ((REDEEM, {"storeId": "s1"}), (VOID_REDEMPTION, {"reason": "x"})):
            error = await client.error(mutation, {"input": {"code": typo, **extra}},
                                       merchant.token)
            assert error["extensions"]["code"] == "BAD_USER_INPUT"
            assert "mistyped" in error["message"]
        assert statements == []
        # The listener does see the queries of a well-formed code.
        await client.error(REDEEM, {"input": {"code": code, "storeId": "s1"}}, merchant.token)
        assert statements


async def test_an_unknown_but_well_formed_code_is_not_found(
        client: GraphQLClient, container: Container) -> None:
    merchant = await client.member_with_roles(container, "MERCHANT")
    error = await client.error(REDEEM, {"input": {"code": codes.new_code(), "storeId": "s1"}},
                               merchant.token)
    assert error["extensions"]["code"] == "NOT_FOUND"


async def test_the_redeeming_merchant_voids_a_redemption_within_the_window_and_it_is_audited(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    merchant = await client.member_with_roles(container, "MERCHANT")
    other_merchant = await client.member_with_roles(container, "MERCHANT")
    alice = await client.register("Alice")
    await grant(client, marketer, await create_campaign(client, marketer), alice)
    [coupon] = await my_coupons(client, alice)
    await client.execute(REDEEM, {"input": {"code": coupon["code"], "storeId": "s1"}},
                         merchant.token)
    void = {"input": {"code": coupon["code"], "reason": "cashier scanned the wrong coupon"}}

    error = await client.error(VOID_REDEMPTION, void, other_merchant.token)
    assert error["extensions"]["code"] == "FORBIDDEN"
    data = await client.execute(VOID_REDEMPTION, void, merchant.token)
    assert data["voidRedemption"]["coupon"] == {
        "code": coupon["code"], "status": "ACTIVE", "redeemedAt": None, "redeemedStoreId": None}
    entries = await container.audit.entries(PageRequest(10))
    latest = entries.items[0]
    assert (latest.action, latest.note) == (
        "VOID_REDEMPTION", "cashier scanned the wrong coupon")

    error = await client.error(VOID_REDEMPTION, void, merchant.token)
    assert (error["extensions"]["code"], error["extensions"]["reason"]) == (
        "CONFLICT", "NOT_REDEEMED")
    # Usable again, at another store.
    await client.execute(REDEEM, {"input": {"code": coupon["code"], "storeId": "s2"}},
                         merchant.token)


async def test_a_redemption_older_than_the_window_cannot_be_voided(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    merchant = await client.member_with_roles(container, "MERCHANT")
    alice = await client.register("Alice")
    await grant(client, marketer, await create_campaign(client, marketer), alice)
    [coupon] = await my_coupons(client, alice)
    await client.execute(REDEEM, {"input": {"code": coupon["code"], "storeId": "s1"}},
                         merchant.token)
    window = container.settings.coupon_void_window_seconds
    async with container.engine.begin() as conn:  # the window passes
        await conn.execute(text("UPDATE coupons SET redeemed_at = redeemed_at - "
                                "make_interval(secs => :s)"), {"s": window + 1})
    before = await table_counts(container)
    error = await client.error(VOID_REDEMPTION, {"input": {"code": coupon["code"],
                                                           "reason": "too late"}},
                               merchant.token)
    assert (error["extensions"]["code"], error["extensions"]["reason"]) == (
        "CONFLICT", "VOID_WINDOW_PASSED")
    assert await table_counts(container) == before


async def test_the_report_counts_issued_and_redeemed_by_day_and_source(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    merchant = await client.member_with_roles(container, "MERCHANT")
    members = [await client.register() for _ in range(8)]
    campaign_id = await create_campaign(client, marketer)
    await grant(client, marketer, campaign_id, *members)
    for member in members[:5]:
        [coupon] = await my_coupons(client, member)
        await client.execute(REDEEM, {"input": {"code": coupon["code"], "storeId": "s1"}},
                             merchant.token)
    report = (await client.execute(REPORT, {"id": campaign_id}, marketer.token))["couponReport"]
    today = datetime.now(container.settings.tz).date().isoformat()
    assert (report["issued"], report["redeemed"], report["redemptionRate"]) == (8, 5, 0.625)
    assert report["byDay"] == [{"day": today, "issued": 8, "redeemed": 5}]
    assert report["bySource"] == [{"source": "GRANT", "issued": 8, "redeemed": 5}]
    csv_text = (await client.execute("query($id: ID!) { couponReportCsv(campaignId: $id) }",
                                     {"id": campaign_id}, marketer.token))["couponReportCsv"]
    assert "totals.issued,8\ntotals.redeemed,5\ntotals.redemption_rate,0.625\n" in csv_text
    assert f"by_day\nissued,redeemed,day,redemption_rate\n8,5,{today},0.625\n" in csv_text
    assert "by_source\nissued,redeemed,source,redemption_rate\n8,5,GRANT,0.625\n" in csv_text
    small = await create_campaign(client, marketer)
    await grant(client, marketer, small, *members[:2])
    report = (await client.execute(REPORT, {"id": small}, marketer.token))["couponReport"]
    assert (report["issued"], report["redeemed"]) == (2, 0)  # the campaign's own totals
    assert report["byDay"] == [{"day": today, "issued": None, "redeemed": 0}]  # 2 < 5 withheld
    merchant_error = await client.error("query($id: ID!) { couponReportCsv(campaignId: $id) }",
                                        {"id": campaign_id}, merchant.token)
    assert merchant_error["extensions"]["code"] == "FORBIDDEN"


async def test_a_marketer_voids_an_unused_coupon_and_stores_then_refuse_it(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    merchant = await client.member_with_roles(container, "MERCHANT")
    alice = await client.register("Alice")
    await grant(client, marketer, await create_campaign(client, marketer, perUserLimit=2),
                alice)
    [coupon] = await my_coupons(client, alice)
    void = """mutation($input: VoidCouponInput!) { voidCoupon(input: $input) {
      coupon { status } } }"""
    data = await client.execute(void, {"input": {"code": coupon["code"], "reason": "fraud"}},
                                marketer.token)
    assert data["voidCoupon"]["coupon"]["status"] == "VOID"
    error = await client.error(REDEEM, {"input": {"code": coupon["code"], "storeId": "s1"}},
                               merchant.token)
    assert (error["extensions"]["code"], error["extensions"]["reason"]) == ("CONFLICT", "VOID")
    error = await client.error(void, {"input": {"code": coupon["code"], "reason": "again"}},
                               marketer.token)
    assert (error["extensions"]["code"], error["extensions"]["reason"]) == (
        "CONFLICT", "NOT_ACTIVE")
    assert [c["status"] for c in await my_coupons(client, alice, "VOID")] == ["VOID"]
    latest = (await container.audit.entries(PageRequest(1))).items[0]
    assert (latest.action, latest.note) == ("VOID_COUPON", "fraud")


async def test_coupons_and_campaigns_page_by_cursor_and_a_coupon_is_visible_to_its_holder_only(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice, bob = await client.register("Alice"), await client.register("Bob")
    campaign_ids = [await create_campaign(client, marketer, name=f"C{i}") for i in range(3)]
    for campaign_id in campaign_ids:
        await grant(client, marketer, campaign_id, alice)
    page_query = """query($after: String) { couponCampaigns(first: 2, after: $after) {
      edges { node { name } } pageInfo { hasNextPage endCursor } } }"""
    first = (await client.execute(page_query, {}, marketer.token))["couponCampaigns"]
    rest = (await client.execute(page_query, {"after": first["pageInfo"]["endCursor"]},
                                 marketer.token))["couponCampaigns"]
    names = [e["node"]["name"] for e in first["edges"] + rest["edges"]]
    assert names == ["C2", "C1", "C0"]
    assert (first["pageInfo"]["hasNextPage"], rest["pageInfo"]["hasNextPage"]) == (True, False)

    data = await client.execute(
        "{ myCoupons(first: 2) { edges { node { id } } pageInfo { endCursor } } }", None,
        alice.token)
    after = data["myCoupons"]["pageInfo"]["endCursor"]
    more = await client.execute("query($a: String) { myCoupons(first: 2, after: $a) { "
                                "edges { node { id } } } }", {"a": after}, alice.token)
    ids = [e["node"]["id"] for e in data["myCoupons"]["edges"] + more["myCoupons"]["edges"]]
    assert len(set(ids)) == 3

    node = "query($id: ID!) { node(id: $id) { ... on Coupon { code } } }"
    assert (await client.execute(node, {"id": ids[0]}, alice.token))["node"]["code"]
    assert (await client.execute(node, {"id": ids[0]}, bob.token))["node"] is None


async def test_each_issued_coupon_notifies_its_member_once_even_when_its_code_is_drawn_again(
        client: GraphQLClient, container: Container, monkeypatch) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice, bob = await client.register("Alice"), await client.register("Bob")
    campaign_id = await create_campaign(client, marketer)
    await grant(client, marketer, campaign_id, alice)
    async with container.engine.connect() as conn:
        taken = (await conn.execute(text("SELECT code FROM coupons WHERE campaign_id = :c"),
                                    {"c": decode_id(campaign_id, "CouponCampaign")})).scalar()
    # Bob's first code is Alice's: his coupon is inserted again with a fresh one.
    drawn = iter([taken])
    fresh = codes.new_code
    monkeypatch.setattr(codes, "new_code", lambda: next(drawn, None) or fresh())
    await grant(client, marketer, campaign_id, bob)

    for member in (alice, bob):
        member_pk = decode_id(member.id, "User")
        async with container.engine.connect() as conn:
            coupon_pk = (await conn.execute(text(
                "SELECT id FROM coupons WHERE member_id = :m"), {"m": member_pk})).scalar()
        notes = await container.notifications.list(member_pk, PageRequest(10))
        assert [(n.kind, n.subject_type, n.subject_id, n.data) for n in notes.items] == [
            ("COUPON", "Coupon", coupon_pk, {"campaignId": decode_id(campaign_id, "CouponCampaign"),
                                             "campaignName": "Spring 10%", "source": "GRANT"})]
    assert len({c["code"] for m in (alice, bob) for c in await my_coupons(client, m)}) == 2
