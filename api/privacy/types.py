from __future__ import annotations

from datetime import datetime

import strawberry

from domain.privacy.service import Consent as ConsentValue
from domain.privacy.service import Purpose


@strawberry.type(description="One consent answer. policyVersion and changedAt are null while "
                             "the member has not answered and the default applies.")
class Consent:
    granted: bool
    policy_version: str | None
    changed_at: datetime | None

    @classmethod
    def from_domain(cls, value: ConsentValue) -> Consent:
        return cls(granted=value.granted, policy_version=value.policy_version,
                   changed_at=value.changed_at)


@strawberry.type(description="What the member allows; visible to himself only.")
class Consents:
    analytics: Consent
    personalization: Consent
    marketing: Consent

    @classmethod
    def from_domain(cls, values: list[ConsentValue]) -> Consents:
        by_purpose = {v.purpose: Consent.from_domain(v) for v in values}
        return cls(analytics=by_purpose[Purpose.ANALYTICS],
                   personalization=by_purpose[Purpose.PERSONALIZATION],
                   marketing=by_purpose[Purpose.MARKETING])
