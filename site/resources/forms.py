from access.forms import CheckedPageForm


class ResourcePageForm(CheckedPageForm):
    """A resource created inside a center's section belongs to that center: the field is
    filled in and locked, so the library's center facet always matches the tree. Like every page
    form, it accepts only files the user may choose (access.forms)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        section = getattr(self.parent_page, "specific", None)
        center = getattr(section, "center", None)
        if center is not None and "center" in self.fields:
            # A disabled field's value comes from form.initial (the instance's), not field.initial.
            self.initial["center"] = center.pk
            self.fields["center"].disabled = True
            self.fields["center"].help_text = "由所在的中心专区决定。"
        if "plan_item" in self.fields:
            # Only the items of this center's own plans can be chosen.
            from editorial.models import PlanItem

            owner = center or getattr(self.instance, "center", None)
            items = PlanItem.objects.filter(plan__center=owner) if owner else PlanItem.objects.none()
            self.fields["plan_item"].queryset = items.select_related("plan").order_by("-plan__year", "sort_order")
