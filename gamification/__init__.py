"""Points ledger, levels, badges, streaks, challenges, leaderboards, mini-games and rules.

Reacts to domain events on the bus; never imports Strawberry.
"""
