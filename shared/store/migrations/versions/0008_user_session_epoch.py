"""users.session_epoch: a staff user's session generation; logout, a password, role or active
change bumps it and so ends every session and remember cookie of that user (issue 16)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 00:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('session_epoch', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('session_epoch')
