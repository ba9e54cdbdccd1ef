"""merges: what a merge or a split moved, so that an admin can undo it

Revision ID: 0020_merges
Revises: 0019_knowledge

- ticket_merges: one row per merge (source -> target) or split (original -> new ticket): the
  message and attachment ids it moved, the CC addresses it added to the target, the source's
  status before, the note it left on the source, who and when, and when (and by whom) it was undone. Starts empty: merges made
  before this migration cannot be undone.
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0020_merges'
down_revision = '0019_knowledge'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'ticket_merges',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('source_id', sa.Integer(), sa.ForeignKey('tickets.id', ondelete='SET NULL'), nullable=True),
        sa.Column('target_id', sa.Integer(), sa.ForeignKey('tickets.id', ondelete='SET NULL'), nullable=True),
        sa.Column('message_ids', sa.JSON(), nullable=False),
        sa.Column('attachment_ids', sa.JSON(), nullable=False),
        sa.Column('cc_emails', sa.JSON(), nullable=False),
        sa.Column('source_status', sa.String(length=16), nullable=False),
        sa.Column('note_message_id', sa.Integer(), sa.ForeignKey('messages.id', ondelete='SET NULL'), nullable=True),
        sa.Column('actor_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('undone_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('undone_by_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=True),
    )
    op.create_index('ix_ticket_merges_source_id', 'ticket_merges', ['source_id'])
    op.create_index('ix_ticket_merges_target_id', 'ticket_merges', ['target_id'])


def downgrade() -> None:
    op.drop_index('ix_ticket_merges_target_id', table_name='ticket_merges')
    op.drop_index('ix_ticket_merges_source_id', table_name='ticket_merges')
    op.drop_table('ticket_merges')
