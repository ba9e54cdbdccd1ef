"""agent queue: composite indexes so every view's page and count stay fast at 200k tickets

Revision ID: 0006_agent_extra
Revises: 0005_agent
"""
from alembic import op

revision = '0006_agent_extra'
down_revision = '0005_agent'
branch_labels = None
depends_on = None

INDEXES = {
    'ix_tickets_status_activity': ['status', 'last_activity_at'],
    'ix_tickets_assignee_status_activity': ['assignee_id', 'status', 'last_activity_at'],
    'ix_tickets_status_due': ['status', 'due_at'],
    'ix_tickets_status_first_due': ['status', 'first_response_due_at'],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, 'tickets', columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name='tickets')
