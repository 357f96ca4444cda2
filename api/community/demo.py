"""Demo community: posts in several topics, comments and replies, reactions, follows, and
one report waiting in the moderation queue."""

from __future__ import annotations

from api.container import Container
from api.demo import demo_step
from domain.community.models import ReactionKind, TargetType
from domain.community.posts import PostDraft

_POSTS = [
    ("alice@rally.demo", "First 10k of the season done! Who's joining Sunday's run? @Bob",
     ["running", "runclub"]),
    ("bob@rally.demo", "New trail shoes arrived. Grip is unreal on wet rocks.", ["gear", "trail"]),
    ("alice@rally.demo", "Post-run flat white ☕ — best part of the morning.", ["coffee"]),
    ("marketer@rally.demo", "Welcome to the Rally community! Share your runs with #running.",
     ["announcements", "running"]),
    ("bob@rally.demo", "Hill repeats tonight: 8 × 200 m. Legs are toast.", ["running", "training"]),
    ("alice@rally.demo", "Does anyone stretch before or after? Asking for my calves.",
     ["training"]),
]


@demo_step
async def community(container: Container, accounts: dict[str, int]) -> None:
    alice, bob = accounts["alice@rally.demo"], accounts["bob@rally.demo"]
    marketer, merchant = accounts["marketer@rally.demo"], accounts["merchant@rally.demo"]
    posts = [(await container.posts.create(accounts[email], PostDraft(body, topics))).post.id
             for email, body, topics in _POSTS]
    first = await container.comments.create(bob, posts[0], "Count me in! 8am at the park?")
    await container.comments.create(alice, posts[0], "8am it is 🙌", parent_id=first.comment.id)
    await container.comments.create(alice, posts[1], "Which model? Mine slip on roots.")
    await container.comments.create(marketer, posts[4], "That's the spirit 💪")
    reactions = [(bob, 0, ReactionKind.LOVE), (marketer, 0, ReactionKind.LIKE),
                 (merchant, 0, ReactionKind.WOW), (alice, 1, ReactionKind.LIKE),
                 (bob, 2, ReactionKind.LIKE), (alice, 3, ReactionKind.LOVE),
                 (bob, 3, ReactionKind.LIKE), (alice, 4, ReactionKind.HAHA)]
    for member, index, kind in reactions:
        await container.reactions.react(member, TargetType.POST, posts[index], kind)
    await container.social.follow_member(bob, alice)
    await container.social.follow_topic(alice, "running")
    await container.social.follow_topic(bob, "gear")
    # One report, below the hiding threshold: the moderator finds an open case.
    await container.moderation.report(merchant, TargetType.POST, posts[1], "SPAM",
                                      "Looks like an ad for shoes?")
