"""Every table of the community, imported together for Alembic and for test resets."""

from domain.analytics.models import (
    DailyCounter,
    MemberActivityDay,
    MemberSignup,
    TrackedEventKey,
    tracked_events,
)
from domain.audit.models import AuditEntry
from domain.experiments.models import (
    Experiment,
    ExperimentConversion,
    ExperimentExposure,
    ExperimentVariant,
)
from domain.feedback.models import Feedback
from domain.members.models import Device, Member, RefreshToken
from domain.notifications.models import Notification
from domain.privacy.models import ConsentChange, MemberConsent

__all__ = [
    "AuditEntry", "ConsentChange", "DailyCounter", "Device", "Experiment", "ExperimentConversion",
    "ExperimentExposure", "ExperimentVariant", "Feedback", "Member", "MemberActivityDay",
    "MemberConsent", "MemberSignup", "Notification", "RefreshToken", "TrackedEventKey",
    "tracked_events",
]
