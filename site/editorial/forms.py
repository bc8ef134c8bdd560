from django import forms

from resources.models import CapabilityArea, CourseType

from .models import YearSummary


class PlanItemForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label="课程名称", max_length=255, required=False)
    capability = forms.ModelChoiceField(CapabilityArea.objects.all(), label="能力方向", required=False)
    course_type = forms.ModelChoiceField(CourseType.objects.all(), label="课程类型", required=False)
    lecturer = forms.CharField(label="拟定主讲人", max_length=100, required=False)
    target_date = forms.DateField(
        label="计划完成日期", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def as_data(self):
        data = self.cleaned_data
        return {
            "id": data.get("id"),
            "title": data.get("title", ""),
            "capability": data["capability"].pk if data.get("capability") else None,
            "course_type": data["course_type"].pk if data.get("course_type") else None,
            "lecturer": data.get("lecturer", ""),
            "target_date": data["target_date"].isoformat() if data.get("target_date") else None,
        }


MAX_ROWS = 200  # a plan's rows, blank ones included: bounds what "增加一行" can grow to
NEW_PLAN_ROWS = 10  # a new plan opens with room for a center's year of courses
BLANK_ROWS = 3  # and a plan in progress with three blank rows below its courses

PlanItemFormSet = forms.formset_factory(
    PlanItemForm, extra=BLANK_ROWS, can_delete=True, max_num=MAX_ROWS, validate_max=True
)


def plan_formset(data=None, initial=()):
    """The plan's rows. Without JavaScript, "增加一行" (a submit button named add_row) sends what was typed
    and gets it back with one blank row more; nothing is saved and nothing is lost."""
    initial = list(initial)
    if data is not None and "add_row" in data:
        data = data.copy()
        try:
            total = int(data.get("form-TOTAL_FORMS", 0))
        except ValueError:
            total = 0
        data["form-TOTAL_FORMS"] = str(min(max(total, 0) + 1, MAX_ROWS))
    formset = PlanItemFormSet(data, initial=initial)
    formset.extra = max(BLANK_ROWS, NEW_PLAN_ROWS - len(initial))
    return formset


class PlanChangeReasonForm(forms.Form):
    reason = forms.CharField(
        label="变更说明",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="5月10日之后的修改需要中心审核人员批准，请说明变更的原因。",
    )


class DecisionForm(forms.Form):
    comment = forms.CharField(label="审核意见", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class YearSummaryForm(forms.ModelForm):
    """The texts of a center's year-end summary (年底工作总结). A draft may be saved half done; a
    submission needs all three. The limits are the model's (5000 / 3000 / 3000 characters)."""

    class Meta:
        model = YearSummary
        fields = ["achievements", "problems", "next_year"]
        widgets = {
            "achievements": forms.Textarea(attrs={"rows": 12}),
            "problems": forms.Textarea(attrs={"rows": 6}),
            "next_year": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "achievements": "本年度培训项目、课程建设、资源共享等方面的主要工作和成效（不超过 5000 字）。",
            "problems": "不超过 3000 字。",
            "next_year": "不超过 3000 字。",
        }

    def __init__(self, *args, locked=False, submitting=False, **kwargs):
        # locked: a submitted summary, shown read-only (a POST to it is refused, its text shown back
        # in read-only boxes so that nothing typed is lost).
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = submitting
            if locked:
                field.widget.attrs["readonly"] = True
            field.error_messages["required"] = "提交前请填写此项。"
            field.error_messages["max_length"] = "最多 %(limit_value)d 字（现为 %(show_value)d 字）。"
