"""Substantive changes: a publish can ask learners to read lessons again or retake the quiz; records are kept per version

Revision ID: f3b8d6a1c245
Revises: e7a2c4f0b913
Create Date: 2026-12-03 15:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = "f3b8d6a1c245"
down_revision: str | None = "e7a2c4f0b913"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "substantive_change",
        sa.Column("module_id", sa.Integer(), nullable=False),
        sa.Column("lesson_slug", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("published_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["module_id"], ["module.id"], name=op.f("fk_substantive_change_module_id_module"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("module_id", "lesson_slug", "version_number", name=op.f("pk_substantive_change")),
    )
    with op.batch_alter_table("lesson_completion") as batch_op:
        batch_op.drop_constraint("uq_lesson_completion_user_id_module_id_lesson_slug", type_="unique")
        batch_op.create_unique_constraint(
            "uq_lesson_completion_user_id_module_id_lesson_slug_version_id", ["user_id", "module_id", "lesson_slug", "version_id"]
        )
    with op.batch_alter_table("module_completion") as batch_op:
        batch_op.drop_constraint("uq_module_completion_user_id_module_id", type_="unique")
        batch_op.create_unique_constraint("uq_module_completion_user_id_module_id_version_id", ["user_id", "module_id", "version_id"])


def downgrade() -> None:
    # Going back keeps the latest record per lesson and per module, as the earlier schema allows one.
    op.execute(
        "DELETE FROM lesson_completion WHERE id NOT IN "
        "(SELECT MAX(id) FROM lesson_completion GROUP BY user_id, module_id, lesson_slug)"
    )
    op.execute("DELETE FROM module_completion WHERE id NOT IN (SELECT MAX(id) FROM module_completion GROUP BY user_id, module_id)")
    with op.batch_alter_table("module_completion") as batch_op:
        batch_op.drop_constraint("uq_module_completion_user_id_module_id_version_id", type_="unique")
        batch_op.create_unique_constraint("uq_module_completion_user_id_module_id", ["user_id", "module_id"])
    with op.batch_alter_table("lesson_completion") as batch_op:
        batch_op.drop_constraint("uq_lesson_completion_user_id_module_id_lesson_slug_version_id", type_="unique")
        batch_op.create_unique_constraint("uq_lesson_completion_user_id_module_id_lesson_slug", ["user_id", "module_id", "lesson_slug"])
    op.drop_table("substantive_change")
