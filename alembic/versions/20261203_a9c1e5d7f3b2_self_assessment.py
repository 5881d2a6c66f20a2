"""The self-assessment: one row per taking, with its answers and the level per competence

Revision ID: a9c1e5d7f3b2
Revises: f3b8d6a1c245
Create Date: 2026-12-03 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = "a9c1e5d7f3b2"
down_revision: str | None = "f3b8d6a1c245"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "self_assessment_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("taken_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_self_assessment_result_user_id_user_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_assessment_result")),
    )
    op.create_index(op.f("ix_self_assessment_result_user_id"), "self_assessment_result", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_self_assessment_result_user_id"), table_name="self_assessment_result")
    op.drop_table("self_assessment_result")
