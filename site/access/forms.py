"""Admin forms that accept only files the user may choose.

A chooser offers an editor the files of their own center's collection, but its value is just an id in
the POST: without this check, another center's unpublished video or document could be put on a page by
id, previewed, and published with it. Every file field is checked (a video, an attachment's document,
an expert's photo) and every reference in StreamFields and rich text (document blocks, images,
document links). A file the object already uses stays allowed, so that an editor's next save never
undoes what a platform administrator chose."""

from django.core.exceptions import ValidationError

from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm

from . import policy, uses

REFUSED = "您无权使用该文件（{title}）：只能选择本中心文件库中的文件。"
REFUSED_ID = "您无权使用该文件：只能选择本中心文件库中的文件。"


def _kind_of_field(field):
    queryset = getattr(field, "queryset", None)
    return uses.kind_of(queryset.model) if queryset is not None else None


def _restrict_choices(form, user):
    for name, field in form.fields.items():
        kind = _kind_of_field(field)
        if kind is None:
            continue
        allowed = policy.choosable(user, kind)
        current = form.initial.get(name)
        if current:
            allowed = allowed | field.queryset.model.objects.filter(pk=getattr(current, "pk", current))
        field.queryset = allowed
        field.error_messages["invalid_choice"] = REFUSED_ID


def _references(model_field, value):
    if value is None or value == "":
        return set()
    return {
        (uses.kind_of(model), str(object_id))
        for model, object_id, *_paths in model_field.extract_references(value)
        if uses.kind_of(model)
    }


def _check_references(form, user):
    """Files newly referenced in the form's StreamFields and rich text fields must be choosable.
    Returns whether any was refused."""
    refused = False
    for name in form.fields:
        try:
            model_field = form._meta.model._meta.get_field(name)
        except Exception:  # a form-only field
            continue
        if not hasattr(model_field, "extract_references") or name not in getattr(form, "cleaned_data", {}):
            continue
        added = _references(model_field, form.cleaned_data[name]) - _references(model_field, form.initial.get(name))
        for kind, object_id in sorted(added):
            model = uses.file_models()[kind]
            obj = model.objects.filter(pk=object_id).first() if object_id.isdigit() else None
            if obj is None or not policy.may_choose(user, kind, obj):
                title = getattr(obj, "title", object_id)
                form.add_error(name, ValidationError(REFUSED.format(title=title), code="file_not_allowed"))
                refused = True
    return refused


class FileChoiceCheckMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is None:
            return
        _restrict_choices(self, self.for_user)
        for formset in self.formsets.values():
            for form in formset.forms:
                _restrict_choices(form, self.for_user)

    def is_valid(self):
        valid = super().is_valid()  # the form and its formsets, all cleaned
        if self.for_user is None or not self.is_bound:
            return valid
        forms = [self] + [
            form
            for formset in self.formsets.values()
            for form in formset.forms
            if getattr(form, "cleaned_data", None) and not form.cleaned_data.get("DELETE")
        ]
        refused = False
        for form in forms:
            refused |= _check_references(form, self.for_user)
        return valid and not refused


class CheckedPageForm(FileChoiceCheckMixin, WagtailAdminPageForm):
    """The base form of every page type of the site."""


class CheckedModelForm(FileChoiceCheckMixin, WagtailAdminModelForm):
    """The base form of snippets that hold files (the expert pool's photos)."""
