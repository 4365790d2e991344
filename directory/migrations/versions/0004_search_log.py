"""search: the anonymous search log

Revision ID: 0004_search
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa


revision = "0004_search"
down_revision = "0002_importers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "search_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("searched_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("query", sa.String(length=200), nullable=True),
        sa.Column("filters", sa.JSON(), nullable=False),
        sa.Column("district", sa.String(length=4), nullable=True),
        sa.Column("result_count", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_log")),
    )
    with op.batch_alter_table("search_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_search_log_district"), ["district"], unique=False)
        batch_op.create_index(batch_op.f("ix_search_log_searched_at"), ["searched_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("search_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_search_log_searched_at"))
        batch_op.drop_index(batch_op.f("ix_search_log_district"))
    op.drop_table("search_log")
