"""Declarative role checks for fields and mutations.

    @strawberry.mutation(permission_classes=[requires(Role.MODERATOR)])

`Authenticated` needs any logged-in member; `requires(*roles)` needs one of the roles
(ADMIN holds every power). Refusals raise the domain errors the error mapping turns into
UNAUTHENTICATED / FORBIDDEN.
"""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission
from strawberry.types import Info

from domain.members.models import Role


class Authenticated(BasePermission):
    message = "log in to do this"

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        info.context.require_member()
        return True


_role_permissions: dict[tuple[Role, ...], type[BasePermission]] = {}


def requires(*roles: Role) -> type[BasePermission]:
    key = tuple(sorted(roles))
    if key not in _role_permissions:

        def has_permission(self: BasePermission, source: Any, info: Info, **kwargs: Any) -> bool:
            info.context.require_role(*key)
            return True

        _role_permissions[key] = type(
            "Requires" + "Or".join(r.value.title() for r in key),
            (BasePermission,),
            {"has_permission": has_permission, "message": "forbidden", "roles": key},
        )
    return _role_permissions[key]
