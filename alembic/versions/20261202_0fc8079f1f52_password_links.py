"""Password links: invitations and resets, one-use links to choose a password

Revision ID: 0fc8079f1f52
Revises: 31aff09de0fa
Create Date: 2026-12-02 15:49:55.151510
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0fc8079f1f52'
down_revision: str | None = '31aff09de0fa'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('password_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.Enum('invitation', 'reset', name='linkpurpose', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('used_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('replaced_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_password_link_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_link')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_password_link_token_hash'))
    )
    with op.batch_alter_table('password_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_link_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('password_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_link_user_id'))

    op.drop_table('password_link')
