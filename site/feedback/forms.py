"""The course page's rating form: a score of 1–5 and an optional comment."""

from django import forms

from .models import MAX_COMMENT_LENGTH

SCORES = range(1, 6)


class CommentField(forms.CharField):
    """Text as typed, its line breaks as one character each: browsers send \\r\\n but count one
    character for it in the textarea's maxlength, and the limit must agree with what they showed."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n")


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label="评分",
        choices=[(value, f"{value} 星") for value in SCORES],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "请选择评分（1 至 5 星）。",
            "invalid_choice": "评分只能是 1 至 5 星中的一个。",
        },
    )
    comment = CommentField(
        label="评论",
        required=False,
        max_length=MAX_COMMENT_LENGTH,
        widget=forms.Textarea,
        error_messages={
            "max_length": "评论最多 %(limit_value)d 字（现在 %(show_value)d 字），请删减后再提交。",
            "null_characters_not_allowed": "评论中含有不允许的字符。",
        },
    )

    def first_error(self):
        """(the field, its first error message); the field is "" for an error of the whole form."""
        for field in ("score", "comment"):
            if field in self.errors:
                return field, self.errors[field][0]
        return "", next(iter(self.non_field_errors()), "")
