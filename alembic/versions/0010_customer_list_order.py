"""customer lists: the requester/organization activity indexes end with the id

Revision ID: 0010_customer_list_order
Revises: 0009_queue_speed

Mis tickets orders by (last_activity_at, id) and reads each visibility branch from one of these
indexes (ticket_list). With the id as last column PostgreSQL walks them in exactly that order
and stops after a page, where (requester_id, last_activity_at) alone left it an extra sort, and
the capped count is an index-only scan. SQLite indexes already end with the rowid (= id), so
there the change only keeps one schema for both databases.
"""
from alembic import op

revision = '0010_customer_list_order'
down_revision = '0009_queue_speed'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_tickets_requester_activity_id', 'tickets', ['requester_id', 'last_activity_at', 'id'])
    op.create_index('ix_tickets_org_activity_id', 'tickets', ['organization_id', 'last_activity_at', 'id'])
    # Prefixes of the new ones: anything they served, the new ones serve.
    op.drop_index('ix_tickets_org_activity', table_name='tickets')
    op.drop_index('ix_tickets_requester_activity', table_name='tickets')


def downgrade() -> None:
    op.create_index('ix_tickets_requester_activity', 'tickets', ['requester_id', 'last_activity_at'])
    op.create_index('ix_tickets_org_activity', 'tickets', ['organization_id', 'last_activity_at'])
    op.drop_index('ix_tickets_org_activity_id', table_name='tickets')
    op.drop_index('ix_tickets_requester_activity_id', table_name='tickets')
