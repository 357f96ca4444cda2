"""Imports every area's personal-data sources so they register (see personal_data.py)."""

import domain.analytics.personal_data
import domain.community.personal_data
import domain.coupons.personal_data
import domain.experiments.personal_data
import domain.feedback.personal_data
import domain.members.personal_data
import domain.notifications.personal_data
import domain.personalization.personal_data
import domain.privacy.consents_personal_data  # noqa: F401
