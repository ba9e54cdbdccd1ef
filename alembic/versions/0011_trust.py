"""trust: verified addresses, single-use account tokens, two-step sign-in

Revision ID: 0011_trust
Revises: 0010_customer_list_order

Existing accounts: every user who already had a password when this runs counts as registered
at creation and as verified. They have used their accounts (and seen what they see) for as long
as they exist; taking visibility away now would lock real customers out of their own history,
and no record tells a squatter from the owner. Guest rows (no password) stay unverified: the
first person to register with that address must prove they own it before those tickets appear.
"""
import sqlalchemy as sa
from alembic import op

revision = '0011_trust'
down_revision = '0010_customer_list_order'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('registered_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('email_verified_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=False, server_default=''))
        batch.add_column(sa.Column('totp_pending_secret', sa.String(length=64), nullable=False, server_default=''))
        batch.add_column(sa.Column('totp_enabled_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=False, server_default='0'))
    op.execute("UPDATE users SET registered_at = created_at, email_verified_at = created_at WHERE password_hash <> ''")
    op.create_table(
        'account_tokens',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('purpose', sa.String(length=16), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=False),
        sa.Column('data', sa.String(length=320), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
    )
    op.create_index('ix_account_tokens_purpose', 'account_tokens', ['purpose'])
    op.create_index('ix_account_tokens_token_hash', 'account_tokens', ['token_hash'], unique=True)
    op.create_index('ix_account_tokens_user_id', 'account_tokens', ['user_id'])
    op.create_table(
        'recovery_codes',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
    )
    op.create_index('ix_recovery_codes_user_id', 'recovery_codes', ['user_id'])


def downgrade() -> None:
    op.drop_index('ix_recovery_codes_user_id', table_name='recovery_codes')
    op.drop_table('recovery_codes')
    op.drop_index('ix_account_tokens_user_id', table_name='account_tokens')
    op.drop_index('ix_account_tokens_token_hash', table_name='account_tokens')
    op.drop_index('ix_account_tokens_purpose', table_name='account_tokens')
    op.drop_table('account_tokens')
    with op.batch_alter_table('users') as batch:
        for col in ('totp_last_step', 'totp_enabled_at', 'totp_pending_secret', 'totp_secret',
                    'email_verified_at', 'registered_at'):
            batch.drop_column(col)
