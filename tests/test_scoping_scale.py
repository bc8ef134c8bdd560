"""The admin's scoping (editorial/scoping.py) among more than a thousand view restrictions: Wagtail's
private_q() ORed one condition per restriction and SQLite refused the page chooser's query past about a
thousand; one EXISTS per level of the tree answers the same, whatever their number."""

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from wagtail.models import Page, PageViewRestriction

from editorial import roles
from editorial.scoping import visible_pages

from . import factories
from .test_search_scale import RESTRICTED, bulk_children


@pytest.mark.django_db
def test_other_centers_private_pages_stay_hidden_among_a_thousand_restrictions(centers, people):  # noqa: F811
    a, b = centers
    public = factories.MicroCoursePageFactory(parent=b.section, center=b, title="乙中心公开课")
    private = factories.MicroCoursePageFactory(parent=b.section, center=b, title="乙中心内部课")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    folder = b.section.add_child(instance=Page(title="乙中心内部栏目", slug="internal"))
    below = factories.MicroCoursePageFactory(parent=folder, center=b, title="内部栏目下的课")
    PageViewRestriction.objects.create(page=folder, restriction_type=PageViewRestriction.PASSWORD, password="pw")
    locked = bulk_children(b.section, RESTRICTED, live=True, prefix="locked")
    PageViewRestriction.objects.bulk_create(
        [PageViewRestriction(page=page, restriction_type=PageViewRestriction.LOGIN) for page in locked]
    )
    assert PageViewRestriction.objects.count() > 1_000

    editor_a, editor_b = people["editor_a"], people["editor_b"]
    roles.is_platform_admin(editor_a), roles.center_ids_for(editor_a)  # cached for the request, as in a view
    with CaptureQueriesContext(connection) as queries:
        seen = set(visible_pages(Page.objects.all(), editor_a).values_list("title", flat=True))
    assert public.title in seen and b.section.title in seen
    assert not seen & {private.title, folder.title, below.title}
    assert not any(title.startswith("locked") for title in seen)
    assert len(queries) <= 3
    # Nothing in the statement grows with the number of restrictions.
    assert max(len(q["sql"]) for q in queries.captured_queries) < 5_000
    # The center's own editors see all of it.
    own = set(visible_pages(Page.objects.all(), editor_b).values_list("title", flat=True))
    assert {public.title, private.title, folder.title, below.title} <= own
    assert sum(title.startswith("locked") for title in own) == RESTRICTED
