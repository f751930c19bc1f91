"""port: the setting work_hours_per_week is now delivery_hours_per_week (time saved = these x gain / (1 + gain))

A value an admin stored under the old name is carried over, so their choice survives the rename instead of
silently falling back to the default.

Revision ID: 0007_port_delivery_hours
Revises: 0006_payloads_copilot_credits
"""

from alembic import op


revision = '0007_port_delivery_hours'
down_revision = '0006_payloads_copilot_credits'
branch_labels = None
depends_on = None


def _rename(old: str, new: str) -> None:
    # an admin who already stored the new name keeps it; the old row then has no reader and goes
    op.execute(f"DELETE FROM setting WHERE key = '{old}' AND EXISTS (SELECT 1 FROM setting WHERE key = '{new}')")
    op.execute(f"UPDATE setting SET key = '{new}' WHERE key = '{old}'")


def upgrade() -> None:
    _rename('work_hours_per_week', 'delivery_hours_per_week')


def downgrade() -> None:
    _rename('delivery_hours_per_week', 'work_hours_per_week')
