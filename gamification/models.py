"""Every table of gamification, imported together for Alembic and for test resets."""

__all__: list[str] = []
