"""knowledge: per-day article views for the editor's chart, drafts remember their ticket

Revision ID: 0019_knowledge
Revises: 0018_totp

- article_view_days: reader views of an article per UTC day (the counter on articles stays the
  total); the article editor on /agent/articles charts them by week. Starts empty: views
  before this migration are only in the total.
- articles.source_ticket_id: a draft written from a solved ticket (kb_drafts) points at it,
  so drafting the same ticket again opens that draft instead of a second one.
- search_queries: every row gets a meaning (rows logged before 0016, or whose words were all
  stopwords, take their normalized text), and ix_search_queries_gaps covers what the writers'
  gaps read (meaning, period, results, click, the words typed), so grouping 100,000 searches
  reads the index only.
"""
import sqlalchemy as sa
from alembic import op

revision = '0019_knowledge'
down_revision = '0018_totp'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'article_view_days',
        sa.Column('article_id', sa.Integer(), sa.ForeignKey('articles.id'), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('views', sa.Integer(), nullable=False, server_default='0'),
        sa.PrimaryKeyConstraint('article_id', 'day'),
    )
    with op.batch_alter_table('articles') as batch:
        batch.add_column(sa.Column('source_ticket_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_articles_source_ticket_id', 'tickets', ['source_ticket_id'], ['id'])
    op.create_index('ix_articles_source_ticket_id', 'articles', ['source_ticket_id'])
    op.execute("UPDATE search_queries SET meaning = normalized WHERE meaning = ''")
    op.create_index('ix_search_queries_gaps', 'search_queries',
                    ['meaning', 'created_at', 'results', 'clicked_article_id', 'query'])


def downgrade() -> None:
    op.drop_index('ix_search_queries_gaps', table_name='search_queries')
    op.drop_index('ix_articles_source_ticket_id', table_name='articles')
    with op.batch_alter_table('articles') as batch:
        batch.drop_constraint('fk_articles_source_ticket_id', type_='foreignkey')
        batch.drop_column('source_ticket_id')
    op.drop_table('article_view_days')
