"""Notifications the members area owes: a member is told when his roles change."""

from __future__ import annotations

from domain.events import RolesChanged
from domain.notifications.service import NotificationKind, notify
from rally.events import bus
from rally.uow import UnitOfWork


@bus.subscribe(RolesChanged)
async def tell_member_his_roles_changed(uow: UnitOfWork, event: RolesChanged) -> None:
    # The app refreshes its access token on this, so new powers apply at once.
    await notify(uow, member_id=event.member_id, kind=NotificationKind.SYSTEM,
                 data={"reason": "ROLES_CHANGED", "roles": list(event.roles)})
