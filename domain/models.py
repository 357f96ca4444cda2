"""Every table of the community, imported together for Alembic and for test resets."""

from domain.audit.models import AuditEntry
from domain.members.models import Device, Member, RefreshToken

__all__ = ["AuditEntry", "Device", "Member", "RefreshToken"]
