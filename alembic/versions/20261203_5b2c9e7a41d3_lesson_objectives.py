"""Lesson pages keep their learning objectives, shown at the top of the lesson

Revision ID: 5b2c9e7a41d3
Revises: 1775d616b6b5
Create Date: 2026-12-03 09:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "5b2c9e7a41d3"
down_revision: str | None = "1775d616b6b5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("lesson_page", schema=None) as batch_op:
        batch_op.add_column(sa.Column("objectives", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("lesson_page", schema=None) as batch_op:
        batch_op.drop_column("objectives")
