"""Reverse mentoring: waves and their participants (side, answers, training)

Revision ID: b2d4f6a8c0e1
Revises: a9c1e5d7f3b2
Create Date: 2026-12-03 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = "b2d4f6a8c0e1"
down_revision: str | None = "a9c1e5d7f3b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WAVE_STATE = sa.Enum(
    "questionnaire", "matching", "active", "closed", name="wavestate", native_enum=False, create_constraint=True, length=32
)
SIDE = sa.Enum("mentor", "mentee", name="side", native_enum=False, create_constraint=True, length=32)


def upgrade() -> None:
    op.create_table(
        "mentoring_wave",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("state", WAVE_STATE, nullable=False),
        sa.Column("planned_meetings", sa.Integer(), nullable=False),
        sa.Column("same_department_allowed", sa.Boolean(), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentoring_wave")),
        sa.UniqueConstraint("name", name=op.f("uq_mentoring_wave_name")),
    )
    op.create_table(
        "mentoring_participant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("side", SIDE, nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("availability", sa.JSON(), nullable=False),
        sa.Column("training_confirmed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("answered_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_mentoring_participant_user_id_user_account"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"], ["mentoring_wave.id"], name=op.f("fk_mentoring_participant_wave_id_mentoring_wave"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mentoring_participant")),
        sa.UniqueConstraint("wave_id", "user_id", name=op.f("uq_mentoring_participant_wave_id_user_id")),
    )
    op.create_index(op.f("ix_mentoring_participant_user_id"), "mentoring_participant", ["user_id"], unique=False)
    op.create_index(op.f("ix_mentoring_participant_wave_id"), "mentoring_participant", ["wave_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_mentoring_participant_wave_id"), table_name="mentoring_participant")
    op.drop_index(op.f("ix_mentoring_participant_user_id"), table_name="mentoring_participant")
    op.drop_table("mentoring_participant")
    op.drop_table("mentoring_wave")
