"""GraphQL over WebSocket on `/graphql`: see `api/realtime/` (connection protocol, hub, streams)."""

from api.realtime.server import RealtimeServer as GraphQLWebSocket

__all__ = ["GraphQLWebSocket"]
