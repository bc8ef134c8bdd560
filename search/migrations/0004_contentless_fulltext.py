"""SQLite: the full-text table becomes contentless (content=''). It never read its content table
(searches use rowids and bm25; the triggers hand it the old words to delete), and without the
table's name in it the index can be rebuilt beside the live one and swapped in by renaming
(search/rebuild.py). The rows are copied over from search_indexentry."""

from django.db import migrations

COLUMNS = "title_words, keywords, summary_words, body_words, bigrams"
NEW = ", ".join(f"new.{c.strip()}" for c in COLUMNS.split(","))
OLD = ", ".join(f"old.{c.strip()}" for c in COLUMNS.split(","))


def fulltext(content):
    return [
        "DROP TRIGGER IF EXISTS search_indexentry_au",
        "DROP TRIGGER IF EXISTS search_indexentry_ad",
        "DROP TRIGGER IF EXISTS search_indexentry_ai",
        "DROP TABLE IF EXISTS search_fts",
        f"CREATE VIRTUAL TABLE search_fts USING fts5({COLUMNS}, content={content}, "
        + ("content_rowid='page_id', " if content != "''" else "")
        + "tokenize='unicode61 remove_diacritics 0')",
        f"""CREATE TRIGGER search_indexentry_ai AFTER INSERT ON search_indexentry BEGIN
            INSERT INTO search_fts(rowid, {COLUMNS}) VALUES (new.page_id, {NEW});
        END""",
        f"""CREATE TRIGGER search_indexentry_ad AFTER DELETE ON search_indexentry BEGIN
            INSERT INTO search_fts(search_fts, rowid, {COLUMNS}) VALUES ('delete', old.page_id, {OLD});
        END""",
        f"""CREATE TRIGGER search_indexentry_au AFTER UPDATE OF {COLUMNS} ON search_indexentry BEGIN
            INSERT INTO search_fts(search_fts, rowid, {COLUMNS}) VALUES ('delete', old.page_id, {OLD});
            INSERT INTO search_fts(rowid, {COLUMNS}) VALUES (new.page_id, {NEW});
        END""",
        f"INSERT INTO search_fts(rowid, {COLUMNS}) SELECT page_id, {COLUMNS} FROM search_indexentry",
    ]


def run(content):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for sql in fulltext(content):
                schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("search", "0003_listing_index")]

    operations = [
        migrations.RunPython(run("''"), run("'search_indexentry'")),
    ]
