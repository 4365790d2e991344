"""importers: remember a source record's payload between runs

Revision ID: 0002_importers
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa


revision = "0002_importers"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("source_record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payload", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("source_record", schema=None) as batch_op:
        batch_op.drop_column("payload")
