"""Wagtail's install creates "Editors" and "Moderators" with rights over the whole tree and a
"Moderators approval" workflow. Here every right is a center's or the platform's, so those are
removed while nobody uses them (editorial.roles creates the real ones after migrating)."""

from django.db import migrations


def remove_unused_stock_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowState = apps.get_model("wagtailcore", "WorkflowState")
    for name in ("Editors", "Moderators"):
        group = Group.objects.filter(name=name).first()
        if group is not None and not group.user_set.exists():
            group.delete()
    workflow = Workflow.objects.filter(name="Moderators approval").first()
    if workflow is not None and not WorkflowState.objects.filter(workflow=workflow).exists():
        Task = apps.get_model("wagtailcore", "Task")
        task_ids = list(workflow.workflow_tasks.values_list("task_id", flat=True))
        workflow.workflow_pages.all().delete()
        workflow.workflow_tasks.all().delete()
        workflow.delete()
        Task.objects.filter(pk__in=task_ids, workflow_tasks__isnull=True, task_states__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0001_initial"),
        ("wagtailcore", "0048_add_default_workflows"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(remove_unused_stock_groups, migrations.RunPython.noop)]
