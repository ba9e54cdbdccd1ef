"""knowledge loop: the index's word list for typo correction, editors' synonyms, richer search log

Revision ID: 0016_knowledge
Revises: 0015_promises

- article_search_vocab: every indexed word once per language (folded, its ñ-less form, how it
  is written in the articles, and in how many articles it was found when last counted).
  Filled by the application's index rebuild (`ensure_index` rebuilds when it is empty).
- kb_synonyms: the synonym groups editors manage on /agent/articles, seeded with the groups
  the search shipped with (copied here as data: a migration must not import app code).
- search_queries gains what the analytics need: the corrected query, the synonym groups that
  widened it, and its "meaning" (its sorted stems) to group questions asked in other words.
"""
from datetime import datetime, timezone

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0016_knowledge'
down_revision = '0015_promises'
branch_labels = None
depends_on = None

_SEED = {
    "es": [
        "factura, =recibo",
        "contraseña, clave, password",
        "baja, dar de baja, eliminar cuenta, borrar cuenta, cerrar cuenta, cancelar cuenta",
        "registrarse, crear cuenta, darse de alta",
        "correo, email, e mail",
        "devolución, reembolso",
        "iniciar sesión, acceder, login, =entrar",
        "móvil, celular",
        "domiciliación, débito",
        "titularidad, =titular",
    ],
    "en": [
        "invoice, bill, receipt",
        "password, passcode",
        "delete account, close account, cancel account",
        "sign up, register, create account",
        "email, e mail",
        "refund, reimbursement",
        "sign in, log in, login",
    ],
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    collation = "C" if dialect == "postgresql" else None
    op.create_table(
        'article_search_vocab',
        sa.Column('lang', sa.String(length=8), nullable=False),
        sa.Column('word', sa.String(length=60, collation=collation), nullable=False),
        sa.Column('loose', sa.String(length=60, collation=collation), nullable=False),
        sa.Column('display', sa.String(length=60), nullable=False),
        sa.Column('stem', sa.String(length=60), nullable=False),
        sa.Column('docs', sa.Integer(), nullable=False, server_default='1'),
        sa.PrimaryKeyConstraint('lang', 'word'),
    )

    synonyms = op.create_table(
        'kb_synonyms',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('locale', sa.String(length=8), nullable=False, index=True),
        sa.Column('terms', sa.String(length=500), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=True),
        sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    now = datetime.now(timezone.utc)
    op.bulk_insert(synonyms, [
        {"locale": locale, "terms": terms, "updated_at": now} for locale, groups in _SEED.items() for terms in groups
    ])

    with op.batch_alter_table('search_queries') as batch:
        batch.add_column(sa.Column('corrected', sa.String(length=200), nullable=False, server_default=''))
        batch.add_column(sa.Column('synonyms', sa.String(length=200), nullable=False, server_default=''))
        batch.add_column(sa.Column('meaning', sa.String(length=200), nullable=False, server_default=''))
    op.create_index('ix_search_queries_meaning_created', 'search_queries', ['meaning', 'created_at'])
    op.create_index('ix_search_queries_clicked_created', 'search_queries', ['clicked_article_id', 'created_at'])


def downgrade() -> None:
    op.drop_index('ix_search_queries_clicked_created', table_name='search_queries')
    op.drop_index('ix_search_queries_meaning_created', table_name='search_queries')
    with op.batch_alter_table('search_queries') as batch:
        batch.drop_column('meaning')
        batch.drop_column('synonyms')
        batch.drop_column('corrected')
    op.drop_table('kb_synonyms')
    op.drop_table('article_search_vocab')
