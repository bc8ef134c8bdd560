"""The engine-specific full-text index over search_indexentry's word columns.

SQLite: an external-content FTS5 table whose rows follow search_indexentry through triggers
(also when a page's deletion cascades to its entry). The unicode61 tokenizer only splits the
words at the spaces we put between them. PostgreSQL: a tsvector column the backend fills with
its own words and weights, and a GIN index on it.
"""

from django.db import migrations

COLUMNS = "title_words, keywords, summary_words, body_words, bigrams"
NEW = ", ".join(f"new.{c.strip()}" for c in COLUMNS.split(","))
OLD = ", ".join(f"old.{c.strip()}" for c in COLUMNS.split(","))

SQLITE = [
    f"CREATE VIRTUAL TABLE search_fts USING fts5({COLUMNS}, content='search_indexentry', "
    "content_rowid='page_id', tokenize='unicode61 remove_diacritics 0')",
    f"""CREATE TRIGGER search_indexentry_ai AFTER INSERT ON search_indexentry BEGIN
        INSERT INTO search_fts(rowid, {COLUMNS}) VALUES (new.page_id, {NEW});
    END""",
    f"""CREATE TRIGGER search_indexentry_ad AFTER DELETE ON search_indexentry BEGIN
        INSERT INTO search_fts(search_fts, rowid, {COLUMNS}) VALUES ('delete', old.page_id, {OLD});
    END""",
    # Only when the text changes: counting a view must not rewrite the full-text row.
    f"""CREATE TRIGGER search_indexentry_au AFTER UPDATE OF {COLUMNS} ON search_indexentry BEGIN
        INSERT INTO search_fts(search_fts, rowid, {COLUMNS}) VALUES ('delete', old.page_id, {OLD});
        INSERT INTO search_fts(rowid, {COLUMNS}) VALUES (new.page_id, {NEW});
    END""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS search_indexentry_au",
    "DROP TRIGGER IF EXISTS search_indexentry_ad",
    "DROP TRIGGER IF EXISTS search_indexentry_ai",
    "DROP TABLE IF EXISTS search_fts",
]
POSTGRES = [
    "ALTER TABLE search_indexentry ADD COLUMN search_vector tsvector",
    "CREATE INDEX search_indexentry_vector ON search_indexentry USING GIN (search_vector)",
]
POSTGRES_REVERSE = [
    "DROP INDEX IF EXISTS search_indexentry_vector",
    "ALTER TABLE search_indexentry DROP COLUMN IF EXISTS search_vector",
]


def run(statements):
    def apply(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        if vendor not in statements:
            raise RuntimeError(f"The search app supports SQLite and PostgreSQL, not {vendor}.")
        for sql in statements[vendor]:
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        ),
    ]
