"""otel_point: telemetry data points already counted, so a re-sent export is added once

Revision ID: 0002_harden_otel_point
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0002_harden_otel_point'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('otel_point',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('received_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('otel_point', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_otel_point_received_at'), ['received_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('otel_point', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_otel_point_received_at'))
    op.drop_table('otel_point')
