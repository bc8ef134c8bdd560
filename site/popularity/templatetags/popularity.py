"""What the rows and the course page show of a resource's numbers (popularity.scores.Numbers)."""

from django import template

from resources.models import ResourceStats

from ..scores import Numbers

register = template.Library()


@register.simple_tag
def popularity_numbers(stats):
    """A row's numbers from what the row has: a ResourceStats, the search index's Numbers, or nothing."""
    return stats if isinstance(stats, Numbers) else Numbers.of(stats or None)


@register.simple_tag
def course_numbers(page):
    """The course page's numbers (one query)."""
    return Numbers.of(ResourceStats.objects.filter(page_id=page.pk).first())


@register.filter
def percent(rate):
    return f"{round((rate or 0) * 100)}%"


@register.filter
def one_decimal(value):
    return f"{value:.1f}" if value is not None else ""
