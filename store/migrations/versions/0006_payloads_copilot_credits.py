"""payloads: AI credits (premium requests) per usage day; a seat's end and whether its price is assumed

Revision ID: 0006_payloads_copilot_credits
Revises: 0005_quality_links
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0006_payloads_copilot_credits'
down_revision = '0005_quality_links'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ai_usage_daily', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ai_credits', sa.Float(), nullable=False, server_default='0'))
    with op.batch_alter_table('seat', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ended_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('price_assumed', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('seat', schema=None) as batch_op:
        batch_op.drop_column('price_assumed')
        batch_op.drop_column('ended_at')
    with op.batch_alter_table('ai_usage_daily', schema=None) as batch_op:
        batch_op.drop_column('ai_credits')
