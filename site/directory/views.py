"""The directory: the training centers (/centers/) and the expert pool (/experts/, /experts/<id>/).

Plain GET pages (a filter form with a submit button, page links), in a fixed number of queries.
A center's own page is its section of the library (/library/<code>/, resources.CenterSectionPage),
which shows its facts, resources and experts: the index links there rather than repeating it.
"""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from resources.library import listing_queryset
from resources.models import Expert, TrainingCenter, paginate, pagination_links

from . import queries

CENTERS_PAGE_SIZE = 48
EXPERTS_PAGE_SIZE = 24


@require_safe
def centers(request):
    page = paginate(request, queries.all_centers(), per_page=CENTERS_PAGE_SIZE)
    return render(
        request,
        "directory/centers.html",
        {
            "centers": queries.centers_with_facts(page.object_list),
            "page_obj": page,
            "pagination": pagination_links(request, page),
        },
    )


@require_safe
def experts(request):
    code = request.GET.get("center", "").strip()[:40]
    level = request.GET.get("level", "").strip()[:20]
    notices = []
    center = queries.center_by_code(code)
    if code and center is None:
        notices.append("没有找到所选的培训研修中心，下面显示全部专家。")
    if level not in Expert.Level.values:
        if level:
            notices.append("没有这个师资级别，下面显示全部级别的专家。")
        level = ""
    page = paginate(request, queries.experts(center=center, level=level), per_page=EXPERTS_PAGE_SIZE)
    return render(
        request,
        "directory/experts.html",
        {
            "experts": page,
            "pagination": pagination_links(request, page),
            "center": center,
            "level": level,
            "level_label": dict(Expert.Level.choices).get(level, ""),
            "centers": TrainingCenter.objects.order_by("code").only("code", "name"),
            "levels": Expert.Level.choices,
            "notices": notices,
        },
    )


@require_safe
def expert(request, pk):
    found = queries.public_expert(pk)
    if found is None:
        raise Http404("没有这位专家的公开页面")
    courses = listing_queryset(queries.expert_courses(found))
    page = paginate(request, courses, per_page=settings.LIBRARY_PAGE_SIZE)
    centers = TrainingCenter.objects.filter(pk__in=queries.expert_courses(found).order_by().values("center")).order_by(
        "code"
    )
    return render(
        request,
        "directory/expert.html",
        {
            "expert": found,
            "courses": page,
            "pagination": pagination_links(request, page),
            "centers": queries.centers_with_facts(centers),
        },
    )
