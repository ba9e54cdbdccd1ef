"""estimate_outcomes: the first-reply estimate each ticket's customer was given

Revision ID: 0022_estimate_outcomes
Revises: 0021_saved_views

- ticket_estimates: one row per ticket opened from now on (every channel, through
  ticket_create): when the first answer was expected, and the ticket's creation time for the
  period filter of the dashboard's "¿Se cumplen nuestras estimaciones?" card. Older tickets
  have no row: their estimate was never stored, so the report starts empty.
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0022_estimate_outcomes'
down_revision = '0021_saved_views'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'ticket_estimates',
        sa.Column('ticket_id', sa.Integer(), sa.ForeignKey('tickets.id'), primary_key=True),
        sa.Column('expected_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    op.create_index('ix_ticket_estimates_created_at', 'ticket_estimates', ['created_at'])


def downgrade() -> None:
    op.drop_index('ix_ticket_estimates_created_at', table_name='ticket_estimates')
    op.drop_table('ticket_estimates')
