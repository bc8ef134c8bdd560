"""Every listing runs a fixed number of SQL queries, whatever the number of items it shows."""

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from . import factories


def query_count(client, url):
    client.get(url)  # warm per-process caches (content types, site root paths)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def add_resources(tree, section, n):
    for _ in range(n):
        factories.MicroCoursePageFactory(
            parent=section,
            center=section.center,
            capabilities=["mental_health", "ideology"],
            stages=["new"],
            tags=["甲"],
        )
        factories.CasePageFactory(parent=section, center=section.center, capabilities=["research"], tags=["乙"])
        factories.PolicyDocumentPageFactory(parent=tree["notices"], tags=["丙"])


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["home", "library", "section", "cases", "notices"])
def test_listing_queries_do_not_grow_with_items(client, tree, section, where):
    url = section.url if where == "section" else tree[where].url
    add_resources(tree, section, 2)
    few = query_count(client, url)
    add_resources(tree, section, 20)
    many = query_count(client, url)
    assert few == many, f"{where}: {few} queries with 2 items of each kind, {many} with 22"
