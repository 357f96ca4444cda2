"""In-app feedback: members submit, staff (moderators, marketers) list it and move its status.
NPS answers are also counted into the daily counters the engagement report reads."""

from __future__ import annotations

from collections import Counter
from datetime import date
from enum import StrEnum

from sqlalchemy import select

from domain.analytics.rollups import Metric, add_counts
from domain.audit import service as audit
from domain.feedback.models import Feedback
from domain.pagination import Page, PageRequest, keyset_page
from rally.clock import brand_day
from rally.errors import InvalidInput, NotFound
from rally.ratelimit import Limit, RateLimiter
from rally.uow import UnitOfWorkFactory

MAX_TEXT = 2000


class FeedbackKind(StrEnum):
    NPS = "NPS"
    BUG = "BUG"
    IDEA = "IDEA"
    COMPLAINT = "COMPLAINT"


class FeedbackStatus(StrEnum):
    NEW = "NEW"
    IN_REVIEW = "IN_REVIEW"
    RESOLVED = "RESOLVED"
    DISMISSED = "DISMISSED"


def check_submission(kind: FeedbackKind, score: int | None, text: str | None) -> str | None:
    """The cleaned text; NPS needs a 0–10 score, the other kinds need words, not a score."""
    cleaned = (text or "").strip() or None
    if cleaned is not None and len(cleaned) > MAX_TEXT:
        raise InvalidInput(f"text must be at most {MAX_TEXT} characters", field="text")
    if kind is FeedbackKind.NPS:
        if score is None or not 0 <= score <= 10:
            raise InvalidInput("an NPS answer needs a score from 0 to 10", field="score")
    else:
        if score is not None:
            raise InvalidInput("only NPS feedback has a score", field="score")
        if cleaned is None:
            raise InvalidInput(f"{kind.value} feedback needs a text", field="text")
    return cleaned


def nps_counts(day: date, score: int) -> Counter[tuple[date, str]]:
    counts = Counter({(day, Metric.NPS_RESPONSES): 1})
    if score >= 9:
        counts[(day, Metric.NPS_PROMOTERS)] += 1
    elif score <= 6:
        counts[(day, Metric.NPS_DETRACTORS)] += 1
    return counts


class FeedbackService:
    def __init__(self, uow: UnitOfWorkFactory, limiter: RateLimiter) -> None:
        self._uow = uow
        self._limiter = limiter
        self._per_hour = Limit("feedback", uow.settings.feedback_per_hour, 3600)

    async def submit(self, member_id: int, kind: FeedbackKind, score: int | None, text: str | None,
                     target: tuple[str, int] | None) -> Feedback:
        cleaned = check_submission(kind, score, text)
        await self._limiter.hit(self._per_hour, str(member_id), "too much feedback; try later")
        async with self._uow() as uow:
            feedback = Feedback(member_id=member_id, kind=kind.value, score=score, text=cleaned,
                                target_type=target[0] if target else None,
                                target_id=target[1] if target else None,
                                status=FeedbackStatus.NEW.value)
            uow.session.add(feedback)
            await uow.session.flush()
            if kind is FeedbackKind.NPS and score is not None:
                day = brand_day(await uow.now(), uow.settings.tz)
                await add_counts(uow, nps_counts(day, score), member_id)
            await uow.session.refresh(feedback)
            await uow.commit()
            return feedback

    async def list(self, page: PageRequest, status: FeedbackStatus | None,
                   kind: FeedbackKind | None) -> Page[Feedback]:
        query = select(Feedback)
        if status is not None:
            query = query.where(Feedback.status == status.value)
        if kind is not None:
            query = query.where(Feedback.kind == kind.value)
        async with self._uow() as uow:
            return await keyset_page(uow.session, query, Feedback.id, page)

    async def set_status(self, actor_id: int, feedback_id: int, status: FeedbackStatus) -> Feedback:
        async with self._uow() as uow:
            feedback = await uow.session.scalar(
                select(Feedback).where(Feedback.id == feedback_id).with_for_update())
            if feedback is None:
                raise NotFound("no such feedback", id=feedback_id)
            before = feedback.status
            feedback.status = status.value
            feedback.status_changed_by = actor_id
            feedback.status_changed_at = await uow.now()
            await audit.record(uow, actor_id=actor_id, action="SET_FEEDBACK_STATUS",
                               target_type="FEEDBACK", target_id=feedback_id,
                               before={"status": before}, after={"status": status.value})
            await uow.session.flush()
            await uow.commit()
            return feedback
