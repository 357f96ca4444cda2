"""Demo data for analytics: three weeks of tracked behaviour, NPS answers, feedback and an
experiment, so the marketer's reports have something to show. Built through the services;
past days are replayed by handing the tracking service the clock of that day.

Signup cohorts are today's (the demo accounts are created now), so retention fills in from
tomorrow on.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from api.container import Container
from api.demo import DEMO_PASSWORD, demo_step
from domain.analytics.rules import EventKind, TrackedEvent
from domain.community.posts import PostDraft
from domain.experiments.rules import Variant
from domain.feedback.service import FeedbackKind

FANS = [f"Fan {n:02d}" for n in range(1, 9)]
DAYS = 21
FAN_POSTS = [("Sunday long run recap: 18 km along the river", ["running"]),
             ("Best post-run breakfast? Mine is oats and berries", ["running", "food"]),
             ("New trail shoes arrived, first impressions inside", ["running", "gear"]),
             ("Yoga after a hard week does wonders", ["yoga"]),
             ("Cold brew at home, the easy way", ["coffee"]),
             ("Who is up for the 5k fun run next month?", ["running", "events"]),
             ("Stretching routine that fixed my knees", ["yoga", "running"]),
             ("Latte art attempt number 12", ["coffee"])]


def _day_of_events(rng: random.Random, day: int, noon: datetime,
                   posts: list[int]) -> list[TrackedEvent]:
    events = []
    for n in range(rng.randint(6, 20)):
        kind = rng.choices([EventKind.VIEW, EventKind.CLICK, EventKind.DWELL, EventKind.SEARCH],
                           weights=[10, 2, 3, 1])[0]
        events.append(TrackedEvent(
            client_event_id=f"demo-{day}-{n}", kind=kind,
            target_type=None if kind is EventKind.SEARCH else "Post",
            target_id=None if kind is EventKind.SEARCH else rng.choice(posts),
            duration_ms=rng.randint(2_000, 90_000) if kind is EventKind.DWELL else None,
            occurred_at=noon + timedelta(minutes=n * 7),
            context={"query": "running shoes"} if kind is EventKind.SEARCH else None))
    return events


@demo_step
async def analytics_demo(container: Container, accounts: dict[str, int]) -> None:
    rng = random.Random(8)
    members = [accounts[e] for e in ("alice@rally.demo", "bob@rally.demo")]
    for name in FANS:
        email = name.lower().replace(" ", "") + "@rally.demo"
        members.append((await container.members.register(email, DEMO_PASSWORD, name)).member.id)
    # Tracked events must target real posts: each fan shares one.
    posts = [(await container.posts.create(fan, PostDraft(body, topics))).post.id
             for fan, (body, topics) in zip(members[2:], FAN_POSTS, strict=False)]
    now = datetime.now(UTC)
    for days_ago in range(DAYS, -1, -1):
        # Today's events end before now; a past day's are sent three hours after they began.
        start = (now - timedelta(days=days_ago)).replace(hour=12, minute=0, second=0,
                                                           microsecond=0)
        if days_ago == 0:
            start = now - timedelta(minutes=150)
        for member in members:
            if rng.random() < 0.55:  # about half the members come back on a given day
                await container.tracking.track(member, _day_of_events(rng, days_ago, start, posts),
                                               now=start + timedelta(hours=3) if days_ago else None)
    for member, score in zip(members, [10, 9, 8, 6, 10, 9, 3, 7, 9, 10], strict=False):
        await container.feedback.submit(member, FeedbackKind.NPS, score, None, None)
    await container.feedback.submit(members[0], FeedbackKind.IDEA, None,
                                    "A weekly running challenge with friends", None)
    await container.feedback.submit(members[1], FeedbackKind.BUG, None,
                                    "The feed sometimes shows the same post twice", ("Post", 3))
    await _demo_experiment(container, accounts["marketer@rally.demo"], members, rng, posts[0])


async def _demo_experiment(container: Container, marketer: int, members: list[int],
                           rng: random.Random, post: int) -> None:
    await container.experiments.create(marketer, "feed-card-style",
                                       [Variant("classic", 1), Variant("big-photo", 1)], "CLICK")
    for member in members:
        await container.experiments.variant_for(member, "feed-card-style")
        if rng.random() < 0.5:
            click = TrackedEvent(client_event_id="demo-exp-click", kind=EventKind.CLICK,
                                 target_type="Post", target_id=post, duration_ms=None,
                                 occurred_at=datetime.now(UTC), context=None)
            await container.tracking.track(member, [click])
