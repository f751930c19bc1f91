"""bill: whether a person's role has delivery work (``person.codes``)

Revision ID: 0008_bill_person_codes
Revises: 0007_port_delivery_hours
"""

from alembic import op
import sqlalchemy as sa


revision = '0008_bill_person_codes'
down_revision = '0007_port_delivery_hours'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.add_column(sa.Column('codes', sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_column('codes')
