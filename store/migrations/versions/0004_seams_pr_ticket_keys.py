"""pull_request.ticket_keys: ticket keys a source names explicitly (the pull-request import's tickets column)

Revision ID: 0004_seams_pr_ticket_keys
Revises: 0003_golive_review_email_opt_out
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_seams_pr_ticket_keys"
down_revision = "0003_golive_review_email_opt_out"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("pull_request", sa.Column("ticket_keys", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("pull_request") as batch_op:
        batch_op.drop_column("ticket_keys")
