"""Demo data for `RALLY_ENV=dev`: a living community a new user can explore at once.

Built through the services, like the tests, so it obeys every rule. Each area adds its part
to `DEMO_STEPS`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy import func, select

from api.container import Container
from domain.members.models import Member, Role

DEMO_PASSWORD = "rally-demo-pass"
DEMO_ACCOUNTS = [
    ("admin@rally.demo", "Ada Admin", [Role.ADMIN]),
    ("moderator@rally.demo", "Mo Moderator", [Role.MODERATOR]),
    ("marketer@rally.demo", "Mia Marketer", [Role.MARKETER]),
    ("merchant@rally.demo", "Max Merchant", [Role.MERCHANT]),
    ("alice@rally.demo", "Alice", []),
    ("bob@rally.demo", "Bob", []),
]

DemoStep = Callable[[Container, dict[str, int]], Awaitable[None]]
DEMO_STEPS: list[DemoStep] = []


def demo_step(step: DemoStep) -> DemoStep:
    DEMO_STEPS.append(step)
    return step


async def is_empty(container: Container) -> bool:
    async with container.uow() as uow:
        return not await uow.session.scalar(select(func.count()).select_from(Member))


async def seed_demo(container: Container) -> dict[str, int]:
    if container.settings.env == "prod":
        raise RuntimeError("demo data is for development only; refusing with RALLY_ENV=prod")
    import api.schema  # noqa: F401  (importing every area registers its demo steps)
    accounts: dict[str, int] = {}
    for email, name, roles in DEMO_ACCOUNTS:
        session = await container.members.register(email, DEMO_PASSWORD, name,
                                                   roles=[r.value for r in roles])
        accounts[email] = session.member.id
    for step in DEMO_STEPS:
        await step(container, accounts)
    await container.relay.drain()
    return accounts


def describe_demo_accounts() -> str:
    lines = ["Demo accounts (password: %s):" % DEMO_PASSWORD]
    for email, _, roles in DEMO_ACCOUNTS:
        lines.append(f"  {email:<24} {', '.join(r.value for r in roles) or 'MEMBER'}")
    return "\n".join(lines)


# Areas register their demo steps on import (after `demo_step` exists).
from api.analytics import demo as _analytics_demo  # noqa: E402,F401
