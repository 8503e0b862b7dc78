"""print_jobs.possible_duplicate: a printer took a ticket's bytes and then failed, so the ticket is
printed again and staff are told the first copy may have come out too (issue 16)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 23:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('print_jobs') as batch:
        batch.add_column(sa.Column('possible_duplicate', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('print_jobs') as batch:
        batch.drop_column('possible_duplicate')
