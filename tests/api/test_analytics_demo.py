"""The demo data gives the marketer's reports something to show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from api.demo import DEMO_PASSWORD, seed_demo
from tests.support import GraphQLClient

METRICS = """query($from: Date!, $to: Date!) { engagementMetrics(from: $from, to: $to) {
  dau mau feedCtr averageDwellMs nps series { dau } } }"""
LOGIN = """mutation { login(input: {email: "marketer@rally.demo", password: "%s"}) {
  accessToken } }""" % DEMO_PASSWORD
REPORT = """{ experimentReport(key: "feed-card-style") { variants { exposures conversions } } }"""


async def test_demo_metrics_have_content(client: GraphQLClient, container) -> None:
    await seed_demo(container)
    token = (await client.execute(LOGIN))["login"]["accessToken"]
    today = datetime.now(UTC).date()
    m = (await client.execute(METRICS, {"from": (today - timedelta(days=20)).isoformat(),
                                        "to": today.isoformat()}, token))["engagementMetrics"]
    assert m["dau"] > 1 and m["mau"] >= 5
    assert 0 < m["feedCtr"] < 1 and m["averageDwellMs"] > 0 and m["nps"] is not None
    assert sum(1 for day in m["series"] if day["dau"] > 0) >= 15
    report = (await client.execute(REPORT, token=token))["experimentReport"]
    assert sum(v["exposures"] or 0 for v in report["variants"]) == 10
    csv_text = (await client.execute('{ experimentReportCsv(key: "feed-card-style") }',
                                     token=token))["experimentReportCsv"]
    header, *rows = csv_text.split("\n\nvariants\n")[1].splitlines()
    assert header.startswith("name,weight,exposures,conversions,conversion_rate,comparison.")
    assert len(rows) == len(report["variants"])
    assert all(len(row.split(",")) == len(header.split(",")) for row in rows)
