"""The popularity columns (viewers, completions, ratings and the sort keys of 完成率最高 and 评分最高)
and one index per popularity sort.

The columns are added with ALTER TABLE ... ADD COLUMN on every database: Django would rebuild the
table on SQLite for a NOT NULL column, and with it drop the triggers that keep the full-text table in
step (migration 0006). The columns start at 0: `manage.py refresh_popularity` (or the worker's sweep)
fills them from the courses' numbers, and Elasticsearch needs a `rebuild_search_index` (its mapping is
strict: documents with the new fields are refused by an index made before them).
"""

from django.conf import settings
from django.db import migrations, models

FIELDS = {
    "viewers": lambda: models.PositiveIntegerField(default=0),
    "completions": lambda: models.PositiveIntegerField(default=0),
    "completion_rate": lambda: models.FloatField(default=0),
    "completion_key": lambda: models.FloatField(default=-1),
    "rating_count": lambda: models.PositiveIntegerField(default=0),
    "rating_average": lambda: models.FloatField(null=True),
    "rating_score": lambda: models.FloatField(default=0),
}


def add_columns(apps, schema_editor):
    model = apps.get_model("search", "IndexEntry")
    quote = schema_editor.quote_name
    for name, make in FIELDS.items():
        field = make()
        field.set_attributes_from_name(name)
        definition, params = schema_editor.column_sql(model, field, include_default=True)
        schema_editor.execute(
            f"ALTER TABLE {quote(model._meta.db_table)} ADD COLUMN {quote(name)} {definition}", params
        )


def drop_columns(apps, schema_editor):
    quote = schema_editor.quote_name
    for name in reversed(FIELDS):
        schema_editor.execute(f"ALTER TABLE {quote('search_indexentry')} DROP COLUMN {quote(name)}")


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0007_postgres_title_vector"),
        migrations.swappable_dependency(settings.WAGTAIL_PAGE_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="indexentry",
            name="search_entry_listing",
        ),
        migrations.RemoveIndex(
            model_name="indexentry",
            name="search_entry_popular",
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="indexentry",
                    name="completion_key",
                    field=models.FloatField(default=-1),
                ),
                migrations.AddField(
                    model_name="indexentry",
                    name="completion_rate",
                    field=models.FloatField(default=0),
                ),
                migrations.AddField(
                    model_name="indexentry",
                    name="completions",
                    field=models.PositiveIntegerField(default=0),
                ),
                migrations.AddField(
                    model_name="indexentry",
                    name="rating_average",
                    field=models.FloatField(null=True),
                ),
                migrations.AddField(
                    model_name="indexentry",
                    name="rating_count",
                    field=models.PositiveIntegerField(default=0),
                ),
                migrations.AddField(
                    model_name="indexentry",
                    name="rating_score",
                    field=models.FloatField(default=0),
                ),
                migrations.AddField(
                    model_name="indexentry",
                    name="viewers",
                    field=models.PositiveIntegerField(default=0),
                ),
            ],
            database_operations=[migrations.RunPython(add_columns, drop_columns)],
        ),
        migrations.AddIndex(
            model_name="indexentry",
            index=models.Index(
                fields=["page", "date", "popularity", "viewers", "completion_key", "rating_score", "rating_count"],
                name="search_entry_sort_keys",
            ),
        ),
        migrations.AddIndex(
            model_name="indexentry",
            index=models.Index(fields=["-viewers", "-popularity", "-date", "-page"], name="search_entry_viewers"),
        ),
        migrations.AddIndex(
            model_name="indexentry",
            index=models.Index(
                fields=["-completion_key", "-viewers", "-date", "-page"], name="search_entry_completion"
            ),
        ),
        migrations.AddIndex(
            model_name="indexentry",
            index=models.Index(fields=["-rating_score", "-rating_count", "-date", "-page"], name="search_entry_rating"),
        ),
    ]
