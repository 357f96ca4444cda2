"""Gamification enums of the schema (apart, so `User` can use them without an import cycle)."""

from __future__ import annotations

import strawberry

from gamification import rules

ActionEnum = strawberry.enum(rules.Action, name="PointAction",
                             description="The member actions a points rule pays.")
CriterionEnum = strawberry.enum(rules.Criterion, name="BadgeCriterion",
                                description="The counter a badge is judged on.")
TierEnum = strawberry.enum(rules.Tier, name="BadgeTier")
BoardKindEnum = strawberry.enum(rules.BoardKind, name="LeaderboardKind")
