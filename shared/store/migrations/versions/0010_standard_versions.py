"""standard versions: Standar Pelayanan per service and the Maklumat Pelayanan, versioned and adopted

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 02:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('standard_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=40), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('adopted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('adopted_by', sa.Integer(), nullable=True),
    sa.Column('decree_number', sa.String(length=100), nullable=True),
    sa.Column('decree_date', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ),
    sa.ForeignKeyConstraint(['adopted_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('subject', 'version', name='uq_standard_version')
    )
    op.create_index(op.f('ix_standard_versions_subject'), 'standard_versions', ['subject'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_standard_versions_subject'), table_name='standard_versions')
    op.drop_table('standard_versions')
