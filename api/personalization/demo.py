"""Demo personalization: declared interests for Alice and Bob, two segments for the marketer.

Their inferred interests come from what they did in the demo community (reactions,
comments); runs after the community's demo step (imported after it in api/schema.py).
"""

from __future__ import annotations

from api.container import Container
from api.demo import demo_step
from domain.personalization.rules import SegmentRule, SegmentRuleKind


@demo_step
async def personalization_demo(container: Container, accounts: dict[str, int]) -> None:
    members = container.members
    await members.update_profile(accounts["alice@rally.demo"],
                                 {"interests": ["running", "coffee"], "region": "Paris"})
    await members.update_profile(accounts["bob@rally.demo"], {"interests": ["yoga", "running"]})
    marketer = accounts["marketer@rally.demo"]
    await container.segments.create(marketer, "Runners",
                                    [SegmentRule(SegmentRuleKind.INTEREST, "running")])
    await container.segments.create(marketer, "Active this week",
                                    [SegmentRule(SegmentRuleKind.ACTIVE_WITHIN_DAYS, 7)])
