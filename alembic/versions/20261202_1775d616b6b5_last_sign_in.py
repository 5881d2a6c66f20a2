"""Employees remember their last sign-in, and are indexed by name and role, for the people page

Revision ID: 1775d616b6b5
Revises: e150c3c0646f
Create Date: 2026-12-02 16:05:53.669093
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '1775d616b6b5'
down_revision: str | None = 'e150c3c0646f'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_signed_in_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.create_index('ix_user_account_name', 'user_account', ['name'])
    op.create_index('ix_user_role_role', 'user_role', ['role'])



def downgrade() -> None:
    op.drop_index('ix_user_role_role', 'user_role')
    op.drop_index('ix_user_account_name', 'user_account')
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('last_signed_in_at')

