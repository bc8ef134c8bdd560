"""PostgreSQL: the title's words in a tsvector of their own (small, kept in the row), for ranking
the matches of a word in most resources by their titles without reading every large tsvector.
Filled here from the stored words; `rebuild_search_index` writes it as the backend does, and also
marks the bigrams (~心理) so that word queries need no weight labels (run it after upgrading)."""

from django.db import migrations

POSTGRES = [
    "ALTER TABLE search_indexentry ADD COLUMN title_vector tsvector",
    "UPDATE search_indexentry SET title_vector = setweight(to_tsvector('simple', title_words), 'A')",
    "CREATE INDEX search_indexentry_title_vector ON search_indexentry USING GIN (title_vector)",
]
POSTGRES_REVERSE = [
    "DROP INDEX IF EXISTS search_indexentry_title_vector",
    "ALTER TABLE search_indexentry DROP COLUMN IF EXISTS title_vector",
]


def on_postgres(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("search", "0006_computed_bigrams_and_version")]

    operations = [migrations.RunPython(on_postgres(POSTGRES), on_postgres(POSTGRES_REVERSE))]
