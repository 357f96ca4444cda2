"""outbox rows no longer NOTIFY at commit

PostgreSQL serialises the commits of every transaction that sent a NOTIFY (PreCommit_Notify
takes a database-wide lock held until the commit is flushed), so with the trigger every
write that produced an event queued behind the previous one's commit. Each process's relay
is woken by its own commits instead, and polls for rows others left behind.

Revision ID: 0060
Revises: 0050
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0060'
down_revision: str | None = "0050"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DROP TRIGGER outbox_notify ON outbox")
    op.execute("DROP FUNCTION rally_outbox_notify()")


def downgrade() -> None:
    op.execute(
        "CREATE FUNCTION rally_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN PERFORM pg_notify('rally_outbox', ''); RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER outbox_notify AFTER INSERT ON outbox "
        "FOR EACH STATEMENT EXECUTE FUNCTION rally_outbox_notify()"
    )
