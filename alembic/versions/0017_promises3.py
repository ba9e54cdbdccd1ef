"""promises, third part: fair-use signals and slipping-promise notices

Revision ID: 0017_promises3
Revises: 0016_knowledge

- fair_use_signals: what a requester sent past a fair-use limit, one row per ticket and kind.
- promise_notices: agents were told a deadline is close or missed, once per ticket, deadline
  and stage (the unique triple holds across workers).
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0017_promises3'
down_revision = '0016_knowledge'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'fair_use_signals',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('ticket_id', sa.Integer(), sa.ForeignKey('tickets.id'), nullable=False),
        sa.Column('requester_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=True),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('limit', sa.Integer(), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.UniqueConstraint('ticket_id', 'kind', name='uq_fair_use_ticket_kind'),
    )
    op.create_index('ix_fair_use_signals_ticket_id', 'fair_use_signals', ['ticket_id'])
    op.create_index('ix_fair_use_signals_requester_id', 'fair_use_signals', ['requester_id'])
    op.create_table(
        'promise_notices',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('ticket_id', sa.Integer(), sa.ForeignKey('tickets.id'), nullable=False),
        sa.Column('deadline', sa.String(length=16), nullable=False),
        sa.Column('stage', sa.String(length=8), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.UniqueConstraint('ticket_id', 'deadline', 'stage', name='uq_promise_notice'),
    )
    op.create_index('ix_promise_notices_ticket_id', 'promise_notices', ['ticket_id'])


def downgrade() -> None:
    op.drop_index('ix_promise_notices_ticket_id', table_name='promise_notices')
    op.drop_table('promise_notices')
    op.drop_index('ix_fair_use_signals_requester_id', table_name='fair_use_signals')
    op.drop_index('ix_fair_use_signals_ticket_id', table_name='fair_use_signals')
    op.drop_table('fair_use_signals')
