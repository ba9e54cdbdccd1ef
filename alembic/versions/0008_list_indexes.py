"""customer lists: requester/organization activity indexes; one satisfaction answer per solve

Revision ID: 0008_list_indexes
Revises: 0007_privacy
"""
from alembic import op

revision = '0008_list_indexes'
down_revision = '0007_privacy'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_tickets_requester_activity', 'tickets', ['requester_id', 'last_activity_at'])
    op.create_index('ix_tickets_org_activity', 'tickets', ['organization_id', 'last_activity_at'])
    # Keep the first answer of each round if a race ever stored two.
    op.execute(
        "DELETE FROM satisfaction_ratings WHERE id NOT IN "
        "(SELECT min(id) FROM satisfaction_ratings GROUP BY ticket_id, solve_round)"
    )
    with op.batch_alter_table('satisfaction_ratings') as batch:
        batch.create_unique_constraint('uq_satisfaction_ticket_round', ['ticket_id', 'solve_round'])


def downgrade() -> None:
    with op.batch_alter_table('satisfaction_ratings') as batch:
        batch.drop_constraint('uq_satisfaction_ticket_round', type_='unique')
    op.drop_index('ix_tickets_org_activity', table_name='tickets')
    op.drop_index('ix_tickets_requester_activity', table_name='tickets')
