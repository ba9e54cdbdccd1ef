"""service promises: organization plans and the urgent allowance

Revision ID: 0015_promises
Revises: 0014_chat
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0015_promises'
down_revision = '0014_chat'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'org_plans',
        sa.Column('organization_id', sa.Integer(), sa.ForeignKey('organizations.id'), primary_key=True),
        sa.Column('plan', sa.String(length=16), nullable=False, server_default='standard'),
        sa.Column('urgent_allowance', sa.Integer(), nullable=False, server_default='5'),
        sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    op.create_table(
        'urgent_uses',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('organization_id', sa.Integer(), sa.ForeignKey('organizations.id'), nullable=False),
        sa.Column('ticket_id', sa.Integer(), sa.ForeignKey('tickets.id'), nullable=False, unique=True),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('used_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('returned_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('return_reason', sa.String(length=500), nullable=False, server_default=''),
    )
    op.create_index('ix_urgent_uses_organization_id', 'urgent_uses', ['organization_id'])
    op.create_index('ix_urgent_uses_month', 'urgent_uses', ['month'])
    op.create_table(
        'escalation_rules',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('deadline', sa.String(length=16), nullable=False),
        sa.Column('threshold_pct', sa.Integer(), nullable=False),
        sa.Column('action', sa.String(length=24), nullable=False),
        sa.Column('target_user_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=True),
        sa.Column('is_active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    op.create_table(
        'escalation_runs',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('rule_id', sa.Integer(), sa.ForeignKey('escalation_rules.id'), nullable=False),
        sa.Column('ticket_id', sa.Integer(), sa.ForeignKey('tickets.id'), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.UniqueConstraint('rule_id', 'ticket_id', name='uq_escalation_rule_ticket'),
    )
    op.create_index('ix_escalation_runs_rule_id', 'escalation_runs', ['rule_id'])
    op.create_index('ix_escalation_runs_ticket_id', 'escalation_runs', ['ticket_id'])
    op.create_index('ix_escalation_runs_created_at', 'escalation_runs', ['created_at'])


def downgrade() -> None:
    op.drop_table('escalation_runs')
    op.drop_table('escalation_rules')
    op.drop_index('ix_urgent_uses_month', table_name='urgent_uses')
    op.drop_index('ix_urgent_uses_organization_id', table_name='urgent_uses')
    op.drop_table('urgent_uses')
    op.drop_table('org_plans')
