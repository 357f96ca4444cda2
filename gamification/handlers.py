"""Event handlers gamification registers on the bus (filled in by the gamification module)."""
