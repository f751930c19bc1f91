"""quality: PR bodies, SHAs and commits; ticket descriptions, remote links and transitions; link rules; cycles

Revision ID: 0005_quality_links
Revises: 0004_seams_pr_ticket_keys
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0005_quality_links'
down_revision = '0004_seams_pr_ticket_keys'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('pull_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('head_sha', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('merge_commit_sha', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('reverts_rule', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('stated_reverts_pr_id', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.create_index(batch_op.f('ix_pull_request_head_sha'), ['head_sha'], unique=False)
        batch_op.create_index(batch_op.f('ix_pull_request_merge_commit_sha'), ['merge_commit_sha'], unique=False)

    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('remote_links', sa.JSON(), nullable=True))

    with op.batch_alter_table('ticket_pull_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rule', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=''))

    op.create_table('pull_request_commit',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('pr_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('sha', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['pr_id'], ['pull_request.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('pull_request_commit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pull_request_commit_pr_id'), ['pr_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pull_request_commit_sha'), ['sha'], unique=False)

    op.create_table('ticket_transition',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('ticket_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('from_status', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('to_status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('from_category', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('to_category', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('ticket_transition', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ticket_transition_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('ticket_cycle',
    sa.Column('ticket_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('resolved_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('cycle_hours', sa.Float(), nullable=True),
    sa.Column('new_hours', sa.Float(), nullable=False),
    sa.Column('in_progress_hours', sa.Float(), nullable=False),
    sa.Column('done_hours', sa.Float(), nullable=False),
    sa.Column('reopens', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('ticket_id')
    )
    with op.batch_alter_table('ticket_cycle', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_cycle_resolved', ['resolved_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ticket_cycle', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_cycle_resolved')
    op.drop_table('ticket_cycle')
    with op.batch_alter_table('ticket_transition', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_transition_ticket_id'))
    op.drop_table('ticket_transition')
    with op.batch_alter_table('pull_request_commit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pull_request_commit_sha'))
        batch_op.drop_index(batch_op.f('ix_pull_request_commit_pr_id'))
    op.drop_table('pull_request_commit')
    with op.batch_alter_table('ticket_pull_request', schema=None) as batch_op:
        batch_op.drop_column('rule')
    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_column('remote_links')
        batch_op.drop_column('updated_at')
        batch_op.drop_column('description')
    with op.batch_alter_table('pull_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pull_request_merge_commit_sha'))
        batch_op.drop_index(batch_op.f('ix_pull_request_head_sha'))
        batch_op.drop_column('stated_reverts_pr_id')
        batch_op.drop_column('reverts_rule')
        batch_op.drop_column('merge_commit_sha')
        batch_op.drop_column('head_sha')
        batch_op.drop_column('body')
