"""A smaller SQLite index, and the index version.

- SQLite: the bigrams are no longer stored in search_indexentry (about half of its size). The
  full-text triggers compute them with hub_bigrams_v1(title, keyword_text, text), a function of the
  stored text alone (search.backends.database.bigram_text, registered on every connection), so what
  a delete removes from the contentless full-text table is always what the insert put in.
- IndexVersion: one row that every write to the index changes (search.backends.snapshot).
- RebuildState: a heartbeat and the fingerprint of the code that writes a rebuild.

Run `manage.py rebuild_search_index` after this migration: `keyword_text` is empty until then, so
the bigrams of keywords (unknown words in a lecturer's or center's name) are missing.
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


def fulltext(new_bigrams, old_bigrams, watched, fill):
    new = ", ".join(f"new.{c}" for c in WORDS) + f", {new_bigrams}"
    old = ", ".join(f"old.{c}" for c in WORDS) + f", {old_bigrams}"
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
        f"INSERT INTO search_fts(rowid, {COLUMNS}) SELECT page_id, {', '.join(WORDS)}, {fill} FROM search_indexentry",
    ]


def computed():
    return fulltext(
        "hub_bigrams_v1(new.title, new.keyword_text, new.text)",
        "hub_bigrams_v1(old.title, old.keyword_text, old.text)",
        ", ".join([*WORDS, "title", "keyword_text", "text"]),
        "hub_bigrams_v1(title, keyword_text, text)",
    )


def stored():
    """Migration 0004's layout, for going back (its bigrams are empty until a rebuild)."""
    return fulltext("new.bigrams", "old.bigrams", COLUMNS, "bigrams")


def on_sqlite(*parts):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for part in parts:
                for sql in part():
                    schema_editor.execute(sql)

    return apply


def first_version(apps, schema_editor):
    apps.get_model("search", "IndexVersion").objects.get_or_create(pk=1, defaults={"number": 1})


class Migration(migrations.Migration):
    dependencies = [("search", "0005_rebuild_state")]

    operations = [
        migrations.CreateModel(
            name="IndexVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveBigIntegerField(default=0)),
            ],
            options={"verbose_name": "搜索索引版本", "verbose_name_plural": "搜索索引版本"},
        ),
        migrations.RunPython(first_version, migrations.RunPython.noop),
        migrations.RunPython(on_sqlite(drop), on_sqlite(drop, stored)),
        migrations.RemoveField(model_name="indexentry", name="bigrams"),
        migrations.AddField(model_name="indexentry", name="keyword_text", field=models.TextField(blank=True)),
        migrations.RunPython(on_sqlite(computed), on_sqlite(drop)),
        migrations.AddField(
            model_name="rebuildstate", name="fingerprint", field=models.CharField(blank=True, max_length=64)
        ),
        migrations.AddField(model_name="rebuildstate", name="updated_at", field=models.DateTimeField(auto_now=True)),
    ]
