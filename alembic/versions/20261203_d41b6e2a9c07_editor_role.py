"""The editor role: publishes content, without access to people, tokens or reports

Revision ID: d41b6e2a9c07
Revises: c3e7a9d15f20
Create Date: 2026-12-03 15:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "d41b6e2a9c07"
down_revision: str | None = "c3e7a9d15f20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES_BEFORE = ("learner", "mentor", "admin")
ROLES_AFTER = ("learner", "mentor", "editor", "admin")


def _allow(roles: tuple[str, ...]) -> None:
    with op.batch_alter_table("user_role", recreate="always") as batch_op:
        batch_op.drop_constraint(op.f("ck_user_role_role"), type_="check")
        batch_op.create_check_constraint(op.f("ck_user_role_role"), sa.column("role").in_(roles))


def upgrade() -> None:
    _allow(ROLES_AFTER)


def downgrade() -> None:
    op.execute("DELETE FROM user_role WHERE role = 'editor'")
    _allow(ROLES_BEFORE)
