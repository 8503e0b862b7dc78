"""indexes for the counter's ticket search (by number or pickup code): flat as history grows

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 03:05:00
"""
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_tickets_number_status', 'tickets', ['number', 'status'], unique=False)
    op.create_index('ix_tickets_pickup_code', 'tickets', ['pickup_code'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_tickets_pickup_code', table_name='tickets')
    op.drop_index('ix_tickets_number_status', table_name='tickets')
