"""Labels for what Wagtail shows without one: a form field or a listing column declared without a label is
shown under its Python name ("Link text", "Site name", "Page"), which no translation catalogue can reach.
Each label is set once, at start-up, on Wagtail's own classes; where a model field says the same thing, its
verbose name (which Wagtail's catalogue translates) is the label."""

from django.contrib.auth.models import Group
from django.utils.text import capfirst

from wagtail.admin.forms import choosers, workflows
from wagtail.contrib.redirects.forms import ConfirmImportForm
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Page, Site
from wagtail.sites.views import IndexView as SiteIndexView
from wagtail.users.forms import PagePermissionsForm
from wagtail.users.views.bulk_actions.assign_role import RoleForm


def _field_labels():
    page, group = capfirst(Page._meta.verbose_name), capfirst(Group._meta.verbose_name)
    # The rich-text editor's link dialog: external, anchor, e-mail and phone links.
    link = {"link_text": "链接文字", "email_address": "电子邮箱地址", "subject": "邮件主题", "body": "邮件正文"}
    link["phone_number"] = "电话号码"
    return [
        *[(form, link) for form in (choosers.ExternalLinkChooserForm, choosers.AnchorLinkChooserForm)],
        *[(form, link) for form in (choosers.EmailLinkChooserForm, choosers.PhoneLinkChooserForm)],
        (PagePermissionsForm, {"page": page}),  # a group's page permissions
        (workflows.WorkflowPageForm, {"page": page}),  # the pages a workflow applies to
        (workflows.WorkflowContentTypeForm, {"content_types": "片段类型"}),  # the snippets it applies to
        (RoleForm, {"role": group}),  # users' bulk action "assign role"
        (ConfirmImportForm, {"permanent": capfirst(Redirect._meta.get_field("is_permanent").verbose_name)}),
    ]


# Settings → 站点: columns named after Site's fields.
SITE_COLUMNS = ("port", "site_name", "root_page")


def apply():
    for form, labels in _field_labels():
        for name, field in form.base_fields.items():
            if field.label is None and name in labels:
                field.label = labels[name]
    for column in SiteIndexView.columns:
        if column.name in SITE_COLUMNS:
            column.label = capfirst(Site._meta.get_field(column.name).verbose_name)
