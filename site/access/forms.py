"""Admin forms that accept only files the user may choose, and pages the user may see.

A chooser offers an editor the files of their own center's collection, but its value is just an id in
the POST: without this check, another center's unpublished video or document could be put on a page by
id, previewed, and published with it. Every file field is checked (a video, an attachment's document,
an expert's photo) and every reference in StreamFields and rich text (document blocks, images,
document links). Pages chosen by id (a series' courses, links in rich text) must be ones the user may see
in the admin (editorial.scoping): another center's draft cannot be pulled in, nor its title read back from
the form. What the object already uses stays allowed, so that an editor's next save never undoes what a
platform administrator chose."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

from wagtail.admin.forms import WagtailAdminModelForm, WagtailAdminPageForm
from wagtail.models import Page

from . import policy, uses

PAGE = "page"
# The message names the id the form sent, never the object's title: that would tell an editor the title
# of another center's file or draft.
REFUSED = {
    PAGE: "您无权引用该页面{id}：其他中心尚未公开的页面不能被引用。",
    "file": "您无权使用该文件{id}：只能选择本中心文件库中的文件。",
}


def _kind(model):
    if model is not None and issubclass(model, Page):
        return PAGE
    return uses.kind_of(model)


def _message(kind, object_id=None):
    return REFUSED[PAGE if kind == PAGE else "file"].format(id=f"（编号 {object_id}）" if object_id else "")


def visible_pages(pages, user):
    # Imported when used: page models import this module while the app registry is still loading.
    from editorial.scoping import visible_pages

    return visible_pages(pages, user)


def _usable(user, kind, queryset):
    """What of `queryset` the user may put on a page: files their choosers offer, pages they may see."""
    if kind == PAGE:
        return visible_pages(queryset, user)
    return policy.choosable(user, kind)


def _restrict_choices(form, user):
    for name, field in form.fields.items():
        queryset = getattr(field, "queryset", None)
        kind = _kind(queryset.model) if queryset is not None else None
        if kind is None:
            continue
        allowed = _usable(user, kind, queryset)
        current = form.initial.get(name)
        if current:
            allowed = allowed | queryset.model.objects.filter(pk=getattr(current, "pk", current))
        field.queryset = allowed
        field.error_messages["invalid_choice"] = _message(kind)


def _references(model_field, value):
    if value is None or value == "":
        return set()
    return {
        (_kind(model), str(object_id))
        for model, object_id, *_paths in model_field.extract_references(value)
        if _kind(model)
    }


def _may_use(user, kind, object_id):
    if not object_id.isdigit():
        return False
    if kind == PAGE:
        return visible_pages(Page.objects.filter(pk=object_id), user).exists()
    obj = uses.file_models()[kind].objects.filter(pk=object_id).first()
    return obj is not None and policy.may_choose(user, kind, obj)


def _check_references(form, user):
    """Files and pages newly referenced in the form's StreamFields and rich text must be usable.
    Returns the names of the fields that referred to something refused."""
    refused = []
    for name in form.fields:
        try:
            model_field = form._meta.model._meta.get_field(name)
        except Exception:  # a form-only field
            continue
        if not hasattr(model_field, "extract_references") or name not in getattr(form, "cleaned_data", {}):
            continue
        added = _references(model_field, form.cleaned_data[name]) - _references(model_field, form.initial.get(name))
        for kind, object_id in sorted(added):
            if not _may_use(user, kind, object_id):
                form.add_error(name, ValidationError(_message(kind, object_id), code="reference_not_allowed"))
                refused.append(name)
    return refused


def _refused_choices(form):
    return [
        name
        for name, field in form.fields.items()
        if getattr(field, "queryset", None) is not None
        and _kind(field.queryset.model)
        and form.has_error(name, "invalid_choice")
    ]


def _show_saved_value(form, name):
    """Show the field with what is saved, not the refused id: a chooser would look the id up and show
    the title of another center's file or draft."""
    form.fields[name].bound_data = lambda data, initial: initial


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
        refused = False
        for form in [self] + [form for formset in self.formsets.values() for form in formset.forms]:
            deleted = getattr(form, "cleaned_data", {}).get("DELETE")
            names = _refused_choices(form) + ([] if deleted else _check_references(form, self.for_user))
            for name in names:
                _show_saved_value(form, name)
            refused |= bool(names)
        return valid and not refused


class PinyinSlugMixin:
    """A new or changed slug that is not plain ASCII (Wagtail fills it from a Chinese title) becomes
    pinyin (hub.slugs), made unique among the page's siblings; an ASCII slug typed by the editor is kept
    and checked by Wagtail as before. Existing pages keep their slug (and their address) until edited."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            # An empty slug, or one with characters a slug cannot hold (《》), is spelt in clean() instead
            # of refused; the slug that is saved always passes the slug check.
            field = self.fields["slug"]
            field.required = False
            field.validators = [v for v in field.validators if not isinstance(v, RegexValidator)]

    def clean(self):
        from hub.slugs import available_slug, is_ascii_slug, pinyin_slug

        slug = self.cleaned_data.get("slug")
        changed = self.instance.pk is None or slug != self.instance.slug
        if "slug" in self.fields and "slug" not in self.errors and changed and not is_ascii_slug(slug):
            base = pinyin_slug(slug or self.cleaned_data.get("title", "")) or "page"
            parent = self.parent_page

            def is_available(candidate):
                return Page._slug_is_available(candidate, parent, self.instance)

            self.cleaned_data["slug"] = available_slug(base, is_available)
        return super().clean()


class CheckedPageForm(PinyinSlugMixin, FileChoiceCheckMixin, WagtailAdminPageForm):
    """The base form of every page type of the site."""


class CheckedModelForm(FileChoiceCheckMixin, WagtailAdminModelForm):
    """The base form of snippets that hold files (the expert pool's photos)."""
