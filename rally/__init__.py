"""Rally's platform kernel: configuration, persistence, messaging and limits.

Nothing here knows about posts or points; `domain/` and `gamification/` build on it,
`api/` wires it to HTTP, WebSocket and the command line.
"""
