"""SQLite: a smaller full-text index that can be rebuilt beside the live one.

- The full-text table becomes contentless (content=''). It never read its content table (searches
  use rowids and bm25; the triggers hand it the old words to delete), and without the table's name
  in it a new index can be built beside the live one and swapped in by renaming (search/rebuild.py).
- The bigrams are no longer stored in search_indexentry (about half of its size): the triggers
  compute them with hub_bigrams(title, keyword_text, text), a function of the stored text alone
  (search.backends.database.bigram_text, registered on every connection).

Run `manage.py rebuild_search_index` after this migration: `keyword_text` is empty until then.
"""

from django.db import migrations, models

WORDS = ["title_words", "keywords", "summary_words", "body_words"]
COLUMNS = ", ".join([*WORDS, "bigrams"])


def drop():
    return [
        "DROP TRIGGER IF EXISTS search_indexentry_au",
        "DROP TRIGGER IF EXISTS search_indexentry_ad",
        "DROP TRIGGER IF EXISTS search_indexentry_ai",
        "DROP TABLE IF EXISTS search_fts",
    ]


def contentless():
    new = ", ".join(f"new.{c}" for c in WORDS) + ", hub_bigrams(new.title, new.keyword_text, new.text)"
    old = ", ".join(f"old.{c}" for c in WORDS) + ", hub_bigrams(old.title, old.keyword_text, old.text)"
    watched = ", ".join([*WORDS, "title", "keyword_text", "text"])
    return [
        f"CREATE VIRTUAL TABLE search_fts USING fts5({COLUMNS}, content='', tokenize='unicode61 remove_diacritics 0')",
        f"""CREATE TRIGGER search_indexentry_ai AFTER INSERT ON search_indexentry BEGIN
            INSERT INTO search_fts(rowid, {COLUMNS}) VALUES (new.page_id, {new});
        END""",
        f"""CREATE TRIGGER search_indexentry_ad AFTER DELETE ON search_indexentry BEGIN
            INSERT INTO search_fts(search_fts, rowid, {COLUMNS}) VALUES ('delete', old.page_id, {old});
        END""",
        f"""CREATE TRIGGER search_indexentry_au AFTER UPDATE OF {watched} ON search_indexentry BEGIN
            INSERT INTO search_fts(search_fts, rowid, {COLUMNS}) VALUES ('delete', old.page_id, {old});
            INSERT INTO search_fts(rowid, {COLUMNS}) VALUES (new.page_id, {new});
        END""",
        f"INSERT INTO search_fts(rowid, {COLUMNS}) SELECT page_id, {', '.join(WORDS)}, "
        "hub_bigrams(title, keyword_text, text) FROM search_indexentry",
    ]


def external_content():
    """The previous layout (migration 0002), for going back; its bigrams are empty until a rebuild."""
    new = ", ".join(f"new.{c}" for c in [*WORDS, "bigrams"])
    old = ", ".join(f"old.{c}" for c in [*WORDS, "bigrams"])
    return [
        f"CREATE VIRTUAL TABLE search_fts USING fts5({COLUMNS}, content='search_indexentry', "
        "content_rowid='page_id', tokenize='unicode61 remove_diacritics 0')",
        f"CREATE TRIGGER search_indexentry_ai AFTER INSERT ON search_indexentry BEGIN "
        f"INSERT INTO search_fts(rowid, {COLUMNS}) VALUES (new.page_id, {new}); END",
        f"CREATE TRIGGER search_indexentry_ad AFTER DELETE ON search_indexentry BEGIN "
        f"INSERT INTO search_fts(search_fts, rowid, {COLUMNS}) VALUES ('delete', old.page_id, {old}); END",
        f"CREATE TRIGGER search_indexentry_au AFTER UPDATE OF {COLUMNS} ON search_indexentry BEGIN "
        f"INSERT INTO search_fts(search_fts, rowid, {COLUMNS}) VALUES ('delete', old.page_id, {old}); "
        f"INSERT INTO search_fts(rowid, {COLUMNS}) VALUES (new.page_id, {new}); END",
        "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
    ]


def on_sqlite(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for sql in statements():
                schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("search", "0003_listing_index")]

    operations = [
        migrations.RunPython(on_sqlite(drop), on_sqlite(lambda: [*drop(), *external_content()])),
        migrations.AddField(model_name="indexentry", name="keyword_text", field=models.TextField(blank=True)),
        migrations.RemoveField(model_name="indexentry", name="bigrams"),
        migrations.RunPython(on_sqlite(contentless), on_sqlite(drop)),
    ]
