"""Personalization's bus handlers: declared interests are stored in the profile's transaction."""

from __future__ import annotations

import domain.personalization.learning  # noqa: F401  (behaviour handlers)
from domain.events import InterestsDeclared
from domain.personalization.interests import set_explicit
from rally.events import bus
from rally.uow import UnitOfWork


@bus.subscribe(InterestsDeclared)
async def store_declared_interests(uow: UnitOfWork, event: InterestsDeclared) -> None:
    await set_explicit(uow, event.member_id, event.tags)
