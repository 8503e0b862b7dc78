"""tickets: a complaint's channel, text and outcome (berita acara) and its SP4N-LAPOR! tracking
number (issue 15, Pengaduan as the SOP has it)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 01:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tickets') as batch:
        batch.add_column(sa.Column('complaint_channel', sa.String(length=10), nullable=True))
        batch.add_column(sa.Column('complaint_text', sa.Text(), nullable=True))
        batch.add_column(sa.Column('complaint_outcome', sa.Text(), nullable=True))
        batch.add_column(sa.Column('lapor_number', sa.String(length=30), nullable=True))
    op.create_index('ix_tickets_lapor_number', 'tickets', ['lapor_number'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_tickets_lapor_number', table_name='tickets')
    with op.batch_alter_table('tickets') as batch:
        batch.drop_column('lapor_number')
        batch.drop_column('complaint_outcome')
        batch.drop_column('complaint_text')
        batch.drop_column('complaint_channel')
