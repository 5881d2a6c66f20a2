"""Module versions become drafts until published, keep their source files, and count their numbers per module

Revision ID: c3e7a9d15f20
Revises: 8d41f0c2b7e9
Create Date: 2026-12-03 15:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = "c3e7a9d15f20"
down_revision: str | None = "8d41f0c2b7e9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("module", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_version_number", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("archived_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    with op.batch_alter_table("module_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("published_by", sqlmodel.sql.sqltypes.AutoString(length=240), nullable=True))
    # Before drafts, every imported version went live when it was imported.
    op.execute("UPDATE module_version SET published_at = created_at")
    op.execute(
        "UPDATE module SET last_version_number = "
        "(SELECT COALESCE(MAX(number), 0) FROM module_version WHERE module_version.module_id = module.id)"
    )
    op.create_table(
        "module_version_file",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("path", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"], ["module_version.id"], name=op.f("fk_module_version_file_version_id_module_version"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("version_id", "path", name=op.f("pk_module_version_file")),
    )


def downgrade() -> None:
    op.drop_table("module_version_file")
    with op.batch_alter_table("module_version", schema=None) as batch_op:
        batch_op.drop_column("published_by")
        batch_op.drop_column("published_at")
    with op.batch_alter_table("module", schema=None) as batch_op:
        batch_op.drop_column("archived_at")
        batch_op.drop_column("last_version_number")
