"""Resource limits: what one request can make the server do is bounded."""

import time

import pytest

from resources.library import MAX_VALUES_PER_FACET


@pytest.fixture
def courses(make_course):
    return [
        make_course(title="心理危机干预", capabilities=["mental_health"], stages=["new"], tags=["心理", "危机"]),
        make_course(title="就业指导", capabilities=["career_guidance"], stages=["senior"], tags=["就业"]),
    ]


@pytest.mark.django_db
class TestLibraryFacets:
    def test_the_issues_two_thousand_tags_are_refused_at_once(self, client, tree, courses):
        # 2,000 tag values (19 KB) gave 109 MB in 9 s.
        query = "&".join(f"tag=t{i:04d}" for i in range(2000))
        started = time.monotonic()
        response = client.get(f"{tree['library'].url}?{query}")
        assert time.monotonic() - started < 1
        assert response.status_code == 414
        assert "网址过长" in response.content.decode()
        assert len(response.content) < 1000

    def test_many_values_under_the_url_limit_answer_fast_and_small(self, client, tree, courses):
        query = "&".join(f"tag=t{i}" for i in range(400)) + "&tag=心理"
        assert len(query) < 4096
        started = time.monotonic()
        response = client.get(f"{tree['library'].url}?{query}")
        assert time.monotonic() - started < 3
        assert response.status_code == 200
        assert len(response.content) < 200_000
        chosen = [
            o.code for f in response.context["library"]["facets"] if f.name == "tag" for o in f.options if o.selected
        ]
        assert len(chosen) == MAX_VALUES_PER_FACET  # the first 20; 心理 is past them

    def test_a_normal_multi_facet_url_still_works(self, client, tree, courses):
        response = client.get(
            tree["library"].url + "?capability=mental_health&capability=career_guidance&stage=new&tag=心理&tag=危机"
        )
        assert response.status_code == 200
        assert [item.title for item in response.context["library"]["page"]] == ["心理危机干预"]


@pytest.mark.django_db
def test_a_long_path_is_refused_with_414(client, tree):
    response = client.get("/" + "a/" * 3000)
    assert response.status_code == 414
    assert "网址过长" in response.content.decode()


@pytest.mark.django_db
def test_the_admin_and_search_within_the_limit_still_work(client, tree, courses):
    response = client.get("/search/?q=" + "心理" * 50 + "".join(f"&capability=c{i}" for i in range(30)))
    assert response.status_code == 200
