"""Public pages: problem reports from the public, and the practice origins allowed to embed

Revision ID: 0006_public
Revises: 0004_search
Create Date: 2026-11-22 02:59:22.364855
"""

from alembic import op
import sqlalchemy as sa


revision = '0006_public'
down_revision = '0004_search'  # re-chain onto whatever is main's head when this lands
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('embed_origin',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('origin', sa.String(length=255), nullable=False),
    sa.Column('label', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=255), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_embed_origin')),
    sa.UniqueConstraint('origin', name=op.f('uq_embed_origin_origin'))
    )
    op.create_table('problem_report',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('service_id', sa.String(length=36), nullable=False),
    sa.Column('problem', sa.String(length=16), nullable=False),
    sa.Column('details', sa.Text(), nullable=False),
    sa.Column('reply_email', sa.String(length=255), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_problem_report_service_id_service'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problem_report'))
    )
    with op.batch_alter_table('problem_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_problem_report_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_problem_report_service_id'), ['service_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_problem_report_status'), ['status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('problem_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_problem_report_status'))
        batch_op.drop_index(batch_op.f('ix_problem_report_service_id'))
        batch_op.drop_index(batch_op.f('ix_problem_report_created_at'))

    op.drop_table('problem_report')
    op.drop_table('embed_origin')
