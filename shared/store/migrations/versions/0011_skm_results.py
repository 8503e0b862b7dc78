"""SKM results: the respondent profile on each answer, published periods, follow-up plans

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 02:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sex', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('age_group', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('education', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('occupation', sa.String(length=10), nullable=True))
    op.create_table('skm_publications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['published_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('period_start', 'period_end', name='uq_skm_publication_period')
    )
    op.create_table('skm_followups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('plan', sa.Text(), nullable=False),
    sa.Column('elements', sa.JSON(), nullable=False),
    sa.Column('responsible', sa.String(length=120), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('done_date', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_skm_followups_period_start'), 'skm_followups', ['period_start'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_skm_followups_period_start'), table_name='skm_followups')
    op.drop_table('skm_followups')
    op.drop_table('skm_publications')
    with op.batch_alter_table('survey_responses', schema=None) as batch_op:
        batch_op.drop_column('occupation')
        batch_op.drop_column('education')
        batch_op.drop_column('age_group')
        batch_op.drop_column('sex')
