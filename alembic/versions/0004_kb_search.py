"""kb search: full-text index of articles; one vote per voter and article

Revision ID: 0004_kb_search
Revises: 0003_kb

The index holds text analysed in Python (helpdesk.services.search.analysis), so it is
created empty here and filled by `rebuild_index` / `ensure_index`: a migration must
not depend on application code that will keep changing.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0004_kb_search'
down_revision = '0003_kb'
branch_labels = None
depends_on = None

# Whole article (A title, B summary, C body), title only, title and summary.
_PG_VECTORS = ('tsv', 'title_tsv', 'head_tsv')


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        # remove_diacritics 0: the tokenizer must not fold ñ into n; our analysis decides.
        # prefix indexes make "contras*" as-you-type lookups index seeks, not scans.
        op.execute(
            "CREATE VIRTUAL TABLE article_search USING fts5("
            "title_p, title_l, summary_p, summary_l, body_p, body_l, "
            "tokenize = 'unicode61 remove_diacritics 0', prefix = '2 3 4')"
        )
    elif dialect == "postgresql":
        op.create_table(
            'article_search',
            sa.Column('article_id', sa.Integer(), sa.ForeignKey('articles.id', ondelete='CASCADE'), primary_key=True),
            sa.Column('locale', sa.String(length=8), nullable=False),
            sa.Column('published', sa.Boolean(), nullable=False),
            sa.Column('title_tsv', postgresql.TSVECTOR(), nullable=False),
            sa.Column('head_tsv', postgresql.TSVECTOR(), nullable=False),
            sa.Column('tsv', postgresql.TSVECTOR(), nullable=False),
        )
        # fastupdate off: articles change rarely, and a pending list of unmerged entries
        # would be scanned linearly by every search until the next vacuum.
        for column in _PG_VECTORS:
            op.create_index(f'ix_article_search_{column}', 'article_search', [column], postgresql_using='gin',
                            postgresql_with={'fastupdate': 'off'})
    else:
        raise NotImplementedError(f"search index for {dialect}")

    # Every indexed word with its stem, to complete a word still being typed whose
    # stem is shorter than the typed text ("devoluc" → stem "devolu"). Byte order
    # ("C") so a prefix is a plain range scan on PostgreSQL as on SQLite.
    collation = "C" if dialect == "postgresql" else None
    op.create_table(
        'article_search_words',
        sa.Column('lang', sa.String(length=8), nullable=False),
        sa.Column('word', sa.String(length=60, collation=collation), nullable=False),
        sa.Column('loose', sa.String(length=60, collation=collation), nullable=False),
        sa.Column('stem', sa.String(length=60), nullable=False),
        sa.PrimaryKeyConstraint('lang', 'word'),
    )
    op.create_index('ix_article_search_words_loose', 'article_search_words', ['lang', 'loose'])

    # Two tabs voting at once must not leave two rows for one voter: keep the latest.
    op.execute(
        "DELETE FROM article_votes WHERE id NOT IN "
        "(SELECT max(id) FROM article_votes GROUP BY article_id, voter_key)"
    )
    op.create_index('uq_article_votes_article_voter', 'article_votes', ['article_id', 'voter_key'], unique=True)


def downgrade() -> None:
    op.drop_index('uq_article_votes_article_voter', table_name='article_votes')
    op.drop_index('ix_article_search_words_loose', table_name='article_search_words')
    op.drop_table('article_search_words')
    if op.get_bind().dialect.name == "postgresql":
        for column in _PG_VECTORS:
            op.drop_index(f'ix_article_search_{column}', table_name='article_search')
        op.drop_table('article_search')
    else:
        op.execute("DROP TABLE IF EXISTS article_search")
