"""Privacy over GraphQL: consents (applied from the next request on), the data export and
account deletion."""

from __future__ import annotations

from datetime import datetime

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


@strawberry.type(description="A signed link to the JSON document of everything Rally holds "
                             "about the caller (format rally.export/1); it stops working at "
                             "expiresAt.")
class ExportMyDataPayload:
    url: str
    expires_at: datetime


@strawberry.input(description="A member with a password gives it; a guest account types the "
                              "confirmation phrase (\"DELETE MY ACCOUNT\").")
class DeleteMyAccountInput:
    password: str | None = None
    confirmation: str | None = None


@strawberry.type
class DeleteMyAccountPayload:
    deleted: bool


@strawberry.type
class PrivacyRightsMutations:
    @strawberry.mutation(permission_classes=[Authenticated],
                         description="Everything Rally holds about the caller, as one JSON "
                                     "document behind a signed, expiring URL.")
    async def export_my_data(self, info: Info) -> ExportMyDataPayload:
        link = await info.context.services.privacy.export(info.context.require_member().member_id)
        return ExportMyDataPayload(url=link.url, expires_at=link.expires_at)

    @strawberry.mutation(permission_classes=[Authenticated],
                         description="Revokes every token and anonymizes the caller's personal "
                                     "data (policy per kind of data in the README); the email "
                                     "can register again.")
    async def delete_my_account(self, info: Info,
                                input: DeleteMyAccountInput) -> DeleteMyAccountPayload:
        await info.context.services.privacy.delete_account(
            info.context.require_member().member_id, input.password, input.confirmation)
        return DeleteMyAccountPayload(deleted=True)
