"""How posts are ranked by HOT (the personalized feed's ranking: domain/personalization).

HOT score (stored in `posts.hot_score`, maintained by every counter update, indexed):

    hot = log10(max(1, reactions + 2 × comments + 3 × shares)) + created_epoch_seconds / 45000

Time decay without rewriting rows: every 45 000 s (12.5 h) of age is worth one order of
magnitude of engagement, so a post needs 10× the engagement to stay level with one 12.5 h
younger. The score only changes when engagement does, so `ORDER BY hot_score DESC, id DESC`
walks the partial index `ix_posts_published_hot`.

"""

from __future__ import annotations

HOT_DECAY_SECONDS = 45000
REACTION_WEIGHT, COMMENT_WEIGHT, SHARE_WEIGHT = 1, 2, 3


def hot_score_sql(reactions: str = "reaction_count", comments: str = "comment_count",
                  shares: str = "share_count", created_at: str = "created_at") -> str:
    """SQL for the score from the given counter expressions (new values in an UPDATE)."""
    return (f"log(greatest(1, {REACTION_WEIGHT} * ({reactions}) + {COMMENT_WEIGHT} * ({comments})"
            f" + {SHARE_WEIGHT} * ({shares}))) + extract(epoch from {created_at}) / "
            f"{HOT_DECAY_SECONDS}")


def hot_score(reactions: int, comments: int, shares: int, created_epoch: float) -> float:
    """The same formula in Python (tests, seeding)."""
    import math

    engagement = REACTION_WEIGHT * reactions + COMMENT_WEIGHT * comments + SHARE_WEIGHT * shares
    return math.log10(max(1, engagement)) + created_epoch / HOT_DECAY_SECONDS

