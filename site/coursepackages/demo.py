"""A demo recommended package, so that `load_demo` shows the library's 课程套餐 kind and its
以此套餐为起点 button."""

from django.db import transaction

from microcourses.models import MicroCoursePage
from resources.models import CareerStage, LibraryIndexPage

from .models import CoursePackagePage, PackageItem

SLUG = "xinruzhi-fudaoyuan-bixiu-taocan"
TITLE = "新入职辅导员必修套餐"


@transaction.atomic
def ensure_demo_package():
    """The package of the demo courses for new counselors, under the library, published once.
    Returns it, or None when it exists already or there is nothing to put in it."""
    library = LibraryIndexPage.objects.order_by("path").first()
    if library is None or CoursePackagePage.objects.filter(slug=SLUG).exists():
        return None
    courses = list(MicroCoursePage.objects.live().public().filter(stages__code="new").order_by("path")[:5])
    if not courses:
        return None
    package = CoursePackagePage(
        title=TITLE,
        slug=SLUG,
        summary="刚走上辅导员岗位的第一年里最需要的几门微课：从谈心谈话到心理危机识别，按学习顺序排好。",
    )
    package.items = [PackageItem(target=course, sort_order=index) for index, course in enumerate(courses)]
    library.add_child(instance=package)
    package.stages.set(CareerStage.objects.filter(code="new"))
    areas = {area.pk: area for course in courses for area in course.capabilities.all()}
    package.capabilities.set(list(areas.values()))
    package.save_revision().publish()
    return package
