"""Actor, audit log, outbox; enum columns for roles and scopes; conventional constraint names.

Revision ID: 31aff09de0fa
Revises: 247db66ceb78
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "31aff09de0fa"
down_revision: str | None = "247db66ceb78"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
# The tables of the first schema, whose constraints were created without names, parents first.
FIRST_TABLES = (
    "login_throttle",
    "module",
    "user_account",
    "api_token",
    "auth_session",
    "module_version",
    "user_role",
    "lesson_completion",
    "lesson_page",
    "module_completion",
    "quiz_attempt",
)
ACTOR_KIND = sa.Enum(
    "person", "token", "cli", "system", "anonymous", name="actorkind", native_enum=False, create_constraint=True, length=32
)
ROLE = sa.Enum("learner", "mentor", "admin", name="role", native_enum=False, create_constraint=True, length=32)
SCOPE = sa.Enum("catalog:read", "content:write", "reports:read", name="scope", native_enum=False, create_constraint=True, length=32)
OUTBOX_STATE = sa.Enum("pending", "delivered", "dead", name="outboxstate", native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    _name_first_constraints()
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("topic", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("idempotency_key", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", OUTBOX_STATE, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("next_attempt_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("claimed_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("claimed_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("delivered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox_message"),
        sa.UniqueConstraint("idempotency_key", name="uq_outbox_message_idempotency_key"),
    )
    op.create_index("ix_outbox_message_state_next_attempt_at", "outbox_message", ["state", "next_attempt_at"])
    op.create_table(
        "audit_event",
        sa.Column("actor_kind", ACTOR_KIND, nullable=False),
        sa.Column("actor_label", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor_token_id", sa.Integer(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_token_id"], ["api_token.id"], name="fk_audit_event_actor_token_id_api_token", ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["actor_user_id"], ["user_account.id"], name="fk_audit_event_actor_user_id_user_account", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_audit_event"),
    )
    op.create_index("ix_audit_event_action_at", "audit_event", ["action", "at"])
    op.create_index("ix_audit_event_actor_user_id", "audit_event", ["actor_user_id"])
    op.create_index("ix_audit_event_at", "audit_event", ["at"])

    # Scopes move from a space-separated string to one checked row per scope.
    op.create_table(
        "api_token_scope",
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("scope", SCOPE, nullable=False),
        sa.ForeignKeyConstraint(["token_id"], ["api_token.id"], name="fk_api_token_scope_token_id_api_token", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_id", "scope", name="pk_api_token_scope"),
    )
    connection = op.get_bind()
    rows = connection.execute(sa.text("SELECT id, scopes FROM api_token")).all()
    scope_rows = [{"token_id": token_id, "scope": scope} for token_id, scopes in rows for scope in sorted(set(scopes.split()))]
    if scope_rows:
        connection.execute(sa.text("INSERT INTO api_token_scope (token_id, scope) VALUES (:token_id, :scope)"), scope_rows)
    with op.batch_alter_table("api_token") as batch_op:
        batch_op.drop_column("scopes")

    # Roles become a checked enum column.
    with op.batch_alter_table("user_role") as batch_op:
        batch_op.alter_column("role", type_=ROLE, existing_type=sa.VARCHAR(length=32), existing_nullable=False)

    # Who made a module version: an actor instead of a free-text string (earlier ones came from the CLI).
    with op.batch_alter_table("module_version") as batch_op:
        batch_op.add_column(sa.Column("actor_kind", ACTOR_KIND, nullable=False, server_default="cli"))
        batch_op.add_column(sa.Column("actor_label", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("actor_user_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("actor_token_id", sa.Integer(), nullable=True))
    connection.execute(sa.text("UPDATE module_version SET actor_label = created_by"))
    with op.batch_alter_table("module_version") as batch_op:
        batch_op.alter_column("actor_kind", server_default=None, existing_type=ACTOR_KIND, existing_nullable=False)
        batch_op.alter_column(
            "actor_label", server_default=None, existing_type=sqlmodel.sql.sqltypes.AutoString(length=200), existing_nullable=False
        )
        batch_op.create_index("ix_module_version_actor_user_id", ["actor_user_id"])
        batch_op.create_foreign_key(
            "fk_module_version_actor_user_id_user_account", "user_account", ["actor_user_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_foreign_key(
            "fk_module_version_actor_token_id_api_token", "api_token", ["actor_token_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.drop_column("created_by")


def _name_first_constraints() -> None:
    """Give the first schema's primary keys, unique constraints and foreign keys conventional names.

    PostgreSQL named them itself (`user_account_email_key`): rename in place. SQLite keeps no names
    for them: rebuild each table with the convention applied (foreign keys are off during migrations).
    """
    connection = op.get_bind()
    if connection.dialect.name == "sqlite":
        for table in FIRST_TABLES:
            with op.batch_alter_table(table, recreate="always", naming_convention=NAMING_CONVENTION):
                pass
        return
    inspector = sa.inspect(connection)
    for table in FIRST_TABLES:
        renames = []
        primary_key = inspector.get_pk_constraint(table)
        renames.append((primary_key["name"], f"pk_{table}"))
        for unique in inspector.get_unique_constraints(table):
            renames.append((unique["name"], f"uq_{table}_{'_'.join(unique['column_names'])}"))
        for foreign_key in inspector.get_foreign_keys(table):
            renames.append(
                (foreign_key["name"], f"fk_{table}_{foreign_key['constrained_columns'][0]}_{foreign_key['referred_table']}")
            )
        for old, new in renames:
            if old != new:
                op.execute(sa.text(f'ALTER TABLE "{table}" RENAME CONSTRAINT "{old}" TO "{new}"'))


def downgrade() -> None:
    connection = op.get_bind()
    with op.batch_alter_table("module_version") as batch_op:
        batch_op.add_column(sa.Column("created_by", sa.VARCHAR(length=200), nullable=False, server_default="cli"))
    connection.execute(sa.text("UPDATE module_version SET created_by = actor_label"))
    with op.batch_alter_table("module_version") as batch_op:
        batch_op.drop_constraint("fk_module_version_actor_token_id_api_token", type_="foreignkey")
        batch_op.drop_constraint("fk_module_version_actor_user_id_user_account", type_="foreignkey")
        batch_op.drop_index("ix_module_version_actor_user_id")
        for column in ("actor_token_id", "actor_user_id", "actor_label", "actor_kind"):
            batch_op.drop_column(column)
    with op.batch_alter_table("api_token") as batch_op:
        batch_op.add_column(sa.Column("scopes", sa.VARCHAR(length=400), nullable=False, server_default=""))
    for token_id, scope in connection.execute(sa.text("SELECT token_id, scope FROM api_token_scope ORDER BY scope")).all():
        connection.execute(
            sa.text("UPDATE api_token SET scopes = TRIM(scopes || ' ' || :scope) WHERE id = :id"), {"scope": scope, "id": token_id}
        )
    op.drop_table("api_token_scope")
    op.drop_table("audit_event")
    op.drop_table("outbox_message")
