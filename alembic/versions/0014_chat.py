"""chat intake: conversations, per-service priority questions, call-back requests

Revision ID: 0014_chat
Revises: 0013_mail_channel
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0014_chat'
down_revision = '0013_mail_channel'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'chat_conversations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('guest_key_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('identity_email', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column('identity_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('step', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('answers', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('transcript', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column('locale', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_chat_conversations_guest_key_hash', 'chat_conversations', ['guest_key_hash'], unique=True)
    op.create_index('ix_chat_conversations_user_id', 'chat_conversations', ['user_id'])
    op.create_index('ix_chat_conversations_status', 'chat_conversations', ['status'])
    op.create_index('ix_chat_conversations_updated_at', 'chat_conversations', ['updated_at'])
    op.create_table(
        'chat_questions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('service_id', sa.Integer(), nullable=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('text_es', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column('text_en', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column('raises_to', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('is_active', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['service_id'], ['services.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_chat_questions_service_id', 'chat_questions', ['service_id'])
    op.create_table(
        'callback_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('requested_by_id', sa.Integer(), nullable=True),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('due_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('taken_by_id', sa.Integer(), nullable=True),
        sa.Column('taken_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id']),
        sa.ForeignKeyConstraint(['requested_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['taken_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_callback_requests_ticket_id', 'callback_requests', ['ticket_id'])
    op.create_index('ix_callback_requests_status', 'callback_requests', ['status'])
    op.create_index('ix_callback_requests_created_at', 'callback_requests', ['created_at'])


def downgrade() -> None:
    op.drop_table('callback_requests')
    op.drop_table('chat_questions')
    op.drop_table('chat_conversations')
