"""person.review_email_opt_out: a person who asked not to get the monthly review by email

Revision ID: 0003_golive_review_email_opt_out
Revises: 0002_harden_otel_point
Create Date: 2026-12-01 19:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0003_golive_review_email_opt_out'
down_revision = '0002_harden_otel_point'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review_email_opt_out', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('review_email_opt_out')
