"""The schema: each area contributes its Query / Mutation / Subscription classes here."""

from __future__ import annotations

import strawberry
from strawberry.tools import merge_types
from strawberry.types import Info

from api.audit.resolvers import AuditQueries
from api.members import loaders as _member_loaders  # noqa: F401  (registers batch loaders)
from api.members.resolvers import MemberMutations, MemberQueries
from api.notifications.subscriptions import NotificationSubscriptions
from api.relay import Node, resolve_node


@strawberry.type
class NodeQueries:
    @strawberry.field(description="Any object by its global id; null when it does not exist.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await resolve_node(info.context, id)


Query = merge_types("Query", (NodeQueries, MemberQueries, AuditQueries))
Mutation = merge_types("Mutation", (MemberMutations,))
Subscription = merge_types("Subscription", (NotificationSubscriptions,))

schema = strawberry.Schema(query=Query, mutation=Mutation, subscription=Subscription)
