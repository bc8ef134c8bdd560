"""What the directory shows, each list in a fixed number of queries.

Only live, public pages count anywhere here: a center's number of resources, an expert's courses,
a center's experts. A draft or a view-restricted course never makes its lecturer "a lecturer of
this center" in public.

Experts: the 师资库 entered in the admin is public by design (its photos are served to anyone,
access.policy.image_access), and a center's pool of lecturers is legitimately public, so the pool
(/experts/) lists every expert, with their number of live public courses. An expert's own page,
though, exists only while they have at least one live public course: a page that lists nothing
is useless (and for a lecturer whose only course is still a draft, premature). Experts without one
are listed in the pool without a link.
"""

from django.db.models import Case, Count, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce

from access.visibility import public
from microcourses.models import MicroCoursePage
from resources.models import CenterSectionPage, Expert, ResourcePage, TrainingCenter

# How many of a center's experts its page shows before linking to the filtered pool.
CENTER_EXPERTS_SHOWN = 24

LEVEL_ORDER = Case(
    When(level=Expert.Level.NATIONAL, then=Value(0)),
    When(level=Expert.Level.PROVINCIAL, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


# The site's rule (access.visibility, as the search and the feeds): live, not view-restricted, and under
# no unpublished or restricted section. `.live().public()` alone still counts a live course inside a
# center's unpublished section, and would name it (and its lecturer's page) in public.
def visible_resources():
    return public(ResourcePage.objects.all())


def visible_courses():
    return public(MicroCoursePage.objects.all())


def course_count(courses):
    """An expert's number of courses among `courses`, as a subquery (no query per row)."""
    counted = courses.filter(lecturer=OuterRef("pk")).order_by().values("lecturer").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def experts(center=None, level=None):
    """The pool, national experts first, then by number of courses. With a center: only the
    lecturers of its live public courses (the center's own pool)."""
    courses = visible_courses()
    queryset = Expert.objects.annotate(course_count=course_count(courses), level_order=LEVEL_ORDER)
    if center is not None:
        queryset = queryset.filter(pk__in=courses.filter(center=center).values("lecturer"))
    if level:
        queryset = queryset.filter(level=level)
    return queryset.order_by("level_order", "-course_count", "name", "pk")


def public_expert(pk):
    """The expert whose page may be shown: one with a live public course, else None."""
    return experts().filter(pk=pk, course_count__gt=0).select_related("photo").first()


def expert_courses(expert):
    """An expert's live public courses as library rows (includes/resource_card.html)."""
    return visible_resources().filter(microcoursepage__lecturer=expert).order_by("-first_published_at", "-pk")


def centers_with_facts(centers):
    """Each center with `resource_count`, `expert_count` and `section` (its live public section
    page, or None): four queries whatever the number of centers."""
    centers = list(centers)
    ids = [c.pk for c in centers]
    resources = visible_resources().filter(center_id__in=ids)
    resource_counts = dict(resources.order_by().values("center").annotate(n=Count("pk")).values_list("center", "n"))
    lecturers = resources.filter(microcoursepage__lecturer__isnull=False).order_by().values("center")
    expert_counts = dict(
        lecturers.annotate(n=Count("microcoursepage__lecturer", distinct=True)).values_list("center", "n")
    )
    sections = {s.center_id: s for s in public(CenterSectionPage.objects.filter(center_id__in=ids))}
    for center in centers:
        center.resource_count = resource_counts.get(center.pk, 0)
        center.expert_count = expert_counts.get(center.pk, 0)
        center.live_section = sections.get(center.pk)
    return centers


def all_centers():
    return TrainingCenter.objects.order_by("code")


def center_by_code(code):
    return TrainingCenter.objects.filter(code=code).first() if code else None


def has_public_course(expert_id):
    return visible_courses().filter(lecturer_id=expert_id).exists()
