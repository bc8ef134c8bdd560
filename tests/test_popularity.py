"""Popularity (大数据比选): courses' viewers, completions and ratings kept current, shown on rows and the
course page, and the sorts 最多观看 / 完成率最高 / 评分最高 in the library, the search and the API, each
in a constant number of SQL queries (docs/popularity.md)."""

import threading
from datetime import UTC, datetime, timedelta

import pytest

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from feedback.models import CourseRating
from learning.models import LearningCredit
from learning.tracking import Report, apply_report, credit_course, start_session
from popularity import aggregates, sweeps
from popularity.models import RefreshRun
from popularity.scores import rating_score
from resources.models import ResourceStats
from search import documents, indexing
from search.backends import database, elastic
from search.backends.base import SearchQuery
from search.models import IndexEntry, PendingChange
from search.service import SearchRequest, search

from .learning_helpers import Clock, counselor, playable_course, race_to_completion, report, start

SORTS = ["popular", "completion", "rating"]


def stats(page):
    return ResourceStats.objects.get(page_id=page.pk)


def entry(page):
    return IndexEntry.objects.get(page_id=page.pk)


def published(make_course, **kwargs):
    """A course as editors publish it: in the search index."""
    page = make_course(**kwargs)
    page.save_revision().publish()
    return page


def rate(course, score, name=None):
    user = counselor(name or f"rater-{CourseRating.objects.count()}-{course.pk}")
    return CourseRating.objects.create(user=user, course=course, score=score)


# -- kept current -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_starting_to_watch_counts_a_viewer_once_per_counselor(client, make_course):
    course = playable_course(make_course)
    first, second = counselor("first"), counselor("second")
    client.force_login(first)
    start(client, course)
    start(client, course)  # the same counselor again, another device: still one viewer
    client.force_login(second)
    start(client, course)
    assert stats(course).viewers == 2
    assert entry(course).viewers == 2  # the search index's copy, in the same transaction
    assert stats(course).completion_rate == 0


@pytest.mark.django_db
def test_a_progress_report_leaves_the_numbers_alone(client, make_course):
    """The report path (500/s) writes no row the handlers count: no statement reaches ResourceStats."""
    course = playable_course(make_course)
    client.force_login(counselor())
    with Clock() as clock:
        session = start(client, course)
        clock.advance(10)
        with CaptureQueriesContext(connection) as ctx:
            assert report(client, session, 1, [[0, 10]]).status_code == 200
    assert not [q for q in ctx.captured_queries if "resourcestats" in q["sql"].lower()]
    assert not [q for q in ctx.captured_queries if "search_indexentry" in q["sql"].lower()]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_completing_counts_once_even_when_the_reports_race(make_course):
    course = playable_course(make_course, duration=100.0)
    user = counselor("racer")
    with Clock() as clock:
        session, _ = start_session(user, course)
        clock.advance(45)
        apply_report(user.pk, session.pk, Report(seq=1, verb="played", segments=[(0, 89)], position=89, rate=1))
        clock.advance(10)
        _, errors = race_to_completion(user, session)
    assert not errors
    assert LearningCredit.objects.filter(user=user).count() == 1
    numbers = stats(course)
    assert (numbers.viewers, numbers.completions, numbers.completion_rate) == (1, 1, 1.0)
    assert entry(course).completions == 1


@pytest.mark.django_db
def test_ratings_are_counted_again_when_saved_changed_or_deleted(make_course):
    course = published(make_course)
    first = rate(course, 5)
    assert (stats(course).rating_count, stats(course).rating_average) == (1, 5.0)
    rate(course, 4)
    rate(course, 3)
    numbers = stats(course)
    assert (numbers.rating_count, numbers.rating_sum, numbers.rating_average) == (3, 12, 4.0)
    assert numbers.rating_score == pytest.approx((12 + 5 * 3.5) / 8)
    first.score = 1
    first.save()  # a counselor changes their rating
    assert (stats(course).rating_sum, stats(course).rating_average) == (8, pytest.approx(8 / 3, abs=0.01))
    first.delete()
    numbers = stats(course)
    assert (numbers.rating_count, numbers.rating_sum, numbers.rating_average) == (2, 7, 3.5)
    copy = entry(course)
    assert (copy.rating_count, copy.rating_average) == (2, 3.5)
    assert copy.rating_score == pytest.approx(numbers.rating_score)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time: no overlap")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_first_ratings_at_the_same_moment_are_both_counted(make_course):
    """The course has no numbers yet: the second rating's recount waits for the first one's row and counts
    after its commit (both ratings), instead of overwriting it with a count of one."""
    course = published(make_course, title="第一次被评分的课程")
    ResourceStats.objects.filter(page_id=course.pk).delete()
    first_user, second_user = counselor("first-rater"), counselor("second-rater")
    inserted, release = threading.Event(), threading.Event()

    def first_rating():
        try:
            with transaction.atomic():
                CourseRating.objects.create(user=first_user, course=course, score=5)
                inserted.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=first_rating)
    thread.start()
    assert inserted.wait(10)
    threading.Timer(0.5, release.set).start()  # the first commits while the second waits on the row
    CourseRating.objects.create(user=second_user, course=course, score=3)
    thread.join()
    numbers = stats(course)
    assert (numbers.rating_count, numbers.rating_sum, numbers.rating_average) == (2, 8, 4.0)
    assert entry(course).rating_count == 2


@pytest.mark.django_db
def test_deleting_a_rated_and_watched_course_leaves_no_numbers_behind(make_course):
    course = published(make_course, title="将被删除的课程")
    rate(course, 5)
    rate(course, 3)
    assert stats(course).rating_count == 2
    page_id = course.pk
    course.delete()  # its ratings' handlers run while the page goes: nothing is made for it again
    assert not ResourceStats.objects.filter(page_id=page_id).exists()
    assert not IndexEntry.objects.filter(page_id=page_id).exists()


def test_one_five_star_rating_does_not_top_fifty_of_four_point_eight(settings):
    assert rating_score(50, 240) > rating_score(1, 5) > rating_score(0, 0) == 0


@pytest.mark.django_db
def test_with_elasticsearch_the_change_waits_in_the_queue_for_the_worker(settings, make_course):
    settings.SEARCH = {**settings.SEARCH, "ELASTICSEARCH_URL": "http://127.0.0.1:9", "ELASTICSEARCH_TIMEOUT": 1.0}
    course = published(make_course)
    PendingChange.objects.all().delete()
    rate(course, 4)
    assert PendingChange.objects.filter(page_id=course.pk, action="index").exists()


@pytest.mark.django_db
def test_refresh_fixes_the_drift_a_deleted_account_leaves(make_course):
    course = playable_course(make_course)
    users = [counselor(f"viewer{i}") for i in range(3)]
    for user in users:
        start_session(user, course)
    credit_course(users[0].pk, course, timezone.now())
    CourseRating.objects.create(user=users[0], course=course, score=5)
    CourseRating.objects.create(user=users[1], course=course, score=3)
    assert (stats(course).viewers, stats(course).completions) == (3, 1)

    users[0].delete()  # their progress and credit go with them (counted again after the commit, not here)
    assert (stats(course).viewers, stats(course).completions) == (3, 1)
    assert stats(course).rating_count == 1  # a deleted rating is counted again at once

    RefreshRun.objects.all().delete()
    assert sweeps.refresh_stats()
    numbers = stats(course)
    assert (numbers.viewers, numbers.completions, numbers.completion_rate) == (2, 0, 0)
    assert (numbers.rating_count, numbers.rating_average) == (1, 3.0)
    assert (entry(course).viewers, entry(course).completions) == (2, 0)

    # At most once per POPULARITY_REFRESH_MINUTES, whatever the number of workers sweeping.
    ResourceStats.objects.filter(page_id=course.pk).update(viewers=7)
    assert sweeps.refresh_stats() == ""
    assert stats(course).viewers == 7
    RefreshRun.objects.update(started_at=timezone.now() - timedelta(minutes=61))
    sweeps.refresh_stats()
    assert stats(course).viewers == 2


@pytest.mark.django_db
def test_deleting_an_account_counts_its_courses_again_once_committed(make_course, django_capture_on_commit_callbacks):
    course, other = playable_course(make_course), playable_course(make_course, title="另一门课")
    leaving, staying = counselor("leaving"), counselor("staying")
    for user in (leaving, staying):
        start_session(user, course)
    start_session(leaving, other)
    credit_course(leaving.pk, course, timezone.now())
    assert (stats(course).viewers, stats(course).completions, stats(other).viewers) == (2, 1, 1)

    with django_capture_on_commit_callbacks(execute=True):
        leaving.delete()
    numbers = stats(course)
    assert (numbers.viewers, numbers.completions, numbers.completion_rate) == (1, 0, 0)
    assert stats(other).viewers == 0
    assert (entry(course).viewers, entry(course).completions, entry(other).viewers) == (1, 0, 0)


@pytest.mark.django_db
def test_refresh_popularity_command(make_course):
    from io import StringIO

    from django.core.management import call_command

    course = playable_course(make_course)
    start_session(counselor(), course)
    ResourceStats.objects.filter(page_id=course.pk).update(viewers=0)
    out = StringIO()
    call_command("refresh_popularity", stdout=out)
    assert "1 门课程" in out.getvalue()
    assert stats(course).viewers == 1 and entry(course).viewers == 1


# -- sorts --------------------------------------------------------------------------------------


def set_numbers(page, views=0, viewers=0, completions=0, ratings=(0, 0)):
    """A course with these numbers, in ResourceStats and in the search index's copy."""
    values = aggregates.learning_values(viewers, completions, *ratings)
    ResourceStats.objects.update_or_create(page_id=page.pk, defaults={"views": views, **values})
    IndexEntry.objects.filter(page_id=page.pk).update(popularity=views)
    indexing.record_stats({page.pk: documents.stats_columns(values)})


def dt(month, year=2024):
    return datetime(year, month, 1, 12, tzinfo=UTC)


@pytest.fixture
def ranked(make_course):
    """Five courses whose orders differ in every sort (expected orders below)."""
    pages = {
        "A": make_course(title="甲课", first_published_at=dt(1)),
        "B": make_course(title="乙课", first_published_at=dt(2)),
        "C": make_course(title="丙课", first_published_at=dt(3)),
        "D": make_course(title="丁课", first_published_at=dt(4)),
        "E": make_course(title="戊课", first_published_at=dt(1, 2023)),  # no numbers at all, oldest
    }
    indexing.update_pages([p.pk for p in pages.values()])
    set_numbers(pages["A"], views=5, viewers=10, completions=9, ratings=(50, 240))
    set_numbers(pages["B"], views=50, viewers=10, completions=2, ratings=(1, 5))
    set_numbers(pages["C"], views=100, viewers=3, completions=3)  # rate 100 %, but only 3 viewers
    set_numbers(pages["D"], views=0, viewers=6, completions=6, ratings=(2, 8))
    return pages


EXPECTED = {
    # viewers, then page views, then newest; no numbers last
    "popular": "BADCE",
    # the rate from 5 viewers on (D 100 %, A 90 %, B 20 %), then the others by viewers
    "completion": "DABCE",
    # damped averages: A 4.68, B 3.75, D 3.64; unrated last (newest first)
    "rating": "ABDCE",
}


def order_of(pages, titles):
    by_title = {page.title: name for name, page in pages.items()}
    return "".join(by_title[t] for t in titles if t in by_title)


def library_titles(client, tree, sort):
    response = client.get(tree["library"].url, {"sort": sort})
    return [item.title for item in response.context["library"]["page"]]


def search_titles(client, tree, sort):
    return [r.title for r in client.get("/search/", {"sort": sort}).context["search"].results]


def api_search_titles(client, tree, sort):
    return [r["title"] for r in client.get("/api/search/", {"sort": sort, "page_size": 50}).json()["results"]]


def api_pages_titles(client, tree, sort):
    response = client.get("/api/v2/pages/", {"type": "microcourses.MicroCoursePage", "sort": sort, "limit": 50})
    assert response.status_code == 200, response.content
    return [item["title"] for item in response.json()["items"]]


SURFACES = {
    "library": library_titles,
    "search": search_titles,
    "api_search": api_search_titles,
    "api_pages": api_pages_titles,
}


@pytest.mark.django_db
@pytest.mark.parametrize("surface", SURFACES)
def test_every_sort_means_the_same_everywhere(client, tree, ranked, surface):
    for sort, expected in EXPECTED.items():
        assert order_of(ranked, SURFACES[surface](client, tree, sort)) == expected, sort


@pytest.mark.django_db
def test_search_walks_the_index_for_many_matches_in_the_same_order(ranked, monkeypatch):
    small = {sort: [r.title for r in search(SearchRequest(sort=sort)).results] for sort in SORTS}
    monkeypatch.setattr(database, "SMALL", 0)
    for sort in SORTS:
        assert [r.title for r in search(SearchRequest(sort=sort)).results] == small[sort]
        assert order_of(ranked, small[sort]) == EXPECTED[sort]


@pytest.mark.django_db
def test_the_sort_links_of_the_library_and_the_search(client, tree, ranked):
    library = client.get(tree["library"].url).content.decode()
    found = client.get("/search/").content.decode()
    for label, sort in [("最多观看", "popular"), ("完成率最高", "completion"), ("评分最高", "rating")]:
        assert f'href="?sort={sort}"' in library and label in library
        assert f'href="?sort={sort}"' in found and label in found


@pytest.mark.django_db
def test_the_api_refuses_an_unknown_sort_or_one_with_order(client, ranked):
    assert client.get("/api/v2/pages/", {"sort": "views"}).status_code == 400
    assert client.get("/api/v2/pages/", {"sort": "popular", "order": "title"}).status_code == 400
    # Without a type the pages are Wagtail's pages: the resources first by their numbers, the others after.
    response = client.get("/api/v2/pages/", {"sort": "popular", "limit": 3})
    assert [item["title"] for item in response.json()["items"]] == ["乙课", "甲课", "丁课"]


@pytest.mark.django_db
def test_the_api_sort_pages_through_the_same_order_with_type_and_fields(client, ranked):
    params = {"type": "microcourses.MicroCoursePage", "fields": "popularity", "limit": 2}
    seen = []
    for offset in (0, 2, 4):
        response = client.get("/api/v2/pages/", {**params, "sort": "rating", "offset": offset})
        assert response.status_code == 200 and response.json()["meta"]["total_count"] == 5
        items = response.json()["items"]
        assert all("popularity" in item for item in items)
        seen += [item["title"] for item in items]
    assert order_of(ranked, seen) == EXPECTED["rating"]
    # A page of another type has no numbers to sort by; an offset past any listing is refused, not a crash.
    assert client.get("/api/v2/pages/", {"sort": "rating", "type": "home.HomePage"}).status_code == 400
    for offset in ("9" * 30, str(2**63)):
        response = client.get("/api/v2/pages/", {**params, "sort": "rating", "offset": offset})
        assert response.status_code == 400 and "offset" in response.json()["message"]
    assert client.get("/api/v2/pages/", {**params, "offset": 10**9}).json()["items"] == []


# -- the same number of queries for 12 and 20 items ----------------------------------------------


def query_count(client, url, params):
    client.get(url, params)  # warm per-process caches (content types, site root paths, the search snapshot)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def add_courses(make_course, n, start):
    pages = []
    for i in range(start, start + n):
        page = make_course(title=f"第{i}课", capabilities=["mental_health"], stages=["new"], tags=["甲"])
        pages.append(page)
        if i % 3:  # a third of them have no numbers at all
            set_numbers(page, views=i, viewers=i % 7, completions=i % 5, ratings=(i % 4, 4 * (i % 4)))
    indexing.update_pages([p.pk for p in pages])
    for page in pages:  # update_pages reads the numbers again: the copies stay right
        if page.pk in set(ResourceStats.objects.values_list("page_id", flat=True)):
            assert entry(page).viewers == stats(page).viewers
    return pages


QUERY_SURFACES = {
    "library": lambda tree: (tree["library"].url, {}),
    "search": lambda tree: ("/search/", {}),
    "api_search": lambda tree: ("/api/search/", {"page_size": 20}),
    "api_pages": lambda tree: ("/api/v2/pages/", {"type": "microcourses.MicroCoursePage", "fields": "popularity"}),
}


@pytest.mark.django_db
@pytest.mark.parametrize("surface", QUERY_SURFACES)
def test_the_sorts_run_the_same_number_of_queries_for_12_and_20_items(client, tree, make_course, surface):
    url, params = QUERY_SURFACES[surface](tree)
    add_courses(make_course, 12, 0)
    few = {}
    for sort in SORTS:
        few[sort], response = query_count(client, url, {**params, "sort": sort})
    add_courses(make_course, 8, 12)
    for sort in SORTS:
        many, response = query_count(client, url, {**params, "sort": sort})
        if surface == "api_pages":
            items = response.json()["items"]
            assert len(items) == 20 and "popularity" in items[0]
        assert few[sort] == many, f"{surface} {sort}: {few[sort]} queries for 12 items, {many} for 20"


# -- what is shown ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_rows_show_viewers_completion_rate_and_rating(client, tree, ranked):
    html = client.get(tree["library"].url, {"sort": "popular"}).content.decode()
    assert "10 人学习" in html and "完成率 90%" in html and "50 人评分" in html and "4.8" in html
    assert "平均评分" in html  # in words, not only a star
    assert "3 人学习" in html and "完成率 100%" not in html.split("丙课")[1].split("</article>")[0]
    found = client.get("/search/", {"sort": "popular"}).content.decode()
    assert "10 人学习" in found and "完成率 90%" in found and "50 人评分" in found
    item = client.get("/api/search/", {"sort": "rating"}).json()["results"][0]
    assert item["popularity"] == {
        "views": 5,
        "viewers": 10,
        "completions": 9,
        "completion_rate": 0.9,
        "rating_average": 4.8,
        "rating_count": 50,
    }


@pytest.mark.django_db
def test_the_course_page_shows_its_numbers(client, ranked):
    html = client.get(ranked["A"].url).content.decode()
    assert "学习数据" in html and "10 人" in html and "90%（9 人完成）" in html and "50 人评分" in html
    assert "学习数据" not in client.get(ranked["E"].url).content.decode()  # nothing to show
    few = client.get(ranked["C"].url).content.decode()
    assert "3 人" in few and "完成率" not in few.split("学习数据")[1].split("</dl>")[0]


@pytest.mark.django_db
def test_the_api_gives_each_resource_its_numbers(client, ranked):
    response = client.get("/api/v2/pages/", {"type": "microcourses.MicroCoursePage", "fields": "popularity"})
    numbers = {item["title"]: item["popularity"] for item in response.json()["items"]}
    assert numbers["甲课"]["viewers"] == 10 and numbers["甲课"]["rating_average"] == 4.8
    assert numbers["丙课"]["completion_rate"] is None  # below the minimum of viewers
    assert numbers["戊课"] == {
        "views": 0,
        "viewers": 0,
        "completions": 0,
        "completion_rate": None,
        "rating_average": None,
        "rating_count": 0,
    }


# -- Elasticsearch (request bodies and documents: no server needed) --------------------------------


@pytest.mark.django_db
def test_elasticsearch_documents_mapping_and_sorts_carry_the_numbers(ranked):
    [doc] = documents.load_documents([ranked["A"].pk])
    source = elastic._source(doc)
    assert (source["viewers"], source["popularity"], source["rating_count"]) == (10, 5, 50)
    assert source["completion_key"] == pytest.approx(0.9) and source["rating_score"] == pytest.approx(257.5 / 55)
    properties = elastic.mapping().to_dict()["properties"]
    assert set(source) == set(properties)  # the mapping is strict: every field must be declared
    for sort, first in [("popular", "viewers"), ("completion", "completion_key"), ("rating", "rating_score")]:
        body = elastic.build_search(SearchQuery(terms=[], sort=sort), "alias").to_dict()
        assert next(iter(body["sort"][0])) == first
