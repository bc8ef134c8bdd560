"""A course series becomes a library resource: CourseSeriesPage's parent changes from Page to
resources.ResourcePage (multi-table), keeping every series' page id, so that package items, favourites,
revisions, workflow states and URLs stay valid.

1. each series gets its ResourcePage row (same id), with its summary and center, and its tags become
   ResourceTags;
2. the parent link is renamed (page_ptr -> resourcepage_ptr);
3. the series' own summary, center and tags go;
4. the parent link points at ResourcePage, which becomes the model's base.

Old revisions still load: their JSON names fields (summary, center, tagged_items) that ResourcePage has
under the same names, and a key a model no longer has (page_ptr) is ignored.
"""

import django.db.models.deletion
from django.db import migrations, models


def copy_to_resources(apps, schema_editor):
    Series = apps.get_model("microcourses", "CourseSeriesPage")
    SeriesTag = apps.get_model("microcourses", "SeriesTag")
    ResourcePage = apps.get_model("resources", "ResourcePage")
    ResourceTag = apps.get_model("resources", "ResourceTag")
    db = schema_editor.connection.alias
    for series_id, summary, center_id in Series.objects.using(db).values_list("pk", "summary", "center_id"):
        # raw: only the resource's own table; its Page row exists already.
        ResourcePage(page_ptr_id=series_id, summary=summary, center_id=center_id).save_base(
            raw=True, force_insert=True, using=db
        )
    tags = SeriesTag.objects.using(db).order_by("pk").values_list("content_object_id", "tag_id")
    ResourceTag.objects.using(db).bulk_create(
        [ResourceTag(content_object_id=page_id, tag_id=tag_id) for page_id, tag_id in tags]
    )


def copy_back(apps, schema_editor):
    Series = apps.get_model("microcourses", "CourseSeriesPage")
    SeriesTag = apps.get_model("microcourses", "SeriesTag")
    ResourcePage = apps.get_model("resources", "ResourcePage")
    ResourceTag = apps.get_model("resources", "ResourceTag")
    ResourceStats = apps.get_model("resources", "ResourceStats")
    db = schema_editor.connection.alias
    ids = list(Series.objects.using(db).values_list("pk", flat=True))
    for page_id, summary, center_id in (
        ResourcePage.objects.using(db).filter(pk__in=ids).values_list("pk", "summary", "center_id")
    ):
        Series.objects.using(db).filter(pk=page_id).update(summary=summary, center_id=center_id)
    tags = ResourceTag.objects.using(db).filter(content_object_id__in=ids)
    SeriesTag.objects.using(db).bulk_create(
        [
            SeriesTag(content_object_id=p, tag_id=t)
            for p, t in tags.order_by("pk").values_list("content_object_id", "tag_id")
        ]
    )
    # Only the resource rows (a plain delete would take the pages with them).
    tags._raw_delete(db)
    ResourceStats.objects.using(db).filter(page_id__in=ids)._raw_delete(db)
    ResourcePage.capabilities.through.objects.using(db).filter(resourcepage_id__in=ids)._raw_delete(db)
    ResourcePage.objects.using(db).filter(pk__in=ids)._raw_delete(db)


def remake_referencing_tables(apps, schema_editor):
    """SQLite: the tables whose foreign keys name the renamed column are rebuilt to name the new one
    (PostgreSQL's constraints follow a renamed column by themselves)."""
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in ("SeriesItem", "SeriesTag"):
        schema_editor._remake_table(apps.get_model("microcourses", name))


class ReparentModel(migrations.AlterField):
    """AlterField of a parent link that also changes the model's bases, in one step: a model state whose
    parent link does not point at its base cannot be rendered."""

    def __init__(self, model_name, name, field, bases, old_bases, preserve_default=True):
        self.bases = bases
        self.old_bases = old_bases
        super().__init__(model_name, name, field, preserve_default)

    def deconstruct(self):
        name, args, kwargs = super().deconstruct()
        return name, args, {**kwargs, "bases": self.bases, "old_bases": self.old_bases}

    def state_forwards(self, app_label, state):
        state.models[app_label, self.model_name_lower].bases = self.bases
        super().state_forwards(app_label, state)

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        # The model handed to the schema editor is the target one: SQLite rebuilds the table from it, and a
        # rebuild from the old model (bases Page) would add a page_ptr column for the parent it believes in.
        from_model = from_state.apps.get_model(app_label, self.model_name)
        to_model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, to_model):
            from_field = from_model._meta.get_field(self.name)
            to_field = to_model._meta.get_field(self.name)
            schema_editor.alter_field(to_model, from_field, to_field)

    def describe(self):
        return f"Make {self.model_name} a subclass of {self.bases[0]}"


class Migration(migrations.Migration):
    dependencies = [
        ("microcourses", "0006_alter_seriestag_options"),
        ("resources", "0007_rating_score"),
    ]

    operations = [
        migrations.RunPython(copy_to_resources, copy_back),
        # Before and after the rename: whichever way the migration runs, the remake follows the rename.
        migrations.RunPython(migrations.RunPython.noop, remake_referencing_tables),
        migrations.RenameField("courseseriespage", "page_ptr", "resourcepage_ptr"),
        migrations.RunPython(remake_referencing_tables, migrations.RunPython.noop),
        # The series' own fields go before the new parent brings the same names.
        migrations.RemoveField(model_name="courseseriespage", name="tags"),
        migrations.RemoveField(model_name="courseseriespage", name="center"),
        migrations.RemoveField(model_name="courseseriespage", name="summary"),
        migrations.DeleteModel(name="SeriesTag"),
        ReparentModel(
            model_name="courseseriespage",
            name="resourcepage_ptr",
            field=models.OneToOneField(
                auto_created=True,
                on_delete=django.db.models.deletion.CASCADE,
                parent_link=True,
                primary_key=True,
                serialize=False,
                to="resources.resourcepage",
            ),
            bases=("resources.resourcepage",),
            old_bases=("wagtailcore.page",),
        ),
    ]
