"""Every table of gamification, imported together for Alembic and for test resets."""

import gamification.campaigns.models  # noqa: F401

__all__: list[str] = []
