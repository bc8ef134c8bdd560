"""The program's admin form (docs/programs-pages.md): the dates, the window, the quota and the schedule
must agree with each other; a draft may be incomplete, a program sent to readers may not."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from access.visibility import is_public
from accounts.models import PROVINCES
from microcourses.forms import MicroCoursePageForm

# What a published program needs, field by field, with the message the editor reads beside it.
REQUIRED_TO_PUBLISH = {
    "starts_on": "发布前请填写开班日期。",
    "ends_on": "发布前请填写结业日期。",
    "enrol_opens": "发布前请填写报名开始时间。",
    "enrol_closes": "发布前请填写报名截止时间。",
    "capabilities": "发布前请至少选择一个能力方向。",
}
NO_SESSION = "发布前请至少添加一项课程安排。"
COURSE_FIELDS = ("course_before", "course_after")


class ProgramPageForm(MicroCoursePageForm):
    """MicroCoursePageForm for its `publishing()` (which buttons send a page towards readers) and the
    center taken from the section (resources.forms); the course's own requirements are not applied."""

    provinces = forms.MultipleChoiceField(
        label="限报省份",
        choices=[(p, p) for p in PROVINCES],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="不选则全国辅导员均可报名。",
        error_messages={"invalid_choice": "“%(value)s”不是可选的省份。"},
    )

    def clean(self):
        # Skip MicroCoursePageForm.clean (a course's requirements): straight to ResourcePageForm's.
        cleaned = super(MicroCoursePageForm, self).clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        opens, closes = cleaned.get("enrol_opens"), cleaned.get("enrol_closes")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "结业日期不能早于开班日期。")
        if opens and closes and closes <= opens:
            self.add_error("enrol_closes", "报名截止时间应晚于报名开始时间。")
        if closes and ends and timezone.localdate(closes) > ends:
            self.add_error("enrol_closes", "报名截止时间不能晚于项目的结业日期。")
        capacity = cleaned.get("capacity")
        if capacity is not None and capacity > settings.PROGRAMS_MAX_CAPACITY:
            self.add_error("capacity", f"招收名额最多 {settings.PROGRAMS_MAX_CAPACITY} 人。")
        if self.is_bound and self.publishing():
            for name, message in REQUIRED_TO_PUBLISH.items():
                if name in self.fields and name not in self.errors and not cleaned.get(name):
                    self.add_error(name, ValidationError(message, code="required_to_publish"))
        return cleaned

    def is_valid(self):
        valid = super().is_valid()  # the form and its formsets, cleaned, chosen ids checked
        formset = self.formsets.get("sessions")
        if formset is None or not self.is_bound:
            return valid
        kept = [f for f in formset.forms if hasattr(f, "cleaned_data") and not f.cleaned_data.get("DELETE")]
        kept = [f for f in kept if f.has_changed() or f.instance.pk]
        problems = []
        if len(kept) > settings.PROGRAMS_MAX_SESSIONS:
            problems.append(f"课程安排最多 {settings.PROGRAMS_MAX_SESSIONS} 项（现有 {len(kept)} 项）。")
        if not kept and self.publishing():
            problems.append(NO_SESSION)
        if problems:
            formset._non_form_errors = formset.error_class(list(formset.non_form_errors()) + problems)
        cleaned = getattr(self, "cleaned_data", {})
        bad = False
        for form in kept:
            bad |= self._check_session(form, cleaned.get("starts_on"), cleaned.get("ends_on"))
        return valid and not problems and not bad

    def _check_session(self, form, program_starts, program_ends):
        """A session's own rules: it ends after it starts, within the program's days, with live courses."""
        data = form.cleaned_data
        bad = False
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts and "ends_at" not in form.errors:
            form.add_error("ends_at", "结束时间应晚于开始时间。")
            bad = True
        if starts and "starts_at" not in form.errors and program_starts and program_ends:
            day = timezone.localdate(starts)
            if not program_starts <= day <= program_ends:
                form.add_error("starts_at", "课程安排应在开班日期和结业日期之间。")
                bad = True
        for name in COURSE_FIELDS:
            course = data.get(name)
            if course is None or name in form.errors:
                continue
            already = form.initial.get(name)
            if getattr(already, "pk", already) == course.pk:
                continue  # what the schedule already links stays allowed
            if not course.live:
                form.add_error(name, "请选择已发布的微课：草稿不能作为课前或课后微课。")
                bad = True
            elif not is_public(course):
                # A view-restricted course: participants could neither open it nor complete the program.
                form.add_error(name, "请选择公开的微课：设置了访问限制的微课不能作为课前或课后微课。")
                bad = True
        return bad
