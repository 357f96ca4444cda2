"""Every refused coupon request answers with its code and leaves everything as it was."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from api.container import Container
from api.relay import to_global_id
from tests.api.coupon_support import (
    CREATE,
    GRANT,
    REDEEM,
    UPDATE,
    campaign_input,
    create_campaign,
    grant,
    iso,
    my_coupons,
    table_counts,
)
from tests.support import GraphQLClient

NOW = datetime.now(UTC)


@pytest.mark.parametrize("overrides", [
    {"discount": {"kind": "PERCENT", "value": 0}},
    {"discount": {"kind": "PERCENT", "value": 101}},
    {"discount": {"kind": "PERCENT", "value": 10, "currency": "EUR"}},
    {"discount": {"kind": "AMOUNT", "value": 0, "currency": "EUR"}},
    {"discount": {"kind": "AMOUNT", "value": 5}},
    {"discount": {"kind": "AMOUNT", "value": 5, "currency": "euros"}},
    {"validFrom": iso(NOW + timedelta(days=2)), "validUntil": iso(NOW + timedelta(days=1))},
    {"validFrom": iso(NOW), "validUntil": iso(NOW)},
    {"quota": 0},
    {"perUserLimit": 0},
    {"name": "   "},
], ids=["percent-0", "percent-101", "percent-currency", "amount-0", "amount-no-currency",
        "amount-bad-currency", "window-reversed", "window-empty", "quota-0", "limit-0",
        "blank-name"])
async def test_an_impossible_campaign_is_refused(
        client: GraphQLClient, container: Container, overrides: dict[str, Any]) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    before = await table_counts(container)
    error = await client.error(CREATE, {"input": campaign_input(**overrides)}, marketer.token)
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert await table_counts(container) == before


async def test_impossible_campaign_changes_are_refused(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    members = [await client.register() for _ in range(3)]
    campaign_id = await create_campaign(client, marketer, quota=5)
    await grant(client, marketer, campaign_id, *members)
    before = await table_counts(container)
    cases = [
        ({"quota": 2}, "CONFLICT"),
        ({"quota": 0}, "BAD_USER_INPUT"),
        ({"perUserLimit": 0}, "BAD_USER_INPUT"),
        ({"validUntil": iso(NOW - timedelta(days=1))}, "BAD_USER_INPUT"),
        ({"name": ""}, "BAD_USER_INPUT"),
        ({"quota": None}, "BAD_USER_INPUT"),
    ]
    for change, code in cases:
        error = await client.error(UPDATE, {"input": {"campaignId": campaign_id, **change}},
                                   marketer.token)
        assert error["extensions"]["code"] == code, (change, error)
    error = await client.error(UPDATE, {"input": {"campaignId": campaign_id, "quota": 2}},
                               marketer.token)
    assert error["extensions"]["issued"] == 3
    missing = to_global_id("CouponCampaign", 999)
    error = await client.error(UPDATE, {"input": {"campaignId": missing, "quota": 9}},
                               marketer.token)
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert await table_counts(container) == before
    # The quota may go down to exactly what is issued.
    data = await client.execute(UPDATE, {"input": {"campaignId": campaign_id, "quota": 3}},
                                marketer.token)
    assert data["updateCouponCampaign"]["campaign"]["remaining"] == 0


async def test_impossible_grants_are_refused_and_issue_nothing(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice = await client.register("Alice")
    campaign_id = await create_campaign(client, marketer)
    before = await table_counts(container)
    cases = [
        ({"campaignId": to_global_id("CouponCampaign", 999), "memberIds": [alice.id]},
         "NOT_FOUND"),
        ({"campaignId": campaign_id, "memberIds": [alice.id, to_global_id("User", 999)]},
         "NOT_FOUND"),
        ({"campaignId": campaign_id, "memberIds": []}, "BAD_USER_INPUT"),
        ({"campaignId": alice.id, "memberIds": [alice.id]}, "BAD_USER_INPUT"),
        ({"campaignId": campaign_id, "memberIds": [campaign_id]}, "BAD_USER_INPUT"),
    ]
    for variables, code in cases:
        error = await client.error(GRANT, {"input": variables}, marketer.token)
        assert error["extensions"]["code"] == code, (variables, error)
    assert await table_counts(container) == before
    assert await my_coupons(client, alice) == []


async def test_a_grant_after_the_campaign_ended_issues_nothing(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    alice = await client.register("Alice")
    campaign_id = await create_campaign(client, marketer, validFrom=iso(NOW - timedelta(days=2)),
                                        validUntil=iso(NOW - timedelta(days=1)))
    granted = await grant(client, marketer, campaign_id, alice)
    assert (granted["issuedCount"], granted["refusedCampaignEnded"]) == (0, 1)
    assert (await table_counts(container))["coupons"] == 0


async def test_a_blank_store_is_refused_and_the_coupon_stays_active(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    merchant = await client.member_with_roles(container, "MERCHANT")
    alice = await client.register("Alice")
    await grant(client, marketer, await create_campaign(client, marketer), alice)
    [coupon] = await my_coupons(client, alice)
    error = await client.error(REDEEM, {"input": {"code": coupon["code"], "storeId": " "}},
                               merchant.token)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert [c["status"] for c in await my_coupons(client, alice)] == ["ACTIVE"]


async def test_members_cannot_run_campaigns_or_redeem_and_merchants_cannot_read_reports(
        client: GraphQLClient, container: Container) -> None:
    member = await client.register()
    merchant = await client.member_with_roles(container, "MERCHANT")
    marketer = await client.member_with_roles(container, "MARKETER")
    campaign_id = await create_campaign(client, marketer)
    before = await table_counts(container)
    refused = [
        (CREATE, {"input": campaign_input()}, member),
        (GRANT, {"input": {"campaignId": campaign_id, "memberIds": [member.id]}}, merchant),
        (REDEEM, {"input": {"code": "0000000000000" + "0", "storeId": "s"}}, member),
        (REDEEM, {"input": {"code": "0000000000000" + "0", "storeId": "s"}}, marketer),
        ("query($id: ID!) { couponReport(campaignId: $id) { issued } }", {"id": campaign_id},
         merchant),
        ("{ couponCampaigns { edges { node { id } } } }", None, member),
    ]
    for document, variables, caller in refused:
        error = await client.error(document, variables, caller.token)
        assert error["extensions"]["code"] == "FORBIDDEN", (document, error)
    assert await table_counts(container) == before


async def test_the_report_of_an_unknown_campaign_is_not_found(
        client: GraphQLClient, container: Container) -> None:
    marketer = await client.member_with_roles(container, "MARKETER")
    error = await client.error("query($id: ID!) { couponReport(campaignId: $id) { issued } }",
                               {"id": to_global_id("CouponCampaign", 999)}, marketer.token)
    assert error["extensions"]["code"] == "NOT_FOUND"
