"""totp: two-step sign-in recovery codes get a creation time and a lookup index

Revision ID: 0018_totp
Revises: 0017_promises3

The users' TOTP columns and the recovery_codes table came with 0011_trust (unused until now).
- recovery_codes.created_at: when the set was issued (shown on /account); existing rows, if
  any, get the migration time.
- ix_recovery_codes_code_hash: a sign-in looks a code up by its keyed hash.
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0018_totp'
down_revision = '0017_promises3'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('recovery_codes') as batch:
        batch.add_column(sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False,
                                   server_default=sa.text('CURRENT_TIMESTAMP')))
    op.create_index('ix_recovery_codes_code_hash', 'recovery_codes', ['code_hash'])


def downgrade() -> None:
    op.drop_index('ix_recovery_codes_code_hash', table_name='recovery_codes')
    with op.batch_alter_table('recovery_codes') as batch:
        batch.drop_column('created_at')
