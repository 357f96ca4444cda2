"""Consents over GraphQL: the member changes his own; they apply from the next request on."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from api.permissions import Authenticated
from api.privacy.types import Consents
from domain.privacy.service import Purpose


@strawberry.input(description="Only the purposes given change; each change is recorded with "
                              "the time and the policy version.")
class UpdateConsentsInput:
    analytics: bool | None = strawberry.UNSET
    personalization: bool | None = strawberry.UNSET
    marketing: bool | None = strawberry.UNSET


@strawberry.type
class ConsentsPayload:
    consents: Consents


@strawberry.type
class PrivacyMutations:
    @strawberry.mutation(permission_classes=[Authenticated])
    async def update_consents(self, info: Info, input: UpdateConsentsInput) -> ConsentsPayload:
        changes = {Purpose(name.upper()): value for name, value in vars(input).items()
                   if value is not strawberry.UNSET and value is not None}
        consents = await info.context.services.consents.update(
            info.context.require_member().member_id, changes)
        return ConsentsPayload(consents=Consents.from_domain(consents))
