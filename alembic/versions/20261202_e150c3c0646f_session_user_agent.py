"""Sessions remember their browser, so a person can tell them apart on My account

Revision ID: e150c3c0646f
Revises: 0fc8079f1f52
Create Date: 2026-12-02 16:02:44.403579
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = 'e150c3c0646f'
down_revision: str | None = '0fc8079f1f52'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_agent', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False, server_default=''))
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.alter_column('user_agent', server_default=None, existing_type=sqlmodel.sql.sqltypes.AutoString(length=200), existing_nullable=False)



def downgrade() -> None:
    with op.batch_alter_table('auth_session', schema=None) as batch_op:
        batch_op.drop_column('user_agent')

