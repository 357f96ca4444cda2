"""Every table of the community, imported together for Alembic and for test resets.

One line per module: branches that add a module add a line, so merges stay trivial.
"""

import domain.analytics.models
import domain.audit.models
import domain.community.models
import domain.coupons.models
import domain.experiments.models
import domain.feedback.models
import domain.members.models
import domain.moderation.models
import domain.notifications.models
import domain.personalization.models
import domain.privacy.models  # noqa: F401
