"""The demo community is lively: several topics, comments, reactions, one open report."""

from __future__ import annotations

from api.container import Container
from api.demo import seed_demo
from domain.community.queries import PostOrder
from domain.moderation.models import CaseStatus
from domain.pagination import PageRequest


async def test_demo_has_posts_in_topics_comments_reactions_and_an_open_report(
        container: Container) -> None:
    accounts = await seed_demo(container)
    page = await container.community.posts(accounts["bob@rally.demo"], PageRequest(50),
                                           order=PostOrder.HOT)
    records = [row.record for row in page.items]
    assert len(records) >= 6
    assert len({t for r in records for t in r["topics"]}) >= 4
    assert sum(r["comment_count"] for r in records) >= 4
    assert sum(r["reaction_count"] for r in records) >= 8
    cases = await container.moderation.cases(CaseStatus.OPEN, PageRequest(10))
    assert len(cases.items) == 1 and cases.items[0].report_count == 1
