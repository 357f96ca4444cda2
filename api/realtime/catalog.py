"""Every module that declares streams; imported once when the hub starts.

Add a line per area (e.g. `import api.community.subscriptions`) when it declares streams.
"""

import api.campaigns.subscriptions
import api.community.subscriptions
import api.gamification.subscriptions
import api.notifications.subscriptions  # noqa: F401
