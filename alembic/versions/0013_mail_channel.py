"""e-mail channel: received mails, agents' mail choices, notices waiting for their digest

Revision ID: 0013_mail_channel
Revises: 0012_api
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0013_mail_channel'
down_revision = '0012_api'
branch_labels = None
depends_on = None


def _now():
    return sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False)


def upgrade() -> None:
    op.create_table(
        'inbound_mails',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('dedupe_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False, unique=True),
        sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column('from_email', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('ticket_id', sa.Integer(), sa.ForeignKey('tickets.id'), nullable=True),
        sa.Column('message_id', sa.Integer(), sa.ForeignKey('messages.id'), nullable=True),
        sa.Column('eml_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        _now(),
    )
    op.create_index('ix_inbound_mails_from_email', 'inbound_mails', ['from_email'])
    op.create_index('ix_inbound_mails_outcome', 'inbound_mails', ['outcome'])
    op.create_index('ix_inbound_mails_ticket_id', 'inbound_mails', ['ticket_id'])
    op.create_index('ix_inbound_mails_message_id', 'inbound_mails', ['message_id'])
    op.create_index('ix_inbound_mails_created_at', 'inbound_mails', ['created_at'])
    op.create_table(
        'agent_mail_prefs',
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id'), primary_key=True),
        sa.Column('new_ticket', sa.Boolean(), nullable=False),
        sa.Column('customer_reply', sa.Boolean(), nullable=False),
        sa.Column('assignment', sa.Boolean(), nullable=False),
        sa.Column('sla', sa.Boolean(), nullable=False),
    )
    op.create_table(
        'agent_notices',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('dedupe_key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False, unique=True),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=False),
        sa.Column('ticket_id', sa.Integer(), sa.ForeignKey('tickets.id'), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column('detail', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        _now(),
        sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    )
    op.create_index('ix_agent_notices_user_id', 'agent_notices', ['user_id'])
    op.create_index('ix_agent_notices_ticket_id', 'agent_notices', ['ticket_id'])
    op.create_index('ix_agent_notices_created_at', 'agent_notices', ['created_at'])
    op.create_index('ix_agent_notices_sent_at', 'agent_notices', ['sent_at'])


def downgrade() -> None:
    op.drop_table('agent_notices')
    op.drop_table('agent_mail_prefs')
    op.drop_table('inbound_mails')
