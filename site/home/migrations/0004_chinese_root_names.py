"""Wagtail creates the root of the page tree and the root collection named "Root"; the admin shows both
(the explorer's top, the collection filters and choosers), so they get Chinese names. Renamed only while
they still have Wagtail's name."""

from django.db import migrations

NAMES = {"page": ("Root", "根页面"), "collection": ("Root", "根集合")}


def rename(apps, schema_editor, forward=True):
    Page = apps.get_model("wagtailcore.Page")
    Collection = apps.get_model("wagtailcore.Collection")
    old, new = NAMES["page"] if forward else NAMES["page"][::-1]
    Page.objects.filter(depth=1, title=old).update(title=new, draft_title=new)
    old, new = NAMES["collection"] if forward else NAMES["collection"][::-1]
    Collection.objects.filter(depth=1, name=old).update(name=new)


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("home", "0003_alter_homepage_options"),
        ("wagtailcore", "0025_collection_initial_data"),
    ]

    operations = [migrations.RunPython(rename, rename_back)]
