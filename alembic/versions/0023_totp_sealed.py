"""totp_sealed: two-step secrets are stored sealed (Fernet, services/totp_seal), which is longer

Revision ID: 0023_totp_sealed
Revises: 0022_estimate_outcomes

- users.totp_secret and users.totp_pending_secret: 64 -> 255 characters. A sealed 32-character
  base32 secret takes about 143. Secrets already stored stay readable as they are and are sealed
  at their owner's next sign-in.
"""
import sqlalchemy as sa
from alembic import op

revision = '0023_totp_sealed'
down_revision = '0022_estimate_outcomes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        for column in ('totp_secret', 'totp_pending_secret'):
            batch.alter_column(column, type_=sa.String(length=255), existing_type=sa.String(length=64),
                               existing_nullable=False, existing_server_default='')


def downgrade() -> None:
    # A sealed secret does not fit 64 characters: turning two-step off is the only way back.
    op.execute("UPDATE users SET totp_secret = '', totp_pending_secret = '', totp_enabled_at = NULL "
               "WHERE length(totp_secret) > 64 OR length(totp_pending_secret) > 64")
    with op.batch_alter_table('users') as batch:
        for column in ('totp_secret', 'totp_pending_secret'):
            batch.alter_column(column, type_=sa.String(length=64), existing_type=sa.String(length=255),
                               existing_nullable=False, existing_server_default='')
