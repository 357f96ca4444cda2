"""A suspended (or banned) member can read, but every mutation he sends is refused."""

from __future__ import annotations

from graphql import FieldNode, OperationDefinitionNode

from api.context import Context
from domain.moderation.service import write_refusal
from rally.errors import Forbidden

# Signing in and out, and the member's own privacy rights, stay open to him.
_ALWAYS_ALLOWED = frozenset({"register", "login", "loginWithDevice", "refreshToken", "logout",
                             "exportMyData", "deleteMyAccount", "markNotificationsRead"})
_STATUS = "SELECT status, suspended_until, status_reason, now() AS now FROM members WHERE id = $1"


async def write_refused(context: Context, operation: OperationDefinitionNode) -> Forbidden | None:
    """Why this mutation may not run for the caller, or None (one indexed read)."""
    member_id = context.viewer_id
    if member_id is None:
        return None
    fields = {s.name.value for s in operation.selection_set.selections if isinstance(s, FieldNode)}
    if fields and fields <= _ALWAYS_ALLOWED:
        return None
    rows = await context.container.fetch(_STATUS, member_id)
    if not rows:
        return None
    row = rows[0]
    return write_refusal(row["status"], row["suspended_until"], row["status_reason"], row["now"])
