"""Module versions keep their job aids: one printable page per language

Revision ID: 8d41f0c2b7e9
Revises: 5b2c9e7a41d3
Create Date: 2026-12-03 09:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "8d41f0c2b7e9"
down_revision: str | None = "5b2c9e7a41d3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("module_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("job_aids", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("module_version", schema=None) as batch_op:
        batch_op.drop_column("job_aids")
