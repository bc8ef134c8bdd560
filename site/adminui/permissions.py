"""Permission names in Chinese. Django writes each permission's name into the database when it creates it, in
English ("Can add page", "Publish any page"), and the group editor shows those names (custom permissions,
and the labels screen readers read for each box). After every migrate, each app's names get their Chinese
form: "可添加页面" for Django's four default permissions, the catalogue's translation for the others."""

from django.conf import settings
from django.contrib.auth import get_permission_codename
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Permission
from django.utils import translation
from django.utils.translation import gettext

ACTIONS = {"add": "添加", "change": "修改", "delete": "删除", "view": "查看"}


def chinese_name(permission):
    model = permission.content_type.model_class()
    action = permission.codename.split("_", 1)[0]
    # Django's own name for its default permissions: "Can add " and the model's name when it was created.
    if (
        model is not None
        and action in ACTIONS
        and permission.codename == get_permission_codename(action, model._meta)
        and permission.name.startswith(f"Can {action} ")
    ):
        return f"可{ACTIONS[action]}{model._meta.verbose_name}"
    return gettext(permission.name)


def translate_permission_names(sender, using="default", apps=None, **kwargs):
    """post_migrate, once per app: its permissions are created first (as django.contrib.auth does right after,
    which then finds them there), so that every name is translated in the same migrate."""
    if apps is not None:
        create_permissions(sender, verbosity=0, using=using, apps=apps)
    changed = []
    with translation.override(settings.LANGUAGE_CODE):
        for permission in Permission.objects.using(using).filter(content_type__app_label=sender.label):
            name = str(chinese_name(permission))[: Permission._meta.get_field("name").max_length]
            if name != permission.name:
                permission.name = name
                changed.append(permission)
    Permission.objects.using(using).bulk_update(changed, ["name"])
