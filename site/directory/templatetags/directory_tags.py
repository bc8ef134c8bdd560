"""The directory in other apps' templates: a center's experts on its library section, the
video badge on search cards, and a lecturer's link where the course may not be public."""

from django import template
from django.template.loader import render_to_string
from django.urls import reverse

from microcourses.models import MicroCoursePage
from resources.library import video_ready

from .. import queries

register = template.Library()


@register.simple_tag
def center_experts(center):
    """The lecturers of a center's live public courses: the first few and how many in all."""
    pool = queries.experts(center=center)
    shown = list(pool[: queries.CENTER_EXPERTS_SHOWN + 1])
    more = len(shown) > queries.CENTER_EXPERTS_SHOWN
    return {
        "experts": shown[: queries.CENTER_EXPERTS_SHOWN],
        "total": pool.count() if more else len(shown),
        "more": more,
        "pool_url": f"{reverse('directory:experts')}?center={center.code}",
    }


@register.simple_tag
def lecturer_url(expert_id):
    """The expert's page if it exists (they have a live public course), else "": for pages that
    may themselves be a draft or private (a course's own page)."""
    if expert_id and queries.has_public_course(expert_id):
        return reverse("directory:expert", args=[expert_id])
    return ""


@register.simple_tag(takes_context=True)
def video_badge(context, result, results):
    """有视频 / 无视频 on a search card (a search.service.Result, from the search index): the
    states of every course in `results` are read in one query, on the first card."""
    if getattr(result, "kind", None) != "microcourse":
        return ""
    key = ("directory_video_ready", id(results))
    ready = context.render_context.get(key)
    if ready is None:
        ids = [r.id for r in results if getattr(r, "kind", None) == "microcourse"]
        ready = set(MicroCoursePage.objects.filter(video_ready(), pk__in=ids).values_list("pk", flat=True))
        context.render_context[key] = ready
    return render_to_string("directory/includes/video_badge.html", {"ready": result.id in ready})
