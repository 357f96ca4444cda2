"""Pure rules of campaigns: prize tables and their odds, quizzes, windows, challenge terms.

No I/O: every function here is checked before anything is written, and unit-tested.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from gamification.campaigns.models import ChallengeAction, GameKind
from rally.errors import InvalidInput

TITLE_MAX = 120
TEXT_MAX = 4000
TOPIC_MAX = 64
URL_MAX = 2048


@dataclass(frozen=True)
class PrizeDraft:
    name: str = ""
    weight: int = 0
    points: int = 0
    coupon_campaign_id: int | None = None
    stock: int | None = None
    min_score: int | None = None

    @property
    def pays(self) -> bool:
        return self.points > 0 or self.coupon_campaign_id is not None


@dataclass(frozen=True)
class QuestionDraft:
    prompt: str
    options: list[str]
    correct: list[int]


@dataclass(frozen=True)
class Limits:
    max_prizes: int
    max_questions: int
    max_options: int
    max_weight: int
    max_points: int


def title(value: str, field: str = "title") -> str:
    cleaned = " ".join(value.split())
    if not cleaned or len(cleaned) > TITLE_MAX:
        raise InvalidInput(f"a {field} has 1 to {TITLE_MAX} characters", field=field)
    return cleaned


def long_text(value: str | None, field: str) -> str:
    cleaned = (value or "").strip()
    if len(cleaned) > TEXT_MAX:
        raise InvalidInput(f"{field} has at most {TEXT_MAX} characters", field=field)
    return cleaned


def window(starts_at: datetime, ends_at: datetime) -> None:
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise InvalidInput("times need a time zone", field="startsAt")
    if ends_at <= starts_at:
        raise InvalidInput("the window must end after it starts", field="endsAt")


def not_negative(value: int, field: str, maximum: int | None = None) -> int:
    if value < 0:
        raise InvalidInput(f"{field} must not be negative", field=field)
    if maximum is not None and value > maximum:
        raise InvalidInput(f"{field} is at most {maximum}", field=field, maximum=maximum)
    return value


def topic(value: str | None) -> str | None:
    if value is None:
        return None
    cleaned = value.strip().lstrip("#").lower()
    if not cleaned or len(cleaned) > TOPIC_MAX:
        raise InvalidInput(f"a topic has 1 to {TOPIC_MAX} characters", field="topic")
    return cleaned


def url(value: str | None, field: str) -> str | None:
    if value is None:
        return None
    cleaned = value.strip()
    if len(cleaned) > URL_MAX or not cleaned.startswith(("https://", "http://")):
        raise InvalidInput("give an http(s) URL", field=field)
    return cleaned


# --- mini-games -------------------------------------------------------------------------


def prize_table(kind: GameKind, prizes: Sequence[PrizeDraft], question_count: int,
                limits: Limits) -> list[PrizeDraft]:
    """The prize table as given, or BAD_USER_INPUT naming the first wrong field."""
    if not 1 <= len(prizes) <= limits.max_prizes:
        raise InvalidInput(f"a game has 1 to {limits.max_prizes} prize slots", field="prizes")
    checked = []
    for i, prize in enumerate(prizes):
        where = f"prizes[{i}]"
        if prize.points and prize.coupon_campaign_id is not None:
            raise InvalidInput("a prize pays points or a coupon, not both", field=where)
        not_negative(prize.weight, f"{where}.weight", limits.max_weight)
        not_negative(prize.points, f"{where}.points", limits.max_points)
        if prize.stock is not None:
            not_negative(prize.stock, f"{where}.stock")
        if kind == GameKind.QUIZ:
            if prize.min_score is None or not 0 <= prize.min_score <= question_count:
                raise InvalidInput(f"a quiz prize needs a minScore from 0 to {question_count}",
                                   field=f"{where}.minScore")
        elif prize.min_score is not None:
            raise InvalidInput("minScore is for quiz tiers only", field=f"{where}.minScore")
        name = title(prize.name, f"{where}.name") if prize.name else default_prize_name(prize)
        checked.append(PrizeDraft(name, prize.weight,
                                  prize.points, prize.coupon_campaign_id, prize.stock,
                                  prize.min_score))
    if kind == GameKind.QUIZ:
        scores = [p.min_score for p in checked]
        if len(set(scores)) != len(scores):
            raise InvalidInput("each quiz tier needs its own minScore", field="prizes")
    elif sum(p.weight for p in checked) <= 0:
        raise InvalidInput("the prize weights must sum to more than zero", field="prizes")
    return checked


def default_prize_name(prize: PrizeDraft) -> str:
    """API.md's prize input has no name: say what it pays."""
    if prize.points:
        return f"{prize.points} points"
    return "Coupon" if prize.coupon_campaign_id is not None else "No prize"


def questions(kind: GameKind, drafts: Sequence[QuestionDraft], limits: Limits
              ) -> list[QuestionDraft]:
    if kind != GameKind.QUIZ:
        if drafts:
            raise InvalidInput("only a QUIZ has questions", field="questions")
        return []
    if not 1 <= len(drafts) <= limits.max_questions:
        raise InvalidInput(f"a quiz has 1 to {limits.max_questions} questions",
                           field="questions")
    checked = []
    for i, q in enumerate(drafts):
        where = f"questions[{i}]"
        options = [title(o, f"{where}.options") for o in q.options]
        if not 2 <= len(options) <= limits.max_options:
            raise InvalidInput(f"a question has 2 to {limits.max_options} options",
                               field=f"{where}.options")
        correct = sorted(set(q.correct))
        if not correct or any(not 0 <= c < len(options) for c in correct):
            raise InvalidInput("name at least one correct option by its index",
                               field=f"{where}.correct")
        prompt = long_text(q.prompt, f"{where}.prompt")
        if not prompt:
            raise InvalidInput("a question needs a prompt", field=f"{where}.prompt")
        checked.append(QuestionDraft(prompt, options, correct))
    return checked


def split_stock(stock: int, shards: int) -> list[int]:
    """Units per shard: as even as possible, no empty shard."""
    count = max(1, min(stock, shards))
    base, extra = divmod(stock, count)
    return [base + (1 if i < extra else 0) for i in range(count)]


def probabilities(weights: Sequence[int]) -> list[float]:
    total = sum(weights)
    return [w / total if total else 0.0 for w in weights]


def draw(weights: Sequence[int], below: Callable[[int], int] = secrets.randbelow) -> int:
    """Index of the slot drawn, each with probability weight / total, from a
    cryptographic RNG (`secrets`), so members cannot predict or bias outcomes."""
    total = sum(weights)
    if total <= 0:
        raise ValueError("no weight to draw from")
    ticket = below(total)
    for index, weight in enumerate(weights):
        if ticket < weight:
            return index
        ticket -= weight
    raise AssertionError("unreachable: ticket below the total weight")


def quiz_score(questions_json: Sequence[dict[str, object]], answers: Sequence[Sequence[int]]
               ) -> int:
    """How many questions were answered exactly (the same set of options as the key)."""
    if len(answers) != len(questions_json):
        raise InvalidInput(f"answer each of the {len(questions_json)} questions, in order",
                           field="answers")
    score = 0
    for i, (question, chosen) in enumerate(zip(questions_json, answers, strict=True)):
        options = question["options"]
        assert isinstance(options, list)
        if any(not 0 <= c < len(options) for c in chosen):
            raise InvalidInput("an answer names an option that does not exist",
                               field=f"answers[{i}]")
        key = question["correct"]
        assert isinstance(key, list)
        score += set(chosen) == set(key)
    return score


def quiz_tier(min_scores: Sequence[int | None], score: int) -> int | None:
    """Index of the best tier the score reaches, or None."""
    reached = [(m, i) for i, m in enumerate(min_scores) if m is not None and m <= score]
    return max(reached)[1] if reached else None


# --- challenges -------------------------------------------------------------------------


class ChallengeStatus(StrEnum):
    UPCOMING = "UPCOMING"
    ACTIVE = "ACTIVE"
    ENDED = "ENDED"


def challenge_status(starts_at: datetime, ends_at: datetime, ended_at: datetime | None,
                     now: datetime) -> ChallengeStatus:
    if ended_at is not None or now >= ends_at:
        return ChallengeStatus.ENDED
    return ChallengeStatus.UPCOMING if now < starts_at else ChallengeStatus.ACTIVE


def challenge_action(action: ChallengeAction, topic_name: str | None) -> str | None:
    """POST_WITH_TOPIC needs its topic; no other action takes one."""
    if action == ChallengeAction.POST_WITH_TOPIC:
        checked = topic(topic_name)
        if checked is None:
            raise InvalidInput("POST_WITH_TOPIC needs a topic", field="topic")
        return checked
    if topic_name is not None:
        raise InvalidInput("only POST_WITH_TOPIC takes a topic", field="topic")
    return None


def positive(value: int, field: str, maximum: int) -> int:
    if not 1 <= value <= maximum:
        raise InvalidInput(f"{field} is between 1 and {maximum}", field=field, maximum=maximum)
    return value
