"""bookings: booked visits and remote joins of today's queue (issue 18)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 02:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'bookings',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=12), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('service_code', sa.String(length=40), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('session', sa.String(length=10), nullable=True),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=True),
        sa.Column('lang', sa.String(length=5), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code', name='uq_bookings_code'),
    )
    op.create_index('ix_bookings_slot', 'bookings', ['service_code', 'day', 'session', 'status'], unique=False)
    op.create_index('ix_bookings_status_day', 'bookings', ['status', 'day'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_bookings_status_day', table_name='bookings')
    op.drop_index('ix_bookings_slot', table_name='bookings')
    op.drop_table('bookings')
