"""The "for you" ranking: one SQL statement scores candidates, pure functions pick the page.

Candidates (each source at most `feed_candidates_per_source`, never a post already served in
this feed session): latest posts of followed members, latest posts on followed topics or the
member's strongest interests, the HOT posts, the latest posts. Each candidate is scored

    score = 3·[author followed] + 2·[topic followed] + 3·interest/(interest + 2)
            + 1·log10(engagement) + 1.5·0.5^(age / feed_fresh_half_life_hours)

where `interest` is the summed current weight of the member's interests among the post's
topics (inferred weights decayed on read) and engagement = reactions + 2·comments + 3·shares
(as the HOT score). A member who opted out of personalization, or withdrew his consent, gets
no follow or interest terms: latest and hot only. Diversity: at most
`feed_max_posts_per_author` posts of one author per page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from domain.community.queries import POST_COLUMNS

W_AUTHOR, W_TOPIC, W_INTEREST, INTEREST_HALF, W_ENGAGEMENT, W_FRESH = 3.0, 2.0, 3.0, 2.0, 1.0, 1.5
POPULAR_ENGAGEMENT = 1.0  # log10: 10 weighted interactions make a post "popular"

# $1 viewer, $2 personalization consent default, $3 interest half-life (s), $4 interest tags,
# $5 candidates per source, $6 ids served this session, $7 rows wanted, $8 freshness half-life (h)
CANDIDATES_SQL = f"""
WITH me AS (
  SELECT NOT m.personalization_opt_out AND COALESCE(c.granted, $2) AS personal
  FROM members m
  LEFT JOIN member_consents c ON c.member_id = m.id AND c.purpose = 'PERSONALIZATION'
  WHERE m.id = $1
), authors AS (
  SELECT f.followee_id AS id FROM member_follows f, me WHERE f.follower_id = $1 AND me.personal
), followed_topics AS (
  SELECT coalesce(array_agg(t.topic), '{{}}')::varchar[] AS list
  FROM topic_follows t, me WHERE t.member_id = $1 AND me.personal
), interests AS (
  SELECT i.tag, sum(CASE WHEN i.source = 'EXPLICIT' THEN i.score ELSE i.score * power(0.5,
           greatest(0, extract(epoch FROM now() - i.scored_at)::float8) / $3) END) AS weight
  FROM member_interests i, me WHERE i.member_id = $1 AND me.personal
  GROUP BY i.tag ORDER BY weight DESC, i.tag LIMIT $4
), strongest AS (  -- strongest first, so the first tag a post matches is its best one
  SELECT coalesce(array_agg(tag ORDER BY weight DESC, tag), '{{}}')::varchar[] AS tags,
         coalesce(array_agg(weight ORDER BY weight DESC, tag), '{{}}')::float8[] AS weights
  FROM interests
), wanted AS (
  SELECT (SELECT list FROM followed_topics) || (SELECT tags FROM strongest) AS list
), candidates AS (
  (SELECT p.id FROM posts p WHERE p.author_id IN (SELECT id FROM authors)
     AND p.status = 'PUBLISHED' AND p.id <> ALL($6::bigint[]) ORDER BY p.id DESC LIMIT $5)
  UNION
  (SELECT p.id FROM posts p, wanted w WHERE p.topics && w.list
     AND p.status = 'PUBLISHED' AND p.id <> ALL($6::bigint[]) ORDER BY p.id DESC LIMIT $5)
  UNION
  (SELECT p.id FROM posts p WHERE p.status = 'PUBLISHED' AND p.id <> ALL($6::bigint[])
     ORDER BY p.hot_score DESC, p.id DESC LIMIT $5)
  UNION
  (SELECT p.id FROM posts p WHERE p.status = 'PUBLISHED' AND p.id <> ALL($6::bigint[])
     ORDER BY p.id DESC LIMIT $5)
), features AS (
  SELECT {POST_COLUMNS},
    p.author_id IN (SELECT id FROM authors) AS followed_author,
    (SELECT t FROM unnest(p.topics) t WHERE t = ANY(ft.list) LIMIT 1) AS followed_topic,
    (SELECT x.t FROM unnest(iv.tags) WITH ORDINALITY x(t, n) WHERE x.t = ANY(p.topics)
     ORDER BY x.n LIMIT 1) AS interest_tag,
    coalesce((SELECT sum(x.w) FROM unnest(iv.tags, iv.weights) x(t, w)
              WHERE x.t = ANY(p.topics)), 0) AS interest,
    log(greatest(1, p.reaction_count + 2 * p.comment_count + 3 * p.share_count)) AS engagement,
    power(0.5, greatest(0, extract(epoch FROM now() - p.created_at)::float8) / 3600 / $8)
      AS freshness
  FROM posts p JOIN candidates USING (id) CROSS JOIN followed_topics ft CROSS JOIN strongest iv
  WHERE p.author_id <> $1
    AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = $1 AND b.blocked_id = p.author_id)
                    OR (b.blocker_id = p.author_id AND b.blocked_id = $1))
)
SELECT *, {W_AUTHOR} * followed_author::int + {W_TOPIC} * (followed_topic IS NOT NULL)::int
          + {W_INTEREST} * interest / (interest + {INTEREST_HALF})
          + {W_ENGAGEMENT} * engagement + {W_FRESH} * freshness AS score
FROM features ORDER BY score DESC, id DESC LIMIT $7
"""


def feed_reason(row: Any) -> str:
    """Why a post is in the feed, in a few words: its strongest personal reason, else why it
    is generally worth seeing."""
    if row["followed_author"]:
        return "From someone you follow"
    interest = W_INTEREST * row["interest"] / (row["interest"] + INTEREST_HALF)
    if row["followed_topic"] is not None and W_TOPIC >= interest:
        return f"You follow #{row['followed_topic']}"
    if row["interest_tag"] is not None:
        return f"Because you like #{row['interest_tag']}"
    if row["engagement"] >= POPULAR_ENGAGEMENT:
        return "Popular now"
    return "New in the community"


@dataclass(frozen=True)
class Ranked:
    record: Any
    reason: str


def diversify(rows: Sequence[Any], size: int, per_author: int) -> tuple[list[Ranked], bool]:
    """The best `size` rows with at most `per_author` of one author, and whether any row is
    left over (rows skipped for their author stay candidates for the next page)."""
    chosen: list[Ranked] = []
    by_author: dict[int, int] = {}
    for row in rows:
        if len(chosen) == size:
            break
        author = row["author_id"]
        if by_author.get(author, 0) < per_author:
            by_author[author] = by_author.get(author, 0) + 1
            chosen.append(Ranked(row, feed_reason(row)))
    return chosen, len(rows) > len(chosen)
