"""Record the files every existing page uses, and give existing documents and original images random
stored names (before this, uploads kept the uploader's file name)."""

from django.db import migrations


def forwards(apps, schema_editor):
    # The live models: references are found by the pages' StreamField blocks, which a historical model
    # does not fully have. Run right after the tables below were last changed.
    from access import names, uses

    uses.refresh_all()
    names.randomise_stored_names()


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0001_initial"),
        ("resources", "0004_trainingcenter_collection_and_more"),
        ("microcourses", "0005_microcoursepage_plan_item"),
        ("cases", "0002_initial"),
        ("home", "0002_create_homepage"),
        ("media", "0002_upload_session"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailimages", "0027_image_description"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
