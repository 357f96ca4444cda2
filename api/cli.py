"""The `rally` command: serve, migrate, seed demo data, manage users, export the schema."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from api.runtime import runtime
from rally.logging import configure_logging
from rally.migrate import upgrade
from rally.settings import get_settings

T = TypeVar("T")
SCHEMA_PATH = Path(__file__).parent / "schema.graphql"


def _with_container(work: Callable[[Any], Awaitable[T]]) -> T:
    from api.container import Container

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)

    async def run() -> T:
        container = Container.build(settings)
        try:
            return await work(container)
        finally:
            await container.close()

    with runtime(settings) as urls:
        upgrade(urls.database_url)
        return asyncio.run(run())


def _exit_on_signal(signum: int, frame: Any) -> None:
    raise SystemExit(0)


@click.group()
def main() -> None:
    """Rally: the backend of a brand's gamified community app."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int)
def serve(host: str, port: int, workers: int) -> None:
    """Migrate, load demo data into an empty dev database, and serve HTTP + WebSocket."""
    import uvicorn

    from api.demo import describe_demo_accounts, is_empty, seed_demo

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    with runtime(settings) as urls:
        upgrade(urls.database_url)
        if settings.is_dev:
            async def seed_if_empty(container: Any) -> bool:
                if await is_empty(container):
                    await seed_demo(container)
                    return True
                return False

            from api.container import Container

            async def run_seed() -> bool:
                container = Container.build(get_settings())
                try:
                    return await seed_if_empty(container)
                finally:
                    await container.close()

            if asyncio.run(run_seed()):
                click.echo("Loaded demo data.")
            click.echo(describe_demo_accounts())
        click.echo(f"Rally on http://{host}:{port}/graphql (GraphiQL in a browser)")
        # uvicorn re-raises SIGTERM after its graceful shutdown; turning it into SystemExit
        # lets `runtime` stop the embedded servers instead of the process dying under them.
        signal.signal(signal.SIGTERM, _exit_on_signal)
        uvicorn.run("api.app:app_factory", factory=True, host=host, port=port, workers=workers,
                    lifespan="on", log_level="warning", timeout_graceful_shutdown=5,
                    # one frame is sent to thousands of sockets: compressing each costs more
                    # CPU than the bandwidth it saves on small JSON
                    ws_per_message_deflate=False, ws_max_size=settings.ws_max_message_bytes)


@main.command()
def migrate() -> None:
    """Apply every migration to the database."""
    settings = get_settings()
    with runtime(settings) as urls:
        upgrade(urls.database_url)
    click.echo("migrated to head")


@main.command("seed-demo")
def seed_demo_command() -> None:
    """Load the demo community (refused when RALLY_ENV=prod)."""
    from api.demo import describe_demo_accounts, seed_demo

    if get_settings().env == "prod":
        raise click.ClickException("demo data is for development only (RALLY_ENV=prod)")
    _with_container(seed_demo)
    click.echo(describe_demo_accounts())


@main.group()
def users() -> None:
    """Manage accounts."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--name", "display_name", default=None, help="Display name (default: from email)")
@click.option("--role", "roles", multiple=True, help="MODERATOR, MARKETER, MERCHANT or ADMIN")
def users_create(email: str, password: str, display_name: str | None, roles: tuple[str, ...]) -> None:
    name = display_name or email.split("@", 1)[0][:32].ljust(2, "_")

    async def work(container: Any) -> None:
        session = await container.members.register(email, password, name,
                                                   roles=[r.upper() for r in roles])
        click.echo(f"created member {session.member.id} {session.member.email} "
                   f"{','.join(session.member.roles)}")

    _run_user_command(work)


@users.command("grant")
@click.argument("email")
@click.argument("role")
def users_grant(email: str, role: str) -> None:
    async def work(container: Any) -> None:
        member = await container.members.find_by_email(email)
        member = await container.members.set_role(None, member.id, role.upper(), granted=True)
        click.echo(f"{member.email}: {','.join(member.roles)}")

    _run_user_command(work)


def _run_user_command(work: Callable[[Any], Awaitable[None]]) -> None:
    from rally.errors import DomainError

    try:
        _with_container(work)
    except DomainError as error:
        raise click.ClickException(error.message) from error


@main.command("retention")
@click.option("--days", type=int, default=None,
              help="Keep raw events this many days (default: RALLY_RAW_EVENT_RETENTION_DAYS).")
def retention(days: int | None) -> None:
    """Delete raw tracked events older than the retention age (rollups stay) and expired data
    exports. Safe to repeat."""
    from domain.analytics.retention import apply_retention

    settings = get_settings()
    if days is not None:
        if days <= settings.track_max_age_days:
            raise click.BadParameter(f"must be more than {settings.track_max_age_days}",
                                     param_hint="--days")
        settings = settings.model_copy(update={"raw_event_retention_days": days})

    async def work(container: Any) -> Any:
        outcome = await apply_retention(container.engine, settings)
        return outcome, await container.privacy.purge_expired_exports()

    outcome, exports = _with_container(work)
    click.echo(f"cutoff {outcome.cutoff.isoformat()}: dropped {len(outcome.dropped_partitions)} "
               f"partition(s) {' '.join(outcome.dropped_partitions)}; deleted "
               f"{outcome.deleted_events} event(s); pruned {outcome.pruned_keys} dedup key(s); "
               f"purged {exports} expired data export(s)")


@main.command("export-schema")
@click.option("--output", type=click.Path(path_type=Path), default=SCHEMA_PATH, show_default=True)
def export_schema(output: Path) -> None:
    """Write the SDL the API serves to api/schema.graphql."""
    from api.schema import schema

    output.write_text(schema.as_str() + "\n")
    click.echo(f"wrote {output}")


@main.command("rebuild-leaderboards")
def rebuild_leaderboards() -> None:
    """Recompute every current leaderboard in Redis from the ledger in PostgreSQL."""

    async def work(container: Any) -> dict[str, int]:
        # PostgreSQL already holds what is committed but not yet relayed; the versions it
        # writes make those events' later relay a no-op.
        return await container.leaderboards.rebuild()

    built = _with_container(work)
    click.echo("rebuilt " + ", ".join(f"{kind}: {count}" for kind, count in built.items()))


if __name__ == "__main__":
    sys.exit(main())
