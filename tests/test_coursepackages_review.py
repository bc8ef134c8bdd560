"""Course packages under review: what a counselor must not learn or break (titles of courses the public no
longer sees, double clicks, malformed names) and what a screen reader hears."""

import pytest

from wagtail.models import PageViewRestriction

from . import factories
from . import test_coursepackages as base
from .test_coursepackages import draft, make_package, private

# The fixtures of tests/test_coursepackages.py.
catalogue, counselor, signed_in = base.catalogue, base.counselor, base.signed_in


def package_search(client, words):
    return [r["title"] for r in client.get("/api/search/", {"q": words, "kind": "package"}).json()["results"]]


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["unpublished", "private", "section_private", "deleted"])
def test_a_package_is_no_longer_found_by_a_course_title_the_public_cannot_see(client, section, catalogue, how):
    c = catalogue
    if how == "section_private":
        # The course sits in another center's section, which is then restricted.
        other = factories.TrainingCenterFactory(code="ecnu", name="华东师范大学中心").section
        c["c"] = factories.MicroCoursePageFactory(parent=other, center=other.center, title="网络舆情的引导")
    make_package(section, [c["a"], c["c"]], title="研修套餐")
    assert package_search(client, "网络舆情") == ["研修套餐"]
    if how == "unpublished":
        draft(c["c"])
    elif how == "private":
        private(c["c"])
    elif how == "section_private":
        private(c["c"].get_parent())
    else:
        c["c"].delete()
    assert package_search(client, "网络舆情") == []
    assert package_search(client, "谈心谈话") == ["研修套餐"]
    if how == "private":
        PageViewRestriction.objects.filter(page=c["c"]).delete()
        assert package_search(client, "网络舆情") == ["研修套餐"]
