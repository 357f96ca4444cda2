"""The demo gives members interests (declared and learnt) and the marketer two segments."""

from __future__ import annotations

from api.container import Container
from api.demo import seed_demo
from domain.pagination import PageRequest


async def test_demo_members_have_interests_and_segments_have_members(container: Container) -> None:
    accounts = await seed_demo(container)
    alice = await container.interests.interests(accounts["alice@rally.demo"])
    sources = {(i.tag, i.source.value) for i in alice}
    assert {("running", "EXPLICIT"), ("coffee", "EXPLICIT")} <= sources
    assert any(source == "INFERRED" for _, source in sources)
    segments = (await container.segments.page(PageRequest(10))).items
    assert sorted(s.name for s in segments) == ["Active this week", "Runners"]
    for segment in segments:
        assert await container.segments.size(segment.id) >= 2
    page = await container.feed.page(accounts["alice@rally.demo"], 5, None)
    assert page.items and all(r.reason for r in page.items)
